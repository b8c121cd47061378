"""Preparation units: the university's (UEO) enrolment files."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from outbox.dispatch import enqueue

from .. import unit_files
from ..models import (
    Candidate,
    PreparationUnit,
    UnitEnrolment,
)
from ..pix import profiles as pix_files
from .common import _chunks, _now

# --- Preparation units ---------------------------------------------------------------------------


@dataclass
class UnitImportResult:
    problems: list = field(default_factory=list)
    message: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.message


def import_unit_enrolments(
    data: bytes, *, academic_year, semester: int, acting_user=None, now=None, quota=None
) -> UnitImportResult:
    """Import enrolments and completed courses (student number; unit; courses completed) for
    one semester, all or nothing. Units are created on first use with the default quota."""
    now = _now(now)
    result = UnitImportResult()
    try:
        rows, problems = unit_files.parse_unit_enrolments(data)
    except unit_files.NotAUnitFile as exc:
        result.message = str(exc)
        return result
    numbers = sorted({r.student_number for r in rows})
    candidates = {}
    for chunk in _chunks(numbers):
        for c in Candidate.objects.filter(external_id__in=chunk).only("pk", "external_id"):
            candidates[c.external_id] = c
    for r in rows:
        if r.student_number not in candidates:
            problems.append(
                pix_files.Problem(
                    r.line,
                    unit_files.COL_NUMBER,
                    r.student_number,
                    _("Aucun candidat n’a ce numéro étudiant : importez d’abord les profils."),
                )
            )
    with transaction.atomic():
        units = {}
        for code in ("pix1", "pix2"):
            units[code], _created = PreparationUnit.objects.get_or_create(
                code=code,
                academic_year=academic_year,
                semester=semester,
                defaults={"quota": quota or 500},
            )
        existing = {
            (e.unit_id, e.candidate_id): e
            for e in UnitEnrolment.objects.select_for_update().filter(unit__in=units.values())
        }
        enrolled = defaultdict(int)
        for unit_id, _cid in existing:
            enrolled[unit_id] += 1
        to_create, to_update = [], []
        for r in rows:
            c = candidates.get(r.student_number)
            if c is None:
                continue
            unit = units[r.unit]
            e = existing.get((unit.pk, c.pk))
            if e is None:
                enrolled[unit.pk] += 1
                if enrolled[unit.pk] == unit.quota + 1:
                    problems.append(
                        pix_files.Problem(
                            r.line,
                            unit_files.COL_UNIT,
                            r.unit_label,
                            _("Quota de l’unité atteint (%(quota)s places).")
                            % {"quota": unit.quota},
                        )
                    )
                to_create.append(
                    UnitEnrolment(
                        unit=unit, candidate=c, courses_completed=r.courses, updated_at=now
                    )
                )
            elif e.courses_completed != r.courses:
                e.courses_completed, e.updated_at = r.courses, now
                to_update.append(e)
            else:
                result.unchanged += 1
        if problems:
            result.problems = sorted(problems, key=lambda p: p.line)
            transaction.set_rollback(True)
            return result
        UnitEnrolment.objects.bulk_create(to_create, batch_size=1000)
        UnitEnrolment.objects.bulk_update(to_update, ["courses_completed", "updated_at"])
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            audit.record(
                AuditAction.UNITS_IMPORTED,
                actor=acting_user,
                after={"created": result.created, "updated": result.updated, "semester": semester},
                summary=str(academic_year),
                now=now,
            )
        touched = sorted({e.candidate_id for e in to_create + to_update})
        if touched:
            enqueue("candidates.tasks.compute_scores_task", touched)
    return result
