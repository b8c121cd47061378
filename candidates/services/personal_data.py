"""Identity and personal data: the candidate's identity, their data, deletion and purge."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction

from ..models import (
    Candidate,
    CandidateKind,
    ProfileImport,
)
from .common import CandidateError, _now

ANONYMOUS = "ANONYME"


# --- Identity and personal data ------------------------------------------------------------------


IDENTITY_FIELDS = [
    "birth_name",
    "first_name",
    "sex",
    "birth_date",
    "birth_country",
    "birth_insee_code",
    "birth_postal_code",
    "birth_city",
    "convocation_email",
    "accessibility_needs",
]


def update_identity(candidate: Candidate, values: dict, *, acting_user, now=None) -> Candidate:
    """Save the identity a candidate typed. A person who signs up on their own (no record yet:
    ``candidate.pk`` is None) becomes an external candidate."""
    is_admin = getattr(acting_user, "is_administrator", False)
    if acting_user is None or not (
        is_admin or candidate.user_id == acting_user.pk or candidate.pk is None
    ):
        raise CandidateError(_("Vous ne pouvez modifier que votre propre identité."))
    now = _now(now)
    with transaction.atomic():
        if candidate.pk is None:
            candidate = _first_save_once(candidate, acting_user)
        # "Before" is the stored row: a ModelForm has already written the typed values on the
        # instance it validated, which made before and after the same in the audit trail.
        stored = (
            Candidate.objects.filter(pk=candidate.pk).values(*IDENTITY_FIELDS).first()
            if candidate.pk
            else None
        ) or {name: getattr(candidate, name) for name in IDENTITY_FIELDS}
        before = {name: str(stored[name] or "") for name in IDENTITY_FIELDS}
        for name in IDENTITY_FIELDS:
            if name in values:
                setattr(candidate, name, values[name])
        candidate.last_activity_at = now
        if candidate.pk is None:
            candidate.user = acting_user
            candidate.kind = CandidateKind.EXTERNAL
            candidate.save()
        else:
            candidate.save(update_fields=[*IDENTITY_FIELDS, "last_activity_at"])
        after = {name: str(getattr(candidate, name) or "") for name in IDENTITY_FIELDS}
        changed = [name for name in IDENTITY_FIELDS if before[name] != after[name]]
        audit.record(
            AuditAction.IDENTITY_UPDATED,
            actor=acting_user,
            obj=candidate,
            candidate_id=candidate.pk,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
            now=now,
        )
    return candidate


# Test hooks for the concurrency test's control run (tests/candidates/test_identity_race.py):
# without the lock, two first saves both insert; the pause widens the window between the check
# and the insert.
LOCK_FIRST_SAVE = True
_before_first_insert = None


def _first_save_once(candidate: Candidate, acting_user) -> Candidate:
    """A person's first identity save, once: quick repeated saves (a double click, two tabs)
    each found no record and each inserted one, and all but the first failed on the unique
    user (500). The user's row is locked, then the record looked for again: a save that comes
    second updates the record the first one made."""
    from django.contrib.auth import get_user_model

    if LOCK_FIRST_SAVE:
        get_user_model().objects.select_for_update().filter(pk=acting_user.pk).first()
    existing = Candidate.objects.filter(user_id=acting_user.pk).first()
    if _before_first_insert:
        _before_first_insert()
    return existing or candidate


def request_deletion(candidate: Candidate, *, acting_user, now=None) -> Candidate:
    if acting_user is None or candidate.user_id != acting_user.pk:
        raise CandidateError(_("Seul le candidat peut demander la suppression de ses données."))
    now = _now(now)
    with transaction.atomic():
        requested = Candidate.objects.filter(
            pk=candidate.pk, deletion_requested_at__isnull=True
        ).update(deletion_requested_at=now, last_activity_at=now)
        if requested:
            audit.record(
                AuditAction.DELETION_REQUESTED,
                actor=acting_user,
                obj=candidate,
                candidate_id=candidate.pk,
                now=now,
            )
    candidate.refresh_from_db()
    return candidate


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data(candidate: Candidate) -> dict:
    """Everything pixcentre holds about a candidate (this app's part), JSON-ready."""
    c = candidate
    return {
        "candidat": {
            "type": c.kind,
            "nom_de_naissance": c.birth_name,
            "prenom": c.first_name,
            "identifiant_externe": c.external_id,
            "sexe": c.sex,
            "date_de_naissance": _iso(c.birth_date),
            "pays_de_naissance": c.birth_country,
            "code_insee_naissance": c.birth_insee_code,
            "code_postal_naissance": c.birth_postal_code,
            "commune_naissance": c.birth_city,
            "email_de_convocation": c.convocation_email,
            "formation": c.programme,
            "annee_d_etudes": c.study_year,
            "composante": c.faculty,
            "temps_majore_pourcent": c.extra_time_percent,
            "besoins_d_amenagement": c.accessibility_needs,
            "compte": c.user.email if c.user_id else None,
            "cree_le": _iso(c.created_at),
            "derniere_activite": _iso(c.last_activity_at),
            "suppression_demandee_le": _iso(c.deletion_requested_at),
        },
        "scores": {
            "pix_total": c.total_pix,
            "certifiable": c.is_certifiable,
            "niveau_moyen": str(c.average_level) if c.average_level is not None else None,
            "priorite": c.priority_tier,
            "raison_de_la_priorite": c.priority_reason,
            "calcules_le": _iso(c.scores_computed_at),
        },
        "profils_de_positionnement": [
            {
                "envoye_le": _iso(p.measured_at),
                "campagne": p.campaign_name,
                "id_campagne": p.campaign_id,
                "niveaux": p.levels,
                "pix": p.pix,
                "pix_total": p.total_pix,
                "certifiable": p.is_certifiable,
            }
            for p in c.profiles.order_by("-measured_at")
        ],
        "unites_de_preparation": [
            {
                "unite": e.unit.get_code_display(),
                "annee": e.unit.academic_year.label,
                "semestre": e.unit.semester,
                "parcours_valides": e.courses_completed,
            }
            for e in c.unit_enrolments.select_related("unit__academic_year")
        ],
    }


def purge_candidates(*, before: dt.datetime, now=None, include_deletion_requests=False) -> int:
    """Anonymise candidates whose last activity is older than ``before`` (and, if asked, those
    who requested deletion). Statistics survive: kind, year of study, programme, profiles'
    levels and tiers stay; names, identity, contact and account go."""
    now = _now(now)
    condition = Q(last_activity_at__lt=before)
    if include_deletion_requests:
        condition |= Q(deletion_requested_at__isnull=False)
    from accounts.models import User

    count = 0
    with transaction.atomic():
        for c in Candidate.objects.select_for_update().filter(
            condition, anonymised_at__isnull=True
        ):
            user_id = c.user_id
            c.birth_name, c.first_name = ANONYMOUS, ""
            c.external_id = ""
            c.sex, c.birth_date = "", None
            c.birth_country, c.birth_insee_code, c.birth_postal_code, c.birth_city = "", "", "", ""
            c.convocation_email, c.accessibility_needs, c.extra_time_percent = "", "", None
            c.user = None
            c.anonymised_at = now
            c.save()
            audit.record(AuditAction.CANDIDATE_ANONYMISED, obj=c, candidate_id=c.pk, now=now)
            if user_id:
                user = User.objects.get(pk=user_id)
                if user.is_candidate:
                    user.email = f"anonyme-{user.pk}@invalid.pixcentre"
                    user.first_name = user.last_name = ""
                    user.is_active = False
                    user.set_unusable_password()
                    user.save()
                    user.emailaddress_set.all().delete()
            count += 1
        # Uploaded exports hold every participant's name: drop those older than the limit
        # (the import's counts and report stay in the history).
        for old_import in ProfileImport.objects.filter(created_at__lt=before).exclude(file=""):
            old_import.file.delete(save=False)
            old_import.save(update_fields=["file"])
    return count
