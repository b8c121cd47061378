"""Administrators' pages for rooms and sessions, and the Pix Certif export."""

import calendar
import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from candidates import search as candidate_search
from candidates.models import AcademicYear, Candidate
from pixcentre.confirm import ask_first
from pixcentre.errors import DomainError, act, refuse_form, refused
from pixcentre.filters import uses_filters

from .. import services
from ..forms import (
    CalendarFilters,
    CandidateSearchForm,
    PixCertifForm,
    RescheduleForm,
    RoomForm,
    SessionEditForm,
    SessionForm,
    SessionListFilters,
    SessionSeriesForm,
    SessionStatusForm,
)
from ..models import (
    SESSION_TRANSITIONS,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
)
from ..services import convocations, exports, invigilation
from .common import _refused, admin_only

# --- administrator: rooms and sessions --------------------------------------------------------


@admin_only
def room_list(request):
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Salle enregistrée."))
        return redirect("sessions_app:rooms")
    rooms = Room.objects.annotate(n_sessions=Count("sessions"))
    return render(request, "sessions_app/room_list.html", {"rooms": rooms, "form": form})


@admin_only
def room_edit(request, pk):
    room = get_object_or_404(Room, pk=pk)
    # The instance lets the form check uniqueness against the other rooms; the service saves.
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_room(room, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Salle enregistrée."))
            return redirect("sessions_app:rooms")
    return render(request, "sessions_app/room_edit.html", {"room": room, "form": form})


@admin_only
@uses_filters(SessionListFilters)
def session_list(request):
    filters = SessionListFilters(request.GET).values()
    years = list(AcademicYear.objects.all())
    year = next((y for y in years if y.pk == filters.get("year")), None)
    year = year or AcademicYear.current()
    sessions = services.sessions_with_counts(Session.objects.filter(academic_year=year))
    status = filters.get("status")
    if status:
        sessions = sessions.filter(status=status)
    return render(
        request,
        "sessions_app/session_list.html",
        {
            "sessions": sessions,
            "years": years,
            "year": year,
            "status": status,
            "statuses": SessionStatus.choices,
        },
    )


@admin_only
@uses_filters(CalendarFilters)
def session_calendar(request):
    today = timezone.localdate()
    first = CalendarFilters(request.GET).values().get("month") or today.replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    by_day = defaultdict(list)
    for session in services.sessions_with_counts(
        Session.objects.filter(date__gte=weeks[0][0], date__lte=weeks[-1][-1])
    ):
        by_day[session.date].append(session)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "sessions_app/session_calendar.html",
        {
            "month": first,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "previous": previous,
            "following": following,
            "today": today,
        },
    )


@admin_only
def session_create(request):
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Session créée (brouillon)."))
            return redirect("sessions_app:session", pk=session.pk)
    return render(request, "sessions_app/session_form.html", {"form": form, "series": False})


@admin_only
def session_series(request):
    form = SessionSeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_session_series(acting_user=request.user, **data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(
                request, _("%(n)s sessions créées (brouillons).") % {"n": len(created)}
            )
            return redirect("sessions_app:sessions")
    return render(request, "sessions_app/session_form.html", {"form": form, "series": True})


ASSIGN_PAGE_SIZE = 10


def _assign_search(request, session) -> dict:
    """The « Affecter un candidat » search of the session page: by name, student number or
    email, accents and case ignored, a page at a time (queries: the count, one page)."""
    form = CandidateSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = None
    if query:
        found = candidate_search.by_name(
            candidate_search.search(Candidate.objects.select_related("user"), query)
        )
        page = Paginator(found, ASSIGN_PAGE_SIZE).get_page(request.GET.get("page"))
    return {"session": session, "assign_query": query, "assign_page": page}


@admin_only
def session_detail(request, pk):
    """Queries whatever the number of candidates: the session (room, year), its registrations
    (candidate and account), its campaigns, its clashing assignments; with a search, its count
    and one page of candidates."""
    session = get_object_or_404(Session.objects.select_related("room", "academic_year"), pk=pk)
    assign = _assign_search(request, session)
    if request.GET.get("fragment"):  # the search-as-you-type script asks for the results only
        return render(request, "sessions_app/_assign_results.html", assign)
    registrations = list(
        session.registrations.select_related("candidate__user").order_by(
            "status", "waitlist_order", "candidate__sort_name", "pk"
        )
    )
    groups = {s: [r for r in registrations if r.status == s] for s in RegistrationStatus.values}
    return render(
        request,
        "sessions_app/session_detail.html",
        {
            **assign,
            "confirmed": groups[RegistrationStatus.CONFIRMED],
            "waitlist": groups[RegistrationStatus.WAITLISTED],
            "others": groups[RegistrationStatus.CANCELLED] + groups[RegistrationStatus.NO_SHOW],
            "next_statuses": [
                (s, SessionStatus(s).label) for s in SESSION_TRANSITIONS[session.status]
            ],
            "pix_form": PixCertifForm(
                initial={
                    "number": session.pix_session_number,
                    "access_code": session.pix_access_code,
                }
            ),
            "campaigns": list(session.campaigns.all()),
            # Flags: an invigilator declared unavailable after being assigned; candidates no
            # email reaches (their convocation is printed).
            "clashes": invigilation.assignment_clashes(session=session),
            "candidates_without_address": [
                r.candidate
                for r in groups[RegistrationStatus.CONFIRMED]
                if not convocations.recipient(r)
            ],
        },
    )


# Status changes with no way back: asked for confirmation first (pixcentre/confirm.py).
IRREVERSIBLE_STATUSES = {
    SessionStatus.CANCELLED: gettext_lazy(
        "Annuler la session du %(session)s ? Tous les inscrits sont prévenus par e-mail ; une "
        "session annulée ne rouvre pas."
    ),
    SessionStatus.HELD: gettext_lazy(
        "Marquer la session du %(session)s comme passée ? Elle ne pourra plus rouvrir aux "
        "inscriptions."
    ),
    SessionStatus.FINALISED: gettext_lazy(
        "Finaliser la session du %(session)s ? Émargement et incidents ne changeront plus."
    ),
}


@admin_only
@require_POST
def session_status(request, pk):
    session = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    form = SessionStatusForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        if status in IRREVERSIBLE_STATUSES and session.can_become(status):
            page = ask_first(
                request,
                question=IRREVERSIBLE_STATUSES[status] % {"session": session},
                confirm_label=_("Passer à « %(status)s »")
                % {"status": SessionStatus(status).label},
                cancel_url=reverse("sessions_app:session", args=[pk]),
                danger=status == SessionStatus.CANCELLED,
            )
            if page:
                return page
        act(
            request,
            lambda: services.change_session_status(
                session, form.cleaned_data["status"], acting_user=request.user
            ),
            _("Statut de la session mis à jour."),
        )
    else:
        _refused(request, form)
    return redirect("sessions_app:session", pk=pk)


@admin_only
def session_reschedule(request, pk):
    """Change a session's date, time or room; convocations follow (convocations/rescheduling.py)."""
    from ..services.convocations import reschedule_session

    session = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    initial = {"date": session.date, "start_time": session.start_time, "room": session.room}
    form = RescheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reschedule_session(session, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(
                request,
                _("Session déplacée : les convocations sont régénérées et les inscrits prévenus."),
            )
            return redirect("sessions_app:session", pk=pk)
    return render(
        request, "sessions_app/session_reschedule.html", {"session": session, "form": form}
    )


@admin_only
def session_edit(request, pk):
    """Seats, audience and complementary certifications (services.update_session)."""
    session = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    initial = {
        "capacity": session.capacity,
        "audience": session.audience,
        "complementary": session.complementary,
    }
    form = SessionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(session, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            refuse_form(form, exc)
        else:
            messages.success(request, _("Session modifiée."))
            return redirect("sessions_app:session", pk=pk)
    return render(request, "sessions_app/session_edit.html", {"session": session, "form": form})


@admin_only
@require_POST
def session_pix(request, pk):
    session = get_object_or_404(Session, pk=pk)
    form = PixCertifForm(request.POST)
    if form.is_valid():
        try:
            services.set_pix_certif_identifiers(
                session,
                number=form.cleaned_data["number"],
                access_code=form.cleaned_data["access_code"],
                acting_user=request.user,
            )
        except DomainError as error:
            refused(request, error)
        else:
            messages.success(request, _("Identifiants Pix Certif enregistrés."))
    else:
        _refused(request, form)
    return redirect("sessions_app:session", pk=pk)


# --- administrator: exports -------------------------------------------------------------------


@admin_only
def export(request):
    """Download the mass-import CSV (sessions chosen) or one session's ODS; problems first."""
    # ASCII digits that fit an id: "²" passes isdigit(), 26 digits overflow SQLite.
    ids = [int(x) for x in request.GET.getlist("session") if x.isascii() and x.isdigit()]
    ids = [pk for pk in ids if pk < 2**63]
    fmt = request.GET.get("format", exports.CSV)
    sessions = list(Session.objects.filter(pk__in=ids).select_related("room"))
    if not sessions or fmt not in (exports.CSV, exports.ODS):
        messages.error(request, _("Choisissez au moins une session à exporter."))
        return redirect("sessions_app:sessions")
    if fmt == exports.ODS and len(sessions) != 1:
        messages.error(request, _("La liste des candidats (ODS) se fait session par session."))
        return redirect("sessions_app:sessions")
    invigilators = [n.strip() for n in request.GET.get("invigilators", "").split(",") if n.strip()]
    result = exports.prepare(sessions, invigilators=invigilators)
    if result.problems:
        return render(
            request,
            "sessions_app/export_problems.html",
            {
                "problems": result.problems,
                "sessions": sessions,
                "format": fmt,
                "invigilators": ", ".join(invigilators),
            },
            status=409,
        )
    if fmt == exports.CSV:
        data, content_type = exports.mass_import_csv(result), "text/csv; charset=utf-8"
    else:
        data, content_type = (
            exports.candidate_list_ods(result),
            "application/vnd.oasis.opendocument.spreadsheet",
        )
    exports.record_export(result, fmt, acting_user=request.user)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(sessions, fmt)}"'
    return response


@admin_only
def waitlist_move(request, pk):
    """Move a full session's waitlisted candidates to a session with free seats: who moves
    is shown first, the move happens on confirmation (no JavaScript needed)."""
    from ..services import overview

    source = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    target_id = request.POST.get("vers") or request.GET.get("vers") or ""
    if not (target_id.isascii() and target_id.isdigit() and int(target_id) < 2**63):
        messages.error(request, _("Choisissez la session qui a des places libres."))
        return redirect("home")
    target = get_object_or_404(Session.objects.select_related("room"), pk=int(target_id))
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            moved = overview.move_waitlisted(source, target, acting_user=request.user)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s candidat de la liste d’attente a maintenant une place le %(s)s.",
                    "%(n)s candidats de la liste d’attente ont maintenant une place le %(s)s.",
                    moved,
                )
                % {"n": moved, "s": target},
            )
        return redirect("sessions_app:session", pk=target.pk)
    return render(
        request,
        "sessions_app/waitlist_move.html",
        {
            "source": source,
            "target": target,
            "moving": overview.waitlisted_to_move(source, target),
        },
    )
