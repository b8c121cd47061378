"""The campaign page at scale (issue 17): its applications a page at a time, in a number of
queries that does not grow with them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Application, Campaign, Wish
from sessions_app.views import campaigns

from .conftest import make_candidate, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(year, room):
    now = timezone.now()
    sessions = [make_session(year, room, hour=h) for h in (9, 14)]
    campaign = Campaign.objects.create(
        academic_year=year,
        name="Printemps",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=2),
    )
    campaign.sessions.set(sessions)
    return campaign, sessions


def apply(campaign, sessions, n):
    start = Application.objects.filter(campaign=campaign).count()
    for i in range(start, start + n):
        application = Application.objects.create(
            campaign=campaign,
            candidate=make_candidate(),
            applied_at=timezone.now() + dt.timedelta(seconds=i),
        )
        for rank, session in enumerate(sessions, start=1):
            Wish.objects.create(application=application, rank=rank, session=session)


def queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_makes_as_many_queries_with_60_applications_as_with_2(
    client, administrator, campaign
):
    campaign, sessions = campaign
    url = reverse("sessions_app:campaign", args=[campaign.pk])
    client.force_login(administrator)
    apply(campaign, sessions, 2)
    small = queries(client, url)
    apply(campaign, sessions, 58)
    assert queries(client, url) == small


def test_the_applications_come_a_page_at_a_time(client, administrator, campaign, monkeypatch):
    campaign, sessions = campaign
    monkeypatch.setattr(campaigns, "APPLICATIONS_PER_PAGE", 2)
    apply(campaign, sessions, 5)
    first, *_rest, last = Application.objects.filter(campaign=campaign).order_by("applied_at")
    client.force_login(administrator)
    url = reverse("sessions_app:campaign", args=[campaign.pk])
    html = client.get(url).content.decode()
    assert "Candidatures (5)" in html  # every application counted, two shown
    assert str(first.candidate) in html and str(last.candidate) not in html
    assert "page=2" in html
    html = client.get(url, {"page": 3}).content.decode()
    assert str(last.candidate) in html and str(first.candidate) not in html
    assert f"1. {sessions[0]} ; 2. {sessions[1]}" in html
