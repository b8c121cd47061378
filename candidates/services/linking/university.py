"""University sign-in: a validated CAS sign-in gives the account of that university account
(made on the first sign-in), attached to the record with that student number (made by an
import), never a second record."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from accounts.models import IdentitySource, Role, User

from ... import directory
from ...models import Candidate, CandidateKind, DiscrepancyField, StudyYearSource
from .common import LinkingError, _now, _request_scores
from .discrepancies import note_discrepancy

ATTEMPTS = 3


def sign_in_from_directory(person: directory.DirectoryPerson, *, now=None) -> User:
    """The account for a validated CAS sign-in, made or refreshed, and its candidate record.

    Raises LinkingError (nothing written) when the record of that student number already
    belongs to another account, or this account to another record."""
    now = _now(now)
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return _sign_in(person, now)
        except IntegrityError:
            # Another first sign-in of the same person (or record) committed meanwhile: the
            # next attempt finds what it made.
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _account(person: directory.DirectoryPerson, now) -> tuple[User, bool]:
    user = User.objects.select_for_update().filter(cas_username=person.username).first()
    if user is not None:
        return user, False
    # An account made before with the university address (an administrator's, an invited
    # student's): the university vouches for that address, so it becomes this CAS account.
    user = User.objects.select_for_update().filter(email__iexact=person.email).first()
    if user is not None:
        if user.cas_username:
            raise LinkingError(
                _(
                    "L’adresse %(email)s est déjà celle d’un autre compte université : le "
                    "centre Pix doit vérifier."
                )
                % {"email": person.email}
            )
        user.cas_username = person.username
        user.save(update_fields=["cas_username"])
        return user, False
    user = User(
        email=person.email,
        cas_username=person.username,
        role=Role.CANDIDATE,
        first_name=person.first_name[:150],
        last_name=person.last_name[:150],
        identity_source=IdentitySource.CAS,
        identity_refreshed_at=now,
    )
    user.set_unusable_password()  # a university account never has a password here
    user.save()
    return user, True


def _verified_address(user: User, email: str) -> None:
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=email).exists():
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )


def _sign_in(person: directory.DirectoryPerson, now) -> User:
    user, created = _account(person, now)
    if created:
        _verified_address(user, person.email)
    changed_user = []
    if user.identity_source != IdentitySource.CAS:
        user.identity_source = IdentitySource.CAS
        changed_user.append("identity_source")
    if (user.first_name, user.last_name) != (person.first_name[:150], person.last_name[:150]):
        user.first_name, user.last_name = person.first_name[:150], person.last_name[:150]
        changed_user += ["first_name", "last_name"]
    user.identity_refreshed_at = now
    user.save(update_fields=[*changed_user, "identity_refreshed_at"])
    if not user.is_candidate:
        # Staff of the centre (administrators, invigilators, the referent) sign in with their
        # university account too; they have no candidate record to link.
        return user
    candidate, created = _candidate_for(user, person, now)
    _apply_directory(candidate, person, now, created=created, actor=user)
    return user


def _candidate_for(user: User, person, now) -> tuple[Candidate, bool]:
    """The user's record: theirs already, the imported one with their student number, or a new
    one. Returns (candidate, created now)."""
    own = Candidate.objects.select_for_update().filter(user=user).first()
    record = None
    if person.student_number:
        record = (
            Candidate.objects.select_for_update().filter(external_id=person.student_number).first()
        )
    if own is not None and record is not None and own.pk != record.pk:
        raise LinkingError(
            _(
                "Votre compte est déjà lié à un autre dossier que celui du numéro étudiant "
                "%(number)s : le centre Pix doit vérifier avant votre prochaine connexion."
            )
            % {"number": person.student_number}
        )
    if own is not None:
        if person.student_number and not own.external_id:
            own.external_id = person.student_number
            own.save(update_fields=["external_id"])
        return own, False
    if record is not None:
        if record.user_id is not None:
            raise LinkingError(
                _(
                    "Le dossier du numéro étudiant %(number)s est déjà lié à un autre compte : "
                    "le centre Pix doit vérifier."
                )
                % {"number": person.student_number}
            )
        if record.anonymised_at is not None:
            raise LinkingError(_("Ce dossier a été anonymisé : le centre Pix peut le recréer."))
        record.user = user
        record.save(update_fields=["user"])
        audit.record(
            AuditAction.CANDIDATE_LINKED,
            actor=user,
            obj=record,
            candidate_id=record.pk,
            after={"source": IdentitySource.CAS, "student_number": person.student_number},
            summary=_("Première connexion université"),
            now=now,
        )
        return record, False
    candidate = Candidate.objects.create(
        user=user,
        kind=CandidateKind.STUDENT if person.kind == directory.STUDENT else CandidateKind.STAFF,
        birth_name=person.last_name.upper()[:100],
        first_name=person.first_name[:100],
        external_id=person.student_number,
        programme=person.programme,
        study_year=person.study_year,
        study_year_source=StudyYearSource.DIRECTORY if person.study_year else "",
        last_activity_at=now,
    )
    audit.record(
        AuditAction.CANDIDATE_CREATED_FROM_DIRECTORY,
        actor=user,
        obj=candidate,
        candidate_id=candidate.pk,
        after={"kind": candidate.kind, "student_number": candidate.external_id},
        summary=_("Première connexion université, aucun dossier importé"),
        now=now,
    )
    _request_scores(candidate.pk)
    return candidate, True


def _apply_directory(candidate: Candidate, person, now, *, created: bool, actor) -> None:
    """What the directory decides (kind, study year, programme) is applied; a disagreement with
    the record is listed; names stay as the record has them."""
    source = StudyYearSource.DIRECTORY
    kind = CandidateKind.STUDENT if person.kind == directory.STUDENT else CandidateKind.STAFF
    before = {"kind": candidate.kind, "study_year": candidate.study_year}
    fields = []
    if candidate.kind != kind:
        if candidate.kind != CandidateKind.EXTERNAL:
            note_discrepancy(
                candidate, DiscrepancyField.KIND, candidate.kind, kind, source=source, now=now
            )
        candidate.kind = kind
        fields.append("kind")
    if candidate.study_year_source != StudyYearSource.ADMINISTRATOR and person.study_year:
        if candidate.study_year != person.study_year:
            if candidate.study_year and candidate.study_year_source != source:
                note_discrepancy(
                    candidate,
                    DiscrepancyField.STUDY_YEAR,
                    candidate.study_year,
                    person.study_year,
                    source=source,
                    now=now,
                )
            candidate.study_year = person.study_year
            fields.append("study_year")
        if candidate.study_year_source != source:
            candidate.study_year_source = source
            fields.append("study_year_source")
    if person.programme and candidate.programme != person.programme:
        candidate.programme = person.programme
        fields.append("programme")
    if not created:
        # A record made now has the directory's names; an imported one keeps its own.
        note_discrepancy(
            candidate,
            DiscrepancyField.BIRTH_NAME,
            candidate.birth_name,
            person.last_name,
            source=source,
            now=now,
        )
        note_discrepancy(
            candidate,
            DiscrepancyField.FIRST_NAME,
            candidate.first_name,
            person.first_name,
            source=source,
            now=now,
        )
    candidate.last_activity_at = now
    candidate.save(update_fields=[*fields, "last_activity_at"])
    if "kind" in fields or "study_year" in fields:
        audit.record(
            AuditAction.DIRECTORY_APPLIED,
            actor=actor,
            obj=candidate,
            candidate_id=candidate.pk,
            before=before,
            after={"kind": candidate.kind, "study_year": candidate.study_year},
            now=now,
        )
        _request_scores(candidate.pk)
