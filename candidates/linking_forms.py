"""Forms of the linking pages: roster upload, one invitation, the administrator's study year."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import roster_files
from .forms import MAX_UPLOAD_BYTES
from .models import StudyYear


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Liste d’étudiants à inviter (CSV)"),
        help_text=_(
            "Colonnes : Numéro étudiant ; E-mail ; Année d’études (facultative : L1 à M2, D). "
            "Une extraction Apogée ou Pégase convient. Une ligne fausse refuse tout le fichier."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 20 Mo."))
        self.data_bytes = f.read()
        try:
            roster_files.parse_roster(self.data_bytes)
        except roster_files.NotARoster as exc:
            raise forms.ValidationError(str(exc)) from None
        return f


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de l’invitation"),
        help_text=_("Le lien, à usage unique, y est envoyé."),
    )


class StudyYearForm(forms.Form):
    study_year = forms.ChoiceField(label=_("Année d’études"), choices=StudyYear.choices)
    reason = forms.CharField(
        label=_("Motif"),
        max_length=300,
        help_text=_(
            "Gardé au journal d’audit, par exemple « réorientation validée par la "
            "scolarité le 12/01 »."
        ),
        widget=forms.TextInput,
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Indiquez le motif."))
        return reason
