from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role

STAFF_CHOICES = [(r.value, r.label) for r in (Role.INVIGILATOR, Role.ADMINISTRATOR, Role.REFERENT)]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Rôle"),
        required=False,
        choices=[("", _("Personnel du centre")), *Role.choices, ("all", _("Tous les comptes"))],
    )
    active = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("Actifs")), ("no", _("Désactivés")), ("all", _("Tous"))],
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    role = forms.ChoiceField(label=_("Rôle"), choices=STAFF_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Nouveau rôle"), choices=Role.choices)
