"""Billing: the cost parameters of each academic year, with the history of their changes.

Fees, payments, receipts and the referent's dashboard arrive with the rest of issue 7. The
arithmetic lives in ``billing/costs.py`` (pure); the models only store the figures and give them
back as ``costs.CostParameters``.
"""

from dataclasses import fields
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import costs

SEED = costs.SEED_PARAMETERS
ZERO = Decimal("0")

POSITIVE = _("Saisissez un nombre positif ou nul.")
AT_LEAST_ONE = _("Saisissez un nombre supérieur ou égal à 1.")
FEE_CEILING = _(
    "Les frais d’un candidat externe ne peuvent pas dépasser 45 € : c’est le plafond fixé pour "
    "la certification Pix."
)


def _money_field(verbose_name, default, help_text="", max_value=None, max_message=None):
    validators = [MinValueValidator(ZERO, message=POSITIVE)]
    if max_value is not None:
        validators.append(MaxValueValidator(max_value, message=max_message))
    return models.DecimalField(
        verbose_name,
        max_digits=8,
        decimal_places=2,
        default=default,
        validators=validators,
        help_text=help_text,
    )


class CostParameterSet(models.Model):
    """The cost figures of one academic year, editable by the referent.

    One row per year (created with the seed's values by ``services.cost_parameters_for``); the
    referent edits it in place and every change is kept as a ``CostParameterChange``. Field names
    are those of ``costs.CostParameters``.
    """

    year = models.OneToOneField(
        "candidates.AcademicYear",
        on_delete=models.CASCADE,
        related_name="cost_parameters",
        verbose_name=_("année universitaire"),
    )
    hourly_cost = _money_field(
        _("coût horaire chargé (€)"),
        SEED.hourly_cost,
        _("Coût chargé d’une heure de vacation administrative ; sert aussi aux surveillances."),
    )
    admin_minutes_per_session = models.PositiveIntegerField(
        _("gestion administrative par session (min)"),
        default=SEED.admin_minutes_per_session,
        help_text=_("Création et gestion d’une session."),
    )
    invigilation_minutes = models.PositiveIntegerField(
        _("durée de surveillance (min)"),
        default=SEED.invigilation_minutes,
        validators=[MinValueValidator(1, message=AT_LEAST_ONE)],
        help_text=_("Mobilisation de chaque surveillant pour une session."),
    )
    extension_minutes = models.PositiveIntegerField(
        _("prolongation pour tiers-temps (min)"),
        default=SEED.extension_minutes,
        help_text=_("Ajoutée lorsqu’un candidat bénéficie d’un tiers-temps."),
    )
    candidates_per_invigilator = models.PositiveIntegerField(
        _("candidats par surveillant"),
        default=SEED.candidates_per_invigilator,
        validators=[MinValueValidator(1, message=AT_LEAST_ONE)],
        help_text=_("Un surveillant par tranche commencée de ce nombre de candidats."),
    )
    external_fee = _money_field(
        _("frais d’un candidat externe (€)"),
        SEED.external_fee,
        _("45 € au plus."),
        max_value=costs.MAX_EXTERNAL_FEE,
        max_message=FEE_CEILING,
    )
    gip_share = _money_field(
        _("reversement au GIP Pix par candidat payant (€)"),
        SEED.gip_share,
        _("Rien n’est dû pour les sessions du personnel ni pour les étudiants."),
    )
    referent_days = models.PositiveIntegerField(
        _("jours du référent Pix par an"),
        default=SEED.referent_days,
    )
    referent_daily_cost = _money_field(
        _("coût d’une journée du référent (€)"),
        SEED.referent_daily_cost,
        _("Le document de référence ne chiffre pas ce temps : 0 € par défaut."),
    )
    mission_cost = _money_field(
        _("frais de mission (€)"),
        SEED.mission_cost,
        _("Frais de mission du référent pour le nombre de jours ci-dessous."),
    )
    mission_days = models.PositiveIntegerField(
        _("jours couverts par ces frais de mission"),
        default=SEED.mission_days,
        validators=[MinValueValidator(1, message=AT_LEAST_ONE)],
    )
    admin_support_days_per_week = models.DecimalField(
        _("appui administratif (jours par semaine)"),
        max_digits=3,
        decimal_places=2,
        default=SEED.admin_support_days_per_week,
        validators=[
            MinValueValidator(ZERO, message=POSITIVE),
            MaxValueValidator(7, message=_("Une semaine compte 7 jours au plus.")),
        ],
    )
    hours_per_day = models.DecimalField(
        _("heures par journée de travail"),
        max_digits=4,
        decimal_places=2,
        default=SEED.hours_per_day,
        validators=[
            MinValueValidator(Decimal("0.5"), message=_("Saisissez au moins 0,5 heure.")),
            MaxValueValidator(24, message=_("Une journée compte 24 heures au plus.")),
        ],
        help_text=_("Pour convertir les demi-journées d’appui en heures (7 h par défaut)."),
    )
    admin_support_weeks = models.PositiveIntegerField(
        _("semaines d’appui administratif"),
        default=SEED.admin_support_weeks,
        validators=[MaxValueValidator(53, message=_("Une année compte 53 semaines au plus."))],
        help_text=_("52 par défaut : les semaines pleines d’une année universitaire."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("paramètres de coût")
        verbose_name_plural = _("paramètres de coût")
        ordering = ["-year__start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(external_fee__gte=0, external_fee__lte=costs.MAX_EXTERNAL_FEE),
                name="cost_parameters_fee_at_most_45",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    hourly_cost__gte=0,
                    gip_share__gte=0,
                    referent_daily_cost__gte=0,
                    mission_cost__gte=0,
                    admin_support_days_per_week__gte=0,
                    hours_per_day__gt=0,
                ),
                name="cost_parameters_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(candidates_per_invigilator__gte=1, mission_days__gte=1),
                name="cost_parameters_divisors_at_least_one",
            ),
        ]

    def __str__(self):
        return gettext("Paramètres de coût %(year)s") % {"year": self.year}

    # The editable figures: exactly the fields of costs.CostParameters, in its order.
    PARAMETER_FIELDS = tuple(f.name for f in fields(costs.CostParameters))

    def as_parameters(self) -> costs.CostParameters:
        return costs.CostParameters(**{name: getattr(self, name) for name in self.PARAMETER_FIELDS})


class CostParameterChange(models.Model):
    """One field of a year's cost parameters changed: who, when, before, after."""

    parameter_set = models.ForeignKey(
        CostParameterSet, on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    field = models.CharField(_("paramètre"), max_length=40)
    old_value = models.CharField(_("avant"), max_length=40)
    new_value = models.CharField(_("après"), max_length=40)
    note = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("modification des paramètres de coût")
        verbose_name_plural = _("modifications des paramètres de coût")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        try:
            return CostParameterSet._meta.get_field(self.field).verbose_name
        except FieldDoesNotExist:  # a field removed since: show its name
            return self.field
