"""Registrations: eligibility, first-come seats, external bookings, the waitlist,
cancellation, no-show, administrator override, complementary certification, prepaid codes.

Every path that may confirm a seat locks the year then the sessions (``locking``), recounts
inside the lock, then writes.
"""

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit_actions import AuditAction
from candidates.models import AcademicYear, Candidate, CandidateKind

from ..models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from . import locking
from .common import (
    SessionError,
    _audit,
    _now,
    _require_administrator,
    _require_self_or_administrator,
)
from .habilitations import check_offered
from .mail import _email_cancellation, _email_outcome, _email_promotion


def _cancel(registration, action, *, session, acting_user, now) -> str:
    """Cancel one registration (the caller holds the locks) and audit it; returns the status
    it had before."""
    before = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    _audit(
        action,
        actor=acting_user,
        now=now,
        session=session,
        registration=registration,
        before=before,
        after=registration.status,
    )
    return before


# --- eligibility ------------------------------------------------------------------------------


# The registrations that keep a candidate from asking for another seat in their year.
BUSY_STATUSES = [*ACTIVE_STATUSES, RegistrationStatus.NO_SHOW]


def eligibility_problems(
    candidate: Candidate,
    *,
    year: AcademicYear | None,
    sessions: Sequence[Session] = (),
    seat=True,
) -> list[str]:
    """Why this candidate may not ask for a seat this year (empty: eligible). ``seat=False``:
    all but whether they already hold one (:func:`seat_problem`), which the caller checks in
    the statement that writes (the apply request); ``year`` is only read for that seat."""
    problems = []
    if not candidate.identity_complete:
        problems.append(_("Votre identité est incomplète : complétez-la telle que Pix la demande."))
    if candidate.kind == CandidateKind.STUDENT and not candidate.is_certifiable:
        problems.append(
            _(
                "Votre profil de positionnement n’est pas certifiable "
                "(il faut au moins 5 compétences de niveau 1 ou plus)."
            )
        )
    for session in sessions:
        if not session.accepts(candidate.kind):
            problems.append(
                _("La session %(session)s n’est pas ouverte aux candidats de type « %(kind)s ».")
                % {"session": session, "kind": candidate.get_kind_display()}
            )
    if (
        seat
        and Registration.objects.filter(
            candidate=candidate, academic_year=year, status__in=BUSY_STATUSES
        ).exists()
    ):
        problems.append(seat_problem())
    return problems


def seat_problem() -> str:
    return _("Vous avez déjà une place (ou une place en liste d’attente) cette année.")


def _check_eligible(candidate, *, year, sessions=(), seat=True):
    problems = eligibility_problems(candidate, year=year, sessions=sessions, seat=seat)
    if problems:
        raise SessionError(problems[0])


# --- registrations after allocation -----------------------------------------------------------


def _register(
    session, candidate, *, acting_user, now, source, complementary="", check_kind=None
) -> Registration:
    """Take a seat if one is free, else a waitlist place: locked, recounted, idempotent."""
    now = _now(now)
    _require_self_or_administrator(acting_user, candidate)
    year, sessions = locking.lock_year_and_sessions(session.academic_year_id, [session.pk])
    session = sessions[session.pk]
    existing = Registration.objects.filter(
        candidate=candidate, session=session, status__in=ACTIVE_STATUSES
    ).first()
    if existing:  # a double click: the first request already registered them
        return existing
    if check_kind:
        check_kind(candidate, session)
    if session.status != SessionStatus.OPEN or session.starts_at <= now:
        raise SessionError(_("Cette session n’est pas ouverte aux inscriptions."))
    if session.campaigns.filter(allocated_at__isnull=True).exists():
        raise SessionError(
            _("Les places de cette session seront attribuées à la clôture de sa campagne.")
        )
    if complementary and complementary not in session.complementary:
        raise SessionError(_("Cette certification complémentaire n’est pas proposée ici."))
    if complementary:
        check_offered([complementary])
    _check_eligible(candidate, year=year, sessions=[session])

    free = locking.has_free_seat(session, candidate, year)
    status = RegistrationStatus.CONFIRMED if free else RegistrationStatus.WAITLISTED
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                candidate=candidate,
                session=session,
                academic_year=year,
                status=status,
                source=source,
                waitlist_order=None if free else locking.next_waitlist_order(session.pk),
                complementary=complementary,
                created_at=now,
                confirmed_at=now if free else None,
                created_by=acting_user if acting_user and acting_user.is_authenticated else None,
            )
    except IntegrityError:
        existing = Registration.objects.filter(
            candidate=candidate, session=session, status__in=ACTIVE_STATUSES
        ).first()
        if existing:
            return existing
        raise SessionError(
            _("Vous avez déjà une place (ou une place en liste d’attente) cette année.")
        ) from None
    _audit(
        source, actor=acting_user, now=now, session=session, registration=registration, after=status
    )
    _email_outcome(registration)
    return registration


@transaction.atomic(durable=True)
def register_first_come(
    session: Session, candidate: Candidate, *, acting_user, complementary: str = "", now=None
) -> Registration:
    """After allocation, remaining seats go first come, first served (then the waitlist)."""
    return _register(
        session,
        candidate,
        acting_user=acting_user,
        now=now,
        source=RegistrationSource.FIRST_COME,
        complementary=complementary,
    )


def _external_only(candidate, session):
    if candidate.kind != CandidateKind.EXTERNAL:
        raise SessionError(_("La réservation payante est réservée aux candidats externes."))
    if not session.accepts(CandidateKind.EXTERNAL):
        raise SessionError(_("Cette session n’est pas ouverte aux candidats externes."))


@transaction.atomic(durable=True)
def book_external(
    session: Session, candidate: Candidate, *, acting_user, complementary: str = "", now=None
) -> Registration:
    """An external candidate books a seat in an external or mixed session (a fee is due)."""
    return _register(
        session,
        candidate,
        acting_user=acting_user,
        now=now,
        source=RegistrationSource.BOOKING,
        complementary=complementary,
        check_kind=_external_only,
    )


def _promote_waitlisted(session: Session, year: AcademicYear, *, acting_user, now) -> list:
    """Give the free seats of a locked session to the first of its waitlist, in order."""
    promoted = []
    queue = (
        Registration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED)
        .select_related("candidate__user", "session__room")
        .order_by("waitlist_order", "created_at")
    )
    for registration in queue:
        if locking.confirmed_count(session.pk) >= session.capacity:
            break
        if not locking.has_free_seat(session, registration.candidate, year):
            continue  # the yearly student quota is reached: a later non-student may pass
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        _audit(
            AuditAction.PROMOTED,
            actor=acting_user,
            now=now,
            session=session,
            registration=registration,
            before=RegistrationStatus.WAITLISTED,
            after=RegistrationStatus.CONFIRMED,
        )
        _email_promotion(registration)
        promoted.append(registration)
    return promoted


@transaction.atomic(durable=True)
def cancel_registration(registration: Registration, *, acting_user, now=None) -> Registration:
    """The candidate (before the deadline) or an administrator frees the seat; the first on
    the waitlist gets it and is told by email."""
    now = _now(now)
    _require_self_or_administrator(acting_user, registration.candidate)
    year, sessions = locking.lock_year_and_sessions(
        registration.academic_year_id, [registration.session_id]
    )
    session = sessions[registration.session_id]
    registration = locking.locked(Registration.objects.filter(pk=registration.pk)).get()
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if registration.status not in ACTIVE_STATUSES:
        raise SessionError(_("Cette inscription ne peut plus être annulée."))
    if not acting_user.is_administrator and now > session.cancellation_deadline():
        raise SessionError(
            _(
                "Le délai d’annulation est dépassé (%(hours)s heures avant la session) : "
                "contactez le centre."
            )
            % {"hours": getattr(settings, "PIX_CANCELLATION_DEADLINE_HOURS", 72)}
        )
    before = _cancel(
        registration, AuditAction.CANCELLED, session=session, acting_user=acting_user, now=now
    )
    _email_cancellation(registration)
    if before == RegistrationStatus.CONFIRMED and session.status in (
        SessionStatus.OPEN,
        SessionStatus.CLOSED,
    ):
        _promote_waitlisted(session, year, acting_user=acting_user, now=now)
    return registration


@transaction.atomic(durable=True)
def mark_no_show(registration: Registration, *, acting_user, now=None) -> Registration:
    _require_administrator(acting_user)
    now = _now(now)
    registration = locking.locked(
        Registration.objects.filter(pk=registration.pk).select_related("session")
    ).get()
    if registration.status == RegistrationStatus.NO_SHOW:
        return registration
    if registration.status != RegistrationStatus.CONFIRMED:
        raise SessionError(_("Seul un candidat avec une place confirmée peut être absent."))
    if registration.session.starts_at > now:
        raise SessionError(_("La session n’a pas encore commencé."))
    registration.status = RegistrationStatus.NO_SHOW
    registration.save(update_fields=["status"])
    _audit(
        AuditAction.NO_SHOW,
        actor=acting_user,
        now=now,
        session=registration.session,
        registration=registration,
        before=RegistrationStatus.CONFIRMED,
        after=RegistrationStatus.NO_SHOW,
    )
    return registration


@transaction.atomic(durable=True)
def override_seat(
    session: Session, candidate: Candidate, *, acting_user, complementary: str = "", now=None
) -> Registration:
    """An administrator gives a candidate a seat in a session, ahead of the waitlist and
    outside campaigns, moving them from another session of the year if need be. Capacity and
    the yearly quota still hold."""
    _require_administrator(acting_user)
    now = _now(now)
    previous = Registration.objects.filter(
        candidate=candidate, academic_year_id=session.academic_year_id, status__in=ACTIVE_STATUSES
    ).first()
    ids = [session.pk] + ([previous.session_id] if previous else [])
    year, sessions = locking.lock_year_and_sessions(session.academic_year_id, ids)
    session = sessions[session.pk]
    if session.status in (SessionStatus.CANCELLED, SessionStatus.FINALISED):
        raise SessionError(_("Cette session n’accepte plus d’inscriptions."))
    previous = locking.locked(
        Registration.objects.filter(
            candidate=candidate, academic_year=year, status__in=ACTIVE_STATUSES
        )
    ).first()
    if (
        previous
        and previous.session_id == session.pk
        and previous.status == RegistrationStatus.CONFIRMED
    ):
        return previous
    if not locking.has_free_seat(session, candidate, year):
        raise SessionError(
            _("Plus de place libre (session complète ou quota annuel atteint) : libérez-en une.")
        )
    if previous and previous.session_id == session.pk:
        registration = previous
        before = registration.status
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
    else:
        before = ""
        if previous:
            was = previous.status
            previous.status = RegistrationStatus.CANCELLED
            previous.cancelled_at = now
            previous.save(update_fields=["status", "cancelled_at"])
            _audit(
                AuditAction.MOVED_OUT,
                actor=acting_user,
                now=now,
                session=previous.session,
                registration=previous,
                before=was,
                after=previous.status,
            )
            if was == RegistrationStatus.CONFIRMED:
                _promote_waitlisted(
                    sessions[previous.session_id], year, acting_user=acting_user, now=now
                )
        registration = Registration.objects.create(
            candidate=candidate,
            session=session,
            academic_year=year,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.OVERRIDE,
            complementary=complementary,
            created_at=now,
            confirmed_at=now,
            moved_from=previous,  # None for a first seat
            created_by=acting_user,
        )
    _audit(
        AuditAction.OVERRIDE,
        actor=acting_user,
        now=now,
        session=session,
        registration=registration,
        before=before,
        after=registration.status,
    )
    _email_outcome(registration)
    return registration


@transaction.atomic(durable=True)
def choose_complementary(
    registration: Registration, code: str, *, acting_user, now=None
) -> Registration:
    """A candidate picks (or drops, with ``""``) one complementary certification offered by
    their session, until the cancellation deadline; an administrator at any time."""
    _require_self_or_administrator(acting_user, registration.candidate)
    now = _now(now)
    registration = locking.locked(
        Registration.objects.filter(pk=registration.pk).select_related("session")
    ).get()
    if registration.status not in ACTIVE_STATUSES:
        raise SessionError(_("Cette inscription n’est plus active."))
    if code and code not in registration.session.complementary:
        raise SessionError(_("Cette certification complémentaire n’est pas proposée ici."))
    if code:
        check_offered([code])
    if not acting_user.is_administrator and now > registration.session.cancellation_deadline():
        raise SessionError(_("Le délai est dépassé : contactez le centre."))
    before = registration.complementary
    registration.complementary = code
    registration.save(update_fields=["complementary"])
    _audit(
        AuditAction.COMPLEMENTARY,
        actor=acting_user,
        now=now,
        session=registration.session,
        registration=registration,
        before=before,
        after=code,
        field="complementary",
    )
    return registration


@transaction.atomic(durable=True)
def set_prepaid_code(registration: Registration, code: str, *, acting_user, now=None):
    """The centre prepaid this candidate's Pix fee: exported as ``Prépayée`` with the code
    (SIRET + ``/`` + invoice number); an empty code goes back to the usual pricing."""
    _require_administrator(acting_user)
    now = _now(now)
    registration = locking.locked(
        Registration.objects.filter(pk=registration.pk).select_related("session")
    ).get()
    before = registration.prepaid_code
    registration.prepaid_code = code.strip()
    registration.save(update_fields=["prepaid_code"])
    _audit(
        AuditAction.PREPAID_CODE,
        actor=acting_user,
        now=now,
        session=registration.session,
        registration=registration,
        before=before[:40],
        after=registration.prepaid_code[:40],
        field="prepaid_code",
    )
    return registration
