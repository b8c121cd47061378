"""Invigilators' and administrators' pages for invigilation, the day of the session and
finalisation. Thin: access, a form, one service call (``services/invigilation/`` and
``services/attendance.py``).

Access: invigilators see only the sessions they are assigned to (404 for any other), and
their own availability; administrators see every session and do assignments, attendance
sheets and finalisation.
"""

import datetime as dt

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from candidates.models import AcademicYear
from outbox.dispatch import enqueue
from pixcentre.confirm import ask_first
from pixcentre.errors import DomainError, refuse_form, refused
from pixcentre.filters import uses_filters

from ..forms import AssignForm, AttendanceForm, IncidentForm, PeriodForm, StaffingFilters
from ..models import (
    Assignment,
    Attendance,
    AttendanceSheet,
    Incident,
    InvigilatorPeriod,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from ..services import attendance, invigilation

STAFF = (Role.INVIGILATOR, Role.ADMINISTRATOR)
# --- access -----------------------------------------------------------------------------------


def session_for(user, pk) -> Session:
    """Administrators see every session; an invigilator only those they are assigned to."""
    queryset = Session.objects.select_related("room", "academic_year")
    if user.is_administrator:
        return get_object_or_404(queryset, pk=pk)
    if user.is_invigilator:
        return get_object_or_404(queryset, pk=pk, assignments__invigilator=user)
    raise Http404


# --- invigilator ------------------------------------------------------------------------------


@role_required(Role.INVIGILATOR)
def availability(request):
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = invigilation.declare_period(
                acting_user=request.user,
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            refuse_form(form, error)
        else:
            messages.success(request, _("Période enregistrée."))
            for clash in invigilation.clashes_of_period(period):
                messages.warning(
                    request,
                    _(
                        "Cette indisponibilité chevauche la session %(session)s qui vous est "
                        "confiée : le gestionnaire en est averti. Prévenez-le si vous ne pouvez "
                        "pas venir."
                    )
                    % {"session": clash.session},
                )
            return redirect("invigilation:availability")
    periods = InvigilatorPeriod.objects.filter(invigilator=request.user).order_by("-starts_at")
    return render(
        request,
        "sessions_app/invigilation/availability.html",
        {
            "form": form,
            "periods": periods,
            "clashes": invigilation.assignment_clashes(invigilator=request.user),
        },
    )


@require_POST
@role_required(Role.INVIGILATOR)
def availability_delete(request, pk):
    period = get_object_or_404(InvigilatorPeriod, pk=pk, invigilator=request.user)
    invigilation.delete_period(period, acting_user=request.user)
    messages.success(request, _("Période retirée."))
    return redirect("invigilation:availability")


@role_required(Role.INVIGILATOR)
def schedule(request):
    """My sessions (this academic year) and my hours."""
    year = AcademicYear.current()
    assignments = list(invigilation.schedule_of(request.user, academic_year=year))
    minutes = sum(a.minutes for a in assignments)
    today = timezone.localdate()
    return render(
        request,
        "sessions_app/invigilation/schedule.html",
        {
            "year": year,
            "assignments": assignments,
            "today": today,
            "minutes": minutes,
            "hours": f"{minutes // 60} h {minutes % 60:02d}",
            "clashes": invigilation.assignment_clashes(invigilator=request.user),
        },
    )


def _day_context(session, user):
    registrations = list(
        Registration.objects.filter(
            session=session,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW],
        )
        .select_related("candidate", "attendance")
        .order_by("candidate__birth_name", "candidate__first_name")
    )
    lines, session_incidents = attendance.finalisation_report(session)
    incidents_by_registration = {line.registration.pk: line.incidents for line in lines}
    rows = [
        {
            "registration": r,
            "candidate": r.candidate,
            "attendance": getattr(r, "attendance", None),
            "incidents": incidents_by_registration.get(r.pk, []),
        }
        for r in registrations
    ]
    today = timezone.localdate()
    return {
        "session": session,
        "rows": rows,
        "session_incidents": session_incidents,
        "staffing": invigilation.session_staffing(session),
        "invigilators": Assignment.objects.filter(session=session).select_related("invigilator"),
        "is_day": session.date <= today
        and session.status not in (SessionStatus.CANCELLED, SessionStatus.FINALISED),
        "is_today": session.date == today,
        "extra_time_count": sum(1 for r in rows if r["candidate"].has_extra_time),
        "counts": attendance.roll_call_counts(session),
    }


@role_required(*STAFF)
def session_day(request, pk):
    """The session on the day: candidates with extra time and accessibility flags, roll call,
    incidents."""
    session = session_for(request.user, pk)
    context = _day_context(session, request.user)
    context["incident_form"] = IncidentForm(session=session)
    return render(request, "sessions_app/invigilation/session_day.html", context)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _row_state(row) -> dict:
    """One candidate's attendance as the page's script shows it."""
    label = row.get_status_display()
    if row.identity_checked:
        label += " · " + _("identité vérifiée")
    return {
        "registration": row.registration_id,
        "status": row.status,
        "identity_checked": row.identity_checked,
        "label": label,
    }


def _answer(request, session, *, ok=True, message="", refusal=None, attendances=(), anchor=""):
    """JSON for the page's script (the row states and the counts), else a message and the day
    page again (without JavaScript). A ``refusal`` (a DomainError) answers with its sentence."""
    if refusal is not None:
        ok, message = False, refusal.message
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": ok,
                "message": message,
                "rows": [_row_state(a) for a in attendances],
                "counts": attendance.roll_call_counts(session),
            },
            status=200 if ok else 400,
        )
    (messages.success if ok else messages.error)(request, message)
    return redirect(f"{_day_url(session)}{anchor}")


@require_POST
@role_required(*STAFF)
def mark(request, pk, registration_pk):
    session = session_for(request.user, pk)
    registration = get_object_or_404(Registration, pk=registration_pk, session=session)
    anchor = f"#candidate-{registration.pk}"
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, session, ok=False, message=_("Choisissez présent ou absent."), anchor=anchor
        )
    present = form.cleaned_data["present"] == "present"
    try:
        marked = attendance.mark_attendance(
            registration,
            present=present,
            identity_checked=form.cleaned_data["identity_checked"],
            acting_user=request.user,
        )
    except DomainError as error:
        return _answer(request, session, refusal=error, anchor=anchor)
    message = _("%(candidate)s : %(status)s.") % {
        "candidate": registration.candidate,
        "status": _("présent") if present else _("absent"),
    }
    return _answer(request, session, ok=True, message=message, attendances=[marked], anchor=anchor)


@require_POST
@role_required(*STAFF)
def mark_all(request, pk):
    """« Tous présents »: every candidate not called yet; then the exceptions, one tap each."""
    session = session_for(request.user, pk)
    try:
        marked = attendance.mark_all_present(session, acting_user=request.user)
    except DomainError as error:
        return _answer(request, session, refusal=error)
    if marked:
        message = ngettext(
            "%(n)s candidat marqué présent. Marquez maintenant les absents.",
            "%(n)s candidats marqués présents. Marquez maintenant les absents.",
            len(marked),
        ) % {"n": len(marked)}
    else:
        message = _("Tous les candidats sont déjà appelés : rien n’a changé.")
    return _answer(request, session, ok=True, message=message, attendances=marked)


@require_POST
@role_required(*STAFF)
def mark_code(request, pk):
    """The presence code of a convocation, scanned by the page's camera or typed."""
    session = session_for(request.user, pk)
    try:
        marked = attendance.mark_present_by_code(
            session, request.POST.get("code", ""), acting_user=request.user
        )
    except DomainError as error:
        return _answer(request, session, refusal=error)
    return _answer(
        request,
        session,
        ok=True,
        message=_("%(candidate)s : présent.") % {"candidate": marked.registration.candidate},
        attendances=[marked],
        anchor=f"#candidate-{marked.registration_id}",
    )


@role_required(*STAFF)
def presence(request, token):
    """The address in a convocation's QR code, opened by a phone's own camera app: the
    candidate and a button to mark them present (a GET never changes anything)."""
    registration = attendance.registration_for_token(token)
    if registration is None:
        raise Http404
    session = session_for(request.user, registration.session_id)  # 404 if not theirs
    if request.method == "POST":
        try:
            attendance.mark_present_by_code(session, token, acting_user=request.user)
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(
                request, _("%(candidate)s : présent.") % {"candidate": registration.candidate}
            )
            return redirect(f"{_day_url(session)}#candidate-{registration.pk}")
    return render(
        request,
        "sessions_app/invigilation/presence.html",
        {
            "session": session,
            "registration": registration,
            "candidate": registration.candidate,
            "attendance": Attendance.objects.filter(registration=registration).first(),
        },
    )


def _day_url(session):
    from django.urls import reverse

    return reverse("invigilation:session_day", args=[session.pk])


@role_required(*STAFF)
def incident(request, pk):
    session = session_for(request.user, pk)
    form = IncidentForm(request.POST or None, request.FILES or None, session=session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attendance.report_incident(
                session,
                acting_user=request.user,
                registration=data["registration"],
                code=data["code"],
                question_number=data["question_number"],
                abandon_reason=data["abandon_reason"],
                description=data["description"],
                fraud_report=data["fraud_report"],
            )
        except DomainError as error:
            refuse_form(form, error)
        else:
            messages.success(request, _("Incident enregistré."))
            return redirect(_day_url(session))
    context = _day_context(session, request.user)
    context["incident_form"] = form
    return render(request, "sessions_app/invigilation/session_day.html", context, status=200)


# --- administrator ----------------------------------------------------------------------------


@role_required(Role.ADMINISTRATOR)
@uses_filters(StaffingFilters)
def sessions(request):
    """Coming sessions with their staffing; understaffed ones first flagged."""
    today = timezone.localdate()
    only_understaffed = StaffingFilters(request.GET).values().get("sous_effectif") == "1"
    queryset = invigilation.with_staffing(
        Session.objects.filter(date__gte=today - dt.timedelta(days=30)).exclude(
            status=SessionStatus.CANCELLED
        )
    ).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("invigilator"),
            to_attr="assigned",
        )
    )
    rows = []
    for session in queryset:
        session.staffing = invigilation.session_staffing(session)
        if only_understaffed and not (
            session.staffing.is_understaffed
            and session.date >= today
            and session.status != SessionStatus.FINALISED
        ):
            continue
        rows.append(session)
    return render(
        request,
        "sessions_app/invigilation/sessions.html",
        {"sessions": rows, "today": today, "only_understaffed": only_understaffed},
    )


@role_required(Role.ADMINISTRATOR)
def assign(request, pk):
    session = session_for(request.user, pk)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invigilation.assign_invigilator(
                session, form.cleaned_data["invigilator"], acting_user=request.user
            )
        except DomainError as error:
            refuse_form(form, error)
        else:
            messages.success(
                request,
                _("%(user)s est affecté à la session.")
                % {"user": form.cleaned_data["invigilator"]},
            )
            return redirect("invigilation:assign", pk=session.pk)
    return render(
        request,
        "sessions_app/invigilation/assign.html",
        {
            "session": session,
            "form": form,
            "staffing": invigilation.session_staffing(session),
            "assignments": Assignment.objects.filter(session=session).select_related("invigilator"),
            "suggestions": invigilation.suggest_invigilators(session, limit=10),
            "clashes": invigilation.assignment_clashes(session=session),
        },
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def unassign(request, pk, assignment_pk):
    session = session_for(request.user, pk)
    assignment = get_object_or_404(Assignment, pk=assignment_pk, session=session)
    invigilation.unassign_invigilator(assignment, acting_user=request.user)
    messages.success(request, _("Affectation retirée."))
    return redirect("invigilation:assign", pk=session.pk)


@role_required(Role.ADMINISTRATOR)
def finalise(request, pk):
    """Incidents per candidate in Pix Certif's order and words, then finalise."""
    session = session_for(request.user, pk)
    if request.method == "POST":
        page = ask_first(
            request,
            question=_(
                "Finaliser la session du %(session)s ? Présences, absences et incidents "
                "ne changeront plus."
            )
            % {"session": session},
            confirm_label=_("Finaliser la session"),
            cancel_url=reverse("invigilation:finalise", args=[session.pk]),
        )
        if page:
            return page
        try:
            result = attendance.finalise_session(session, acting_user=request.user)
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(
                request,
                _(
                    "Session finalisée : %(present)s présent(s), %(absent)s absent(s), "
                    "%(incidents)s incident(s) conservé(s)."
                )
                % {
                    "present": result.present,
                    "absent": result.absent,
                    "incidents": result.incidents,
                },
            )
        return redirect("invigilation:finalise", pk=session.pk)
    lines, session_incidents = attendance.finalisation_report(session)
    return render(
        request,
        "sessions_app/invigilation/finalise.html",
        {
            "session": session,
            "lines": lines,
            "session_incidents": session_incidents,
            "sheet": AttendanceSheet.objects.filter(session=session).first(),
            "can_finalise": session.status != SessionStatus.FINALISED
            and session.date <= timezone.localdate(),
        },
    )


@role_required(Role.ADMINISTRATOR)
def attendance_sheet(request, pk):
    """GET: download the stored sheet; POST: ask Celery to produce it (again)."""
    session = session_for(request.user, pk)
    if request.method == "POST":
        from ..tasks import generate_attendance_sheet_task

        enqueue(generate_attendance_sheet_task, session.pk)
        messages.info(
            request,
            _(
                "La feuille d’émargement est en préparation ; elle apparaîtra ici dès qu’elle est "
                "prête."
            ),
        )
        return redirect("invigilation:finalise", pk=session.pk)
    sheet = get_object_or_404(AttendanceSheet, session=session)
    return FileResponse(
        sheet.file.open("rb"),
        as_attachment=True,
        filename=f"emargement-{session.date:%Y-%m-%d}-{session.pk}.pdf",
        content_type="application/pdf",
    )


@role_required(Role.ADMINISTRATOR)
def fraud_report(request, pk, incident_pk):
    """The attached fraud report, for administrators only (never a public media link)."""
    session = session_for(request.user, pk)
    incident = get_object_or_404(Incident, pk=incident_pk, session=session)
    if not incident.fraud_report:
        raise Http404
    return FileResponse(incident.fraud_report.open("rb"), as_attachment=True)
