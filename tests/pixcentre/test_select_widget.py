"""templates/django/forms/widgets/select.html writes each option itself instead of including
Django's select_option.html once per option (the fee list's filter of every session of ten
years spent most of the page's time in those includes). It must give the HTML Django's own
template gives, for every kind of select."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting

CHOICES = [
    ("", "Toutes"),
    ("1", "01/09/2026 09:00 · Campus — Salle « A » & B"),
    ("2", "02/09/2026"),
    ("Groupe", [("3", "trois"), ("4", "quatre")]),
]


class OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input.html"  # any template of its own


@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.Select(choices=CHOICES), "2"),
        (forms.Select(choices=CHOICES, attrs={"aria-invalid": "true", "required": True}), ""),
        (forms.SelectMultiple(choices=CHOICES), ["1", "4"]),
        (forms.NullBooleanSelect(), True),
        (OwnOption(choices=CHOICES), "1"),
    ],
)
def test_the_select_is_the_html_django_writes(widget, value):
    ours = widget.render("session", value, renderer=TemplatesSetting())
    django_own = widget.render("session", value, renderer=DjangoTemplates())
    assert ours == django_own
    assert ours.count("value=") > 2


def test_the_project_uses_its_own_select_template():
    from django.template.loader import get_template

    origin = get_template("django/forms/widgets/select.html").origin.name
    assert origin.endswith("templates/django/forms/widgets/select.html")
    assert "site-packages" not in origin
