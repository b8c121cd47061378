"""The university year and its quota of student seats."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AcademicYear(models.Model):
    """A university year (e.g. 2025-2026) with its quota of student seats.

    It lives here rather than in sessions_app because preparation units (this app) are
    offered per year, and apps depend one way: sessions_app and billing build on it.
    """

    label = models.CharField(_("année universitaire"), max_length=9, unique=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    student_quota = models.PositiveIntegerField(
        _("places étudiantes"), default=400, help_text=_("Nombre de places pour les étudiants.")
    )

    class Meta:
        verbose_name = _("année universitaire")
        verbose_name_plural = _("années universitaires")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="academic_year_ends_after_start",
            )
        ]

    def __str__(self):
        return self.label

    @classmethod
    def current(cls, today: dt.date | None = None):
        """The year containing ``today``, else the latest one; None when there is none."""
        today = today or timezone.localdate()
        return (
            cls.objects.filter(start_date__lte=today, end_date__gte=today).first()
            or cls.objects.first()
        )
