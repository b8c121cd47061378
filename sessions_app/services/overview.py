"""The administrator's home: what needs doing now, counted in a fixed number of queries.

1. the coming sessions' confirmed seats, with candidate, account and convocation: which
   convocations are not sent and why (no email address, not generated yet, generated and
   waiting, failed), and which identities Pix would refuse (``pix_identity``);
2. candidates without any email address (no convocation email, no account);
3. the coming open sessions with their seat and waitlist counts: full sessions with a
   waitlist next to sessions of the same year and audience with free seats;
4. (``understaffed_sessions``, from invigilation) the sessions short of invigilators.

It also moves a full session's waitlisted candidates to a session with free seats
(``move_waitlisted``), one ``override_seat`` each: each move locks, recounts and emails.
"""

import dataclasses
import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate

from ..models import (
    AUDIENCE_KINDS,
    ConvocationStatus,
    Registration,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from .common import SessionError, _require_administrator
from .registrations import override_seat
from .sessions import sessions_with_counts

COMING = [SessionStatus.OPEN, SessionStatus.CLOSED]
SHOWN = 10  # lines listed per heading; the counts are whole


@dataclasses.dataclass
class Rebalance:
    full: Session  # no free seat, candidates waiting
    free: list[Session]  # same year, accepting the same candidates, seats left


@dataclasses.dataclass
class Overview:
    not_sent: dict  # reason → count
    not_sent_sessions: list  # (session, count) of sessions with convocations not sent
    without_email_seated: list  # registrations of coming sessions with no address
    candidates_without_email: int
    refused_identities: list  # (registration, problems)
    refused_count: int
    rebalance: list[Rebalance]

    @property
    def not_sent_total(self) -> int:
        return sum(self.not_sent.values())


def _reason(registration) -> str | None:
    """Why a confirmed seat's convocation is not sent, or None when it is."""
    candidate = registration.candidate
    address = candidate.convocation_email or (candidate.user.email if candidate.user else "")
    convocation = getattr(registration, "convocation", None)
    if convocation is not None and convocation.status == ConvocationStatus.SENT:
        return None
    if not address:
        return "no_email"
    if convocation is None or convocation.status == ConvocationStatus.PENDING:
        return "not_generated"
    if convocation.status == ConvocationStatus.FAILED:
        return "failed"
    return "waiting"


def admin_overview(*, today: dt.date | None = None) -> Overview:
    today = today or timezone.localdate()
    seats = list(  # query 1
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            session__date__gte=today,
            session__status__in=COMING,
        )
        .select_related("candidate__user", "convocation", "session__room")
        .order_by("session__date", "session__start_time", "candidate__sort_name", "pk")
    )
    not_sent = {"no_email": 0, "not_generated": 0, "waiting": 0, "failed": 0}
    per_session, without_email, refused = {}, [], []
    for r in seats:
        reason = _reason(r)
        if reason:
            not_sent[reason] += 1
            per_session[r.session] = per_session.get(r.session, 0) + 1
            if reason == "no_email":
                without_email.append(r)
        problems = r.candidate.identity_problems()
        if problems:
            refused.append((r, [message for _field, message in problems]))
    candidates_without_email = (  # query 2
        Candidate.objects.filter(convocation_email="", anonymised_at__isnull=True)
        .filter(Q(user__isnull=True) | Q(user__email=""))
        .count()
    )
    coming = list(  # query 3
        sessions_with_counts(
            Session.objects.filter(date__gte=today, status=SessionStatus.OPEN)
        ).order_by("date", "start_time", "pk")
    )
    rebalance = []
    for session in coming:
        if session.n_waitlisted and session.n_confirmed >= session.capacity:
            kinds = AUDIENCE_KINDS[session.audience]
            free = [
                s
                for s in coming
                if s.pk != session.pk
                and s.academic_year_id == session.academic_year_id
                and s.n_confirmed < s.capacity
                and kinds & AUDIENCE_KINDS[s.audience]
            ]
            if free:
                rebalance.append(Rebalance(full=session, free=free[:5]))
    return Overview(
        not_sent=not_sent,
        not_sent_sessions=sorted(per_session.items(), key=lambda i: i[0].date)[:SHOWN],
        without_email_seated=without_email[:SHOWN],
        candidates_without_email=candidates_without_email,
        refused_identities=refused[:SHOWN],
        refused_count=len(refused),
        rebalance=rebalance[:SHOWN],
    )


def waitlisted_to_move(source: Session, target: Session) -> list[Registration]:
    """The first waitlisted candidates of ``source`` that ``target``'s free seats can take."""
    free = max(
        target.capacity - target.registrations.filter(status=RegistrationStatus.CONFIRMED).count(),
        0,
    )
    waiting = (
        source.registrations.filter(status=RegistrationStatus.WAITLISTED)
        .select_related("candidate")
        .order_by("waitlist_order", "pk")
    )
    return [r for r in waiting if target.accepts(r.candidate.kind)][:free]


def move_waitlisted(source: Session, target: Session, *, acting_user, now=None) -> int:
    """Give ``target``'s free seats to ``source``'s waitlist, in waitlist order. Each move is
    its own locked transaction (``override_seat``: recounted, audited, emailed); stops at the
    first refusal. Returns how many moved."""
    _require_administrator(acting_user)
    if source.academic_year_id != target.academic_year_id or source.pk == target.pk:
        raise SessionError(_("Choisissez une autre session de la même année."))
    moved = 0
    for registration in waitlisted_to_move(source, target):
        override_seat(target, registration.candidate, acting_user=acting_user, now=now)
        moved += 1
    return moved
