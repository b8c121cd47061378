"""A closed year's cost parameters are locked (its report moved from 4,655.22 € to 19,268.00 €
after the year had ended); the referent may reopen them for 24 hours with a reason, audited."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEntry
from billing import services
from billing.models import CostParameterSet

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
LAST_DAY = dt.datetime(2026, 8, 31, 23, 30, tzinfo=PARIS)  # 2025-2026 ends on 31 August
CLOSED = dt.datetime(2026, 9, 1, 0, 30, tzinfo=PARIS)


def test_parameters_change_until_the_last_day_of_the_year(year, referent):
    changes = services.update_cost_parameters(
        year, acting_user=referent, values={"hourly_cost": "20"}, now=LAST_DAY
    )
    assert len(changes) == 1


def test_a_closed_years_parameters_cannot_change(year, referent):
    services.cost_parameters_for(year)
    with pytest.raises(services.BillingError, match="est close"):
        services.update_cost_parameters(
            year, acting_user=referent, values={"hourly_cost": "99"}, now=CLOSED
        )
    parameter_set = CostParameterSet.objects.get(year=year)
    assert parameter_set.hourly_cost != Decimal("99")
    assert not parameter_set.changes.exists()


def test_the_referent_reopens_with_a_reason_for_24_hours_audited(year, referent):
    with pytest.raises(services.BillingError, match="motif"):
        services.reopen_cost_parameters(year, acting_user=referent, reason="  ", now=CLOSED)
    services.reopen_cost_parameters(
        year, acting_user=referent, reason="Coût horaire mal saisi", now=CLOSED
    )
    entry = AuditEntry.objects.get(action="cost_parameters_reopened")
    assert entry.actor == referent
    assert entry.after["reason"] == "Coût horaire mal saisi"

    changes = services.update_cost_parameters(
        year,
        acting_user=referent,
        values={"hourly_cost": "21"},
        note="correction",
        now=CLOSED + dt.timedelta(hours=23),
    )
    assert [c.new_value for c in changes] == ["21.00"]
    with pytest.raises(services.BillingError):  # locked again a day later
        services.update_cost_parameters(
            year,
            acting_user=referent,
            values={"hourly_cost": "22"},
            now=CLOSED + dt.timedelta(days=1),
        )


def test_only_the_referent_reopens_and_only_a_locked_year(year, referent, administrator):
    with pytest.raises(services.BillingError, match="référent"):
        services.reopen_cost_parameters(year, acting_user=administrator, reason="x", now=CLOSED)
    with pytest.raises(services.BillingError, match="pas verrouillés"):
        services.reopen_cost_parameters(year, acting_user=referent, reason="x", now=LAST_DAY)
    assert not AuditEntry.objects.filter(action="cost_parameters_reopened").exists()


def test_the_page_of_a_closed_year_shows_the_lock_and_saves_nothing(client, referent, year):
    client.force_login(referent)
    url = reverse("billing:year_parameters", kwargs={"label": year.label})
    with time_machine.travel(CLOSED + dt.timedelta(days=60)):
        page = client.get(url).content.decode()
        assert 'data-testid="locked"' in page
        assert "Rouvrir pour 24 heures" in page
        before = CostParameterSet.objects.get(year=year).hourly_cost
        response = client.post(url, {"hourly_cost": "99", "note": "après coup"})
        assert response.status_code in (200, 302)
        assert CostParameterSet.objects.get(year=year).hourly_cost == before

        reopen = reverse("billing:reopen_parameters", kwargs={"label": year.label})
        client.post(reopen, {"reason": ""})
        assert not AuditEntry.objects.filter(action="cost_parameters_reopened").exists()
        response = client.post(reopen, {"reason": "Erreur constatée au bilan"}, follow=True)
        assert "rouverts jusqu’au" in response.content.decode()
        page = client.get(url).content.decode()
        assert 'data-testid="reopened"' in page and "Erreur constatée au bilan" in page


def test_administrators_may_not_reopen(client, administrator, year):
    client.force_login(administrator)
    reopen = reverse("billing:reopen_parameters", kwargs={"label": year.label})
    assert client.post(reopen, {"reason": "x"}).status_code == 403
