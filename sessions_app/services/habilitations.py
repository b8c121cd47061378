"""The centre's habilitations (complementary certifications Pix allows it to offer): an
administrator's setting, audited. They decide the complementary columns of the Pix Certif
files, what a session may offer and so what a candidate may choose (``check_offered``).
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction

from ..models import (
    Complementary,
    Habilitation,
    Session,
    SessionStatus,
    habilitated_codes,
)
from .common import SessionError, _now, _require_administrator

# Sessions that still count: a past, finalised or cancelled one keeps what it offered.
_COMING_STATUSES = (SessionStatus.DRAFT, SessionStatus.OPEN, SessionStatus.CLOSED)


def check_offered(codes: Iterable[str]) -> list[str]:
    """``codes`` if the centre is habilitated for each, else SessionError naming the others."""
    codes = list(codes)
    unknown = [c for c in codes if c not in Complementary.values]
    if unknown:
        raise SessionError(
            _("Certification complémentaire inconnue : « %(code)s ».") % {"code": unknown[0]}
        )
    missing = [c for c in codes if c not in habilitated_codes()]
    if missing:
        raise SessionError(
            _(
                "Le centre n’est pas habilité à la certification complémentaire « %(label)s » : "
                "un gestionnaire l’ajoute d’abord aux habilitations du centre."
            )
            % {"label": Complementary(missing[0]).label}
        )
    return codes


@transaction.atomic(durable=True)
def set_habilitations(codes: Iterable[str], *, acting_user, now=None) -> list[str]:
    """Make the centre's habilitations exactly ``codes``. A habilitation that a coming session
    still offers (or that a candidate chose there) cannot be withdrawn: take it off those
    sessions first."""
    _require_administrator(acting_user)
    now = _now(now)
    wanted = [c for c in Complementary.values if c in set(codes)]
    unknown = set(codes) - set(Complementary.values)
    if unknown:
        raise SessionError(
            _("Certification complémentaire inconnue : « %(code)s ».")
            % {"code": sorted(unknown)[0]}
        )
    # Lock the rows so that two administrators saving at once do not interleave.
    before = list(
        Habilitation.objects.select_for_update().order_by("pk").values_list("code", flat=True)
    )
    before = [c for c in Complementary.values if c in set(before)]
    withdrawn = [c for c in before if c not in wanted]
    coming = list(
        Session.objects.filter(status__in=_COMING_STATUSES).order_by("date", "start_time")
    )
    for code in withdrawn:
        # Filtered in Python: JSON containment is not on every database (SQLite).
        offering = [s for s in coming if code in (s.complementary or [])]
        if offering:
            raise SessionError(
                _(
                    "« %(label)s » est encore proposée par %(n)s session(s) à venir (par exemple "
                    "%(session)s) : retirez-la d’abord de ces sessions."
                )
                % {"label": Complementary(code).label, "n": len(offering), "session": offering[0]}
            )
    if wanted == before:
        return wanted
    Habilitation.objects.filter(code__in=withdrawn).delete()
    for code in wanted:
        if code not in before:
            Habilitation.objects.create(code=code, granted_at=now, granted_by=acting_user)
    record(
        AuditAction.HABILITATIONS_UPDATED,
        actor=acting_user,
        before={"habilitations": [Complementary(c).label for c in before]},
        after={"habilitations": [Complementary(c).label for c in wanted]},
        summary=", ".join(Complementary(c).label for c in wanted) or _("aucune"),
        now=now,
    )
    return wanted
