"""A candidate's identity as Pix needs it: their own form, their data, their request for
deletion, and the administrator's correction."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import role_required
from accounts.models import Role
from pixcentre.errors import DomainError, refused

from .. import access, services
from ..forms import IdentityForm
from ..models import Candidate


@role_required(Role.CANDIDATE)
@require_http_methods(["GET", "POST"])
def identity(request):
    candidate = access.own_candidate(request.user) or Candidate(
        birth_name=request.user.last_name, first_name=request.user.first_name
    )
    form = IdentityForm(
        request.POST or None, instance=candidate, today=timezone.localdate(), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_identity(candidate, form.cleaned_data, acting_user=request.user)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("Votre identité est enregistrée : Pix l’acceptera."))
            # Sent here from a page that needs a candidate record: back to it.
            back = request.GET.get("next", "")
            if back.startswith("/") and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}
            ):
                return redirect(back)
            return redirect("candidates:me")
    return render(request, "candidates/identity.html", {"form": form, "candidate": candidate})


@role_required(Role.CANDIDATE)
@require_GET
def my_data(request):
    candidate = access.own_candidate(request.user)
    if candidate is None:
        data = {"compte": request.user.email, "candidat": None}
    else:
        data = services.personal_data(candidate)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-pixcentre.json"'
    return response


@role_required(Role.CANDIDATE)
@require_http_methods(["GET", "POST"])
def deletion(request):
    candidate = access.own_candidate(request.user)
    if candidate is None:
        return redirect("candidates:me")
    if request.method == "POST":
        services.request_deletion(candidate, acting_user=request.user)
        messages.success(
            request,
            _(
                "Votre demande de suppression est enregistrée : le centre anonymisera vos "
                "données, sauf celles qu’il doit garder pour une session à laquelle vous êtes "
                "inscrit(e)."
            ),
        )
        return redirect("candidates:me")
    return render(request, "candidates/deletion.html", {"candidate": candidate})


def _safe_next(request) -> str | None:
    """The page to go back to (the Pix export's problem list…), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def edit_identity(request, pk):
    """An administrator corrects a candidate's identity (audited, before/after): the fix the
    Pix export's problem list links to. Pix's own rules check it, as on the candidate's page."""
    candidate = get_object_or_404(
        Candidate.objects.select_related("user"), pk=pk, anonymised_at__isnull=True
    )
    back = _safe_next(request)
    # The form works on its own copy: the service compares with the record as it was.
    form = IdentityForm(
        request.POST or None,
        instance=Candidate.objects.get(pk=pk),
        today=timezone.localdate(),
        for_staff=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_identity(candidate, form.cleaned_data, acting_user=request.user)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(
                request,
                _("Identité de %(who)s enregistrée : Pix l’acceptera.") % {"who": candidate},
            )
            return redirect(back or reverse("candidates:detail", args=[pk]))
    return render(
        request,
        "candidates/edit_identity.html",
        {"form": form, "candidate": candidate, "next": back or ""},
    )
