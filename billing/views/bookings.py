"""An external candidate's booking of a session, with its fee shown first."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from accounts.models import Role
from candidates.models import CandidateKind
from pixcentre.errors import DomainError, refused

from .. import services


def _bookable_session(request, pk):
    """The session an external candidate may book now; anyone else, or a session that is not
    open to externals or has started, 404."""
    from sessions_app.models import Session, SessionStatus
    from sessions_app.services import sessions_with_counts

    candidate = getattr(request.user, "candidate", None)
    if candidate is None or candidate.kind != CandidateKind.EXTERNAL:
        raise Http404
    session = get_object_or_404(
        sessions_with_counts(Session.objects.filter(status=SessionStatus.OPEN)), pk=pk
    )
    if not session.accepts(CandidateKind.EXTERNAL) or session.starts_at <= timezone.now():
        raise Http404
    return candidate, session


@role_required(Role.CANDIDATE)
@require_http_methods(["GET", "POST"])
def book(request, pk):
    """An external candidate's booking: the fee and how to pay it first, then « Confirmer ».
    The amount shown is sent back with the confirmation: if the centre changed its fee in
    between, the page shows the new one and books nothing."""
    from sessions_app import services as session_services
    from sessions_app.models import ACTIVE_STATUSES, Registration, RegistrationStatus

    candidate, session = _bookable_session(request, pk)
    if Registration.objects.filter(
        candidate=candidate, session=session, status__in=ACTIVE_STATUSES
    ).exists():
        return redirect("sessions_app:mine")  # booked already (a second tab, a double click)
    amount = services.parameters_for_year(session.academic_year).external_fee
    if request.method == "POST":
        if request.POST.get("amount") != str(amount):
            messages.warning(
                request,
                _(
                    "Le tarif de cette session a changé : vérifiez le nouveau montant, "
                    "puis confirmez."
                ),
            )
        else:
            try:
                registration = session_services.book_external(
                    session, candidate, acting_user=request.user
                )
            except DomainError as exc:
                refused(request, exc)
                return redirect("sessions_app:offer")
            if registration.status == RegistrationStatus.CONFIRMED:
                messages.success(
                    request,
                    _(
                        "Votre place est réservée. %(amount)s € sont à régler au centre : "
                        "voici comment payer."
                    )
                    % {"amount": _money(amount)},
                )
                return redirect("billing:my_fees")
            messages.info(request, _("Session complète : vous êtes sur la liste d’attente."))
            return redirect("sessions_app:mine")
    return render(
        request,
        "billing/book.html",
        {
            "session": session,
            "amount": amount,
            "seats_left": session.seats_left,
            "candidate": candidate,
            "cancellation_deadline": session.cancellation_deadline(),
        },
    )


def _money(amount) -> str:
    return number_format(amount, 2, use_l10n=True, force_grouping=True)
