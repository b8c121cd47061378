"""Forms of the referent's cost pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import AcademicYear
from sessions_app.staffing import TEST_MINUTES, format_minutes

from .models import CostParameterSet


class CostParameterForm(forms.ModelForm):
    """Every figure of a year's costs; amounts accept a French decimal comma (18,71)."""

    note = forms.CharField(
        label=_("Motif de la modification"),
        required=False,
        max_length=200,
        help_text=_("Facultatif ; conservé dans l’historique."),
    )

    class Meta:
        model = CostParameterSet
        fields = CostParameterSet.PARAMETER_FIELDS
        localized_fields = "__all__"

    def parameter_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in CostParameterSet.PARAMETER_FIELDS}


class ReopenForm(forms.Form):
    """Why a closed year's cost parameters must change (kept in the audit trail)."""

    reason = forms.CharField(
        label=_("Motif de la réouverture"),
        max_length=200,
        error_messages={"required": _("Indiquez le motif de la réouverture.")},
        help_text=_("Par exemple : erreur de saisie du coût horaire constatée au bilan."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if "\x00" in reason:
            raise forms.ValidationError(_("Ce texte contient un caractère invalide."))
        if not reason:
            raise forms.ValidationError(_("Indiquez le motif de la réouverture."))
        return reason


class ProjectionForm(forms.Form):
    """A what-if year: read from the query string, so a projection can be bookmarked."""

    INITIAL = {"sessions": 30, "candidates": 20, "extension": True, "paying_sessions": 3}

    sessions = forms.IntegerField(
        label=_("Sessions dans l’année"), min_value=0, max_value=10_000, initial=30
    )
    candidates = forms.IntegerField(
        label=_("Candidats par session"), min_value=0, max_value=1_000, initial=20
    )
    extension = forms.BooleanField(
        label=_(
            "Prolongation (tiers-temps) dans chaque session : 40 minutes pour 1 h 45, "
            "au prorata des épreuves plus courtes"
        ),
        required=False,
        initial=True,
    )
    certification = forms.ChoiceField(
        label=_("Certification passée"),
        required=False,
        choices=[("", "Pix — 1 h 45")]
        + [(label, f"{label} — {format_minutes(m)}") for label, m in TEST_MINUTES.items()],
        help_text=_("Durées de Pix en 2026 : la surveillance suit la durée de l’épreuve."),
    )
    paying_sessions = forms.IntegerField(
        label=_("Sessions de candidats externes payants (parmi elles)"),
        min_value=0,
        max_value=10_000,
        initial=3,
    )
    year = forms.ModelChoiceField(
        label=_("Paramètres"),
        queryset=AcademicYear.objects.all(),
        to_field_name="label",
        required=False,
        empty_label=_("Valeurs du document de référence"),
        help_text=_("Les paramètres de coût d’une année, ou les valeurs par défaut."),
    )

    def clean(self):
        data = super().clean()
        sessions, paying = data.get("sessions"), data.get("paying_sessions")
        if sessions is not None and paying is not None and paying > sessions:
            self.add_error(
                "paying_sessions",
                _(
                    "Il ne peut pas y avoir plus de sessions payantes (%(paying)s) que de sessions "
                    "(%(sessions)s)."
                )
                % {"paying": paying, "sessions": sessions},
            )
        return data


# --- Fees -------------------------------------------------------------------------------------


class FeeFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), required=False)
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=None, required=False, empty_label=_("Toutes")
    )

    def __init__(self, *args, **kwargs):
        from sessions_app.models import Session

        from .models import FeeStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Tous")), *FeeStatus.choices]
        self.fields["session"].queryset = (
            Session.objects.filter(registrations__fee__isnull=False)
            .select_related("room")
            .distinct()
            .order_by("-date", "-start_time")
        )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Payé le"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    method = forms.ChoiceField(label=_("Moyen de paiement"))
    reference = forms.CharField(
        label=_("Référence"),
        required=False,
        max_length=100,
        help_text=_("Numéro de chèque, de transaction, de bon de commande…"),
    )

    def __init__(self, *args, **kwargs):
        from .models import PaymentMethod

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = PaymentMethod.choices


class RefundForm(forms.Form):
    refunded_on = forms.DateField(
        label=_("Remboursé le"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.ChoiceField(label=_("Motif"))
    reference = forms.CharField(label=_("Référence"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        from .models import RefundReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = RefundReason.choices


class WaiverForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l’exonération"), max_length=200)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("La fin de la période précède son début."))
        return data
