"""Session series refuse past dates and ask to confirm Sundays and French public holidays;
the move form comes pre-filled."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from sessions_app.days import unusual_day
from sessions_app.models import Session

pytestmark = pytest.mark.django_db


def test_unusual_days_are_sundays_and_french_public_holidays():
    with translation.override("fr"):
        assert unusual_day(dt.date(2026, 5, 25)) == "jour férié : Lundi de Pentecôte"
        assert unusual_day(dt.date(2026, 7, 14)) == "jour férié : Fête nationale"
        assert unusual_day(dt.date(2026, 3, 15)) == "dimanche"
        assert unusual_day(dt.date(2026, 3, 16)) is None
    with translation.override("en"):
        assert unusual_day(dt.date(2026, 5, 1)) == "public holiday: Labor Day"


@pytest.fixture
def series(client, administrator, room, year):
    year.end_date = dt.date(2027, 8, 31)
    year.save()
    client.force_login(administrator)

    def post(dates, **extra):
        with time_machine.travel(dt.datetime(2025, 11, 3, 10, tzinfo=dt.UTC), tick=False):
            return client.post(
                reverse("sessions_app:session_series"),
                {"dates": dates, "times": "09:00", "rooms": [room.pk], "audience": "students",
                 **extra},
            )  # fmt: skip

    return post


def test_a_series_refuses_past_dates(series):
    response = series("20/11/2025\n31/10/2025")
    assert response.status_code == 200
    assert "Date passée : 31/10/2025" in response.content.decode()
    assert not Session.objects.exists()


def test_a_series_asks_to_confirm_a_sunday_or_a_holiday(series):
    response = series("10/11/2025\n11/11/2025\n16/11/2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert "11/11/2025 (jour férié : Armistice)" in html and "16/11/2025 (dimanche)" in html
    assert 'type="checkbox" name="confirm_unusual_days"' in html
    assert not Session.objects.exists()
    response = series("10/11/2025\n11/11/2025\n16/11/2025", confirm_unusual_days="on")
    assert response.status_code == 302
    assert Session.objects.count() == 3


def test_an_ordinary_series_needs_no_confirmation(series):
    assert series("12/11/2025\n13/11/2025").status_code == 302
    assert Session.objects.count() == 2


def test_the_move_form_comes_pre_filled(client, administrator, session):
    client.force_login(administrator)
    html = client.get(reverse("sessions_app:session_reschedule", args=[session.pk])).content
    html = html.decode()
    assert f'value="{session.date:%Y-%m-%d}"' in html
    assert 'value="09:00"' in html
