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
    # Once the year has ended its figures are locked (its report must not move); the referent
    # may reopen them for a while, with a reason (services.reopen_cost_parameters).
    reopened_until = models.DateTimeField(_("rouverts jusqu’au"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rouverts par"),
    )
    reopen_reason = models.CharField(_("motif de la réouverture"), max_length=200, blank=True)

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

    def is_locked(self, now=None) -> bool:
        """The year has ended (Paris date) and no reopening is running."""
        now = now or timezone.now()
        if timezone.localdate(now) <= self.year.end_date:
            return False
        return not (self.reopened_until and now < self.reopened_until)

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


# --- External fees, payments, refunds and receipts --------------------------------------------


class FeeStatus(models.TextChoices):
    DUE = "due", _("À payer")
    PAID = "paid", _("Payés")
    REFUNDED = "refunded", _("Remboursés")
    WAIVED = "waived", _("Exonérés")
    CANCELLED = "cancelled", _("Annulés (plus dus)")


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Carte bancaire")
    CHEQUE = "cheque", _("Chèque")
    TRANSFER = "transfer", _("Virement")
    CASH = "cash", _("Espèces")
    PURCHASE_ORDER = "purchase_order", _("Bon de commande")


class Fee(models.Model):
    """What an external candidate owes for one registration: created once, when they book.

    ``amount`` and ``gip_share`` are the year's parameters at the time of booking (a later
    change of the parameters does not change what was asked of a candidate). Students pay
    nothing and staff owe nothing: only external candidates get a fee.
    """

    registration = models.OneToOneField(
        "sessions_app.Registration",
        on_delete=models.PROTECT,
        related_name="fee",
        verbose_name=_("inscription"),
    )
    academic_year = models.ForeignKey(
        "candidates.AcademicYear",
        on_delete=models.PROTECT,
        related_name="fees",
        verbose_name=_("année universitaire"),
    )
    amount = _money_field(
        _("montant (€)"),
        SEED.external_fee,
        max_value=costs.MAX_EXTERNAL_FEE,
        max_message=FEE_CEILING,
    )
    gip_share = _money_field(_("reversement au GIP Pix (€)"), SEED.gip_share)
    status = models.CharField(_("statut"), max_length=10, choices=FeeStatus, default=FeeStatus.DUE)
    created_at = models.DateTimeField(_("dus depuis le"), default=timezone.now)
    waived_at = models.DateTimeField(_("exonérés le"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exonérés par"),
    )
    waiver_reason = models.CharField(_("motif de l’exonération"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("frais d’inscription")
        verbose_name_plural = _("frais d’inscription")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, amount__lte=costs.MAX_EXTERNAL_FEE),
                name="fee_amount_at_most_45",
            ),
            models.CheckConstraint(
                condition=models.Q(gip_share__gte=0), name="fee_gip_share_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FeeStatus.values), name="fee_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["academic_year", "status"], name="fee_year_status")]

    def __str__(self):
        return gettext("Frais de %(candidate)s · %(amount)s €") % {
            "candidate": self.registration.candidate,
            "amount": self.amount,
        }


class Payment(models.Model):
    """A fee paid (in full, once). Its receipt is numbered in the same transaction."""

    fee = models.OneToOneField(
        Fee, on_delete=models.PROTECT, related_name="payment", verbose_name=_("frais")
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("payé le"))
    method = models.CharField(_("moyen de paiement"), max_length=16, choices=PaymentMethod)
    reference = models.CharField(
        _("référence"),
        max_length=100,
        blank=True,
        help_text=_("Numéro de chèque, de transaction, de bon de commande…"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    recorded_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(method__in=PaymentMethod.values), name="payment_method_valid"
            ),
        ]

    def __str__(self):
        return f"{self.amount} € · {self.paid_on:%d/%m/%Y} · {self.get_method_display()}"


class RefundReason(models.TextChoices):
    SESSION_CANCELLED = "session_cancelled", _("Session annulée par le centre")
    CANDIDATE_CANCELLED = "candidate_cancelled", _("Annulation par le candidat dans les délais")


class Refund(models.Model):
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="refund", verbose_name=_("paiement")
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=8, decimal_places=2)
    refunded_on = models.DateField(_("remboursé le"))
    reason = models.CharField(_("motif"), max_length=20, choices=RefundReason)
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    recorded_at = models.DateTimeField(_("enregistré le"))
    # The refund's email (with the receipt) is claimed here, so that it leaves once.
    emailed_at = models.DateTimeField(_("courriel envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("remboursement")
        verbose_name_plural = _("remboursements")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_gt_0"),
        ]

    def __str__(self):
        return f"{self.amount} € · {self.refunded_on:%d/%m/%Y}"


class ReceiptCounter(models.Model):
    """The last receipt number given in a year. Locked (``select_for_update``) by the payment's
    transaction: the number is taken and used in one transaction, so there is no gap."""

    year = models.OneToOneField(
        "candidates.AcademicYear", on_delete=models.CASCADE, related_name="receipt_counter"
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de reçus")
        verbose_name_plural = _("compteurs de reçus")

    def __str__(self):
        return f"{self.year} · {self.last_number}"


def receipt_upload_to(receipt, filename):
    return f"receipts/{receipt.year.label}/{filename}"


class Receipt(models.Model):
    """The receipt of one payment: number 1, 2, 3… in its academic year, and its PDF."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("paiement")
    )
    year = models.ForeignKey(
        "candidates.AcademicYear",
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("année universitaire"),
    )
    number = models.PositiveIntegerField(_("numéro"))
    issued_at = models.DateTimeField(_("émis le"))
    file = models.FileField(_("fichier PDF"), upload_to=receipt_upload_to, blank=True)
    generated_at = models.DateTimeField(_("PDF produit le"), null=True, blank=True)
    # The receipt's email (the PDF attached) is claimed here, so that it leaves once.
    emailed_at = models.DateTimeField(_("courriel envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("reçu")
        verbose_name_plural = _("reçus")
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"], name="receipt_number_unique_per_year"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="receipt_number_gte_1"),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.year.label}-{self.number:05d}"
