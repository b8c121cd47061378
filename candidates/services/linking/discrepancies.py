"""Disagreements with the university, and the administrator's decisions on them (a
checked disagreement, the study year set by hand), audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction

from ...models import Candidate, IdentityDiscrepancy, StudyYear, StudyYearSource
from ...pix.profiles import normalise
from .common import LinkingError, _now, _request_scores


def _same(a: str, b: str) -> bool:
    return normalise(a or "") == normalise(b or "")


def note_discrepancy(
    candidate: Candidate, field_name: str, recorded: str, reported: str, *, source: str, now
) -> IdentityDiscrepancy | None:
    """List a disagreement for the administrator (one open per record and field: a newer one
    updates it). Returns None when the values agree."""
    if _same(recorded, reported):
        return None
    if IdentityDiscrepancy.objects.filter(
        candidate=candidate,
        field=field_name,
        recorded_value=(recorded or "")[:200],
        reported_value=(reported or "")[:200],
        checked_at__isnull=False,
    ).exists():
        return None  # already checked by an administrator: not listed again
    open_one = (
        IdentityDiscrepancy.objects.select_for_update()
        .filter(candidate=candidate, field=field_name, checked_at__isnull=True)
        .first()
    )
    if open_one is None:
        return IdentityDiscrepancy.objects.create(
            candidate=candidate,
            field=field_name,
            recorded_value=(recorded or "")[:200],
            reported_value=(reported or "")[:200],
            source=source,
            detected_at=now,
        )
    if open_one.reported_value != reported[:200] or open_one.recorded_value != recorded[:200]:
        open_one.recorded_value, open_one.reported_value = recorded[:200], reported[:200]
        open_one.source, open_one.detected_at = source, now
        open_one.save(update_fields=["recorded_value", "reported_value", "source", "detected_at"])
    return open_one


def check_discrepancy(discrepancy: IdentityDiscrepancy, *, acting_user, now=None) -> None:
    """The administrator looked at it: it leaves the list (and the audit trail says who)."""
    now = _now(now)
    with transaction.atomic(durable=True):
        checked = IdentityDiscrepancy.objects.filter(
            pk=discrepancy.pk, checked_at__isnull=True
        ).update(checked_at=now, checked_by=acting_user)
        if checked:
            audit.record(
                AuditAction.DISCREPANCY_CHECKED,
                actor=acting_user,
                obj=discrepancy,
                candidate_id=discrepancy.candidate_id,
                before={
                    "field": discrepancy.field,
                    "record": discrepancy.recorded_value,
                    "university": discrepancy.reported_value,
                },
                now=now,
            )


def override_study_year(
    candidate: Candidate, study_year: str, reason: str, *, acting_user, now=None
) -> Candidate:
    """An administrator sets the study year, with a reason; the directory no longer changes it
    (until another override). Audited; the priority tier is recomputed."""
    if not getattr(acting_user, "is_administrator", False):
        raise LinkingError(_("Seul un gestionnaire peut fixer l’année d’études."))
    reason = (reason or "").strip()
    if not reason:
        raise LinkingError(_("Indiquez le motif : il est gardé au journal."))
    if study_year not in StudyYear.values:
        raise LinkingError(_("Année d’études inconnue."))
    now = _now(now)
    with transaction.atomic(durable=True):
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        before = {"study_year": locked.study_year, "source": locked.study_year_source}
        locked.study_year = study_year
        locked.study_year_source = StudyYearSource.ADMINISTRATOR
        locked.study_year_reason = reason[:300]
        locked.save(update_fields=["study_year", "study_year_source", "study_year_reason"])
        audit.record(
            AuditAction.STUDY_YEAR_OVERRIDDEN,
            actor=acting_user,
            obj=locked,
            candidate_id=locked.pk,
            before=before,
            after={"study_year": study_year, "source": StudyYearSource.ADMINISTRATOR},
            summary=reason,
            now=now,
        )
        _request_scores(locked.pk)
    return locked
