"""Who an account is: university sign-in, invitations, the study year and the disagreements.

* :func:`sign_in_from_directory` — a validated CAS sign-in: the account of that university
  account (made on the first sign-in), attached to the record with that student number (made
  by an import), never a second record; safe when two first sign-ins run at once (unique
  constraints on the CAS username, the student number and the record's account, and a retry).
* :func:`invite`, :func:`import_roster`, :func:`accept_invitation` — for the people CAS cannot
  link: a single-use, expiring link sent by email attaches the account that follows it.
* :func:`override_study_year`, :func:`check_discrepancy` — the administrator's decisions,
  audited.

Nothing here lets an account attach itself to a record from what it types (a number, a name):
only a ticket the university's CAS validated, or a link the centre sent.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from accounts.models import IdentitySource, Role, User
from outbox.dispatch import enqueue

from .. import directory, roster_files
from ..models import (
    Candidate,
    CandidateKind,
    DiscrepancyField,
    IdentityDiscrepancy,
    Invitation,
    StudyYear,
    StudyYearSource,
)
from ..pix.profiles import Problem, normalise

INVITATION_SALT = "pixcentre.candidates.invitation"
ATTEMPTS = 3


class LinkingError(Exception):
    """Refused; the message is for the person who asked."""


def _now(now):
    return now or timezone.now()


def _request_scores(candidate_id: int) -> None:
    enqueue("candidates.tasks.compute_scores_task", [candidate_id])


# --- Disagreements with the university ---------------------------------------------------------


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


# --- University sign-in ------------------------------------------------------------------------


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


# --- Invitations -------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret part of the link: the invitation and its nonce, signed with SECRET_KEY."""
    return signing.dumps([invitation.pk, invitation.nonce], salt=INVITATION_SALT, compress=False)


def invitation_url(invitation: Invitation) -> str:
    from django.urls import reverse

    return settings.PIX_SITE_URL.rstrip("/") + reverse(
        "candidates:invitation", args=[invitation_token(invitation)]
    )


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link designates, or None for a link that was tampered with or that a
    newer invitation replaced (its nonce is gone)."""
    try:
        pk, nonce = signing.loads(token, salt=INVITATION_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    invitation = (
        Invitation.objects.select_related("candidate").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if invitation is None or not secrets.compare_digest(str(nonce), invitation.nonce):
        return None
    return invitation


def invitation_problem(invitation: Invitation | None, *, now=None) -> str:
    """Why this link cannot be used now ("" when it can)."""
    now = _now(now)
    if invitation is None:
        return _(
            "Ce lien d’invitation n’est pas valable : vérifiez qu’il est complet, ou "
            "demandez-en un nouveau au centre Pix."
        )
    state = invitation.state(now)
    if state == "used":
        return _("Cette invitation a déjà servi : elle ne s’utilise qu’une fois.")
    if state == "revoked":
        return _(
            "Cette invitation a été remplacée par une plus récente : utilisez le dernier lien reçu."
        )
    if state == "expired":
        return _("Cette invitation a expiré : demandez-en une nouvelle au centre Pix.")
    if invitation.candidate.user_id is not None:
        return _("Ce dossier est déjà lié à un compte.")
    return ""


def _check_invitable(candidate: Candidate) -> None:
    if candidate.user_id is not None:
        raise LinkingError(_("Ce candidat a déjà un compte : il n’y a rien à inviter."))
    if candidate.anonymised_at is not None:
        raise LinkingError(_("Ce dossier est anonymisé."))
    if candidate.kind == CandidateKind.EXTERNAL:
        raise LinkingError(_("Un candidat externe crée lui-même son compte."))


def _new_invitation(candidate, email, *, acting_user, now) -> Invitation:
    """Replace the open invitation of this record (if any) with a new one, and queue its email."""
    Invitation.objects.filter(
        candidate=candidate, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        candidate=candidate,
        email=email.lower(),
        nonce=secrets.token_urlsafe(16)[:32],
        created_at=now,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        expires_at=now + dt.timedelta(days=settings.PIX_INVITATION_VALIDITY_DAYS),
    )
    enqueue("candidates.tasks.send_invitation_task", invitation.pk)
    return invitation


def invite(candidate: Candidate, email: str, *, acting_user, now=None) -> Invitation:
    """Invite one imported candidate (from their page)."""
    if not getattr(acting_user, "is_administrator", False):
        raise LinkingError(_("Seul un gestionnaire peut inviter un candidat."))
    now = _now(now)
    with transaction.atomic(durable=True):
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        _check_invitable(locked)
        invitation = _new_invitation(locked, email, acting_user=acting_user, now=now)
        audit.record(
            AuditAction.INVITATION_CREATED,
            actor=acting_user,
            obj=invitation,
            candidate_id=locked.pk,
            after={"email": invitation.email, "expires_at": invitation.expires_at.isoformat()},
            now=now,
        )
    return invitation


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


def accept_invitation(token: str, user: User, *, now=None) -> Candidate:
    """The signed-in ``user`` follows the link: their account is attached to the invited
    record, once. Refused (LinkingError, nothing written) for a bad, used, replaced or expired
    link, a record that has an account, or an account that has a record or another role."""
    now = _now(now)
    with transaction.atomic(durable=True):
        invitation = find_invitation(token)
        if invitation is not None:
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if problem := invitation_problem(invitation, now=now):
            raise LinkingError(problem)
        if not user.is_authenticated or not user.is_candidate:
            raise LinkingError(_("Seul un compte candidat peut accepter une invitation."))
        if Candidate.objects.filter(user=user).exists():
            raise LinkingError(
                _(
                    "Votre compte est déjà lié à un dossier de candidat : le centre Pix peut "
                    "corriger un dossier en double."
                )
            )
        used = Invitation.objects.filter(
            pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True
        ).update(used_at=now, used_by=user)
        attached = Candidate.objects.filter(pk=invitation.candidate_id, user__isnull=True).update(
            user=user, last_activity_at=now
        )
        if not (used and attached):
            transaction.set_rollback(True)
            raise LinkingError(_("Cette invitation a déjà servi : elle ne s’utilise qu’une fois."))
        User.objects.filter(pk=user.pk).update(
            identity_source=IdentitySource.INVITATION, identity_refreshed_at=now
        )
        audit.record(
            AuditAction.CANDIDATE_LINKED,
            actor=user,
            obj=invitation.candidate,
            candidate_id=invitation.candidate_id,
            after={"source": IdentitySource.INVITATION, "invitation": invitation.pk},
            summary=_("Invitation acceptée"),
            now=now,
        )
    return Candidate.objects.get(pk=invitation.candidate_id)


def send_invitation(invitation_id: int, *, now=None) -> str:
    """Email one invitation, once (claimed on ``sent_at``); nothing for a used or replaced one."""
    from django.core.mail import send_mail
    from django.utils import translation

    now = _now(now)
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at__isnull=True, used_at__isnull=True, revoked_at__isnull=True
    ).update(sent_at=now)
    if not claimed:
        return "skipped"
    invitation = Invitation.objects.select_related("candidate").get(pk=invitation_id)
    with translation.override("fr"):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Votre espace au centre Pix")
        body = _(
            "Bonjour %(name)s,\n\n"
            "Le %(centre)s vous invite à ouvrir votre espace candidat : vous y verrez votre "
            "profil de positionnement Pix, votre priorité, et vous pourrez demander une place "
            "en session.\n\n"
            "Suivez ce lien, puis connectez-vous ou créez votre compte (avec l’adresse de votre "
            "choix) :\n%(url)s\n\n"
            "Le lien ne sert qu’une fois et expire le %(expires)s. Si vous n’attendiez pas ce "
            "message, ignorez-le.\n\n"
            "L’équipe du %(centre)s\n%(contact)s"
        ) % {
            "name": invitation.candidate.first_name,
            "centre": settings.PIX_CENTRE_NAME,
            "url": invitation_url(invitation),
            "expires": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y à %H:%M"),
            "contact": settings.PIX_CENTRE_CONTACT_EMAIL,
        }
    try:
        send_mail(subject, body, None, [invitation.email], fail_silently=False)
    except Exception:
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return "sent"
