"""Registration campaigns, applications with their wishes (ranks 1..3) and registrations."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import AcademicYear, Candidate, CandidateKind

from .. import staffing
from .sessions import ACTIVE_STATUSES, MAX_WISHES, Complementary, RegistrationStatus, Session

CORE_CERTIFICATION_LABEL = "Pix"


def test_minutes_expression(field: str = "complementary") -> models.Case:
    """The test's length of a registration (``field`` names its ``complementary`` from the
    queried model), as an SQL expression: for ``Max`` over a session's candidates."""
    return models.Case(
        *(
            models.When(**{field: code}, then=models.Value(staffing.exam_minutes(label)))
            for code, label in Complementary.choices
            if staffing.exam_minutes(label) != staffing.CORE_TEST_MINUTES
        ),
        default=models.Value(staffing.CORE_TEST_MINUTES),
        output_field=models.PositiveSmallIntegerField(),
    )


class Campaign(models.Model):
    """Applications to a set of sessions during a window; seats allocated when it closes."""

    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("année universitaire"),
    )
    name = models.CharField(_("nom"), max_length=150)
    opens_at = models.DateTimeField(_("ouverture des candidatures"))
    closes_at = models.DateTimeField(_("clôture des candidatures"))
    sessions = models.ManyToManyField(Session, related_name="campaigns", verbose_name=_("sessions"))
    allocated_at = models.DateTimeField(_("places attribuées le"), null=True, blank=True)
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
        verbose_name = _("campagne d’inscription")
        verbose_name_plural = _("campagnes d’inscription")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_opening",
            )
        ]

    def __str__(self):
        return self.name

    def is_open(self, now: dt.datetime) -> bool:
        return self.opens_at <= now < self.closes_at and self.allocated_at is None


class Application(models.Model):
    """A candidate's application to a campaign; their wishes are ranked 1..3."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="applications", verbose_name=_("campagne")
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="applications", verbose_name=_("candidat")
    )
    applied_at = models.DateTimeField(_("candidature déposée le"))
    # Copied at allocation time, so the outcome can be explained later.
    priority_tier = models.PositiveSmallIntegerField(_("niveau de priorité"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["applied_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "candidate"], name="application_once_per_campaign"
            )
        ]

    def __str__(self):
        return f"{self.candidate} · {self.campaign}"


class Wish(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="wishes", verbose_name=_("candidature")
    )
    rank = models.PositiveSmallIntegerField(_("rang"))
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="wishes", verbose_name=_("session")
    )

    class Meta:
        verbose_name = _("vœu")
        verbose_name_plural = _("vœux")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="wish_rank_unique"),
            models.UniqueConstraint(fields=["application", "session"], name="wish_session_unique"),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1, rank__lte=MAX_WISHES), name="wish_rank_1_to_3"
            ),
        ]

    def __str__(self):
        return f"{self.rank}. {self.session}"


class RegistrationSource(models.TextChoices):
    ALLOCATION = "allocation", _("Attribution de la campagne")
    FIRST_COME = "first_come", _("Inscription libre")
    BOOKING = "booking", _("Réservation externe")
    OVERRIDE = "override", _("Affectation par le gestionnaire")


class Registration(models.Model):
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("candidat"),
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("session")
    )
    # Copied from the session so the database can refuse two active seats in one year.
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("année universitaire"),
    )
    status = models.CharField(_("statut"), max_length=10, choices=RegistrationStatus)
    source = models.CharField(_("origine"), max_length=12, choices=RegistrationSource)
    # Waitlist order (smaller first); allocation writes 1..n, later arrivals take max + 1.
    waitlist_order = models.PositiveIntegerField(
        _("ordre en liste d’attente"), null=True, blank=True
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("candidature"),
    )
    complementary = models.CharField(
        _("certification complémentaire choisie"), max_length=10, choices=Complementary, blank=True
    )
    prepaid_code = models.CharField(
        _("code de prépaiement"),
        max_length=64,
        blank=True,
        help_text=_("SIRET + « / » + numéro de facture, par exemple 12345678912345/FACT12345."),
    )
    created_at = models.DateTimeField(_("inscrit le"))
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    # The seat this one replaces when an administrator moves a candidate to another session
    # (services.registrations.override_seat): what followed the old seat (billing's fee)
    # follows it here.
    moved_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moved_to",
        verbose_name=_("déplacée depuis"),
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["session", "status", "waitlist_order", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "session"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="registration_one_active_per_session",
            ),
            models.UniqueConstraint(
                fields=["candidate", "academic_year"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="registration_one_active_per_year",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RegistrationStatus.WAITLISTED)
                | models.Q(waitlist_order__isnull=False),
                name="registration_waitlist_has_order",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RegistrationStatus.values),
                name="registration_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="registration_session_status")]

    def __str__(self):
        return f"{self.candidate} · {self.session} · {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def certification_label(self) -> str:
        """What this candidate sits, in Pix's words: « Pix », « CléA Numérique » (taken with
        the core test) or a Pix+ certification."""
        if self.complementary:
            return Complementary(self.complementary).label
        return CORE_CERTIFICATION_LABEL

    @property
    def test_minutes(self) -> int:
        """The test's length for this candidate's certification (Pix's 2026 rules)."""
        return staffing.exam_minutes(self.certification_label)

    @property
    def test_minutes_with_extra_time(self) -> int:
        return staffing.with_extra_time(self.test_minutes, self.candidate.extra_time_percent)

    @property
    def test_duration_text(self) -> str:
        """« 1 h 45 », « 45 min », or « 1 h 00 » for 45 min with a third more time."""
        return staffing.format_minutes(self.test_minutes_with_extra_time)

    def waitlist_position(self) -> int | None:
        if self.status != RegistrationStatus.WAITLISTED:
            return None
        return (
            Registration.objects.filter(
                session_id=self.session_id,
                status=RegistrationStatus.WAITLISTED,
                waitlist_order__lt=self.waitlist_order,
            ).count()
            + 1
        )

    @property
    def pricing(self) -> str:
        """Pix Certif's ``Tarification part Pix`` for this candidate."""
        if self.prepaid_code:
            return "Prépayée"
        if self.candidate.kind == CandidateKind.EXTERNAL:
            return "Payante"
        return "Gratuite"
