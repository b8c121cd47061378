"""Forms of candidates: identity, profile and unit imports, the list's filters, and the
linking pages (roster upload, one invitation, the administrator's study year)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import pix_identity, roster_files, unit_files
from .models import Candidate, Semester, StudyYear
from .pix import profiles as pix_files

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class IdentityForm(forms.ModelForm):
    """The identity Pix needs, checked with Pix's own rules (candidates/pix_identity.py)."""

    class Meta:
        model = Candidate
        fields = [
            "birth_name",
            "first_name",
            "sex",
            "birth_date",
            "birth_country",
            "birth_insee_code",
            "birth_postal_code",
            "birth_city",
            "convocation_email",
            "accessibility_needs",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sex": forms.RadioSelect,
            "accessibility_needs": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "birth_name": _("Tel qu’il figure sur votre pièce d’identité."),
            "birth_country": _("« France » si vous êtes né(e) en France."),
            "birth_insee_code": _(
                "Né(e) en France : le code INSEE seul, ou bien le code postal et la commune. "
                "Né(e) à l’étranger : 99 ou vide, avec la ville."
            ),
            "convocation_email": _(
                "Adresse où recevoir votre convocation, si autre que celle du compte : une "
                "adresse vérifiée dans « Adresses e-mail » de votre compte."
            ),
            "accessibility_needs": _(
                "Aménagements dont vous avez besoin (le temps majoré est accordé par le "
                "service handicap)."
            ),
        }

    # The same fields seen by an administrator correcting someone else's record.
    STAFF_HELP = {
        "birth_name": _("Tel qu’il figure sur la pièce d’identité du candidat."),
        "birth_country": _("« France » pour une personne née en France."),
        "birth_insee_code": _(
            "Né(e) en France : le code INSEE seul, ou bien le code postal et la commune. "
            "Né(e) à l’étranger : 99 ou vide, avec la ville."
        ),
        "convocation_email": _("Adresse où envoyer la convocation, si autre que celle du compte."),
        "accessibility_needs": _("Aménagements dont le candidat a besoin."),
    }

    def __init__(self, *args, today=None, for_staff=False, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.for_staff = for_staff
        self.user = user  # the candidate typing their own identity (not staff)
        if for_staff:
            for name, text in self.STAFF_HELP.items():
                self.fields[name].help_text = text
        for name in ("birth_name", "first_name", "sex", "birth_date", "birth_country"):
            self.fields[name].required = True
        self.fields["sex"].choices = [c for c in self.fields["sex"].choices if c[0]]

    def _clean_name(self, field):
        value = (self.cleaned_data.get(field) or "").strip()
        if problem := pix_identity.name_problem(value):
            raise forms.ValidationError(problem)
        return value

    def clean_birth_name(self):
        return self._clean_name("birth_name")

    def clean_first_name(self):
        return self._clean_name("first_name")

    def clean_convocation_email(self):
        """The centre (and Pix, which gets it in the session's export) writes to this address:
        a candidate may only choose one they proved is theirs, their account's address or one
        verified under « Adresses e-mail » of their account. Otherwise anyone could have the
        centre send mail to any address. Staff enter addresses from the university's records."""
        email = (self.cleaned_data.get("convocation_email") or "").strip()
        if not email or self.for_staff or self.user is None:
            return email
        from allauth.account.models import EmailAddress

        if email.lower() == (self.user.email or "").lower() or (
            EmailAddress.objects.filter(user=self.user, email__iexact=email, verified=True).exists()
        ):
            return email
        raise forms.ValidationError(
            _(
                "Cette adresse n’est pas vérifiée : ajoutez-la d’abord dans « Adresses e-mail » "
                "de votre compte (%(url)s) et cliquez sur le lien reçu, ou laissez ce champ vide "
                "pour recevoir la convocation à l’adresse du compte."
            )
            % {"url": reverse("account_email")}
        )

    def _post_clean(self):
        super()._post_clean()
        already = set(self.errors)
        # The birthplace as the official referentials spell it (« maroc » → « Maroc », 99 as
        # the INSEE code of a birth abroad): what is saved is what goes to Pix.
        for field, value in pix_identity.official_birthplace(self.instance).items():
            if field not in already:
                setattr(self.instance, field, value)
                self.cleaned_data[field] = value
        for field, message in pix_identity.identity_problems(self.instance, today=self.today):
            if field in already:
                continue
            self.add_error(field if field in self.fields else None, message)


class ProfileImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export Pix Orga (CSV)"),
        help_text=_(
            "Pix Orga > campagne de collecte de profils > « Exporter les résultats ». "
            "Déposez le fichier tel quel, sans l’ouvrir dans un tableur."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 20 Mo."))
        data = f.read()
        try:
            pix_files.read_header(data)
        except pix_files.NotAPixExport as exc:
            raise forms.ValidationError(str(exc)) from None
        self.data_bytes = data
        return f


class UnitImportForm(forms.Form):
    academic_year = forms.ModelChoiceField(queryset=None, label=_("Année universitaire"))
    semester = forms.TypedChoiceField(choices=Semester.choices, coerce=int, label=_("Semestre"))
    file = forms.FileField(
        label=_("Fichier CSV des UEO"),
        help_text=_("Colonnes : Numéro étudiant ; UEO (Pix1 ou Pix2) ; Parcours validés (0 à 7)."),
    )

    def __init__(self, *args, **kwargs):
        from .models import AcademicYear

        super().__init__(*args, **kwargs)
        self.fields["academic_year"].queryset = AcademicYear.objects.all()

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 20 Mo."))
        self.data_bytes = f.read()
        try:
            unit_files.parse_unit_enrolments(self.data_bytes)
        except unit_files.NotAUnitFile as exc:
            raise forms.ValidationError(str(exc)) from None
        return f


class CandidateFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom ou numéro étudiant"), required=False)
    programme = forms.CharField(label=_("Formation"), required=False)
    study_year = forms.ChoiceField(
        label=_("Année d’études"), required=False, choices=[("", _("Toutes")), *StudyYear.choices]
    )
    tier = forms.ChoiceField(
        label=_("Priorité"),
        required=False,
        choices=[
            ("", _("Toutes")),
            ("1", "1"),
            ("2", "2"),
            ("3", "3"),
            ("none", _("Non calculée")),
        ],
    )
    certifiable = forms.ChoiceField(
        label=_("Profil certifiable"),
        required=False,
        choices=[("", _("Tous")), ("yes", _("Oui")), ("no", _("Non"))],
    )
    ueo = forms.ChoiceField(
        label=_("UEO validées"),
        required=False,
        choices=[
            ("", _("Toutes")),
            ("both", _("Pix1 et Pix2")),
            ("pix1", _("Pix1")),
            ("pix2", _("Pix2")),
            ("none", _("Aucune")),
        ],
    )


# --- Linking accounts to records ------------------------------------------------------------


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
