"""Pix Orga profile imports: upload, history, one import and its progress."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import role_required
from accounts.models import Role

from .. import services
from ..forms import ProfileImportForm
from ..models import ProfileImport


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def imports(request):
    form = ProfileImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        profile_import = services.start_profile_import(
            data=form.data_bytes,
            file_name=form.cleaned_data["file"].name,
            acting_user=request.user,
        )
        return redirect("candidates:import_detail", pk=profile_import.pk)
    # Query: one page of the history with who uploaded each file.
    history = Paginator(
        ProfileImport.objects.select_related("uploaded_by").defer("error_report", "warnings"), 30
    ).get_page(request.GET.get("page"))
    return render(request, "candidates/imports.html", {"form": form, "history": history})


@role_required(Role.ADMINISTRATOR)
@require_GET
def import_detail(request, pk):
    profile_import = get_object_or_404(ProfileImport.objects.select_related("uploaded_by"), pk=pk)
    return render(
        request,
        "candidates/import_detail.html",
        {
            "import": profile_import,
            "progress": services.import_progress(profile_import),
            "progress_url": reverse("candidates:import_progress", args=[pk]),
        },
    )


@never_cache
@role_required(Role.ADMINISTRATOR)
@require_GET
def import_progress(request, pk):
    profile_import = get_object_or_404(
        ProfileImport.objects.defer("error_report", "warnings"), pk=pk
    )
    return JsonResponse(services.import_progress(profile_import))
