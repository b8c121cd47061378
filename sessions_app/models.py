"""Sessions, rooms, registration campaigns and registrations.

Seats are scarce: the rules that must never break are declared here as constraints (one active
registration per candidate per session and per academic year, positive capacities, ranks 1..3),
and the workflows that count seats live in ``services.py`` where they lock the rows first.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import AcademicYear, Candidate, CandidateKind

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


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmée")
    WAITLISTED = "waitlisted", _("Liste d’attente")
    CANCELLED = "cancelled", _("Annulée")
    NO_SHOW = "no_show", _("Absent")


ACTIVE_STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
# Statuses that use a seat of the yearly quota (a no-show used their seat).
SEAT_STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW]


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


# --- Convocations, reminders and results (issue 6: sessions_app/convocations.py, results.py)


class ConvocationStatus(models.TextChoices):
    PENDING = "pending", _("À générer")
    GENERATED = "generated", _("Générée")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec de l’envoi")


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
    REJECTED = "Rejetée", _("Rejetée")
    CANCELLED = "Annulée", _("Annulée")
    ERROR = "En erreur", _("En erreur")
    STARTED = "Démarrée", _("Démarrée")


class CertificationResult(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="result", verbose_name=_("inscription")
    )
    certification_number = models.CharField(_("numéro de certification"), max_length=20)
    status = models.CharField(_("statut"), max_length=10, choices=ResultStatus)
    score = models.PositiveSmallIntegerField(_("score (pix)"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("niveau"), null=True, blank=True)
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


class StatisticsSnapshot(models.Model):
    """Statistics computed by the Celery task (sessions_app/statistics.py), kept as JSON."""

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


# --- Invigilators and the day of the session
# Services: sessions_app/invigilation.py. Pix's words for incidents and abandons are copied as
# Pix Certif writes them, so that the finalisation page can be copied into Pix Certif as is.


class PeriodKind(models.TextChoices):
    AVAILABLE = "available", _("Disponible")
    UNAVAILABLE = "unavailable", _("Indisponible")


class InvigilatorPeriod(models.Model):
    """A period an invigilator declared themselves available (or unavailable)."""

    invigilator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invigilation_periods",
        verbose_name=_("surveillant"),
    )
    kind = models.CharField(_("type"), max_length=12, choices=PeriodKind)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    note = models.CharField(_("remarque"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("disponibilité de surveillant")
        verbose_name_plural = _("disponibilités de surveillants")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="invigilator_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=PeriodKind.values), name="invigilator_period_kind"
            ),
        ]

    def __str__(self):
        return f"{self.invigilator} · {self.get_kind_display()} · {self.starts_at:%d/%m/%Y %H:%M}"


class Assignment(models.Model):
    """An invigilator assigned to a session, for ``minutes`` (120, or 160 with extra time)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("session")
    )
    invigilator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("surveillant"),
    )
    minutes = models.PositiveSmallIntegerField(_("minutes de surveillance"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("affecté par"),
    )
    created_at = models.DateTimeField(_("affecté le"), default=timezone.now)

    class Meta:
        verbose_name = _("affectation de surveillant")
        verbose_name_plural = _("affectations de surveillants")
        ordering = ["session", "invigilator__last_name", "invigilator__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "invigilator"], name="assignment_once_per_session"
            )
        ]

    def __str__(self):
        return f"{self.invigilator} · {self.session}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    """The roll call of one confirmed registration, taken by the invigilator on the day."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("inscription"),
    )
    status = models.CharField(_("présence"), max_length=8, choices=AttendanceStatus)
    identity_checked = models.BooleanField(_("identité vérifiée"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("noté par"),
    )
    marked_at = models.DateTimeField(_("noté le"))

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="attendance_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.registration.candidate} · {self.get_status_display()}"


class IncidentCode(models.TextChoices):
    """Pix Certif's report categories, in the order of its finalisation form, worded as Pix."""

    C1 = "C1", _("Modification des prénom/nom/date de naissance")
    C2 = "C2", _("Ajout/modification du temps majoré")
    C4 = "C4", _("Était présent(e) mais a oublié de signer, ou a signé sur la mauvaise ligne")
    C6 = "C6", _("Suspicion de fraude")
    C7 = "C7", _("Incident technique non bloquant")
    C8 = "C8", _("Incident lié au candidat non bloquant")
    E1 = "E1", _("L’image ne s’affiche pas")
    E2 = "E2", _("Le simulateur/l’application ne s’affiche pas")
    E3 = "E3", _("Le fichier à télécharger ne se télécharge pas ou ne s’ouvre pas")
    E4 = "E4", _("Le site à visiter est indisponible/en maintenance/inaccessible")
    E5 = (
        "E5",
        _(
            "Le site est bloqué par les restrictions réseau de l’établissement "
            "(réseaux sociaux par ex.)"
        ),
    )
    E6 = "E6", _("Le lien ne fonctionne pas")
    E7 = "E7", _("Autre incident lié à une question")
    E8 = (
        "E8",
        _(
            "Le candidat bénéficie d’un temps majoré et n’a pas pu répondre à la question dans le "
            "temps imparti"
        ),
    )
    E9 = "E9", _("Le logiciel installé sur l’ordinateur n’a pas fonctionné")
    E10 = (
        "E10",
        _(
            "Le candidat a été contraint de cliquer en dehors du cadre autorisé pour une "
            "question en mode focus"
        ),
    )
    E11 = (
        "E11",
        _(
            "Une page «Oups une erreur est survenue» ou tout autre problème technique lié à la "
            "plateforme a empêché le candidat de répondre à la question"
        ),
    )
    E12 = "E12", _("Problème avec l’accessibilité de la question (ex : daltonisme)")


# Pix Certif groups the codes under these headings (its "add an issue" dialog).
INCIDENT_CATEGORIES = {
    "C1": _("Modification infos candidat"),
    "C2": _("Modification infos candidat"),
    "C4": _("Était présent(e) mais a oublié de signer, ou a signé sur la mauvaise ligne"),
    "C6": _("Suspicion de fraude"),
    "C7": _("Incident technique non bloquant"),
    "C8": _("Incident lié au candidat non bloquant"),
    **{f"E{n}": _("Problème technique sur une question") for n in range(1, 13)},
}
INCIDENT_ORDER = {code: i for i, code in enumerate(IncidentCode.values)}


class AbandonReason(models.TextChoices):
    """Why a candidate did not finish the test (Pix Certif's two choices)."""

    CANDIDATE = "candidate", _("Manque de temps ou départ prématuré")
    TECHNICAL = "technical", _("Problème technique")


class Incident(models.Model):
    """An incident reported during a session, about one candidate (or the whole session)."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("session")
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("candidat"),
    )
    code = models.CharField(_("catégorie Pix"), max_length=3, choices=IncidentCode, blank=True)
    question_number = models.PositiveSmallIntegerField(
        _("numéro de la question"), null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    abandon_reason = models.CharField(
        _("motif d’abandon"), max_length=10, choices=AbandonReason, blank=True
    )
    fraud_report = models.FileField(
        _("rapport de fraude"), upload_to="invigilation/fraud/%Y/", blank=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signalé par"),
    )
    reported_at = models.DateTimeField(_("signalé le"))

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["session", "reported_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(code="") | ~models.Q(abandon_reason=""),
                name="incident_has_code_or_abandon",
            ),
            models.CheckConstraint(
                condition=models.Q(abandon_reason="") | models.Q(registration__isnull=False),
                name="incident_abandon_names_a_candidate",
            ),
        ]

    def __str__(self):
        return f"{self.code or self.get_abandon_reason_display()} · {self.session}"

    @property
    def category_label(self) -> str:
        return str(INCIDENT_CATEGORIES.get(self.code, ""))


class AttendanceSheet(models.Model):
    """The signed-on-paper attendance sheet of a session: a stored PDF (regenerated in place)."""

    session = models.OneToOneField(
        Session,
        on_delete=models.CASCADE,
        related_name="attendance_sheet",
        verbose_name=_("session"),
    )
    file = models.FileField(_("fichier"), upload_to="invigilation/attendance/%Y/")
    generated_at = models.DateTimeField(_("produite le"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)

    class Meta:
        verbose_name = _("feuille d’émargement")
        verbose_name_plural = _("feuilles d’émargement")

    def __str__(self):
        return f"{self.session} · {self.generated_at:%d/%m/%Y %H:%M}"
