"""Convocation pages: the administrator's sending page (live progress, why one was not sent,
an address for a candidate email could not reach, resend one, the session's convocations in one
PDF to print) and the candidate's own convocations (PDF and calendar file)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from outbox.dispatch import enqueue
from pixcentre.errors import DomainError, refused

from ..access import candidate_of, registration_for
from ..models import Convocation, Registration, RegistrationStatus, Session, SessionStatus
from ..services import convocations, sessions_with_counts
from .common import candidate_required


@role_required(Role.ADMINISTRATOR)
def index(request):
    """Sessions still to come (and those of the last week), with their confirmed counts."""
    since = timezone.localdate() - timezone.timedelta(days=7)
    sessions = sessions_with_counts(
        Session.objects.filter(date__gte=since).exclude(status=SessionStatus.CANCELLED)
    )
    return render(request, "sessions_app/convocations/index.html", {"sessions": sessions})


@role_required(Role.ADMINISTRATOR)
def session_detail(request, pk):
    session = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    if request.method == "POST":
        from ..tasks import send_session_convocations

        enqueue(send_session_convocations, session.pk)
        messages.success(
            request, _("L’envoi des convocations est lancé : suivez sa progression ci-dessous.")
        )
        return redirect("convocations:session", pk=session.pk)
    registrations = (
        Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED)
        .select_related("candidate__user", "convocation")
        .order_by("candidate__birth_name", "candidate__first_name")
    )
    rows = []
    for registration in registrations:
        convocation = getattr(registration, "convocation", None)
        rows.append(
            {
                "registration": registration,
                "convocation": convocation,
                "address": convocations.recipient(registration),
                "reason": convocations.not_sent_reason(convocation),
            }
        )
    return render(
        request,
        "sessions_app/convocations/session.html",
        {"session": session, "rows": rows, "progress": convocations.progress(session)},
    )


@never_cache
@role_required(Role.ADMINISTRATOR)
def progress_json(request, pk):
    session = get_object_or_404(Session, pk=pk)
    return JsonResponse(convocations.progress(session))


@require_POST
@role_required(Role.ADMINISTRATOR)
def resend(request, pk):
    convocation = get_object_or_404(Convocation.objects.select_related("registration"), pk=pk)
    try:
        convocation = convocations.prepare_resend(convocation, acting_user=request.user)
    except DomainError as error:
        refused(request, error)
    else:
        from ..tasks import deliver_convocation, send_session_convocations

        session_id = convocation.registration.session_id
        if convocation.file:
            enqueue(deliver_convocation, convocation.pk)
        else:
            enqueue(send_session_convocations, session_id)
        messages.success(
            request,
            _("La convocation de %(candidate)s va être renvoyée.")
            % {"candidate": convocation.registration.candidate},
        )
    return redirect("convocations:session", pk=convocation.registration.session_id)


@role_required(Role.ADMINISTRATOR)
def printable(request, pk):
    """The session's convocations in one PDF, one per page, to print: their stored files
    merged, a convocation with no current file rendered on request (the merged PDF is never
    stored). ``?quoi=non-envoyees``: only those no email has reached."""
    session = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    only_not_sent = request.GET.get("quoi") == "non-envoyees"
    pdf, pages = convocations.printable_convocations(session, only_not_sent=only_not_sent)
    if not pages:
        messages.info(request, _("Aucune convocation à imprimer."))
        return redirect("convocations:session", pk=session.pk)
    suffix = "-non-envoyees" if only_not_sent else ""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="convocations-{session.date:%Y-%m-%d}-{session.pk}{suffix}.pdf"'
    )
    return response


@require_POST
@role_required(Role.ADMINISTRATOR)
def set_address(request, pk):
    """An address for a candidate no email could reach, and their convocation sent to it."""
    convocation = get_object_or_404(
        Convocation.objects.select_related("registration__candidate"), pk=pk
    )
    try:
        convocations.set_address_and_resend(
            convocation, request.POST.get("email", ""), acting_user=request.user
        )
    except DomainError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _("La convocation de %(candidate)s va être envoyée à %(address)s.")
            % {
                "candidate": convocation.registration.candidate,
                "address": request.POST.get("email", "").strip(),
            },
        )
    return redirect("convocations:session", pk=convocation.registration.session_id)


@candidate_required
def mine(request):
    candidate = candidate_of(request.user)
    registrations = (
        Registration.objects.filter(candidate=candidate, status=RegistrationStatus.CONFIRMED)
        .select_related("session__room", "convocation")
        .order_by("-session__date")
    )
    return render(request, "sessions_app/convocations/mine.html", {"registrations": registrations})


def _stored_convocation(request, pk) -> Convocation:
    registration = registration_for(request.user, pk)
    convocation = getattr(registration, "convocation", None)
    if convocation is None or not convocation.file:
        raise Http404
    return convocation


@role_required(Role.ADMINISTRATOR, Role.CANDIDATE)
def download_pdf(request, pk):
    convocation = _stored_convocation(request, pk)
    return FileResponse(
        convocation.file.open("rb"),
        as_attachment=True,
        filename="convocation-pix.pdf",
        content_type="application/pdf",
    )


@role_required(Role.ADMINISTRATOR, Role.CANDIDATE)
def download_ics(request, pk):
    convocation = _stored_convocation(request, pk)
    response = HttpResponse(convocation.ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="certification-pix.ics"'
    return response
