"""Preparation units (UEO Pix1, Pix2) offered per semester, and candidates' enrolments."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .candidates import Candidate
from .years import AcademicYear


class UnitCode(models.TextChoices):
    PIX1 = "pix1", _("UEO Pix1")
    PIX2 = "pix2", _("UEO Pix2")


class Semester(models.IntegerChoices):
    ODD = 1, _("Semestre impair")
    EVEN = 2, _("Semestre pair")


class PreparationUnit(models.Model):
    """A preparation unit (UEO Pix1 or Pix2) offered one semester of one academic year."""

    COURSE_COUNT = 7

    code = models.CharField(_("unité"), max_length=4, choices=UnitCode)
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="preparation_units",
        verbose_name=_("année universitaire"),
    )
    semester = models.PositiveSmallIntegerField(_("semestre"), choices=Semester)
    quota = models.PositiveIntegerField(_("places"), default=500)
    course_count = models.PositiveSmallIntegerField(_("parcours"), default=COURSE_COUNT)

    class Meta:
        verbose_name = _("unité de préparation")
        verbose_name_plural = _("unités de préparation")
        ordering = ["-academic_year__start_date", "semester", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "academic_year", "semester"], name="unit_once_per_semester"
            ),
        ]

    def __str__(self):
        return f"{self.get_code_display()} — {self.academic_year} — {self.get_semester_display()}"


class UnitEnrolment(models.Model):
    unit = models.ForeignKey(
        PreparationUnit,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("unité"),
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="unit_enrolments",
        verbose_name=_("candidat"),
    )
    courses_completed = models.PositiveSmallIntegerField(_("parcours validés"), default=0)
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)

    class Meta:
        verbose_name = _("inscription à une UEO")
        verbose_name_plural = _("inscriptions aux UEO")
        constraints = [
            models.UniqueConstraint(fields=["unit", "candidate"], name="enrolment_once_per_unit"),
            models.CheckConstraint(
                condition=models.Q(courses_completed__lte=PreparationUnit.COURSE_COUNT),
                name="enrolment_at_most_7_courses",
            ),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.unit}"

    @property
    def is_completed(self) -> bool:
        return self.courses_completed >= self.unit.course_count
