"""Pix Certif results: the imports, one result per registration, the statistics snapshots."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import AcademicYear

from .registrations import Registration

# Pix's ``Type de certification`` values that are core Pix (formats README §3).
CORE_CERTIFICATION_TYPES = ("Pix", "CléA Numérique by Pix")


class ResultsImport(models.Model):
    """One upload of a Pix Certif results export: who, when, what it did or why refused."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    created_at = models.DateTimeField(_("déposé le"))
    file_name = models.CharField(_("fichier"), max_length=255)
    variant = models.CharField(_("format"), max_length=10, blank=True)
    accepted = models.BooleanField(_("accepté"), default=False)
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    created_count = models.PositiveIntegerField(_("résultats créés"), default=0)
    updated_count = models.PositiveIntegerField(_("résultats mis à jour"), default=0)
    error_message = models.TextField(_("motif du refus"), blank=True)
    error_report = models.JSONField(_("rapport d’erreurs"), default=list, blank=True)

    class Meta:
        verbose_name = _("import de résultats")
        verbose_name_plural = _("imports de résultats")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name


class ResultStatus(models.TextChoices):
    """Pix's own words are the values: they are what the export and the candidate read."""

    VALIDATED = "Validée", _("Validée")
    REJECTED = "Rejetée", _("Rejetée")  # classic files
    NOT_OBTAINED = "Non obtenue", _("Non obtenue")  # replaces « Rejetée » since 2026
    CANCELLED = "Annulée", _("Annulée")
    ERROR = "En erreur", _("En erreur")
    STARTED = "Démarrée", _("Démarrée")


class CertificationResult(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="result", verbose_name=_("inscription")
    )
    certification_number = models.CharField(_("numéro de certification"), max_length=20)
    # Pix's ``Type de certification`` (2026 files): « Pix », « CléA Numérique by Pix »,
    # « Pix+ Droit »…; empty for classic files (core Pix).
    certification_type = models.CharField(_("type de certification"), max_length=40, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=ResultStatus)
    score = models.PositiveSmallIntegerField(_("score (pix)"), null=True, blank=True)
    # Pix's ``Niveau`` label as written (« Novice 2 », « Expert 1 », « Admissible »…), '' if none.
    level = models.CharField(_("niveau"), max_length=40, blank=True, default="")
    competence_levels = models.JSONField(_("niveaux par compétence"), default=dict, blank=True)
    complementary = models.JSONField(_("certifications complémentaires"), default=dict, blank=True)
    jury_comment = models.TextField(_("commentaire du jury"), blank=True)
    pix_session_number = models.CharField(_("session Pix"), max_length=20, blank=True)
    taken_on = models.DateField(_("passée le"), null=True, blank=True)
    source_import = models.ForeignKey(
        ResultsImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("import"),
    )
    imported_at = models.DateTimeField(_("importé le"))
    notified_at = models.DateTimeField(_("candidat prévenu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("résultat de certification")
        verbose_name_plural = _("résultats de certification")
        ordering = ["registration__session", "registration__candidate"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification_number"], name="result_certification_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ResultStatus.values), name="result_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.certification_number} · {self.status}"

    @property
    def is_core(self) -> bool:
        """Core Pix (or CléA, taken with it), which has a score; not a Pix+ certification."""
        return not self.certification_type or self.certification_type in CORE_CERTIFICATION_TYPES


class StatisticsSnapshot(models.Model):
    """Statistics computed by the Celery task (services/statistics.py), kept as JSON."""

    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("calculées le"))
    data = models.JSONField(_("statistiques"), default=dict)

    class Meta:
        verbose_name = _("statistiques de résultats")
        verbose_name_plural = _("statistiques de résultats")
        ordering = ["-computed_at", "-pk"]

    def __str__(self):
        return f"{self.academic_year or '—'} · {self.computed_at:%Y-%m-%d %H:%M}"
