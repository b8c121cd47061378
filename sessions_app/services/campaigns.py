"""Registration campaigns: create, apply (up to three wishes), allocate the seats by tier.

Seats are never oversold: the allocation locks the campaign, the year, then the sessions in id
order (``locking``), recounts inside the lock, then writes.
"""

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction
from candidates.models import AcademicYear, Candidate, CandidateKind

from ..models import (
    ACTIVE_STATUSES,
    MAX_WISHES,
    Application,
    Campaign,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
    Wish,
)
from . import locking
from .common import (
    SessionError,
    _audit,
    _now,
    _require_administrator,
    _require_self_or_administrator,
)
from .mail import _email_application, _email_outcome
from .registrations import BUSY_STATUSES, _check_eligible, seat_problem

# --- campaigns --------------------------------------------------------------------------------


def _check_campaign(
    *, academic_year, opens_at, closes_at, sessions, now, campaign=None, moved_close=True
):
    """The rules of a campaign's window and sessions, at creation and at each edit: it closes
    after it opens and in the future; its sessions belong to its year, still take
    registrations, and are in no other campaign whose seats are not allocated yet (a session
    is in one campaign at a time: two allocations would fight over its seats)."""
    if not sessions:
        raise SessionError(_("Choisissez au moins une session."))
    if closes_at <= opens_at:
        raise SessionError(_("La clôture doit suivre l’ouverture."))
    if moved_close and closes_at <= now:
        raise SessionError(
            _(
                "La clôture des candidatures doit être dans le futur (les places sont attribuées "
                "à la clôture)."
            )  # fmt: skip
        )
    for session in sessions:
        if session.academic_year_id != academic_year.pk:
            raise SessionError(
                _("La session %(session)s n’appartient pas à l’année %(year)s.")
                % {"session": session, "year": academic_year}
            )
        if session.status not in (SessionStatus.DRAFT, SessionStatus.OPEN):
            raise SessionError(
                _("La session %(session)s n’accepte plus d’inscriptions.") % {"session": session}
            )
    others = (
        Campaign.objects.filter(allocated_at__isnull=True, sessions__in=[s.pk for s in sessions])
        .exclude(pk=campaign.pk if campaign else None)
        .values_list("name", "sessions")
    )
    taken = {session_id: name for name, session_id in others}
    for session in sessions:
        if session.pk in taken:
            raise SessionError(
                _(
                    "La session %(session)s est déjà dans la campagne « %(name)s » : une session "
                    "n’est que dans une campagne à la fois."
                )  # fmt: skip
                % {"session": session, "name": taken[session.pk]}
            )


@transaction.atomic(durable=True)
def create_campaign(
    *, acting_user, academic_year, name, opens_at, closes_at, sessions, now=None
) -> Campaign:
    """A campaign over sessions of its year; draft sessions open for applications."""
    _require_administrator(acting_user)
    now = _now(now)
    sessions = list(sessions)
    _check_campaign(
        academic_year=academic_year, opens_at=opens_at, closes_at=closes_at,
        sessions=sessions, now=now,
    )  # fmt: skip
    campaign = Campaign.objects.create(
        academic_year=academic_year,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=acting_user,
        created_at=now,
    )
    campaign.sessions.set(sessions)
    Session.objects.filter(pk__in=[s.pk for s in sessions], status=SessionStatus.DRAFT).update(
        status=SessionStatus.OPEN
    )
    _audit(AuditAction.CAMPAIGN_CREATED, actor=acting_user, now=now, campaign=campaign)
    return campaign


@transaction.atomic(durable=True)
def update_campaign(
    campaign: Campaign, *, acting_user, name, opens_at, closes_at, sessions, now=None
) -> Campaign:
    """Change a campaign's name, window or sessions until its seats are allocated. A session
    taken out keeps its candidates' wishes for the others; wishes for it are dropped."""
    _require_administrator(acting_user)
    now = _now(now)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.allocated_at is not None:
        raise SessionError(_("Les places de cette campagne sont attribuées : elle ne change plus."))
    sessions = list(sessions)
    _check_campaign(
        academic_year=campaign.academic_year, opens_at=opens_at, closes_at=closes_at,
        sessions=sessions, now=now, campaign=campaign,
        moved_close=closes_at != campaign.closes_at,
    )  # fmt: skip
    before = {
        "name": campaign.name,
        "opens_at": campaign.opens_at.isoformat(),
        "closes_at": campaign.closes_at.isoformat(),
        "sessions": sorted(campaign.sessions.values_list("pk", flat=True)),
    }
    campaign.name, campaign.opens_at, campaign.closes_at = name, opens_at, closes_at
    campaign.save(update_fields=["name", "opens_at", "closes_at"])
    kept = [s.pk for s in sessions]
    Wish.objects.filter(application__campaign=campaign).exclude(session_id__in=kept).delete()
    campaign.sessions.set(sessions)
    Session.objects.filter(pk__in=kept, status=SessionStatus.DRAFT).update(
        status=SessionStatus.OPEN
    )
    after = {
        "name": name,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "sessions": sorted(kept),
    }
    record(
        AuditAction.CAMPAIGN_UPDATED,
        actor=acting_user,
        obj=campaign,
        before={k: v for k, v in before.items() if v != after[k]},
        after={k: v for k, v in after.items() if v != before[k]},
        summary=str(campaign.name),
        now=now,
    )
    return campaign


@transaction.atomic(durable=True)
def apply_for_campaign(
    campaign: Campaign,
    candidate: Candidate,
    session_ids: Sequence[int],
    *,
    acting_user,
    now=None,
    offered: Sequence[Session] | None = None,
) -> Application:
    """Apply (or change one's wishes) with up to 3 ranked sessions. Idempotent.

    ``offered``: the campaign's sessions the candidate may wish, with their room, as the caller
    has just read them in this request (at least those wished: the apply view reads only
    these), with ``campaign`` itself: they are then not read again. The
    apply request of a registration opening is the busiest of the year (issue 17: at most 12
    queries, ``tests/sessions_app/test_apply_queries.py``)."""
    _require_self_or_administrator(acting_user, candidate)
    now = _now(now)
    if offered is None:
        campaign = Campaign.objects.get(pk=campaign.pk)
        offered = campaign.sessions.select_related("room")
    if not campaign.is_open(now):
        raise SessionError(_("Cette campagne n’accepte pas de candidatures en ce moment."))
    session_ids = [int(pk) for pk in session_ids if pk]
    if not 1 <= len(session_ids) <= MAX_WISHES:
        raise SessionError(_("Classez entre 1 et 3 sessions."))
    if len(set(session_ids)) != len(session_ids):
        raise SessionError(_("Chaque session ne peut être choisie qu’une fois."))
    offered = {s.pk: s for s in offered}
    if any(pk not in offered for pk in session_ids):
        raise SessionError(_("Cette session ne fait pas partie de la campagne."))
    sessions = [offered[pk] for pk in session_ids]
    if any(s.status != SessionStatus.OPEN for s in sessions):
        raise SessionError(_("Une des sessions choisies n’est plus ouverte."))
    if any(s.starts_at <= now for s in sessions):
        raise SessionError(_("Une des sessions choisies a déjà commencé."))
    # whether they hold a seat this year: in the statement that writes the application (the
    # only question that needs the year)
    _check_eligible(candidate, year=None, sessions=sessions, seat=False)
    application = _application_locked(campaign, candidate, now)
    if application is None:
        raise SessionError(seat_problem())
    # The wishes are replaced whole; those taken out tell whether anything changed (a double
    # click changes nothing: no audit row, no second acknowledgement).
    current = _take_wishes(application)
    _put_wishes(application, session_ids)
    if current != session_ids:
        _audit(
            AuditAction.APPLICATION_WISHES,
            actor=acting_user,
            now=now,
            campaign=campaign,
            detail=",".join(map(str, session_ids)),
        )
        _email_application(application, session_ids=session_ids)
    return application


def wished_offer(campaign_pk: int, session_ids: Sequence[int], *, now) -> tuple:
    """The campaign and those of ``session_ids`` that are its sessions still to start (with
    their room), as ``(campaign or None, [sessions])``, in one statement: what an apply POST
    needs before :func:`apply_for_campaign`. The busiest request of a registration opening
    reads them by hand, without the ORM's query building (about 2 ms of CPU for the two reads
    it replaces: issue 17); the rows become models through the fields' own converters, so
    that they are the objects the ORM would give."""
    session_ids = list(session_ids)[:MAX_WISHES]
    local = timezone.localtime(now)
    ops = connection.ops
    params = [
        *session_ids,
        ops.adapt_datefield_value(local.date()),
        ops.adapt_datefield_value(local.date()),
        ops.adapt_timefield_value(local.time()),
        campaign_pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_wished_offer_sql(connection.vendor, len(session_ids)), params)
        rows = cursor.fetchall()
    if not rows:
        return None, []
    models = (Campaign, Session, Room)
    widths = [len(_row_fields(model)) for model in models]
    campaign, sessions = None, []
    for row in rows:
        parts, start = [], 0
        for width in widths:
            parts.append(row[start : start + width])
            start += width
        if campaign is None:
            campaign = _instance(Campaign, parts[0])
        if parts[1][0] is not None:
            session = _instance(Session, parts[1])
            session.room = _instance(Room, parts[2])
            sessions.append(session)
    return campaign, sessions


@functools.cache
def _wished_offer_sql(vendor: str, wishes: int) -> str:
    """The statement of :func:`wished_offer` for ``wishes`` session ids (``vendor`` keys the
    cache: the quoting is the backend's)."""
    quote = connection.ops.quote_name
    through = Campaign.sessions.through._meta.db_table

    def columns(model, alias):
        return ", ".join(f"{alias}.{quote(f.column)}" for f in _row_fields(model))

    wished = ", ".join(["%s"] * wishes) or "NULL"
    return (
        f"SELECT {columns(Campaign, 'c')}, {columns(Session, 's')}, {columns(Room, 'r')} "  # noqa: S608 (quoted names, parameters)
        f"FROM {quote(Campaign._meta.db_table)} c "
        f"LEFT JOIN {quote(through)} cs ON cs.campaign_id = c.id AND cs.session_id IN ({wished}) "
        f"LEFT JOIN {quote(Session._meta.db_table)} s ON s.id = cs.session_id "
        "AND (s.date > %s OR (s.date = %s AND s.start_time > %s)) "
        f"LEFT JOIN {quote(Room._meta.db_table)} r ON r.id = s.room_id "
        "WHERE c.id = %s ORDER BY s.date, s.start_time"
    )


@functools.cache
def _row_fields(model) -> tuple:
    return tuple(model._meta.concrete_fields)


@functools.cache
def _converters(model, vendor: str) -> tuple:
    """Per field of ``model``: the expression and the converters the ORM applies to a value
    read from the database (a JSON column's text, SQLite's dates and booleans…)."""
    out = []
    for field in _row_fields(model):
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        out.append((col, converters))
    return tuple(out)


def _instance(model, values):
    """A model instance from its columns as the database answered them, as the ORM builds it."""
    converted = []
    for value, (col, converters) in zip(values, _converters(model, connection.vendor), strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    # all the concrete fields, in their order: from_db takes the values as they come
    return model.from_db(connection.alias, None, converted)


def _application_locked(campaign, candidate, now) -> Application | None:
    """The candidate's application to the campaign, created if need be, and locked until the
    transaction ends; None if they hold a seat (or a waitlist place, or were a no-show) in the
    campaign's year. One statement: of two simultaneous requests (a double click), the
    database inserts the first, and the second waits for it to commit, then locks the same row
    (a ``DO UPDATE`` that changes nothing) and sees its wishes. ``applied_at`` stays the first
    application's (the allocation's tie-break)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sessions_app_application (campaign_id, candidate_id, applied_at) "
            "SELECT %s, %s, %s WHERE NOT EXISTS (SELECT 1 FROM sessions_app_registration "
            "WHERE candidate_id = %s AND academic_year_id = %s AND status IN (%s, %s, %s)) "
            "ON CONFLICT (campaign_id, candidate_id) DO UPDATE SET "
            "campaign_id = EXCLUDED.campaign_id RETURNING id, applied_at, priority_tier, "
            "allocated_at",
            [campaign.pk, candidate.pk, connection.ops.adapt_datetimefield_value(now),
             candidate.pk, campaign.academic_year_id, *map(str, BUSY_STATUSES)],
        )  # fmt: skip
        row = cursor.fetchone()
    if row is None:
        return None
    pk, applied_at, tier, allocated_at = row
    return Application(
        pk=pk, campaign=campaign, candidate=candidate, priority_tier=tier,
        applied_at=_datetime(applied_at), allocated_at=_datetime(allocated_at),
    )  # fmt: skip


def _datetime(value):
    """A datetime column read by a raw query: SQLite answers text, in UTC."""
    if not isinstance(value, str):
        return value
    value = parse_datetime(value)
    return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value


def _put_wishes(application, session_ids) -> None:
    """Write the application's wishes, ranked in the order of ``session_ids``, in one statement
    (the apply request's: no query to build)."""
    rows = [(application.pk, rank, pk) for rank, pk in enumerate(session_ids, start=1)]
    table = connection.ops.quote_name(Wish._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (application_id, rank, session_id) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s)"] * len(rows)),
            [value for row in rows for value in row],
        )


def _take_wishes(application) -> list[int]:
    """Delete the application's wishes (its row is locked) and return their sessions, by rank."""
    table = connection.ops.quote_name(Wish._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE application_id = %s RETURNING rank, session_id",  # noqa: S608
            [application.pk],
        )
        return [session_id for _rank, session_id in sorted(cursor.fetchall())]


@dataclasses.dataclass
class Outcome:
    application: Application
    candidate: Candidate
    session: Session | None
    status: str  # confirmed, waitlisted, or "skipped"
    wish_rank: int | None = None
    waitlist_position: int | None = None
    reason: str = ""


@dataclasses.dataclass
class AllocationResult:
    outcomes: list[Outcome]
    dry_run: bool
    already_done: bool = False
    quota_left: int = 0

    @property
    def confirmed(self):
        return [o for o in self.outcomes if o.status == RegistrationStatus.CONFIRMED]

    @property
    def waitlisted(self):
        return [o for o in self.outcomes if o.status == RegistrationStatus.WAITLISTED]


def _tier_key(application: Application):
    tier = application.candidate.priority_tier
    return (tier if tier is not None else 4, application.applied_at, application.pk)


def _plan(campaign: Campaign, year: AcademicYear, sessions: dict[int, Session]) -> AllocationResult:
    """Who gets what: by tier then application time, highest-ranked wish with a free seat."""
    seats = {}
    next_order = {}
    waiting = {}
    for pk, session in sessions.items():
        seats[pk] = session.capacity - locking.confirmed_count(pk)
        next_order[pk] = locking.next_waitlist_order(pk)
        waiting[pk] = Registration.objects.filter(
            session_id=pk, status=RegistrationStatus.WAITLISTED
        ).count()
    quota_left = year.student_quota - locking.quota_used(year)
    busy = set(
        Registration.objects.filter(
            academic_year=year, status__in=[*ACTIVE_STATUSES, RegistrationStatus.NO_SHOW]
        ).values_list("candidate_id", flat=True)
    )
    applications = sorted(
        campaign.applications.filter(allocated_at__isnull=True)
        .select_related("candidate__user")
        .prefetch_related("wishes"),
        key=_tier_key,
    )
    outcomes = []
    for application in applications:
        candidate = application.candidate
        wishes = [
            w
            for w in sorted(application.wishes.all(), key=lambda w: w.rank)
            if w.session_id in sessions
            and sessions[w.session_id].status not in (SessionStatus.CANCELLED,)
        ]
        if candidate.pk in busy:
            outcomes.append(
                Outcome(application, candidate, None, "skipped", reason=_("déjà inscrit"))
            )
            continue
        if not wishes:
            outcomes.append(
                Outcome(application, candidate, None, "skipped", reason=_("aucun vœu valide"))
            )
            continue
        is_student = candidate.kind == CandidateKind.STUDENT
        quota_ok = not is_student or quota_left > 0
        chosen = next((w for w in wishes if seats[w.session_id] > 0), None) if quota_ok else None
        busy.add(candidate.pk)
        if chosen:
            seats[chosen.session_id] -= 1
            if is_student:
                quota_left -= 1
            outcomes.append(
                Outcome(
                    application,
                    candidate,
                    sessions[chosen.session_id],
                    RegistrationStatus.CONFIRMED,
                    wish_rank=chosen.rank,
                )
            )
        else:
            first = wishes[0]
            waiting[first.session_id] += 1
            outcomes.append(
                Outcome(
                    application,
                    candidate,
                    sessions[first.session_id],
                    RegistrationStatus.WAITLISTED,
                    wish_rank=first.rank,
                    waitlist_position=waiting[first.session_id],
                    reason=_("quota annuel atteint") if not quota_ok else _("sessions complètes"),
                )
            )
    return AllocationResult(outcomes=outcomes, dry_run=True, quota_left=quota_left)


def allocate_campaign(
    campaign: Campaign, *, acting_user=None, dry_run: bool = False, now=None
) -> AllocationResult:
    """Allocate the seats of a closed campaign (``dry_run``: only say who would get what).

    Idempotent: a campaign already allocated is left alone. ``acting_user`` is None when the
    Celery job runs it.
    """
    if acting_user is not None:
        _require_administrator(acting_user)
    now = _now(now)
    if dry_run:
        with transaction.atomic():
            campaign = Campaign.objects.get(pk=campaign.pk)
            sessions = {s.pk: s for s in campaign.sessions.select_related("room")}
            result = _plan(campaign, campaign.academic_year, sessions)
            result.already_done = campaign.allocated_at is not None
            return result
    return _allocate(campaign, acting_user=acting_user, now=now)


@transaction.atomic(durable=True)
def _allocate(campaign, *, acting_user, now) -> AllocationResult:
    campaign = locking.locked(Campaign.objects.filter(pk=campaign.pk)).get()
    if campaign.allocated_at is not None:
        return AllocationResult(outcomes=[], dry_run=False, already_done=True)
    if now < campaign.closes_at:
        raise SessionError(
            _("La campagne est encore ouverte : l’attribution se fait après sa clôture.")
        )
    session_ids = list(campaign.sessions.values_list("pk", flat=True))
    year, sessions = locking.lock_year_and_sessions(campaign.academic_year_id, session_ids)
    for session in sessions.values():
        session.room = Room.objects.get(pk=session.room_id)
    result = _plan(campaign, year, sessions)
    result.dry_run = False
    orders = {pk: locking.next_waitlist_order(pk) for pk in sessions}
    for outcome in result.outcomes:
        application = outcome.application
        application.allocated_at = now
        application.priority_tier = outcome.candidate.priority_tier
        application.save(update_fields=["allocated_at", "priority_tier"])
        if outcome.status == "skipped":
            continue
        order = None
        if outcome.status == RegistrationStatus.WAITLISTED:
            order = orders[outcome.session.pk]
            orders[outcome.session.pk] += 1
        registration = Registration.objects.create(
            candidate=outcome.candidate,
            session=outcome.session,
            academic_year=year,
            status=outcome.status,
            source=RegistrationSource.ALLOCATION,
            waitlist_order=order,
            application=application,
            created_at=now,
            confirmed_at=now if outcome.status == RegistrationStatus.CONFIRMED else None,
            created_by=acting_user,
        )
        _audit(
            AuditAction.ALLOCATED,
            actor=acting_user,
            now=now,
            session=outcome.session,
            registration=registration,
            campaign=campaign,
            after=outcome.status,
        )
        _email_outcome(registration, position=outcome.waitlist_position)
    campaign.allocated_at = now
    campaign.save(update_fields=["allocated_at"])
    _audit(
        AuditAction.CAMPAIGN_ALLOCATED,
        actor=acting_user,
        now=now,
        campaign=campaign,
        detail=f"{len(result.confirmed)} confirmed, {len(result.waitlisted)} waitlisted",
    )
    return result
