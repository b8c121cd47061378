"""Convocations (stored PDF files) and the reminders sent."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .registrations import Registration

# --- Convocations, reminders and results (issue 6: services/convocations/, results.py)


class ConvocationStatus(models.TextChoices):
    PENDING = "pending", _("À générer")
    GENERATED = "generated", _("Générée")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec de l’envoi")
    # Generated, but no email address is known (an imported candidate who never signed in): a
    # final state of the batch, to be printed; the next run sends it once an address is known.
    NO_ADDRESS = "no_address", _("Sans adresse e-mail")


def _convocation_path(instance, filename):
    return f"convocations/{instance.registration.session_id}/{filename}"


class Convocation(models.Model):
    """The stored convocation of one confirmed registration (PDF + calendar invitation).

    Sending is claimed with a conditional UPDATE (``sent_at IS NULL`` and no live claim), so
    two runs of the task never send it twice. ``revision`` grows when the session's date, time
    or room changes: the file is regenerated and the candidate told again.
    """

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="convocation",
        verbose_name=_("inscription"),
    )
    file = models.FileField(_("convocation (PDF)"), upload_to=_convocation_path, blank=True)
    ics = models.TextField(_("invitation (.ics)"), blank=True)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    revision = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("état"), max_length=10, choices=ConvocationStatus, default=ConvocationStatus.PENDING
    )
    generated_at = models.DateTimeField(_("générée le"), null=True, blank=True)
    sending_since = models.DateTimeField(_("envoi en cours depuis"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives d’envoi"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ["registration__session", "registration__candidate"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ConvocationStatus.values),
                name="convocation_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.registration} · {self.get_status_display()}"


class ReminderKind(models.TextChoices):
    WEEK = "7d", _("7 jours avant")
    DAY = "1d", _("La veille")


class ReminderSent(models.Model):
    """One reminder of one kind for one registration: the unique constraint makes it once."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("rappel"), max_length=2, choices=ReminderKind)
    created_at = models.DateTimeField(_("créé le"))
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind"], name="reminder_once_per_kind")
        ]

    def __str__(self):
        return f"{self.registration} · {self.get_kind_display()}"
