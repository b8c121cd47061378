"""manage.py cost_projection."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing import services

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("cost_projection", *args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    return json.loads(run(*args, "--json"))


def test_seed_case_in_json():
    data = run_json("--sessions", "30", "--candidates", "20", "--extension",
                    "--paying-sessions", "3")  # fmt: skip
    assert data["variable_cost"] == "1964.55"
    assert data["paying_sessions_to_cover_variable"] == 3
    assert data["external_net_revenue"] == "2100.00"
    assert Decimal(data["balance"]) == (
        Decimal(data["external_net_revenue"])
        - Decimal(data["variable_cost"])
        - Decimal(data["fixed_cost"])
    )
    assert data["year"] is None
    assert data["parameters"]["hourly_cost"] == "18.71"


def test_amounts_are_strings_with_two_places():
    data = run_json("--sessions", "1", "--candidates", "25")
    for key in ("variable_cost", "fixed_cost", "external_net_revenue", "balance"):
        assert isinstance(data[key], str)
        assert len(data[key].rpartition(".")[2]) == 2, data[key]
    assert data["variable_cost"] == "90.43"  # (2 × 120 + 50) min × 18.71 €/h
    assert data["invigilators_per_session"] == 2
    assert data["external_net_revenue"] == "0.00"


def test_without_extension():
    assert run_json("--sessions", "30", "--candidates", "20")["variable_cost"] == "1590.35"


@pytest.mark.usefixtures("during_the_year")  # a closed year's parameters are locked
def test_a_years_parameters(year, referent):
    services.update_cost_parameters(year, acting_user=referent, values={"hourly_cost": "20"})
    data = run_json("--sessions", "30", "--candidates", "20", "--extension", "--year", year.label)
    assert data["variable_cost"] == "2100.00"  # 105 h × 20 €
    assert data["year"] == year.label


def test_unknown_year_is_an_error(db):
    with pytest.raises(CommandError, match="inconnue"):
        run("--sessions", "30", "--candidates", "20", "--year", "1999-2000")


def test_more_paying_sessions_than_sessions_is_an_error():
    with pytest.raises(CommandError):
        run("--sessions", "2", "--candidates", "20", "--paying-sessions", "3")


def test_negative_counts_are_refused():
    with pytest.raises(CommandError):
        run("--sessions", "-1", "--candidates", "20")


def test_readable_output():
    text = run("--sessions", "30", "--candidates", "20", "--extension", "--paying-sessions", "3")
    assert "Coûts variables" in text and "1964.55" in text
    assert "valeurs par défaut" in text
