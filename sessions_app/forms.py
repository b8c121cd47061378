import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from candidates.models import AcademicYear, Candidate
from pixcentre.filters import FilterForm
from pixcentre.filters import IdField as FilterIdField
from pixcentre.forms import DateTimeField

from .days import unusual_day
from .models import (
    MAX_WISHES,
    AbandonReason,
    Audience,
    Complementary,
    IncidentCode,
    PeriodKind,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
    habilitated_codes,
)


class SessionListFilters(FilterForm):
    year = FilterIdField()
    status = forms.ChoiceField(required=False, choices=[("", "")] + list(SessionStatus.choices))


class StaffingFilters(FilterForm):
    sous_effectif = forms.ChoiceField(required=False, choices=[("", ""), ("1", "1")])


class CalendarFilters(FilterForm):
    month = forms.CharField(required=False, max_length=7)

    def clean_month(self):
        """``2026-03``: a month from 2000 to 2099 (year 1 or 9999 overflowed around it)."""
        value = self.cleaned_data["month"]
        if not value:
            return None
        try:
            first = dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Mois attendu au format AAAA-MM.")) from None
        if not 2000 <= first.year <= 2099:
            raise forms.ValidationError(_("Mois attendu au format AAAA-MM."))
        return first


class IdsField(forms.ModelMultipleChoiceField):
    """Model choices by id, where an id too large for the database is refused like any unknown
    id (SQLite raised OverflowError on ``pk__in`` with a 26-digit id)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            text = str(pk).strip()
            if (
                text.lstrip("-").isascii()
                and text.lstrip("-").isdigit()
                and abs(int(text)) >= 2**63
            ):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["site", "name", "address", "capacity", "accessible"]


class HabilitatedComplementaryMixin:
    """Sessions offer only the centre's habilitations: the ``complementary`` choices are the
    habilitations of the moment the form is built."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["complementary"]
        codes = habilitated_codes()
        field.choices = [(code, Complementary(code).label) for code in codes]
        if not codes:
            field.help_text = _(
                "Le centre n’a encore aucune habilitation : un gestionnaire les enregistre dans "
                "« Habilitations du centre »."
            )


class SessionForm(HabilitatedComplementaryMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Heure de début"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    room = forms.ModelChoiceField(label=_("Salle"), queryset=Room.objects.all())
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, initial=20)
    audience = forms.ChoiceField(label=_("Public"), choices=Audience.choices)
    complementary = forms.MultipleChoiceField(
        label=_("Certifications complémentaires proposées"),
        choices=Complementary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class SessionEditForm(HabilitatedComplementaryMixin, forms.Form):
    """What may change on a session without moving it: seats, audience, complementary."""

    capacity = SessionForm.base_fields["capacity"]
    audience = SessionForm.base_fields["audience"]
    complementary = SessionForm.base_fields["complementary"]


def _parse_lines(text, parse, message):
    values = []
    for raw in text.replace(",", "\n").splitlines():
        raw = raw.strip()
        if not raw:
            continue
        try:
            values.append(parse(raw))
        except ValueError:
            raise forms.ValidationError(message % {"value": raw}) from None
    if not values:
        raise forms.ValidationError(_("Indiquez au moins une valeur."))
    return values


class SessionSeriesForm(HabilitatedComplementaryMixin, forms.Form):
    dates = forms.CharField(
        label=_("Dates"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Une date par ligne, au format JJ/MM/AAAA."),
    )
    times = forms.CharField(
        label=_("Heures de début"),
        help_text=_("Séparées par des virgules, par exemple 09:00, 14:00."),
    )
    rooms = IdsField(
        label=_("Salles"), queryset=Room.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        min_value=1,
        required=False,
        help_text=_("Vide : 20, ou la capacité de la salle si elle est plus petite."),
    )
    audience = forms.ChoiceField(label=_("Public"), choices=Audience.choices)
    complementary = forms.MultipleChoiceField(
        label=_("Certifications complémentaires proposées"),
        choices=Complementary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Shown only when a date falls on a Sunday or a public holiday (hidden otherwise).
    confirm_unusual_days = forms.BooleanField(
        label=_("Je confirme ces dates, même un dimanche ou un jour férié"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.unusual_days: list[tuple[dt.date, str]] = []

    def clean_dates(self):
        dates = _parse_lines(
            self.cleaned_data["dates"],
            lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date(),
            _("Date illisible : %(value)s (attendu JJ/MM/AAAA)."),
        )
        past = [d for d in dates if d < self.today]
        if past:
            raise forms.ValidationError(
                _("Date passée : %(dates)s. Une série ne crée que des sessions à venir.")
                % {"dates": ", ".join(d.strftime("%d/%m/%Y") for d in past)}
            )
        return dates

    def clean(self):
        data = super().clean()
        self.unusual_days = [
            (d, reason) for d in data.get("dates") or [] if (reason := unusual_day(d))
        ]
        if self.unusual_days:
            self.fields["confirm_unusual_days"].widget = forms.CheckboxInput()
        if self.unusual_days and not data.get("confirm_unusual_days"):
            self.add_error(
                "confirm_unusual_days",
                _("Vérifiez ces dates puis cochez la case pour confirmer : %(days)s.")
                % {
                    "days": " ; ".join(
                        f"{d:%d/%m/%Y} ({reason})" for d, reason in self.unusual_days
                    )
                },
            )
        data.pop("confirm_unusual_days", None)
        return data

    def clean_times(self):
        return _parse_lines(
            self.cleaned_data["times"],
            lambda v: dt.datetime.strptime(v, "%H:%M").time(),
            _("Heure illisible : %(value)s (attendu HH:MM)."),
        )


class SessionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouveau statut"), choices=SessionStatus.choices)


class PixCertifForm(forms.Form):
    number = forms.CharField(label=_("Numéro de session Pix Certif"), max_length=20, required=False)
    access_code = forms.CharField(label=_("Code d’accès"), max_length=20, required=False)


class PrepaidForm(forms.Form):
    """The prepaid code of a seat (empty: back to the usual pricing)."""

    prepaid_code = forms.CharField(label=_("Code de prépaiement"), max_length=64, required=False)


class IdField(forms.ModelChoiceField):
    """One model choice by id, posted as a hidden value (never a drop-down of every row): an
    id that is not a number, or too large for the database, is refused like an unknown one."""

    widget = forms.HiddenInput

    def to_python(self, value):
        text = str(value or "").strip()
        if text and not (text.isascii() and text.isdigit() and int(text) < 2**63):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(text)


class OverrideForm(forms.Form):
    """The candidate given a seat from the session page: chosen in the search results, where
    each « Affecter » button posts its candidate's id (the drop-down of every candidate was
    10,273 options, 500 KB per session page after a 10k import)."""

    candidate = IdField(label=_("Candidat"), queryset=Candidate.objects.all())


class CandidateSearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher un candidat"), max_length=100, required=False)


class CampaignForm(forms.Form):
    academic_year = forms.ModelChoiceField(
        label=_("Année universitaire"), queryset=AcademicYear.objects.all()
    )
    name = forms.CharField(label=_("Nom"), max_length=150)
    opens_at = DateTimeField(
        label=_("Ouverture des candidatures"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = DateTimeField(
        label=_("Clôture des candidatures"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    sessions = IdsField(
        label=_("Sessions"),
        queryset=Session.objects.filter(status__in=[SessionStatus.DRAFT, SessionStatus.OPEN])
        .select_related("room")
        .order_by("date", "start_time"),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("La clôture doit suivre l’ouverture."))
        closes_at = data.get("closes_at")
        if closes_at and closes_at <= timezone.now():
            self.add_error(
                "closes_at",
                _("La clôture doit être dans le futur : les places sont attribuées à la clôture."),
            )
        return data


class CampaignEditForm(forms.Form):
    """What changes on a campaign until its allocation (its year does not)."""

    name = CampaignForm.base_fields["name"]
    opens_at = CampaignForm.base_fields["opens_at"]
    closes_at = CampaignForm.base_fields["closes_at"]
    sessions = CampaignForm.base_fields["sessions"]

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("La clôture doit suivre l’ouverture."))
        return data


class ApplicationForm(forms.Form):
    """Up to 3 ranked wishes among the campaign's sessions."""

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(s.pk, str(s)) for s in sessions]
        for rank in range(1, MAX_WISHES + 1):
            self.fields[f"wish_{rank}"] = forms.TypedChoiceField(
                label=_("Vœu n° %(rank)s") % {"rank": rank},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=rank == 1,
            )

    def session_ids(self):
        return [
            self.cleaned_data[f"wish_{rank}"]
            for rank in range(1, MAX_WISHES + 1)
            if self.cleaned_data.get(f"wish_{rank}")
        ]


class RescheduleForm(forms.Form):
    """Move a session: its convocations are regenerated and its candidates told. The date and
    time inputs come pre-filled with the session's: a browser's date input reads only ISO
    dates (it showed an empty field for the French « 15/10/2025 »)."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Heure de début"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    room = forms.ModelChoiceField(label=_("Salle"), queryset=Room.objects.all())


class HabilitationsForm(forms.Form):
    habilitations = forms.MultipleChoiceField(
        label=_("Certifications complémentaires pour lesquelles le centre est habilité"),
        choices=Complementary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Exactement celles que Pix a accordées au centre : elles font les colonnes des "
            "fichiers Pix Certif, et seules elles peuvent être proposées dans une session."
        ),
    )


# --- invigilation ---------------------------------------------------------------------------

# A certification asks fewer than 100 questions (3 per competence, 16 competences).
MAX_QUESTION_NUMBER = 99
MAX_FRAUD_REPORT_BYTES = 10 * 1024 * 1024
FRAUD_REPORT_TYPES = [
    ((".pdf",), b"%PDF"),
    ((".png",), b"\x89PNG\r\n\x1a\n"),
    ((".jpg", ".jpeg"), b"\xff\xd8\xff"),
]


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Je suis"), choices=PeriodKind.choices)
    starts_at = DateTimeField(
        label=_("Du"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = DateTimeField(
        label=_("Au"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("Remarque"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise forms.ValidationError(_("La fin doit être après le début."))
        return data


class AttendanceForm(forms.Form):
    present = forms.ChoiceField(
        label=_("Présence"),
        choices=[("present", _("Présent")), ("absent", _("Absent"))],
    )
    identity_checked = forms.BooleanField(label=_("Identité vérifiée"), required=False)


def _code_choices():
    return [("", _("— aucune —"))] + [
        (code, f"{code} · {label}") for code, label in IncidentCode.choices
    ]


class IncidentForm(forms.Form):
    registration = forms.ModelChoiceField(
        label=_("Candidat"),
        queryset=Registration.objects.none(),
        required=False,
        empty_label=_("— toute la session —"),
    )
    code = forms.ChoiceField(label=_("Catégorie Pix"), choices=_code_choices, required=False)
    question_number = forms.IntegerField(
        label=_("Numéro de la question (E1 à E12)"),
        min_value=1,
        max_value=MAX_QUESTION_NUMBER,
        required=False,
    )
    abandon_reason = forms.ChoiceField(
        label=_("Test non terminé : motif d’abandon"),
        choices=[("", _("— test terminé —")), *AbandonReason.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    fraud_report = forms.FileField(
        label=_("Rapport de fraude (C6)"),
        required=False,
        help_text=_(
            "PDF ou image (PNG, JPEG) du rapport signé, pour une suspicion de fraude ; "
            "10 Mo au plus."
        ),
    )

    def clean_fraud_report(self):
        """Only a PDF or an image, checked on its first bytes as well as on its name: the file
        is kept and handed to administrators."""
        upload = self.cleaned_data.get("fraud_report")
        if not upload:
            return upload
        if upload.size > MAX_FRAUD_REPORT_BYTES:
            raise forms.ValidationError(gettext("Le rapport de fraude dépasse 10 Mo."))
        head = upload.read(8)
        upload.seek(0)
        name = upload.name.lower()
        if not any(
            name.endswith(extensions) and head.startswith(signature)
            for extensions, signature in FRAUD_REPORT_TYPES
        ):
            raise forms.ValidationError(
                gettext("Le rapport de fraude doit être un PDF ou une image PNG ou JPEG.")
            )
        return upload

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = (
            Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED)
            .select_related("candidate")
            .order_by("candidate__birth_name", "candidate__first_name")
        )
        self.fields["registration"].label_from_instance = lambda r: str(r.candidate)


class AssignForm(forms.Form):
    invigilator = forms.ModelChoiceField(
        label=_("Surveillant"),
        queryset=User.objects.filter(role=Role.INVIGILATOR, is_active=True).order_by(
            "last_name", "email"
        ),
    )


# --- results ----------------------------------------------------------------------------------

MAX_UPLOAD = 5 * 1024 * 1024


class ResultsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Export des résultats Pix Certif (CSV)"),
        help_text=_("Le fichier tel que téléchargé depuis le lien envoyé par Pix."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(gettext("Le fichier dépasse 5 Mo."))
        return upload
