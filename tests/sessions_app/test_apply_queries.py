"""The apply request of a registration opening: its queries, counted (issue 17: at most 12).

Each query is named in the test, so that a new one is a decision, not an accident."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox import dispatch
from outbox.models import PendingTask
from pixcentre.celery import app as celery_app
from sessions_app.models import Application, Campaign, Session

# No test transaction around the request: the queries counted are those production sends
# (the service's durable transaction is then BEGIN and COMMIT, not savepoints).
pytestmark = pytest.mark.django_db(transaction=True)


def statements(queries, *, sql=False):
    """The statements of a request but BEGIN and COMMIT, which only SQLite's backend logs
    (psycopg2 sends them without a logged query)."""
    found = [
        q["sql"][:120]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() not in ("BEGIN", "COMMIT")
    ]
    return found if sql else len(found)


@pytest.fixture
def broker(monkeypatch):
    """As in production: tasks go through the outbox to a broker (here one that records them),
    so that the outbox's own statements are counted too."""
    # Not monkeypatch for the flag: tests/conftest.py's _celery_in_process restores it.
    celery_app.conf.task_always_eager = False
    sent = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args=None, kwargs=None, **options: sent.append(name)
    )
    return sent


@pytest.fixture
def campaign(year, room):
    now = timezone.now()
    day = timezone.localdate() + dt.timedelta(days=40)
    year.end_date = day + dt.timedelta(days=100)
    year.save()
    sessions = [
        Session.objects.create(
            academic_year=year,
            date=day,
            start_time=dt.time(h, 0),
            room=room,
            audience="students",
            status="open",
        )
        for h in (9, 11, 14)
    ]
    campaign = Campaign.objects.create(
        academic_year=year,
        name="Printemps",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=2),
    )
    campaign.sessions.set(sessions)
    return campaign, sessions


def test_an_application_takes_at_most_12_queries(client, eligible_student, campaign, broker):
    campaign, sessions = campaign
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    client.get(url)  # the form first, as a student does
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url, {"wish_1": sessions[1].pk, "wish_2": sessions[0].pk, "wish_3": ""}
        )
    assert response.status_code == 302, response.content.decode()[-3000:]
    # session, user with their candidate (authentication: candidates/backends.py); the
    # campaign with the sessions wished and their rooms, in one statement; the application
    # inserted unless the candidate holds a seat this year, or, if it exists (a double click),
    # locked, in one statement; its wishes taken out (none yet) and written; the audit row;
    # the acknowledgement's outbox row. Nothing after the commit: the outbox's sweep publishes
    # the acknowledgement, whose task describes the wishes and renders the email.
    assert statements(queries) == 8, "\n".join(statements(queries, sql=True))
    assert broker == []
    row = PendingTask.objects.get()
    assert row.task_name == "sessions_app.tasks.acknowledge_application"
    assert row.args == [Application.objects.get().pk, [sessions[1].pk, sessions[0].pk]]
    assert dispatch.sweep() == {"published": 1, "waiting": 0}  # beat's, seconds later
    assert broker == ["sessions_app.tasks.acknowledge_application"]
    assert list(Application.objects.get().wishes.values_list("session_id", flat=True)) == [
        sessions[1].pk,
        sessions[0].pk,
    ]


def test_changing_ones_wishes_takes_at_most_12_queries_too(
    client, eligible_student, campaign, broker
):
    campaign, sessions = campaign
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    client.post(url, {"wish_1": sessions[1].pk, "wish_2": "", "wish_3": ""})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"wish_1": sessions[2].pk, "wish_2": sessions[0].pk})
    assert response.status_code == 302
    # the same: the old wishes are what the statement that takes them out returns
    assert statements(queries) == 8, "\n".join(statements(queries, sql=True))
    assert PendingTask.objects.count() == 2  # two acknowledgements, for the sweep
    assert list(Application.objects.get().wishes.values_list("session_id", flat=True)) == [
        sessions[2].pk,
        sessions[0].pk,
    ]


def test_a_double_click_takes_fewer_and_queues_nothing(client, eligible_student, campaign, broker):
    campaign, sessions = campaign
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    client.post(url, {"wish_1": sessions[1].pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"wish_1": sessions[1].pk})
    assert response.status_code == 302
    # no audit row, no second acknowledgement: nothing changed
    assert statements(queries) == 6, "\n".join(statements(queries, sql=True))
    assert PendingTask.objects.count() == 1  # the first request's acknowledgement only
    applied = Application.objects.get()
    assert list(applied.wishes.values_list("session_id", flat=True)) == [sessions[1].pk]


def test_a_refused_application_still_says_wishes_were_sent(client, eligible_student, campaign):
    campaign, sessions = campaign
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    client.post(url, {"wish_1": sessions[1].pk})
    body = client.post(url, {"wish_1": sessions[1].pk, "wish_2": sessions[1].pk}).content.decode()
    assert "Modifier mes vœux" in body
    # the request read only the session wished; the page shown again offers all of them
    assert "Chaque session ne peut être choisie qu’une fois." in body
    for session in sessions:
        assert f'<option value="{session.pk}"' in body


def test_a_form_refused_by_its_own_rules_offers_every_session_again(
    client, eligible_student, campaign
):
    campaign, sessions = campaign
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    response = client.post(url, {"wish_1": "", "wish_2": sessions[0].pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ce champ est obligatoire." in body
    for session in sessions:
        assert f'<option value="{session.pk}"' in body
    assert not Application.objects.exists()


def test_a_candidate_with_a_seat_this_year_is_refused_by_the_same_statement(
    client, eligible_student, campaign, broker
):
    from sessions_app.models import Registration

    campaign, sessions = campaign
    Registration.objects.create(
        candidate=eligible_student.candidate, session=sessions[2],
        academic_year=campaign.academic_year, status="waitlisted", waitlist_order=1,
        created_at=timezone.now(),
    )  # fmt: skip
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    body = client.post(url, {"wish_1": sessions[1].pk}).content.decode()
    assert "Vous avez déjà une place (ou une place en liste d’attente) cette année." in body
    assert not Application.objects.exists()
    assert broker == []


def session_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"sessions_app_session"' in q["sql"]]


def test_an_application_reads_only_the_sessions_wished(client, eligible_student, campaign, broker):
    """The campaign may offer dozens of sessions: the POST reads the (up to three) wished."""
    campaign, sessions = campaign
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"wish_1": sessions[2].pk, "wish_2": sessions[0].pk})
    assert response.status_code == 302
    (query,) = session_queries(queries)
    assert f"cs.session_id IN ({sessions[2].pk}, {sessions[0].pk})" in query
    wishes = Application.objects.get().wishes.order_by("rank")
    assert list(wishes.values_list("session_id", flat=True)) == [sessions[2].pk, sessions[0].pk]


@pytest.mark.parametrize(
    "wish",
    ["other campaign", "other audience", "started", "abc", "99999999999999999999999", "-1"],
)
def test_a_wish_the_campaign_does_not_offer_is_refused_with_every_session_offered(
    client, eligible_student, campaign, year, room, wish
):
    campaign, sessions = campaign
    day = sessions[0].date
    elsewhere = {
        "other campaign": {"date": day, "start_time": dt.time(16), "audience": "students"},
        "other audience": {"date": day, "start_time": dt.time(17), "audience": "staff"},
        "started": {"date": timezone.localdate() - dt.timedelta(days=1), "start_time": dt.time(9)},
    }
    if wish in elsewhere:
        session = Session.objects.create(
            academic_year=year, room=room, status="open", **elsewhere[wish]
        )
        if wish != "other campaign":
            campaign.sessions.add(session)
        wish = session.pk
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    response = client.post(url, {"wish_1": wish, "wish_2": sessions[0].pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sélectionnez un choix valide" in body
    for session in sessions:
        assert f'<option value="{session.pk}"' in body
    assert f'<option value="{wish}"' not in body
    assert not Application.objects.exists()


def test_a_post_to_a_campaign_that_does_not_exist_is_a_404(client, eligible_student, campaign):
    campaign, sessions = campaign
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk + 1000])
    assert client.post(url, {"wish_1": sessions[0].pk}).status_code == 404


def test_a_post_to_a_campaign_not_open_yet_says_so(client, eligible_student, campaign):
    campaign, sessions = campaign
    Campaign.objects.filter(pk=campaign.pk).update(opens_at=timezone.now() + dt.timedelta(1))
    client.force_login(eligible_student)
    url = reverse("sessions_app:apply", args=[campaign.pk])
    response = client.post(url, {"wish_1": sessions[0].pk})
    assert response.status_code == 200
    assert "Les candidatures à cette campagne ouvrent le" in response.content.decode()
    assert not Application.objects.exists()


def test_the_wished_offer_is_what_the_orm_reads(campaign, room):
    """The apply POST's hand-written read gives the objects the ORM gives: every field, through
    the fields' converters (JSON, booleans, dates and times on SQLite), the room attached."""
    from sessions_app.services import wished_offer

    campaign, sessions = campaign
    Session.objects.filter(pk=sessions[0].pk).update(complementary=["CLEA"], capacity=7)
    started = Session.objects.create(
        academic_year=campaign.academic_year, room=room, status="open", audience="students",
        date=timezone.localdate() - dt.timedelta(days=1), start_time=dt.time(9),
    )  # fmt: skip
    campaign.sessions.add(started)
    wished = [sessions[2].pk, started.pk, sessions[0].pk, 999999]
    read, offered = wished_offer(campaign.pk, wished, now=timezone.now())

    def fields(obj):
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    assert fields(read) == fields(Campaign.objects.get(pk=campaign.pk))
    assert not read._state.adding
    expected = Session.objects.filter(pk__in=[sessions[0].pk, sessions[2].pk]).select_related(
        "room"
    ).order_by("date", "start_time")  # fmt: skip
    assert [fields(s) for s in offered] == [fields(s) for s in expected]
    assert [fields(s.room) for s in offered] == [fields(s.room) for s in expected]
    assert offered[0].complementary == ["CLEA"] and offered[0].room.accessible is True
    assert wished_offer(campaign.pk, [started.pk], now=timezone.now()) == (read, [])
    assert wished_offer(campaign.pk + 1000, [sessions[0].pk], now=timezone.now()) == (None, [])
