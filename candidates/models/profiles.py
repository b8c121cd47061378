"""Pix Orga imports (the upload history) and the positioning profiles they bring."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .candidates import Candidate


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    REFUSED = "refused", _("Refusé")
    FAILED = "failed", _("Échec technique")


class ProfileImport(models.Model):
    """One upload of a Pix Orga export, kept as the import history: who, when, what it did."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    created_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    file_name = models.CharField(_("fichier"), max_length=255)
    file = models.FileField(_("fichier déposé"), upload_to="imports/profiles/", blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=ImportStatus, default=ImportStatus.PENDING
    )
    campaign_id = models.CharField(_("ID campagne"), max_length=32, blank=True)
    campaign_name = models.CharField(_("campagne"), max_length=255, blank=True)
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    processed_rows = models.PositiveIntegerField(_("lignes traitées"), default=0)
    created_count = models.PositiveIntegerField(_("profils créés"), default=0)
    updated_count = models.PositiveIntegerField(_("profils mis à jour"), default=0)
    unchanged_count = models.PositiveIntegerField(_("profils inchangés"), default=0)
    without_profile_count = models.PositiveIntegerField(_("sans profil partagé"), default=0)
    candidates_created_count = models.PositiveIntegerField(_("candidats créés"), default=0)
    error_message = models.TextField(_("motif du refus"), blank=True)
    error_report = models.JSONField(_("rapport d’erreurs"), default=list, blank=True)
    # Rows imported that a person should check (line, column, value, reason), e.g. a student
    # number known under another name.
    warnings = models.JSONField(_("points à vérifier"), default=list, blank=True)

    class Meta:
        verbose_name = _("import de profils")
        verbose_name_plural = _("imports de profils")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)


class PositioningProfile(models.Model):
    """A dated snapshot of a candidate's level and pix in each competence (Pix Orga export).

    History is kept; the newest (``measured_at``) counts. Levels and pix are stored as JSON
    objects keyed by competence code (``{"1.1": 3, …}``): a profile is always read whole, and
    the figures that lists filter on (total, certifiable, average) are columns.
    """

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="profiles", verbose_name=_("candidat")
    )
    measured_at = models.DateTimeField(_("envoyé le"))
    campaign_id = models.CharField(_("ID campagne"), max_length=32)
    campaign_name = models.CharField(_("campagne"), max_length=255, blank=True)
    source_import = models.ForeignKey(
        ProfileImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("import"),
    )
    levels = models.JSONField(_("niveaux"), default=dict)
    pix = models.JSONField(_("pix par compétence"), default=dict)
    total_pix = models.PositiveIntegerField(_("pix"))
    certifiable_competences = models.PositiveSmallIntegerField(_("compétences certifiables"))
    is_certifiable = models.BooleanField(_("certifiable"))
    average_level = models.DecimalField(_("niveau moyen"), max_digits=4, decimal_places=2)
    created_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("profil de positionnement")
        verbose_name_plural = _("profils de positionnement")
        ordering = ["candidate", "-measured_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "campaign_id", "measured_at"],
                name="profile_one_snapshot_per_campaign_and_date",
            ),
        ]
        indexes = [models.Index(fields=["candidate", "-measured_at"], name="profile_newest")]

    def __str__(self):
        return f"{self.candidate} — {self.measured_at:%d/%m/%Y}"
