"""Rooms and sessions, and the statuses of a registration (a session counts its seats by them).

Seats are scarce: the rules that must never break are declared as constraints (positive
capacities here; one active registration per candidate per session and per academic year in
``registrations.py``), and the workflows that count seats live in ``services/`` where they lock
the rows first.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import AcademicYear, CandidateKind

# The certification test lasts 1h45 (DESIGN.md): two sessions in one room may not overlap.
TEST_DURATION = dt.timedelta(hours=1, minutes=45)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MAX_WISHES = 3


class Complementary(models.TextChoices):
    """Complementary certifications (labels exactly as Pix Certif's export columns)."""

    CLEA = "clea", "CléA Numérique"
    DROIT = "droit", "Pix+ Droit"
    EDU_1 = "edu1", "Pix+ Édu 1er degré"
    EDU_2 = "edu2", "Pix+ Édu 2nd degré"
    EDU_CPE = "educpe", "Pix+ Édu CPE"
    SANTE = "sante", "Pix+ Pro Santé"


class Audience(models.TextChoices):
    STUDENTS = "students", _("Étudiants")
    STAFF = "staff", _("Personnels")
    EXTERNAL = "external", _("Externes")
    MIXED = "mixed", _("Mixte")


# Which candidate kinds a session audience accepts.
AUDIENCE_KINDS = {
    Audience.STUDENTS: {CandidateKind.STUDENT},
    Audience.STAFF: {CandidateKind.STAFF},
    Audience.EXTERNAL: {CandidateKind.EXTERNAL},
    Audience.MIXED: {CandidateKind.STUDENT, CandidateKind.STAFF, CandidateKind.EXTERNAL},
}


class Room(models.Model):
    site = models.CharField(_("site"), max_length=100)
    name = models.CharField(_("nom de la salle"), max_length=100)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacité"), help_text=_("Nombre de postes informatiques.")
    )
    accessible = models.BooleanField(_("accessible PMR"), default=True)

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="room_unique_per_site"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="room_capacity_gt_0"),
        ]

    def __str__(self):
        return f"{self.site} — {self.name}"


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Fermée aux inscriptions")
    HELD = "held", _("Passée")
    FINALISED = "finalised", _("Finalisée")
    CANCELLED = "cancelled", _("Annulée")


# Allowed status transitions: draft → open → closed → held → finalised, or cancelled.
SESSION_TRANSITIONS = {
    SessionStatus.DRAFT: {SessionStatus.OPEN, SessionStatus.CANCELLED},
    SessionStatus.OPEN: {SessionStatus.CLOSED, SessionStatus.CANCELLED},
    SessionStatus.CLOSED: {SessionStatus.OPEN, SessionStatus.HELD, SessionStatus.CANCELLED},
    SessionStatus.HELD: {SessionStatus.FINALISED},
    SessionStatus.FINALISED: set(),
    SessionStatus.CANCELLED: set(),
}


class Session(models.Model):
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("année universitaire"),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("heure de début"))
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("salle")
    )
    capacity = models.PositiveSmallIntegerField(_("nombre de places"), default=20)
    audience = models.CharField(
        _("public"), max_length=10, choices=Audience, default=Audience.STUDENTS
    )
    complementary = models.JSONField(
        _("certifications complémentaires proposées"), default=list, blank=True
    )
    pix_session_number = models.CharField(
        _("numéro de session Pix Certif"), max_length=20, blank=True
    )
    pix_access_code = models.CharField(_("code d’accès Pix Certif"), max_length=20, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=SessionStatus, default=SessionStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "start_time", "room__site", "room__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="session_capacity_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SessionStatus.values), name="session_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.start_time:%H:%M} · {self.room}"

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start_time, tzinfo=PARIS)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + TEST_DURATION

    def cancellation_deadline(self) -> dt.datetime:
        hours = getattr(settings, "PIX_CANCELLATION_DEADLINE_HOURS", 72)
        return self.starts_at - dt.timedelta(hours=hours)

    def can_become(self, status: str) -> bool:
        return status in SESSION_TRANSITIONS[SessionStatus(self.status)]

    def accepts(self, kind: str) -> bool:
        return kind in AUDIENCE_KINDS[Audience(self.audience)]

    def complementary_labels(self) -> list[str]:
        return [Complementary(code).label for code in self.complementary]

    def complementary_choices(self) -> list[tuple[str, str]]:
        return [(code, Complementary(code).label) for code in self.complementary]

    @property
    def confirmed_count(self) -> int:
        """Confirmed seats: annotated by list queries (``n_confirmed``), else counted."""
        if hasattr(self, "n_confirmed"):
            return self.n_confirmed
        return self.registrations.filter(status=RegistrationStatus.CONFIRMED).count()

    @property
    def seats_left(self) -> int:
        """For display only: services recount under a lock before writing."""
        return max(self.capacity - self.confirmed_count, 0)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmée")
    WAITLISTED = "waitlisted", _("Liste d’attente")
    CANCELLED = "cancelled", _("Annulée")
    NO_SHOW = "no_show", _("Absent")


ACTIVE_STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
# Statuses that use a seat of the yearly quota (a no-show used their seat).
SEAT_STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW]
