"""Users and roles, managed by administrators in the application (not the back office).

Every change is audited (before/after). Two rules keep the centre manageable: nobody removes
their own administrator role or deactivates themselves, and the last active administrator
keeps the role (otherwise nobody could give it back without the back office).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from pixcentre.errors import DomainError

from . import audit
from .audit_actions import AuditAction
from .models import Role, User


class AccountError(DomainError):
    """An account change refused (the last administrator, one's own role...)."""


def _snapshot(user: User) -> dict:
    return {"role": user.role, "is_active": user.is_active}


def _check_not_last_administrator(user: User, *, acting_user) -> None:
    """Refuse a change that would leave ``user``'s administrator role behind."""
    if user.role != Role.ADMINISTRATOR or not user.is_active:
        return
    if acting_user is not None and user.pk == acting_user.pk:
        raise AccountError(
            _("Vous ne pouvez pas retirer votre propre rôle de gestionnaire ni vous désactiver.")
        )
    # Lock the administrators: two simultaneous demotions cannot both pass the count.
    others = (
        User.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, is_active=True)
        .exclude(pk=user.pk)
    )
    if not list(others.values_list("pk", flat=True)):
        raise AccountError(_("Le centre doit garder au moins un gestionnaire actif."))


@transaction.atomic(durable=True)
def invite_user(*, email, first_name, last_name, role, acting_user) -> User:
    """Create an account for a staff member (invigilator, administrator, referent) and email
    them a link to choose their password."""
    from allauth.account.models import EmailAddress

    from outbox.dispatch import enqueue

    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(_("Un compte existe déjà avec cette adresse e-mail."))
    user = User(email=email, first_name=first_name, last_name=last_name, role=role)
    user.set_unusable_password()
    user.save()
    # The invitation goes to this address: following its link proves the address.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    audit.record(
        AuditAction.USER_INVITED,
        actor=acting_user,
        obj=user,
        after={"email": email, **_snapshot(user)},
        summary=_("Compte créé pour %(email)s (%(role)s)")
        % {"email": email, "role": user.get_role_display()},
    )
    enqueue("accounts.tasks.send_invitation", user.pk)
    return user


@transaction.atomic(durable=True)
def change_role(user: User, role: str, *, acting_user) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if role not in Role.values:
        raise AccountError(_("Rôle inconnu."))
    if role == user.role:
        return user
    if role != Role.ADMINISTRATOR:
        _check_not_last_administrator(user, acting_user=acting_user)
    before = _snapshot(user)
    user.role = role
    user.save(update_fields=["role"])
    audit.record(
        AuditAction.USER_ROLE_CHANGED,
        actor=acting_user,
        obj=user,
        before=before,
        after=_snapshot(user),
        summary=_("Rôle de %(email)s : %(role)s")
        % {"email": user.email, "role": user.get_role_display()},
    )
    return user


@transaction.atomic(durable=True)
def set_active(user: User, active: bool, *, acting_user) -> User:
    """Deactivate (the person can no longer sign in; their history stays) or reactivate."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    if not active:
        if acting_user is not None and user.pk == acting_user.pk:
            raise AccountError(_("Vous ne pouvez pas désactiver votre propre compte."))
        _check_not_last_administrator(user, acting_user=acting_user)
    before = _snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        AuditAction.USER_ACTIVATED if active else AuditAction.USER_DEACTIVATED,
        actor=acting_user,
        obj=user,
        before=before,
        after=_snapshot(user),
        summary=(_("Compte réactivé : %(email)s") if active else _("Compte désactivé : %(email)s"))
        % {"email": user.email},
    )
    return user


def invitation_link(user: User) -> str:
    """The absolute link where an invited person chooses a password (allauth's reset key)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.urls import reverse

    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.PIX_SITE_URL.rstrip("/") + path
