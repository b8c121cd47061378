"""Accounts: one user model, signing in by email, with one role.

The role decides what a person sees and may do. Candidates (students, staff, externals) share
the ``candidate`` role; their kind lives on their ``candidates.Candidate`` record, because a
candidate may exist (imported from Pix Orga) before they ever sign in.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CANDIDATE = "candidate", _("Candidat")
    INVIGILATOR = "invigilator", _("Surveillant")
    ADMINISTRATOR = "administrator", _("Gestionnaire")
    REFERENT = "referent", _("Référent Pix")


class IdentitySource(models.TextChoices):
    """Where an account's identity comes from."""

    EMAIL = "email", _("Adresse e-mail (compte créé sur le site)")
    CAS = "cas", _("Compte université (CAS)")
    INVITATION = "invitation", _("Invitation du centre")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        user = self._create_user(email, password, **extra_fields)
        # The first administrator (`manage.py createsuperuser`, docs/deployment.md) must sign in
        # without a confirmation email: the centre's mail may not be configured yet, and the
        # person typing the command owns the address.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        return user


class User(AbstractUser):
    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role, default=Role.CANDIDATE)
    preferred_language = models.CharField(
        _("langue préférée"),
        max_length=5,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
    )

    # Where the identity comes from, and when the university's directory last confirmed it.
    identity_source = models.CharField(
        _("origine de l’identité"),
        max_length=12,
        choices=IdentitySource,
        default=IdentitySource.EMAIL,
    )
    identity_refreshed_at = models.DateTimeField(
        _("identité mise à jour le"), null=True, blank=True
    )
    # The university account (CAS ``uid``) this account signs in with; empty for email accounts.
    cas_username = models.CharField(_("identifiant université"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]
        constraints = [
            # One account per university account: two first sign-ins at once make one.
            models.UniqueConstraint(
                fields=["cas_username"],
                condition=~models.Q(cas_username=""),
                name="user_cas_username_unique",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def is_invigilator(self) -> bool:
        return self.role == Role.INVIGILATOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_referent(self) -> bool:
        return self.role == Role.REFERENT


class AuditEntry(models.Model):
    """One state change that matters (registration, allocation, payment, import…).

    Written by services in the same transaction as the change: who, what, when, before and
    after. It lives in the lowest app so that every app can write it; candidate and session
    are plain ids (no foreign key upwards) so that the trail outlives what it describes.
    """

    at = models.DateTimeField(_("date"), db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("type d’objet"), max_length=60)
    object_id = models.CharField(_("identifiant"), max_length=40, blank=True)
    candidate_id = models.BigIntegerField(_("candidat"), null=True, blank=True, db_index=True)
    session_id = models.BigIntegerField(_("session"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d’audit")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
