"""Registrations: the candidates' offer, applications and seats, and the administrators'
actions on one registration (override, no-show, cancel, complementary, prepaid code).
"""

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role
from candidates.models import AcademicYear, CandidateKind
from pixcentre.confirm import ask_first
from pixcentre.errors import DomainError, act, refuse_form, refused

from .. import services
from ..access import candidate_of, registration_for
from ..forms import (
    ApplicationForm,
    OverrideForm,
    PrepaidForm,
)
from ..models import (
    ACTIVE_STATUSES,
    MAX_WISHES,
    Application,
    Campaign,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
    Wish,
)
from .common import _refused, admin_only, candidate_required


@admin_only
@require_POST
def session_override(request, pk):
    session = get_object_or_404(Session, pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        act(
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
    page = ask_first(
        request,
        question=_(
            "Marquer %(who)s absent(e) à la session du %(session)s ? La place reste "
            "comptée dans le quota annuel."
        )
        % {"who": registration.candidate, "session": registration.session},
        confirm_label=_("Marquer absent(e)"),
        cancel_url=reverse("sessions_app:session", args=[registration.session_id]),
    )
    if page:
        return page
    act(
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
        act(
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
    act(
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
        act(
            request,
            lambda: services.set_prepaid_code(
                registration, form.cleaned_data["prepaid_code"], acting_user=request.user
            ),
            _("Tarification enregistrée."),
        )
    else:
        _refused(request, form)
    return redirect("sessions_app:session", pk=registration.session_id)


# --- candidates -------------------------------------------------------------------------------


def _first_come_sessions(candidate, now):
    """Open sessions a candidate may take a seat in now (their campaign, if any, allocated)."""
    kinds = {
        CandidateKind.STUDENT: ["students", "mixed"],
        CandidateKind.STAFF: ["staff", "mixed"],
        CandidateKind.EXTERNAL: ["external", "mixed"],
    }[candidate.kind]
    return services.sessions_with_counts(
        Session.objects.filter(status=SessionStatus.OPEN, audience__in=kinds)
        .filter(_not_started(now))
        .exclude(pk__in=Campaign.objects.filter(allocated_at__isnull=True).values("sessions"))
    )


def _not_started(now) -> Q:
    """Sessions still to start: a later day, or today at a later time (Paris)."""
    local = timezone.localtime(now)
    return Q(date__gt=local.date()) | Q(date=local.date(), start_time__gt=local.time())


@candidate_required
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
                Prefetch(
                    "sessions",
                    queryset=Session.objects.filter(_not_started(now)).select_related("room"),
                )
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


def _campaign_sessions(campaign, candidate, now) -> list[Session]:
    """The campaign's sessions still to start that take the candidate's kind, with their
    room, by date."""
    sessions = campaign.sessions.filter(_not_started(now)).select_related("room")
    return [s for s in sessions.order_by("date", "start_time") if s.accepts(candidate.kind)]


def _wished(data) -> list[int]:
    """The session ids a POST asks for, as numbers (what is not one is the form's to refuse)."""
    values = (data.get(f"wish_{rank}", "") for rank in range(1, MAX_WISHES + 1))
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19]


@candidate_required
def apply(request, pk):
    candidate = candidate_of(request.user)
    now = timezone.now()
    # An apply POST, the busiest request of an opening, reads the campaign with only the
    # sessions wished, in one statement: the form accepts a wish exactly when it is one of the
    # campaign's sessions offered to the candidate, whichever others it offers, and the service
    # needs no other. A refusal is shown again below, with all of them.
    wished = _wished(request.POST) if request.method == "POST" else []
    if wished:
        campaign, offered = services.wished_offer(pk, wished, now=now)
        if campaign is None:
            raise Http404
        offered = [s for s in offered if s.accepts(candidate.kind)]
    else:
        campaign, offered = get_object_or_404(Campaign, pk=pk), []
    if not campaign.is_open(now):
        # A link kept from an email or a bookmark: say why, and where to go instead.
        return render(
            request,
            "sessions_app/campaign_closed.html",
            {"campaign": campaign, "not_yet": now < campaign.opens_at},
        )
    refusal = None
    if offered and (form := ApplicationForm(request.POST, sessions=offered)).is_valid():
        try:
            services.apply_for_campaign(
                campaign, candidate, form.session_ids(), acting_user=request.user,
                offered=offered, now=now,
            )  # fmt: skip
        except DomainError as exc:
            refusal = exc
        else:
            messages.success(
                request,
                _("Candidature enregistrée. Les places seront attribuées le %(date)s.")
                % {"date": timezone.localtime(campaign.closes_at).strftime("%d/%m/%Y %H:%M")},
            )
            return redirect("sessions_app:mine")
    sessions = _campaign_sessions(campaign, candidate, now)
    if not sessions:
        # A campaign is for the audiences of its sessions (students); others book from the offer.
        messages.info(
            request,
            _("Cette campagne ne vous concerne pas : choisissez une session ouverte dans l’offre."),
        )
        return redirect("sessions_app:offer")
    if request.method == "POST":  # refused: the page says whether wishes were already sent
        form = ApplicationForm(request.POST, sessions=sessions)
        form.is_valid()
        if refusal is not None:
            refuse_form(form, refusal)
        existing = Application.objects.filter(campaign=campaign, candidate=candidate).first()
    else:
        existing = Application.objects.filter(campaign=campaign, candidate=candidate).first()
        initial = {}
        if existing:
            for wish in existing.wishes.all():
                initial[f"wish_{wish.rank}"] = wish.session_id
        form = ApplicationForm(sessions=sessions, initial=initial)
    return render(
        request,
        "sessions_app/apply.html",
        {"campaign": campaign, "form": form, "candidate": candidate, "existing": existing},
    )


@candidate_required
@require_POST
def register(request, pk):
    """Take a free seat (students, staff), else join the waitlist. Externals book (and pay)
    from billing's booking page, which shows the fee first."""
    candidate = candidate_of(request.user)
    if candidate.kind == CandidateKind.EXTERNAL:
        # A paying seat: the booking page shows the fee and how to pay, and confirms.
        return redirect("billing:book", pk=pk)
    session = get_object_or_404(Session, pk=pk, status=SessionStatus.OPEN)
    try:
        registration = services.register_first_come(session, candidate, acting_user=request.user)
    except DomainError as exc:
        # The offer page lists why this candidate may not book (a seat already, identity…):
        # such a refusal is said there once, not a second time as a message.
        year = AcademicYear.current()
        if not (year and exc.message in services.eligibility_problems(candidate, year=year)):
            refused(request, exc)
        return redirect("sessions_app:offer")
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("Votre place est confirmée."))
    else:
        messages.info(request, _("Session complète : vous êtes sur la liste d’attente."))
    return redirect("sessions_app:mine")


@candidate_required
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
