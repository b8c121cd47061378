"""Invitations: the administrator's roster upload and list, one invitation from a candidate's
page, and the invitee's link."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role
from pixcentre.errors import refused

from ..forms import InviteForm, RosterForm
from ..models import Candidate, Invitation
from ..services import linking
from .common import PAGE_SIZE


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def invitations(request):
    """Upload a roster (all or nothing), and the invitations sent, newest first."""
    form = RosterForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = linking.import_roster(form.data_bytes, acting_user=request.user)
        if result.ok:
            messages.success(
                request,
                _(
                    "Invitations envoyées : %(invited)s. Déjà liés à un compte : %(linked)s. "
                    "Déjà invités à la même adresse : %(again)s. Années d’études mises à jour : "
                    "%(years)s."
                )
                % {
                    "invited": result.invited,
                    "linked": result.already_linked,
                    "again": result.already_invited,
                    "years": result.years_set,
                },
            )
            return redirect("candidates:invitations")
    # Queries: the count, then one page of invitations with their candidate.
    page = Paginator(
        Invitation.objects.select_related("candidate").order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "candidates/invitations.html",
        {"form": form, "result": result, "page": page, "now": timezone.now()},
    )


@role_required(Role.ADMINISTRATOR)
@require_POST
def invite(request, pk):
    candidate = get_object_or_404(Candidate, pk=pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("email", []):
            messages.error(request, error)
        return redirect("candidates:detail", pk=pk)
    try:
        invitation = linking.invite(candidate, form.cleaned_data["email"], acting_user=request.user)
    except linking.LinkingError as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            _("Invitation envoyée à %(email)s ; le lien expire le %(date)s.")
            % {
                "email": invitation.email,
                "date": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y"),
            },
        )
    return redirect("candidates:detail", pk=pk)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link of an invitation email: sign in or sign up, then accept (POST)."""
    found = linking.find_invitation(token)
    problem = linking.invitation_problem(found)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            linking.accept_invitation(token, request.user)
        except linking.LinkingError as exc:
            refused(request, exc)
            return redirect(request.get_full_path())
        messages.success(
            request,
            _("Votre compte est lié à votre dossier : voici votre profil et votre priorité."),
        )
        return redirect("candidates:me")
    here = request.get_full_path()
    return render(
        request,
        "candidates/invitation.html",
        {
            "invitation": found if not problem else None,
            "problem": problem,
            "next_query": urlencode({"next": here}),
        },
        status=200 if not problem else 410 if found else 404,
    )
