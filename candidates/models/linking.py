"""Linking accounts to records (university sign-in, invitations), and the disagreements
with the university."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .candidates import Candidate, StudyYearSource


class Invitation(models.Model):
    """An email with a single-use link that attaches the account following it to a record.

    For the people the university's CAS cannot link (or a centre without CAS): the
    administrator invites an imported candidate (a roster upload, or from the candidate's page).
    The link carries a signed token (candidates/services/linking/invitations.py); ``nonce`` is
    what it signs, so a replaced invitation's link stops working.
    """

    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("candidat"),
    )
    email = models.EmailField(_("adresse e-mail"))
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    expires_at = models.DateTimeField(_("expire le"))
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilisée par"),
    )
    revoked_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
            # One link at a time per record: a new invitation replaces the open one.
            models.UniqueConstraint(
                fields=["candidate"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_candidate",
            ),
        ]

    def __str__(self):
        return f"{self.candidate} → {self.email}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"

    def get_state_display(self) -> str:
        return {
            "used": _("Utilisée"),
            "revoked": _("Remplacée"),
            "expired": _("Expirée"),
            "open": _("En attente"),
        }[self.state()]


class DiscrepancyField(models.TextChoices):
    BIRTH_NAME = "birth_name", _("Nom")
    FIRST_NAME = "first_name", _("Prénom")
    STUDY_YEAR = "study_year", _("Année d’études")
    KIND = "kind", _("Type de candidat")


class IdentityDiscrepancy(models.Model):
    """The university (directory or roster) says something else than the imported record.

    Never merged silently: listed for the administrator, who checks it and marks it checked.
    The study year and kind follow the university (they decide priority); names stay as the
    record has them (the candidate's identity for Pix is theirs to check against their ID).
    """

    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="discrepancies",
        verbose_name=_("candidat"),
    )
    field = models.CharField(_("donnée"), max_length=12, choices=DiscrepancyField)
    recorded_value = models.CharField(_("valeur du dossier"), max_length=200, blank=True)
    reported_value = models.CharField(_("valeur de l’université"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=13, choices=StudyYearSource)
    detected_at = models.DateTimeField(_("constaté le"), default=timezone.now)
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vérifié par"),
    )

    class Meta:
        verbose_name = _("écart avec l’université")
        verbose_name_plural = _("écarts avec l’université")
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "field"],
                condition=models.Q(checked_at__isnull=True),
                name="discrepancy_one_open_per_field",
            ),
        ]

    def __str__(self):
        return f"{self.candidate}: {self.field} {self.recorded_value!r} ≠ {self.reported_value!r}"
