"""Form pieces shared by every app: Bootstrap classes on each widget, a bounded date-time."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class BootstrapFormRenderer(TemplatesSetting):
    """Adds Bootstrap's classes to widgets so that every form looks the same."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None:
            attrs = widget.setdefault("attrs", {})
            kind = widget.get("type")
            base = {"checkbox": "form-check-input", "radio": "form-check-input"}.get(
                kind, "form-select" if template_name.endswith("select.html") else "form-control"
            )
            attrs["class"] = f"{base} {attrs.get('class', '')}".strip()
        return super().render(template_name, context, request)


class DateTimeField(forms.DateTimeField):
    """A date and time from 2000 to 2099. Outside, a clear error: year 1 (a typo, or a
    browser's empty year) overflowed when converted to UTC, a 500 on saving."""

    FIRST_YEAR, LAST_YEAR = 2000, 2099

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and not self.FIRST_YEAR <= result.year <= self.LAST_YEAR:
            raise forms.ValidationError(
                _("Indiquez une date entre %(first)s et %(last)s."),
                code="out_of_range",
                params={"first": self.FIRST_YEAR, "last": self.LAST_YEAR},
            )
        return result
