"""Costs follow Pix's 2026 durations by certification; the seed's 120 + 40 min stay the core
case (the seed's 1,964.55 € for 30 sessions of 20 with the extension is unchanged)."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from billing import costs, dashboard
from candidates.models import CandidateKind
from tests.sessions_app.conftest import make_candidate

from .conftest import make_registration, make_session

SEED = costs.SEED_PARAMETERS


def test_the_seed_case_is_core_pix():
    assert costs.planned_session_minutes(20, True, SEED) == 210
    assert costs.projection(30, 20, True, 0)["variable_cost"] == Decimal("1964.55")
    assert costs.projection(30, 20, True, 0, certification="Pix")["variable_cost"] == Decimal(
        "1964.55"
    )


@pytest.mark.parametrize(
    ("certification", "plain", "extended"),
    [("Pix+ Droit", 60 + 50, 78 + 50), ("Pix+ Pro Santé", 110, 128), ("Pix+ Édu CPE", 155, 190)],
)
def test_a_pix_plus_session_costs_its_duration(certification, plain, extended):
    assert costs.planned_session_minutes(20, False, SEED, certification) == plain
    assert costs.planned_session_minutes(20, True, SEED, certification) == extended
    # 20 Pix+ Droit candidates with the extension: 128 min × 18.71 € / 60 = 39.91 €.
    if certification == "Pix+ Droit":
        assert costs.planned_session_cost(20, True, SEED, certification) == Decimal("39.91")


def test_the_projection_command_takes_the_certification():
    out = StringIO()
    call_command(
        "cost_projection",
        "--sessions=30",
        "--candidates=20",
        "--extension",
        "--certification=Pix+ Droit",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["test_minutes"] == 45 and result["invigilation_minutes"] == 78
    assert result["variable_cost"] == "1197.44"  # 30 × 128 min = 64 h × 18.71 €


@pytest.mark.django_db
def test_the_dashboard_prices_each_session_by_its_longest_test(year, room):
    droit = make_session(year, room, date=dt.date(2025, 10, 15), audience="students", status="held")
    core = make_session(year, room, date=dt.date(2025, 10, 16), audience="students", status="held")
    for session, code in ((droit, "droit"), (core, "")):
        for _ in range(2):
            registration = make_registration(session, make_candidate(CandidateKind.STUDENT))
            registration.complementary = code
            registration.save(update_fields=["complementary"])
    slow = make_candidate(CandidateKind.STUDENT)
    slow.extra_time_percent = 33
    slow.save()
    registration = make_registration(droit, slow)
    registration.complementary = "droit"
    registration.save(update_fields=["complementary"])

    board = dashboard.year_dashboard(year, today=dt.date(2026, 1, 15))
    lines = {line.pk: line for line in board.sessions}
    # Held without an assignment: the planned staffing of its seats, one invigilator each.
    assert lines[droit.pk].invigilator_minutes == 78  # 45 + 15 + 18 (extra time)
    assert lines[core.pk].invigilator_minutes == 120
    assert lines[droit.pk].paid_minutes == 78 + 50


@pytest.mark.django_db
def test_the_projection_page_takes_the_certification(client, referent):
    client.force_login(referent)
    url = "/couts/projection/"
    query = "?sessions=30&candidates=20&extension=on&paying_sessions=0&certification=Pix%2B+Droit"
    response = client.get(url + query)
    assert 'data-testid="test-minutes">Pix+ Droit · 45 min' in response.content.decode()
    assert response.context["result"]["variable_cost"] == Decimal("1197.44")
    core = client.get(url + "?sessions=30&candidates=20&extension=on&paying_sessions=0")
    assert core.context["result"]["variable_cost"] == Decimal("1964.55")
