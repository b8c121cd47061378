"""List filters read from the query string, always through a form.

A filter read straight from ``request.GET`` went to the database as typed: a NUL character
(``/journal/?action=%00``) is refused by PostgreSQL (500), ``int("²")`` raises, 26 digits
overflow a bigint. Django's form fields refuse all of these (``CharField`` has
``ProhibitNullCharactersValidator``, ``IntegerField`` bounds and ``isascii`` digits), so every
list page declares a :class:`FilterForm` and reads only its :meth:`FilterForm.values`.

A list page must still answer when a bookmark or a hand-edited address carries a bad value: an
invalid filter is *ignored* (the list as if it were absent) rather than failing the page, and
the form keeps the error to show next to the field. :func:`uses_filters` marks the view with its
form so that ``tests/fuzz/test_list_filters.py`` finds every list page and its parameters.
"""

from functools import wraps

from django import forms

# The largest id PostgreSQL's bigint holds: a larger number is no row, not an overflow.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A row's id in a filter: a positive integer that fits the database's key."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class FilterForm(forms.Form):
    """A form bound to the query string whose valid fields are the filters to apply."""

    def __init__(self, query=None, **kwargs):
        super().__init__(query if query is not None else {}, **kwargs)

    def values(self) -> dict:
        """The filters that are valid and given; an invalid or empty one is left out."""
        self.is_valid()  # fills cleaned_data with every field that validated
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in (None, "", [], ())
        }


class YearLabelFilters(FilterForm):
    """``?annee=2025-2026``: an academic year by its label."""

    annee = forms.CharField(required=False, max_length=20)


def uses_filters(form_class):
    """Declare the view's filter form (read by the fuzz tests); the view builds it itself."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.filter_form = form_class
        return wrapper

    return decorate
