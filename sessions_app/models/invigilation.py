"""Invigilation: availability periods, assignments, attendance, incidents, attendance sheets."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registrations import Registration
from .sessions import Session

# --- Invigilators and the day of the session
# Services: sessions_app/services/invigilation/ and attendance.py. Pix's words for incidents
# and abandons are copied as Pix Certif writes them, so that the finalisation page can be
# copied into Pix Certif as is.


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
    # The assignment email (with its calendar invitation) was sent: claimed once, never twice.
    notified_at = models.DateTimeField(_("surveillant prévenu le"), null=True, blank=True)

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


class AssignmentCancellation(models.Model):
    """An invigilator removed from a session after their invitation was sent. They are told,
    with a calendar cancellation of the same event: ``assignment_number`` is the removed
    assignment's id, which the invitation's UID carries. ``notified_at`` is claimed once by the
    task that writes to them, so a second run sends nothing."""

    assignment_number = models.PositiveIntegerField(_("n° de l’affectation retirée"), unique=True)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    invigilator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("surveillant"),
    )
    created_at = models.DateTimeField(_("retiré le"), default=timezone.now)
    notified_at = models.DateTimeField(_("surveillant prévenu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("affectation de surveillant retirée")
        verbose_name_plural = _("affectations de surveillants retirées")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.invigilator} ↛ {self.session}"


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
