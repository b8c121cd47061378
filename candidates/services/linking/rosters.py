"""A roster of students (student number, email, optional study year) invites them all, or
refuses the whole file."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction

from ... import roster_files
from ...models import Candidate, CandidateKind, DiscrepancyField, Invitation, StudyYearSource
from ...pix.profiles import Problem
from .common import LinkingError, _now, _request_scores
from .discrepancies import note_discrepancy
from .invitations import _new_invitation


@dataclass
class RosterResult:
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    invited: int = 0
    already_linked: int = 0
    already_invited: int = 0
    years_set: int = 0

    @property
    def ok(self) -> bool:
        return not self.message and not self.problems


def import_roster(data: bytes, *, acting_user, now=None) -> RosterResult:
    """Invite the students of a roster (student number; email; optional study year), all or
    nothing: a bad row (unreadable, unknown number, twice in the file) refuses the whole file
    with its line, column and reason. A student already linked is counted, not invited; one
    already invited at the same address with a link still open is not invited twice."""
    if not getattr(acting_user, "is_administrator", False):
        raise LinkingError(_("Seul un gestionnaire peut inviter des candidats."))
    now = _now(now)
    result = RosterResult()
    try:
        rows, problems = roster_files.parse_roster(data)
    except roster_files.NotARoster as exc:
        result.message = str(exc)
        return result
    with transaction.atomic(durable=True):
        numbers = [r.student_number for r in rows]
        found = {}
        for i in range(0, len(numbers), 2000):
            for c in Candidate.objects.select_for_update().filter(
                external_id__in=numbers[i : i + 2000]
            ):
                found[c.external_id] = c
        for r in rows:
            c = found.get(r.student_number)
            if c is None:
                problems.append(
                    Problem(
                        r.line,
                        roster_files.COL_NUMBER,
                        r.student_number,
                        _(
                            "Aucun candidat n’a ce numéro étudiant : importez d’abord les "
                            "profils Pix Orga."
                        ),
                    )
                )
            elif c.kind == CandidateKind.EXTERNAL or c.anonymised_at is not None:
                problems.append(
                    Problem(
                        r.line,
                        roster_files.COL_NUMBER,
                        r.student_number,
                        _("Ce dossier n’est pas celui d’un étudiant ou d’un personnel."),
                    )
                )
        if problems:
            result.problems = sorted(problems, key=lambda p: (p.line, p.column))
            return result
        open_invitations = {
            inv.candidate_id: inv
            for inv in Invitation.objects.filter(
                candidate__in=found.values(),
                used_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            )
        }
        for r in rows:
            c = found[r.student_number]
            if r.study_year and c.study_year_source != StudyYearSource.ADMINISTRATOR:
                if c.study_year and c.study_year != r.study_year:
                    note_discrepancy(
                        c,
                        DiscrepancyField.STUDY_YEAR,
                        c.study_year,
                        r.study_year,
                        source=StudyYearSource.ROSTER,
                        now=now,
                    )
                if c.study_year != r.study_year:
                    c.study_year = r.study_year
                    c.study_year_source = StudyYearSource.ROSTER
                    c.save(update_fields=["study_year", "study_year_source"])
                    result.years_set += 1
                    _request_scores(c.pk)
            if c.user_id is not None:
                result.already_linked += 1
                continue
            current = open_invitations.get(c.pk)
            if current is not None and current.email == r.email:
                result.already_invited += 1
                continue
            _new_invitation(c, r.email, acting_user=acting_user, now=now)
            result.invited += 1
        audit.record(
            AuditAction.ROSTER_IMPORTED,
            actor=acting_user,
            after={
                "invited": result.invited,
                "already_linked": result.already_linked,
                "already_invited": result.already_invited,
                "years_set": result.years_set,
            },
            now=now,
        )
    return result
