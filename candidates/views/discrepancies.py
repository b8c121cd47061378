"""The administrator's decisions on what the university says: the disagreements to check,
and the study year set by hand (with a reason kept in the audit trail)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role
from pixcentre.errors import refused

from ..forms import StudyYearForm
from ..models import Candidate, IdentityDiscrepancy
from ..services import linking
from .common import PAGE_SIZE


@role_required(Role.ADMINISTRATOR)
@require_GET
def discrepancies(request):
    """What the university says differently from the records, to check one by one."""
    # Queries: the count, then one page of open disagreements with their candidate.
    page = Paginator(
        IdentityDiscrepancy.objects.filter(checked_at__isnull=True)
        .select_related("candidate")
        .order_by("-detected_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "candidates/discrepancies.html", {"page": page})


@role_required(Role.ADMINISTRATOR)
@require_POST
def discrepancy_check(request, pk):
    discrepancy = get_object_or_404(IdentityDiscrepancy, pk=pk)
    linking.check_discrepancy(discrepancy, acting_user=request.user)
    messages.success(request, _("Écart marqué comme vérifié."))
    return redirect("candidates:discrepancies")


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def study_year(request, pk):
    """The administrator sets the study year (the directory's is otherwise final), with a
    reason kept in the audit trail."""
    candidate = get_object_or_404(Candidate, pk=pk)
    form = StudyYearForm(request.POST or None, initial={"study_year": candidate.study_year or None})
    if request.method == "POST" and form.is_valid():
        try:
            linking.override_study_year(
                candidate,
                form.cleaned_data["study_year"],
                form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except linking.LinkingError as exc:
            refused(request, exc)
        else:
            messages.success(
                request, _("Année d’études enregistrée ; la priorité va être recalculée.")
            )
            return redirect("candidates:detail", pk=pk)
    return render(request, "candidates/study_year.html", {"form": form, "candidate": candidate})
