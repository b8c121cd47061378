"""Campaigns: closing in the future at creation, editable until allocation, a session in one
campaign at a time; a closed campaign's link explains instead of a raw 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from sessions_app import services
from sessions_app.models import Application, Campaign, Session, Wish
from sessions_app.services import SessionError

pytestmark = pytest.mark.django_db

FMT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def coming(year, room):
    day = timezone.localdate() + dt.timedelta(days=40)
    year.end_date = day + dt.timedelta(days=100)
    year.save()
    return [
        Session.objects.create(academic_year=year, date=day, start_time=dt.time(h, 0),
                               room=room, audience="students")
        for h in (9, 14)
    ]  # fmt: skip


def _create(administrator, year, sessions, *, closes_in=dt.timedelta(days=2), name="Printemps"):
    now = timezone.now()
    return services.create_campaign(
        acting_user=administrator, academic_year=year, name=name,
        opens_at=now - dt.timedelta(days=1), closes_at=now + closes_in, sessions=sessions,
    )  # fmt: skip


def test_a_campaign_closing_in_the_past_is_refused_at_creation(client, administrator, year, coming):
    now = timezone.now()
    client.force_login(administrator)
    response = client.post(
        reverse("sessions_app:campaign_create"),
        {"academic_year": year.pk, "name": "Trop tard",
         "opens_at": (now - dt.timedelta(days=3)).strftime(FMT),
         "closes_at": (now - dt.timedelta(hours=1)).strftime(FMT),
         "sessions": [s.pk for s in coming]},
    )  # fmt: skip
    assert response.status_code == 200
    assert "dans le futur" in response.content.decode()
    assert not Campaign.objects.exists()
    with pytest.raises(SessionError, match="futur"):
        _create(administrator, year, coming, closes_in=-dt.timedelta(minutes=5))


def test_a_session_is_in_one_campaign_at_a_time(administrator, year, coming):
    _create(administrator, year, coming[:1])
    with pytest.raises(SessionError, match="déjà dans la campagne « Printemps »"):
        _create(administrator, year, coming, name="Doublon")
    second = _create(administrator, year, coming[1:], name="Autre")
    assert list(second.sessions.all()) == coming[1:]


def test_a_campaign_is_edited_until_allocation(client, administrator, year, coming, student):
    campaign = _create(administrator, year, coming[:1])
    application = Application.objects.create(
        campaign=campaign, candidate=student.candidate, applied_at=timezone.now()
    )
    Wish.objects.create(application=application, rank=1, session=coming[0])
    client.force_login(administrator)
    url = reverse("sessions_app:campaign_edit", args=[campaign.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == "Printemps"
    closes = timezone.now() + dt.timedelta(days=5)
    response = client.post(url, {
        "name": "Printemps bis", "opens_at": timezone.localtime(campaign.opens_at).strftime(FMT),
        "closes_at": timezone.localtime(closes).strftime(FMT), "sessions": [coming[1].pk],
    })  # fmt: skip
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Printemps bis"
    assert list(campaign.sessions.all()) == [coming[1]]
    assert not Wish.objects.exists()  # the wish for the session taken out is dropped
    entry = AuditEntry.objects.get(action="campaign_updated")
    assert entry.before["name"] == "Printemps" and entry.after["name"] == "Printemps bis"

    campaign.allocated_at = timezone.now()
    campaign.save()
    response = client.get(url)
    assert response.status_code == 302
    with pytest.raises(SessionError, match="attribuées"):
        services.update_campaign(
            campaign, acting_user=administrator, name="x", opens_at=campaign.opens_at,
            closes_at=campaign.closes_at, sessions=coming,
        )  # fmt: skip


def test_a_closed_campaign_link_explains(client, administrator, year, coming, eligible_student):
    campaign = _create(administrator, year, coming)
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(eligible_student)
    response = client.get(reverse("sessions_app:apply", args=[campaign.pk]))
    assert response.status_code == 200
    assert "closes depuis le" in response.content.decode()
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    response = client.get(reverse("sessions_app:apply", args=[campaign.pk]))
    assert "ouvrent le" in response.content.decode()
    assert client.get(reverse("sessions_app:apply", args=[99999])).status_code == 404
