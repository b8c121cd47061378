"""Candidates: every person who may sit the certification.

A candidate may exist before they have an account (imported from Pix Orga); signing in links
the account. The full identity Pix needs, positioning profiles and preparation units are
described by the candidates issue.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import pix_identity


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
        indexes = [
            # Who has extra time: every session's staffing asks (an EXISTS per session on the
            # administrators' home and the invigilation pages), a few among thousands.
            models.Index(
                fields=["id"],
                condition=models.Q(extra_time_percent__gt=0),
                name="candidate_extra_time",
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
        return pix_identity.identity_complete(self)

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
        from ..priority import priority

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
