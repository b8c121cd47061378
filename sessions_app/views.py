"""Pages of sessions_app: thin views (access, form, one service, render or redirect)."""

import calendar
import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from candidates.models import AcademicYear, CandidateKind
from outbox.dispatch import enqueue

from . import exports, services
from .access import candidate_of, registration_for
from .forms import (
    ApplicationForm,
    CampaignForm,
    OverrideForm,
    PixCertifForm,
    PrepaidForm,
    RescheduleForm,
    RoomForm,
    SessionEditForm,
    SessionForm,
    SessionSeriesForm,
    SessionStatusForm,
)
from .models import (
    ACTIVE_STATUSES,
    SESSION_TRANSITIONS,
    Application,
    Campaign,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
    Wish,
)
from .services import SessionError

admin_only = role_required(Role.ADMINISTRATOR)
candidate_only = role_required(Role.CANDIDATE)


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
        except SessionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Salle enregistrée."))
            return redirect("sessions_app:rooms")
    return render(request, "sessions_app/room_edit.html", {"room": room, "form": form})


@admin_only
def session_list(request):
    years = list(AcademicYear.objects.all())
    year = next((y for y in years if str(y.pk) == request.GET.get("year")), None)
    year = year or AcademicYear.current()
    sessions = services.sessions_with_counts(Session.objects.filter(academic_year=year))
    status = request.GET.get("status")
    if status in SessionStatus.values:
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
def session_calendar(request):
    today = timezone.localdate()
    try:
        first = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
        if not 2000 <= first.year <= 2099:  # year 1 or 9999: the weeks around overflow
            raise ValueError(first)
    except ValueError:
        first = today.replace(day=1)
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
        except SessionError as exc:
            form.add_error(None, exc.message)
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
        except SessionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(n)s sessions créées (brouillons).") % {"n": len(created)}
            )
            return redirect("sessions_app:sessions")
    return render(request, "sessions_app/session_form.html", {"form": form, "series": True})


@admin_only
def session_detail(request, pk):
    session = get_object_or_404(Session.objects.select_related("room", "academic_year"), pk=pk)
    registrations = list(
        session.registrations.select_related("candidate").order_by(
            "status", "waitlist_order", "candidate__birth_name"
        )
    )
    groups = {s: [r for r in registrations if r.status == s] for s in RegistrationStatus.values}
    return render(
        request,
        "sessions_app/session_detail.html",
        {
            "session": session,
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
            "override_form": OverrideForm(),
            "campaigns": session.campaigns.all(),
        },
    )


def _refused(request, form):
    """An action button's form was refused: say why on the page it goes back to."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


def _act(request, call, success):
    try:
        call()
    except SessionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)


@admin_only
@require_POST
def session_status(request, pk):
    session = get_object_or_404(Session, pk=pk)
    form = SessionStatusForm(request.POST)
    if form.is_valid():
        _act(
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
    """Change a session's date, time or room; convocations follow (convocations.py)."""
    from .convocations import reschedule_session

    session = get_object_or_404(Session.objects.select_related("room"), pk=pk)
    initial = {"date": session.date, "start_time": session.start_time, "room": session.room}
    form = RescheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reschedule_session(session, acting_user=request.user, **form.cleaned_data)
        except SessionError as exc:
            form.add_error(None, exc.message)
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
        except SessionError as exc:
            form.add_error(None, exc.message)
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
        services.set_pix_certif_identifiers(
            session,
            number=form.cleaned_data["number"],
            access_code=form.cleaned_data["access_code"],
            acting_user=request.user,
        )
        messages.success(request, _("Identifiants Pix Certif enregistrés."))
    else:
        _refused(request, form)
    return redirect("sessions_app:session", pk=pk)


@admin_only
@require_POST
def session_override(request, pk):
    session = get_object_or_404(Session, pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        _act(
            request,
            lambda: services.override_seat(
                session, form.cleaned_data["candidate"], acting_user=request.user
            ),
            _("Place attribuée."),
        )
    else:
        _refused(request, form)
    return redirect("sessions_app:session", pk=pk)


@admin_only
@require_POST
def registration_no_show(request, pk):
    registration = registration_for(request.user, pk)
    _act(
        request,
        lambda: services.mark_no_show(registration, acting_user=request.user),
        _("Absence enregistrée."),
    )
    return redirect("sessions_app:session", pk=registration.session_id)


@role_required(Role.ADMINISTRATOR, Role.CANDIDATE)
def registration_cancel(request, pk):
    """Confirm, then cancel: a candidate their own seat, an administrator anyone's."""
    registration = registration_for(request.user, pk)
    back = (
        redirect("sessions_app:session", pk=registration.session_id)
        if request.user.is_administrator
        else redirect("sessions_app:mine")
    )
    if request.method == "POST":
        _act(
            request,
            lambda: services.cancel_registration(registration, acting_user=request.user),
            _("Inscription annulée."),
        )
        return back
    return render(
        request,
        "sessions_app/registration_cancel.html",
        {"registration": registration, "deadline": registration.session.cancellation_deadline()},
    )


@role_required(Role.ADMINISTRATOR, Role.CANDIDATE)
@require_POST
def registration_complementary(request, pk):
    registration = registration_for(request.user, pk)
    _act(
        request,
        lambda: services.choose_complementary(
            registration, request.POST.get("complementary", ""), acting_user=request.user
        ),
        _("Certification complémentaire enregistrée."),
    )
    if request.user.is_administrator:
        return redirect("sessions_app:session", pk=registration.session_id)
    return redirect("sessions_app:mine")


@admin_only
@require_POST
def registration_prepaid(request, pk):
    registration = registration_for(request.user, pk)
    form = PrepaidForm(request.POST)
    if form.is_valid():
        _act(
            request,
            lambda: services.set_prepaid_code(
                registration, form.cleaned_data["prepaid_code"], acting_user=request.user
            ),
            _("Tarification enregistrée."),
        )
    else:
        _refused(request, form)
    return redirect("sessions_app:session", pk=registration.session_id)


# --- administrator: campaigns -----------------------------------------------------------------


@admin_only
def campaign_list(request):
    campaigns = Campaign.objects.select_related("academic_year").annotate(
        n_sessions=Count("sessions", distinct=True),
        n_applications=Count("applications", distinct=True),
    )
    return render(request, "sessions_app/campaign_list.html", {"campaigns": campaigns})


@admin_only
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(acting_user=request.user, **form.cleaned_data)
        except SessionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Campagne créée : ses sessions sont ouvertes."))
            return redirect("sessions_app:campaign", pk=campaign.pk)
    return render(request, "sessions_app/campaign_form.html", {"form": form})


@admin_only
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("academic_year"), pk=pk)
    applications = campaign.applications.select_related("candidate").prefetch_related(
        Prefetch("wishes", queryset=Wish.objects.select_related("session__room"))
    )
    preview = None
    if request.GET.get("preview"):
        preview = services.allocate_campaign(campaign, acting_user=request.user, dry_run=True)
    return render(
        request,
        "sessions_app/campaign_detail.html",
        {
            "campaign": campaign,
            "sessions": services.sessions_with_counts(campaign.sessions.all()),
            "applications": applications,
            "preview": preview,
            "is_closed": timezone.now() >= campaign.closes_at,
        },
    )


@admin_only
@require_POST
def campaign_allocate(request, pk):
    """Enqueue the allocation job (in-process without a broker) once this request commits."""
    from .tasks import allocate_campaign_task

    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.allocated_at:
        messages.info(request, _("Les places de cette campagne sont déjà attribuées."))
    elif timezone.now() < campaign.closes_at:
        messages.error(
            request, _("La campagne est encore ouverte : l’attribution se fait après sa clôture.")
        )
    else:
        enqueue(allocate_campaign_task, campaign.pk)
        messages.success(
            request, _("Attribution lancée : chaque candidat reçoit son résultat par e-mail.")
        )
    return redirect("sessions_app:campaign", pk=pk)


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
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(sessions, fmt)}"'
    return response


# --- candidates -------------------------------------------------------------------------------


def _first_come_sessions(candidate, now):
    """Open sessions a candidate may take a seat in now (their campaign, if any, allocated)."""
    kinds = {
        CandidateKind.STUDENT: ["students", "mixed"],
        CandidateKind.STAFF: ["staff", "mixed"],
        CandidateKind.EXTERNAL: ["external", "mixed"],
    }[candidate.kind]
    return services.sessions_with_counts(
        Session.objects.filter(
            status=SessionStatus.OPEN,
            audience__in=kinds,
            date__gte=timezone.localdate(now),
        ).exclude(pk__in=Campaign.objects.filter(allocated_at__isnull=True).values("sessions"))
    )


@candidate_only
def offer(request):
    """Open campaigns to apply to, and sessions with seats to take (or book, for externals)."""
    candidate = candidate_of(request.user)
    now = timezone.now()
    year = AcademicYear.current()
    campaigns = []
    if candidate.kind != CandidateKind.EXTERNAL:
        campaigns = list(
            Campaign.objects.filter(
                opens_at__lte=now, closes_at__gt=now, allocated_at__isnull=True
            ).prefetch_related(
                Prefetch("sessions", queryset=Session.objects.select_related("room"))
            )
        )
    applied = set(
        Application.objects.filter(candidate=candidate).values_list("campaign_id", flat=True)
    )
    problems = services.eligibility_problems(candidate, year=year) if year else []
    return render(
        request,
        "sessions_app/offer.html",
        {
            "candidate": candidate,
            "campaigns": campaigns,
            "applied": applied,
            "sessions": _first_come_sessions(candidate, now),
            "problems": problems,
        },
    )


@candidate_only
def apply(request, pk):
    candidate = candidate_of(request.user)
    now = timezone.now()
    campaign = get_object_or_404(Campaign, pk=pk, opens_at__lte=now, closes_at__gt=now)
    sessions = [
        s for s in campaign.sessions.select_related("room").order_by("date", "start_time")
        if s.accepts(candidate.kind)
    ]  # fmt: skip
    if not sessions:
        # A campaign is for the audiences of its sessions (students); others book from the offer.
        messages.info(
            request,
            _("Cette campagne ne vous concerne pas : choisissez une session ouverte dans l’offre."),
        )
        return redirect("sessions_app:offer")
    existing = Application.objects.filter(campaign=campaign, candidate=candidate).first()
    initial = {}
    if existing:
        for wish in existing.wishes.all():
            initial[f"wish_{wish.rank}"] = wish.session_id
    form = ApplicationForm(request.POST or None, sessions=sessions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_for_campaign(
                campaign, candidate, form.session_ids(), acting_user=request.user
            )
        except SessionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Candidature enregistrée. Les places seront attribuées le %(date)s.")
                % {"date": timezone.localtime(campaign.closes_at).strftime("%d/%m/%Y %H:%M")},
            )
            return redirect("sessions_app:mine")
    return render(
        request,
        "sessions_app/apply.html",
        {"campaign": campaign, "form": form, "candidate": candidate, "existing": existing},
    )


@candidate_only
@require_POST
def register(request, pk):
    """Take a free seat (students, staff) or book one (externals); else join the waitlist."""
    candidate = candidate_of(request.user)
    session = get_object_or_404(Session, pk=pk, status=SessionStatus.OPEN)
    book = (
        services.book_external
        if candidate.kind == CandidateKind.EXTERNAL
        else services.register_first_come
    )
    try:
        registration = book(session, candidate, acting_user=request.user)
    except SessionError as exc:
        messages.error(request, exc.message)
        return redirect("sessions_app:offer")
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("Votre place est confirmée."))
    else:
        messages.info(request, _("Session complète : vous êtes sur la liste d’attente."))
    return redirect("sessions_app:mine")


@candidate_only
def mine(request):
    """My registration: status, session, tier and why, waitlist position, cancel button."""
    candidate = candidate_of(request.user)
    registrations = list(
        Registration.objects.filter(candidate=candidate)
        .select_related("session__room")
        .order_by("-created_at")
    )
    for r in registrations:
        r.position = r.waitlist_position()
        r.can_cancel = r.status in ACTIVE_STATUSES and timezone.now() <= (
            r.session.cancellation_deadline()
        )
    # Applications still waiting for their campaign's allocation.
    applications = (
        Application.objects.filter(candidate=candidate, campaign__allocated_at__isnull=True)
        .select_related("campaign")
        .prefetch_related(Prefetch("wishes", queryset=Wish.objects.select_related("session__room")))
    )
    return render(
        request,
        "sessions_app/mine.html",
        {"candidate": candidate, "registrations": registrations, "applications": applications},
    )
