"""Candidates: every person who may sit the certification.

A candidate may exist before they have an account (imported from Pix Orga); signing in links
the account. The full identity Pix needs, positioning profiles and preparation units are
described by the candidates issue.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import pix_identity


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


class Sex(models.TextChoices):
    M = "M", _("Masculin")
    F = "F", _("Féminin")


class StudyYear(models.TextChoices):
    L1 = "L1", "L1"
    L2 = "L2", "L2"
    L3 = "L3", "L3"
    M1 = "M1", "M1"
    M2 = "M2", "M2"
    DOCTORATE = "D", _("Doctorat")
    OTHER = "other", _("Autre")


class StudyYearSource(models.TextChoices):
    """Who said a candidate's study year: it decides priority, so a candidate never does."""

    UNKNOWN = "", _("Non renseignée")
    IMPORT = "import", _("Groupe de l’import Pix Orga")
    DIRECTORY = "directory", _("Annuaire de l’université")
    ROSTER = "roster", _("Liste d’étudiants de la scolarité")
    ADMINISTRATOR = "administrator", _("Décision du gestionnaire")


class CandidateKind(models.TextChoices):
    STUDENT = "student", _("Étudiant")
    STAFF = "staff", _("Personnel")
    EXTERNAL = "external", _("Externe")


# The columns a search or a sort by name reads, folded (accounts/text.py): written by
# ``Candidate.save`` and by the manager's bulk_create / bulk_update (the Pix Orga import).
SEARCH_SOURCE_FIELDS = ("birth_name", "first_name", "external_id", "convocation_email")
SEARCH_FIELDS = ("search_text", "sort_name")


def search_columns(candidate) -> dict[str, str]:
    return dict(
        zip(
            SEARCH_FIELDS,
            search_values(*(getattr(candidate, f) for f in SEARCH_SOURCE_FIELDS)),
            strict=True,
        )
    )


def search_values(birth_name, first_name, external_id, convocation_email) -> tuple[str, str]:
    """(search_text, sort_name) from the fields of SEARCH_SOURCE_FIELDS, in that order: for
    writers that insert tuples rather than instances (candidates/services/bulk.py)."""
    from accounts.text import fold, fold_variants

    search_text = " ".join(
        part
        for part in map(fold_variants, (birth_name, first_name, external_id, convocation_email))
        if part
    )[:600]
    return search_text, f"{fold(birth_name)} {fold(first_name)}".strip()[:210]


class CandidateQuerySet(models.QuerySet):
    """Bulk writes keep the folded columns current, as ``save`` does."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.refresh_search_columns()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        fields = list(fields)
        if set(fields) & set(SEARCH_SOURCE_FIELDS):
            objs = list(objs)
            for obj in objs:
                obj.refresh_search_columns()
            fields += [f for f in SEARCH_FIELDS if f not in fields]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Candidate(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
        verbose_name=_("compte"),
    )
    kind = models.CharField(
        _("type de candidat"), max_length=10, choices=CandidateKind, default=CandidateKind.STUDENT
    )
    birth_name = models.CharField(_("nom de naissance"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    external_id = models.CharField(
        _("identifiant externe"),
        max_length=64,
        blank=True,
        help_text=_("Numéro étudiant pour les étudiants."),
    )
    # Identity as Pix needs it (rules: candidates/pix_identity.py).
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_country = models.CharField(_("pays de naissance"), max_length=100, default="France")
    birth_insee_code = models.CharField(_("code INSEE de la commune"), max_length=5, blank=True)
    birth_postal_code = models.CharField(_("code postal de naissance"), max_length=5, blank=True)
    birth_city = models.CharField(_("commune ou ville de naissance"), max_length=100, blank=True)
    convocation_email = models.EmailField(_("e-mail de convocation"), blank=True)
    # Studies (students) and needs.
    programme = models.CharField(_("formation"), max_length=200, blank=True)
    study_year = models.CharField(_("année d’études"), max_length=5, choices=StudyYear, blank=True)
    study_year_source = models.CharField(
        _("origine de l’année d’études"),
        max_length=13,
        choices=StudyYearSource,
        blank=True,
        default=StudyYearSource.UNKNOWN,
    )
    study_year_reason = models.CharField(
        _("motif de l’année d’études"),
        max_length=300,
        blank=True,
        help_text=_("Pourquoi le gestionnaire a fixé l’année d’études."),
    )
    faculty = models.CharField(_("composante"), max_length=200, blank=True)
    extra_time_percent = models.PositiveSmallIntegerField(
        _("temps majoré (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Pourcentage de temps supplémentaire accordé, par exemple 33."),
    )
    accessibility_needs = models.TextField(_("besoins d’aménagement"), blank=True)
    # Derived from the newest positioning profile and preparation units; computed by Celery
    # (candidates/services/scores.py), never typed by hand.
    total_pix = models.PositiveIntegerField(_("pix (positionnement)"), null=True, blank=True)
    is_certifiable = models.BooleanField(_("profil certifiable"), default=False)
    average_level = models.DecimalField(
        _("niveau moyen"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    priority_tier = models.PositiveSmallIntegerField(
        _("niveau de priorité"), null=True, blank=True, help_text=_("1 = le plus prioritaire.")
    )
    priority_reason = models.TextField(_("raison de la priorité"), blank=True)
    scores_computed_at = models.DateTimeField(_("scores calculés le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("dernière activité"), default=timezone.now)
    # Personal data: the candidate may ask for deletion; purge_candidates anonymises.
    deletion_requested_at = models.DateTimeField(
        _("suppression demandée le"), null=True, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    # Folded copies for searching and sorting without accents or case (SEARCH_FIELDS).
    search_text = models.CharField(
        _("texte de recherche"), max_length=600, blank=True, editable=False
    )
    sort_name = models.CharField(
        _("nom pour le tri"), max_length=210, blank=True, db_index=True, editable=False
    )

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        ordering = ["sort_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="candidate_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(extra_time_percent__isnull=True)
                | models.Q(extra_time_percent__gte=1, extra_time_percent__lte=99),
                name="candidate_extra_time_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(priority_tier__isnull=True)
                | models.Q(priority_tier__in=[1, 2, 3]),
                name="candidate_priority_tier_1_to_3",
            ),
        ]

    def __str__(self):
        return f"{self.birth_name.upper()} {self.first_name}"

    def save(self, *args, update_fields=None, **kwargs):
        self.refresh_search_columns()
        if update_fields is not None and set(update_fields) & set(SEARCH_SOURCE_FIELDS):
            update_fields = {*update_fields, *SEARCH_FIELDS}
        super().save(*args, update_fields=update_fields, **kwargs)

    def refresh_search_columns(self) -> None:
        for name, value in search_columns(self).items():
            setattr(self, name, value)

    def identity_problems(self) -> list[tuple[str, str]]:
        return pix_identity.identity_problems(self)

    @property
    def identity_complete(self) -> bool:
        """Pix would accept this identity: required before applying for a seat."""
        return not self.identity_problems()

    @property
    def has_extra_time(self) -> bool:
        return bool(self.extra_time_percent)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def priority_explanation(self, enrolments=None) -> str:
        """Why this tier, worded in the reader's language. ``priority_reason`` keeps the words
        of the last computation, in the language the task ran in (French); this recomputes
        them from the same inputs (give ``enrolments`` when the page has them: no query)."""
        from .priority import priority

        if self.priority_tier is None:
            return ""
        if enrolments is None:
            enrolments = self.unit_enrolments.select_related("unit")
        completed = {e.unit.code for e in enrolments if e.is_completed}
        tier, reason = priority(
            kind=self.kind,
            study_year=self.study_year,
            average_level=self.average_level,
            completed_units=completed,
        )
        return reason if tier == self.priority_tier else self.priority_reason


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


# --- Linking accounts to records (university sign-in, invitations) -----------------------------


class Invitation(models.Model):
    """An email with a single-use link that attaches the account following it to a record.

    For the people the university's CAS cannot link (or a centre without CAS): the
    administrator invites an imported candidate (a roster upload, or from the candidate's page).
    The link carries a signed token (candidates/services/linking.py); ``nonce`` is what it
    signs, so a replaced invitation's link stops working.
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
