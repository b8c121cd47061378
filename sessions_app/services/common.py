"""What every workflow of sessions_app shares: the domain error, injected time, the
permission checks and the audit row.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from candidates.models import AcademicYear, Candidate
from pixcentre.errors import DomainError


class SessionError(DomainError):
    """A rule of the centre refuses the request; ``message`` is shown to the person."""


# --- helpers ----------------------------------------------------------------------------------


def _now(now):
    return now or timezone.now()


def _require_administrator(user):
    if not (user and user.is_authenticated and user.is_administrator):
        raise SessionError(_("Seul un gestionnaire peut faire cette opération."))


def _require_self_or_administrator(user, candidate: Candidate):
    if user and user.is_authenticated and user.is_administrator:
        return
    if not (user and candidate.user_id == user.pk):
        raise SessionError(_("Vous ne pouvez agir que pour vous-même."))


def _audit(
    action,
    *,
    actor,
    now,
    session=None,
    registration=None,
    campaign=None,
    before="",
    after="",
    field="status",
    detail="",
):
    """One row of the centre's audit trail (``accounts.audit``), in the caller's transaction.
    ``before``/``after`` are the values of one ``field`` of the audited object (its status
    unless said otherwise), stored as ``{field: value}``: one format per action."""
    obj = registration or campaign or session
    record(
        action,
        actor=actor,
        obj=obj,
        now=now,
        candidate_id=registration.candidate_id if registration else None,
        session_id=session.pk if session else (registration.session_id if registration else None),
        before={field: before} if before else None,
        after={field: after} if after else None,
        summary=detail,
    )


# --- rooms and sessions -----------------------------------------------------------------------


def _year_for(date: dt.date) -> AcademicYear:
    year = AcademicYear.objects.filter(start_date__lte=date, end_date__gte=date).first()
    if year is None:
        raise SessionError(
            _("Aucune année universitaire ne contient le %(date)s : créez-la d’abord.")
            % {"date": date.strftime("%d/%m/%Y")}
        )
    return year
