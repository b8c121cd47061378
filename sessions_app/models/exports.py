"""What went out to Pix Certif: one row per candidate each time an enrolment file is downloaded.

The newest row of a registration is what Pix has for that candidate (billing mode, prepaid code,
complementary certification): the reconciliation with Pix (billing/reconciliation.py) compares
it with the roll call, the results and the fees.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .registrations import Registration


class ExportFormat(models.TextChoices):
    CSV = "csv", _("Import de sessions (CSV)")
    ODS = "ods", _("Liste des candidats (ODS)")


class ExportedCandidate(models.Model):
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("inscription"),
    )
    exported_at = models.DateTimeField(_("exporté le"), db_index=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exporté par"),
    )
    file_format = models.CharField(_("fichier"), max_length=3, choices=ExportFormat)
    pricing = models.CharField(_("tarification part Pix"), max_length=12)
    prepaid_code = models.CharField(_("code de prépaiement"), max_length=64, blank=True)
    complementary = models.CharField(_("certification complémentaire"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("candidat exporté vers Pix Certif")
        verbose_name_plural = _("candidats exportés vers Pix Certif")
        ordering = ["-exported_at", "-pk"]

    def __str__(self):
        return f"{self.registration_id} · {self.exported_at:%Y-%m-%d %H:%M} · {self.pricing}"
