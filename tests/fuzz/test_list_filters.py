"""Every list page's filters, fed hostile query strings: never a 500 (``/journal/?action=%00``
was one on PostgreSQL), and the page still answers.

Each list page reads its query string only through a form (``pixcentre.filters``): the view
declares it with ``@uses_filters``, and this test reads the parameters from that form, so a new
filter field is fuzzed as soon as it exists. A new list page gets its line in ``LIST_PAGES``.
"""

import pytest
from django.urls import resolve, reverse
from hypothesis import example, given
from hypothesis import strategies as st

from .conftest import FUZZ, assert_no_crash, client_for, rolled_back
from .strategies import FORM_TEXT

pytestmark = pytest.mark.django_db

# URL name → who may see it (the role whose page is fuzzed).
LIST_PAGES = {
    "audit_log": "administrator",
    "accounts:users": "administrator",
    "candidates:list": "administrator",
    "candidates:export": "administrator",
    "sessions_app:sessions": "administrator",
    "sessions_app:calendar": "administrator",
    "invigilation:sessions": "administrator",
    "results:statistics": "referent",
    "results:statistics_csv": "referent",
    "billing:dashboard": "referent",
    "billing:projection": "referent",
    "billing:fees": "administrator",
    "billing:gip_statement": "administrator",
}
NUL = "\x00"


def filter_names(url_name) -> list[str]:
    view = resolve(reverse(url_name)).func
    form = getattr(view, "filter_form", None)
    assert form is not None, f"{url_name} reads its query string without a filter form"
    return [*form.base_fields, "page", "format"]


@pytest.mark.parametrize("url_name", LIST_PAGES)
def test_every_list_page_declares_its_filter_form(url_name):
    assert filter_names(url_name)


@pytest.mark.parametrize("url_name", LIST_PAGES)
def test_a_nul_byte_in_any_filter_is_no_500(request, year, url_name):
    """The explicit example of the report, for every parameter of every list page."""
    client = client_for(request.getfixturevalue(LIST_PAGES[url_name]))
    url = reverse(url_name)
    for name in filter_names(url_name):
        for value in (NUL, f"2025{NUL}", "9" * 30, "²"):
            with rolled_back():
                assert_no_crash(client.get(url, {name: value}))


@pytest.mark.parametrize("url_name", LIST_PAGES)
@FUZZ
@given(data=st.data())
@example(data=None)
def test_list_filters_take_any_query_string(request, year, url_name, data):
    user = request.getfixturevalue(LIST_PAGES[url_name])
    names = filter_names(url_name)
    query = {}
    if data is not None:
        chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
        query = {name: data.draw(FORM_TEXT, label=name) for name in chosen}
    with rolled_back():
        assert_no_crash(client_for(user).get(reverse(url_name), query))
