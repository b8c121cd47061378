"""The referent's cost pages: parameters with history, and the what-if projection."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import costs, services
from billing.models import CostParameterChange
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

REFUSED = ["student", "external", "invigilator", "administrator", "outsider"]


def _form_data(parameter_set, **changes):
    data = {name: getattr(parameter_set, name) for name in parameter_set.PARAMETER_FIELDS}
    data.update(changes)
    return {key: str(value) for key, value in data.items()}


def _pages(year):
    return [
        reverse("billing:parameters"),
        reverse("billing:year_parameters", kwargs={"label": year.label}),
        reverse("billing:projection"),
    ]


@pytest.mark.parametrize("persona", REFUSED)
def test_other_roles_are_refused(client, request, year, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in _pages(year):
        assert client.get(url).status_code == 403, url
    post = client.post(_pages(year)[1], {"external_fee": "10"})
    assert post.status_code == 403
    assert not CostParameterChange.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, year):
    for url in _pages(year):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_referent_lands_on_the_current_years_parameters(client, referent, year):
    client.force_login(referent)
    response = client.get(reverse("billing:parameters"))
    assert response.status_code == 302
    assert response.url == reverse("billing:year_parameters", kwargs={"label": year.label})


def test_referent_is_told_when_there_is_no_year(client, referent):
    client.force_login(referent)
    response = client.get(reverse("billing:parameters"))
    assert response.status_code == 200
    assert "Aucune année universitaire" in response.content.decode()


def test_referent_sees_the_years_parameters_and_fixed_costs(client, referent, year):
    client.force_login(referent)
    response = client.get(reverse("billing:year_parameters", kwargs={"label": year.label}))
    assert response.status_code == 200
    assert response.context["fixed_total"] == costs.fixed_costs(costs.SEED_PARAMETERS)
    body = response.content.decode()
    assert 'name="external_fee"' in body
    assert 'value="18,71"' in body  # French decimal comma


def test_unknown_year_is_404(client, referent, year):
    client.force_login(referent)
    url = reverse("billing:year_parameters", kwargs={"label": "1999-2000"})
    assert client.get(url).status_code == 404


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_referent_changes_parameters_and_sees_the_history(client, referent, year):
    client.force_login(referent)
    url = reverse("billing:year_parameters", kwargs={"label": year.label})
    parameter_set = services.cost_parameters_for(year)
    data = _form_data(parameter_set, hourly_cost="19,50", external_fee="40")
    data["note"] = "Nouveau barème"
    response = client.post(url, data)
    assert response.status_code == 302
    params = services.parameters_for_year(year)
    assert (params.hourly_cost, params.external_fee) == (Decimal("19.50"), Decimal("40"))
    page = client.get(url)
    history = list(page.context["history"])
    assert {(c.field, c.old_value, c.new_value, c.changed_by) for c in history} == {
        ("hourly_cost", "18.71", "19.50", referent),
        ("external_fee", "45.00", "40.00", referent),
    }
    assert "Nouveau barème" in page.content.decode()


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_fee_above_45_euros_is_refused_on_the_page(client, referent, year):
    client.force_login(referent)
    url = reverse("billing:year_parameters", kwargs={"label": year.label})
    parameter_set = services.cost_parameters_for(year)
    response = client.post(url, _form_data(parameter_set, external_fee="50", hourly_cost="20"))
    assert response.status_code == 200
    assert "ne peuvent pas dépasser 45 €" in response.content.decode()
    assert 'value="50"' in response.content.decode()  # what was typed is kept
    assert services.parameters_for_year(year) == costs.SEED_PARAMETERS  # nothing saved
    assert not CostParameterChange.objects.exists()


def test_projection_shows_the_seeds_case_by_default(client, referent):
    client.force_login(referent)
    response = client.get(reverse("billing:projection"))
    assert response.status_code == 200
    result = response.context["result"]
    assert result["variable_cost"] == Decimal("1964.55")
    assert result["paying_sessions_to_cover_variable"] == 3
    assert "1\xa0964,55" in response.content.decode()


def test_projection_of_the_asked_case(client, referent):
    client.force_login(referent)
    response = client.get(
        reverse("billing:projection"), {"sessions": "30", "candidates": "20", "paying_sessions": 0}
    )
    assert response.context["result"]["variable_cost"] == Decimal("1590.35")
    assert response.context["result"]["external_net_revenue"] == Decimal("0.00")


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_projection_with_a_years_parameters(client, referent, year):
    services.update_cost_parameters(year, acting_user=referent, values={"external_fee": "30"})
    client.force_login(referent)
    response = client.get(
        reverse("billing:projection"),
        {
            "sessions": 30,
            "candidates": 20,
            "extension": "on",
            "paying_sessions": 3,
            "year": year.label,
        },  # fmt: skip
    )
    result = response.context["result"]
    assert result["external_net_revenue"] == Decimal("1200.00")  # 3 × 20 × (30 − 10)
    assert result["paying_sessions_to_cover_variable"] == 5  # 1964.55 / 400 → 5
    assert response.context["year"] == year


def test_projection_keeps_typed_values_on_error(client, referent):
    client.force_login(referent)
    response = client.get(
        reverse("billing:projection"),
        {"sessions": "4", "candidates": "abc", "paying_sessions": "7"},
    )
    assert response.status_code == 200
    assert response.context["result"] is None
    form = response.context["form"]
    assert set(form.errors) == {"candidates", "paying_sessions"}
    body = response.content.decode()
    assert 'value="abc"' in body and 'value="7"' in body and 'value="4"' in body


def test_referent_nav_links_to_the_cost_pages(client, referent):
    client.force_login(referent)
    body = client.get("/").content.decode()
    assert reverse("billing:projection") in body
    assert reverse("billing:parameters") in body


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_parameters_page_queries_do_not_grow_with_the_history(client, referent, year):
    client.force_login(referent)
    url = reverse("billing:year_parameters", kwargs={"label": year.label})
    services.update_cost_parameters(year, acting_user=referent, values={"referent_days": 5})
    with CaptureQueriesContext(connection) as one_change:
        assert client.get(url).status_code == 200
    for days in range(6, 26):  # 20 more changes, by another person each time
        someone = make_user(f"referent{days}@univ-avignon.fr", referent.role)
        services.update_cost_parameters(year, acting_user=someone, values={"referent_days": days})
    with CaptureQueriesContext(connection) as many_changes:
        response = client.get(url)
    assert len(response.context["history"]) == 21
    assert len(many_changes) == len(one_change)
