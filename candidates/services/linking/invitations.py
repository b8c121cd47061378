"""Invitations: for the people CAS cannot link, a single-use, expiring link sent by email
attaches the account that follows it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit_actions import AuditAction
from accounts.emails import emails_are_suppressed, language_of, send_templated_email
from accounts.models import IdentitySource, User

from ...models import Candidate, CandidateKind, Invitation
from .common import LinkingError, _now

INVITATION_SALT = "pixcentre.candidates.invitation"


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
    _queue_email(invitation, now=now)
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


def _queue_email(invitation: Invitation, *, now) -> bool:
    """Queue the invitation's email (``candidates/emails/invitation``), once: claimed on
    ``sent_at``, nothing for a used or replaced invitation, nor while emails are suppressed.
    In the reader's language: the invitee's account, when the record has one (it has none
    when invited, so French, the centre's language)."""
    if emails_are_suppressed():
        return False
    claimed = Invitation.objects.filter(
        pk=invitation.pk, sent_at__isnull=True, used_at__isnull=True, revoked_at__isnull=True
    ).update(sent_at=now)
    if not claimed:
        return False
    invitation.sent_at = now
    candidate = invitation.candidate
    language = language_of(candidate.user if candidate.user_id else None)
    expires = timezone.localtime(invitation.expires_at)
    with translation.override(language):
        expires_text = _("%(date)s à %(time)s") % {
            "date": expires.strftime("%d/%m/%Y"),
            "time": expires.strftime("%H:%M"),
        }
    return send_templated_email(
        invitation.email,
        "candidates/emails/invitation",
        {"name": candidate.first_name, "url": invitation_url(invitation), "expires": expires_text},
        language=language,
    )


def send_invitation(invitation_id: int, *, now=None) -> str:
    """Queue the email of an invitation made before invitations queued their email themselves
    (a ``candidates.tasks.send_invitation_task`` row may still wait in the outbox): once, as
    :func:`_queue_email` does; nothing for a used or replaced one."""
    now = _now(now)
    invitation = (
        Invitation.objects.select_related("candidate__user").filter(pk=invitation_id).first()
    )
    if invitation is None:
        return "skipped"
    with transaction.atomic():
        return "queued" if _queue_email(invitation, now=now) else "skipped"
