"""Merging two records of one person (an import made a second record, a student signed up
with another address…): everything the duplicate holds moves to the kept record, then the
duplicate is deleted. Audited, confirmed first on a page that shows what will move.

It lives in sessions_app, not candidates, because registrations and applications (and what
hangs from them: fees, convocations, results, attendance) move too; candidates may not import
this app. Fees follow their registration, so billing needs nothing.

Refused, with the reason, when the two records cannot become one without choosing for a
person: both have an account, both hold an active seat or waitlist place in the same year,
both applied to the same campaign.
"""

import dataclasses

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.audit_actions import AuditAction
from candidates.models import Candidate, PositioningProfile, UnitEnrolment

from ..models import ACTIVE_STATUSES, Application, Registration
from .common import SessionError, _now, _require_administrator

# Filled on the kept record when it has none and the duplicate has one.
FILLED_FIELDS = (
    "external_id",
    "sex",
    "birth_date",
    "birth_country",
    "birth_insee_code",
    "birth_postal_code",
    "birth_city",
    "convocation_email",
    "programme",
    "study_year",
    "faculty",
    "extra_time_percent",
    "accessibility_needs",
)


@dataclasses.dataclass
class MergePlan:
    kept: Candidate
    duplicate: Candidate
    registrations: int
    applications: int
    profiles: int
    enrolments: int
    fees: int
    results: int
    moves_account: bool
    filled: dict  # field → value taken from the duplicate
    problems: list[str]

    @property
    def possible(self) -> bool:
        return not self.problems


def _snapshot(c: Candidate) -> dict:
    return {
        "id": c.pk,
        "birth_name": c.birth_name,
        "first_name": c.first_name,
        "external_id": c.external_id,
        "account": c.user.email if c.user_id and c.user else "",
        "birth_date": str(c.birth_date or ""),
    }


def _empty(value) -> bool:
    return value in (None, "")


def merge_plan(kept: Candidate, duplicate: Candidate) -> MergePlan:
    """What a merge would do, and what prevents it. A fixed number of queries."""
    problems = []
    if kept.pk == duplicate.pk:
        problems.append(_("Choisissez deux fiches différentes."))
    if kept.is_anonymised or duplicate.is_anonymised:
        problems.append(_("Une fiche anonymisée ne se fusionne pas."))
    if kept.user_id and duplicate.user_id:
        problems.append(
            _(
                "Les deux fiches ont chacune un compte (%(a)s, %(b)s) : la personne doit n’en "
                "garder qu’un ; désactivez l’autre puis détachez-le dans le back-office."
            )
            % {"a": kept.user.email, "b": duplicate.user.email}
        )
    active = Registration.objects.filter(
        candidate__in=[kept, duplicate], status__in=ACTIVE_STATUSES
    ).select_related("academic_year")
    years = {}
    for r in active:
        years.setdefault(r.academic_year_id, set()).add(r.candidate_id)
        if len(years[r.academic_year_id]) == 2:
            problems.append(
                _(
                    "Les deux fiches ont une place ou une attente en %(year)s : annulez-en une "
                    "avant de fusionner."
                )
                % {"year": r.academic_year}
            )
            years[r.academic_year_id].add("reported")
    shared = (
        Application.objects.filter(candidate=kept)
        .filter(campaign__in=Application.objects.filter(candidate=duplicate).values("campaign"))
        .select_related("campaign")
    )
    for application in shared:
        problems.append(
            _("Les deux fiches ont candidaté à la campagne « %(name)s ».")
            % {"name": application.campaign.name}
        )
    filled = {
        name: getattr(duplicate, name)
        for name in FILLED_FIELDS
        if _empty(getattr(kept, name)) and not _empty(getattr(duplicate, name))
    }
    registrations = Registration.objects.filter(candidate=duplicate)
    return MergePlan(
        kept=kept,
        duplicate=duplicate,
        registrations=registrations.count(),
        applications=Application.objects.filter(candidate=duplicate).count(),
        profiles=PositioningProfile.objects.filter(candidate=duplicate).count(),
        enrolments=UnitEnrolment.objects.filter(candidate=duplicate).count(),
        # Billing's fees hang on the registration (``Registration.fee``, billing's reverse
        # relation): counted through it, as sessions_app may not import billing.
        fees=registrations.filter(fee__isnull=False).count(),
        results=registrations.filter(result__isnull=False).count(),
        moves_account=bool(duplicate.user_id and not kept.user_id),
        filled=filled,
        problems=problems,
    )


@transaction.atomic(durable=True)
def merge_candidates(kept: Candidate, duplicate: Candidate, *, acting_user, now=None) -> Candidate:
    """Move the duplicate's registrations, applications, profiles and preparation units to
    ``kept``, complete ``kept``'s blank identity fields, hand over the duplicate's account if
    ``kept`` has none, and delete the duplicate. Scores are recomputed after commit."""
    from candidates.services import request_scores

    _require_administrator(acting_user)
    now = _now(now)
    locked = {
        c.pk: c
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to user
        for c in Candidate.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=[kept.pk, duplicate.pk])
    }
    if len(locked) != 2 or kept.pk == duplicate.pk:
        raise SessionError(_("Choisissez deux fiches différentes."))
    kept, duplicate = locked[kept.pk], locked[duplicate.pk]
    plan = merge_plan(kept, duplicate)
    if plan.problems:
        raise SessionError(" ".join(plan.problems))
    before = {"kept": _snapshot(kept), "duplicate": _snapshot(duplicate)}

    # Positioning profiles: a snapshot both records have (same campaign, same date) once.
    known = set(
        PositioningProfile.objects.filter(candidate=kept).values_list("campaign_id", "measured_at")
    )
    same = Q(pk__in=[])
    for campaign_id, measured_at in known:
        same |= Q(campaign_id=campaign_id, measured_at=measured_at)
    PositioningProfile.objects.filter(candidate=duplicate).filter(same).delete()
    PositioningProfile.objects.filter(candidate=duplicate).update(candidate=kept)
    # Preparation units: one enrolment per unit, the better progress kept.
    mine = {e.unit_id: e for e in UnitEnrolment.objects.filter(candidate=kept)}
    for enrolment in UnitEnrolment.objects.filter(candidate=duplicate):
        other = mine.get(enrolment.unit_id)
        if other is None:
            continue
        if enrolment.courses_completed > other.courses_completed:
            other.courses_completed = enrolment.courses_completed
            other.updated_at = max(other.updated_at, enrolment.updated_at)
            other.save(update_fields=["courses_completed", "updated_at"])
        enrolment.delete()
    UnitEnrolment.objects.filter(candidate=duplicate).update(candidate=kept)
    Application.objects.filter(candidate=duplicate).update(candidate=kept)
    Registration.objects.filter(candidate=duplicate).update(candidate=kept)

    # The identity: blanks filled, the account handed over. The duplicate lets go of its
    # unique student number and its account first.
    user = duplicate.user if plan.moves_account else None
    if "external_id" in plan.filled or user is not None:
        duplicate.external_id = ""
        duplicate.user = None
        duplicate.save(update_fields=["external_id", "user"])
    for name, value in plan.filled.items():
        setattr(kept, name, value)
    if user is not None:
        kept.user = user
    kept.last_activity_at = max(kept.last_activity_at, duplicate.last_activity_at)
    kept.save()
    duplicate_id = duplicate.pk
    duplicate.delete()

    record(
        AuditAction.CANDIDATE_MERGED,
        actor=acting_user,
        obj=kept,
        candidate_id=kept.pk,
        before=before,
        after={
            **_snapshot(kept),
            "moved": {
                "registrations": plan.registrations,
                "applications": plan.applications,
                "profiles": plan.profiles,
                "unit_enrolments": plan.enrolments,
                "fees": plan.fees,
            },
            "filled": {k: str(v) for k, v in plan.filled.items()},
        },
        summary=_("Fiche n° %(dup)s fusionnée dans %(kept)s") % {"dup": duplicate_id, "kept": kept},
        now=now,
    )
    request_scores([kept.pk])
    return kept
