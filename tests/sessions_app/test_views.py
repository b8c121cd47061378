"""Pages of sessions_app, for each persona that may or may not use them."""

import datetime as dt
from urllib.parse import quote, urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from sessions_app.models import Audience, Campaign, Registration, Session, SessionStatus

from .conftest import NOW, complete_identity, make_candidate, make_session

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["sessions", "calendar", "session_create", "session_series", "rooms", "campaigns",
               "campaign_create"]  # fmt: skip
CANDIDATE_PAGES = ["offer", "mine"]


@pytest.fixture
def future_session(year, room):
    """A session in the future of the real clock (pages read the real time)."""
    day = timezone.localdate() + dt.timedelta(days=30)
    year.end_date = day + dt.timedelta(days=200)
    year.save()
    return Session.objects.create(
        academic_year=year, date=day, start_time=dt.time(9, 0), room=room, capacity=2,
        audience=Audience.MIXED, status=SessionStatus.OPEN,
    )  # fmt: skip


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_for_each_persona(client, name, administrator, student, invigilator, referent):
    url = reverse(f"sessions_app:{name}")
    assert client.get(url).status_code == 302  # anonymous → login
    for refused in (student, invigilator, referent):
        client.force_login(refused)
        assert client.get(url).status_code == 403
    client.force_login(administrator)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", CANDIDATE_PAGES)
def test_candidate_pages_for_each_persona(client, name, student, outsider, administrator, year):
    url = reverse(f"sessions_app:{name}")
    client.force_login(administrator)
    assert client.get(url).status_code == 403
    client.force_login(outsider)  # a candidate account without a candidate record
    response = client.get(url)
    assert response.status_code == 302  # to the identity form, not a 404 (see below)
    client.force_login(student)
    assert client.get(url).status_code == 200


NEW_ACCOUNT_MENU = ["sessions_app:offer", "sessions_app:mine", "convocations:mine", "results:mine"]


@pytest.mark.parametrize("name", NEW_ACCOUNT_MENU)
def test_a_new_account_is_sent_from_its_menu_to_the_identity_form_with_a_sentence(
    client, name, outsider, year
):
    url = reverse(name)
    client.force_login(outsider)
    response = client.get(url, follow=True)
    assert response.redirect_chain == [
        (f"/candidats/moi/identite/?next={quote(url, safe='')}", 302)
    ]
    assert response.status_code == 200
    text = response.content.decode()
    assert "Indiquez d’abord votre identité telle que Pix la demande" in text
    assert 'name="birth_name"' in text  # the identity form itself


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [("/sessions/mon-inscription/", "/sessions/mon-inscription/"),
     ("https://evil.example/", "/candidats/moi/"), ("//evil.example/", "/candidats/moi/")],
)  # fmt: skip
def test_after_the_identity_form_the_new_account_is_back_where_it_was_going(
    client, outsider, year, next_url, landing
):
    from candidates.models import Candidate
    from tests.candidates.test_views import identity_post

    client.force_login(outsider)
    response = client.post(
        f"/candidats/moi/identite/?{urlencode({'next': next_url})}", identity_post()
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == landing  # never off the site
    assert Candidate.objects.filter(user=outsider).exists()
    assert client.get(reverse("sessions_app:mine")).status_code == 200


def test_a_new_accounts_post_to_take_a_seat_goes_to_the_identity_form_then_the_offer(
    client, outsider, future_session
):
    client.force_login(outsider)
    response = client.post(reverse("sessions_app:register", args=[future_session.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/candidats/moi/identite/?next=%2Fsessions%2Foffre%2F"


def test_a_candidate_cannot_see_or_cancel_anothers_registration(
    client, future_session, eligible_student, other_student, invigilator
):
    reg = services.register_first_come(
        future_session, eligible_student.candidate, acting_user=eligible_student
    )
    url = reverse("sessions_app:cancel", args=[reg.pk])
    client.force_login(other_student)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(invigilator)
    assert client.get(url).status_code == 403
    reg.refresh_from_db()
    assert reg.status == "confirmed"
    client.force_login(eligible_student)
    assert "Confirmer l’annulation" in client.get(url).content.decode()
    client.post(url)
    reg.refresh_from_db()
    assert reg.status == "cancelled"


def test_session_list_queries_do_not_grow_with_sessions(
    client, administrator, year, room, django_assert_num_queries
):
    for day in range(1, 13):
        session = make_session(year, room, day=day)
        Registration.objects.create(
            candidate=make_candidate(), session=session, academic_year=year, status="confirmed",
            source="override", created_at=NOW,
        )  # fmt: skip
    client.force_login(administrator)
    url = reverse("sessions_app:sessions") + f"?year={year.pk}"
    # 1 Django session, 2 user, 3 academic years (filter), 4 sessions with room, year and
    # counts (one annotated query); the nav's is_administrator reads no table.
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.content.decode().count('name="session"') == 12


def test_administrator_creates_a_session_and_a_series(client, administrator, year, room):
    client.force_login(administrator)
    response = client.post(
        reverse("sessions_app:session_create"),
        {"date": "2025-11-03", "start_time": "09:00", "room": room.pk, "capacity": 20,
         "audience": "students"},
    )  # fmt: skip
    session = Session.objects.get()
    assert response.url == reverse("sessions_app:session", args=[session.pk])
    with time_machine.travel(NOW, tick=False):  # a series refuses past dates
        response = client.post(
            reverse("sessions_app:session_series"),
            {"dates": "04/11/2025\n05/11/2025", "times": "09:00, 14:00", "rooms": [room.pk],
             "audience": "mixed", "complementary": ["droit"]},
        )  # fmt: skip
    assert response.status_code == 302
    assert Session.objects.count() == 5
    # An overlapping one is refused with the reason, nothing created.
    response = client.post(
        reverse("sessions_app:session_create"),
        {"date": "2025-11-03", "start_time": "10:00", "room": room.pk, "capacity": 20,
         "audience": "students"},
    )  # fmt: skip
    assert "déjà occupée" in response.content.decode()
    assert Session.objects.count() == 5


def test_calendar_shows_the_months_sessions(client, administrator, year, room):
    make_session(year, room, day=15)
    client.force_login(administrator)
    body = client.get(reverse("sessions_app:calendar") + "?month=2025-10").content.decode()
    assert "octobre 2025" in body
    assert "09:00 Salle S1 (0/20)" in body


def test_campaign_from_application_to_seat_through_the_pages(
    client, administrator, eligible_student, year, room, other_room,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    now = timezone.now()
    day = timezone.localdate() + dt.timedelta(days=40)
    year.end_date = day + dt.timedelta(days=100)
    year.save()
    sessions = [
        Session.objects.create(academic_year=year, date=day, start_time=dt.time(h, 0),
                               room=room, audience="students")
        for h in (9, 14)
    ]  # fmt: skip
    client.force_login(administrator)
    response = client.post(
        reverse("sessions_app:campaign_create"),
        {"academic_year": year.pk, "name": "Printemps",
         "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
         "closes_at": (now + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
         "sessions": [s.pk for s in sessions]},
    )  # fmt: skip
    campaign = Campaign.objects.get()
    assert response.url == reverse("sessions_app:campaign", args=[campaign.pk])

    client.force_login(eligible_student)
    assert "Printemps" in client.get(reverse("sessions_app:offer")).content.decode()
    response = client.post(
        reverse("sessions_app:apply", args=[campaign.pk]),
        {"wish_1": sessions[1].pk, "wish_2": sessions[0].pk, "wish_3": ""},
    )
    assert response.status_code == 302
    assert "en attente d’attribution" in client.get(reverse("sessions_app:mine")).content.decode()

    client.force_login(administrator)
    url = reverse("sessions_app:campaign", args=[campaign.pk])
    preview = client.get(url + "?preview=1").content.decode()
    assert "Simulation" in preview and "MARTIN Léa" in preview
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=now - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        step = client.post(reverse("sessions_app:campaign_allocate", args=[campaign.pk]))
        assert "l’attribution ne se refait pas" in step.content.decode()
        assert Campaign.objects.get(pk=campaign.pk).allocated_at is None
        client.post(
            reverse("sessions_app:campaign_allocate", args=[campaign.pk]), {"confirmed": "1"}
        )
    reg = Registration.objects.get(candidate=eligible_student.candidate)
    assert (reg.session_id, reg.status) == (sessions[1].pk, "confirmed")

    client.force_login(eligible_student)
    body = client.get(reverse("sessions_app:mine")).content.decode()
    assert "Place confirmée" in body and "Annuler mon inscription" in body
    assert "Votre niveau de priorité : 3" in body


def test_waitlisted_candidate_sees_their_position(
    client, future_session, eligible_student, administrator
):
    for _ in range(2):
        services.override_seat(future_session, make_candidate(), acting_user=administrator)
    client.force_login(eligible_student)
    client.post(reverse("sessions_app:register", args=[future_session.pk]))
    body = client.get(reverse("sessions_app:mine")).content.decode()
    assert "Liste d’attente" in body and "Position sur la liste d’attente : 1." in body


def test_external_is_sent_to_the_booking_page_that_shows_the_fee(
    client, future_session, eligible_external
):
    """Externals book from billing's page (tests/billing/test_booking.py): the fee first."""
    client.force_login(eligible_external)
    offer = client.get(reverse("sessions_app:offer")).content.decode()
    assert f'href="/couts/reserver/{future_session.pk}/">' in offer and "Réserver (payant)" in offer
    response = client.post(reverse("sessions_app:register", args=[future_session.pk]))
    assert response["Location"] == f"/couts/reserver/{future_session.pk}/"
    assert not Registration.objects.filter(candidate=eligible_external.candidate).exists()


def test_session_detail_no_show_and_override(client, administrator, year, room):
    session = make_session(year, room, day=1)  # 1 October 2025: already past
    candidate = make_candidate()
    client.force_login(administrator)
    client.post(reverse("sessions_app:session_override", args=[session.pk]),
                {"candidate": candidate.pk})  # fmt: skip
    reg = Registration.objects.get(candidate=candidate)
    assert reg.status == "confirmed"
    body = client.get(reverse("sessions_app:session", args=[session.pk])).content.decode()
    assert str(candidate) in body
    client.post(reverse("sessions_app:no_show", args=[reg.pk]))
    reg.refresh_from_db()
    assert reg.status == "confirmed"  # a confirmation page first
    client.post(reverse("sessions_app:no_show", args=[reg.pk]), {"confirmed": "1"})
    reg.refresh_from_db()
    assert reg.status == "no_show"


def test_export_view_lists_problems_then_downloads(client, administrator, year, room, time_machine):
    time_machine.move_to(NOW, tick=False)  # before the session: Pix refuses one in the past
    session = make_session(year, room)
    candidate = make_candidate()
    Registration.objects.create(
        candidate=candidate, session=session, academic_year=year, status="confirmed",
        source="override", created_at=NOW,
    )  # fmt: skip
    client.force_login(administrator)
    url = reverse("sessions_app:export") + f"?session={session.pk}&format=csv"
    response = client.get(url)
    assert response.status_code == 409
    assert "Indiquez au moins un surveillant" in response.content.decode()
    response = client.get(url + "&invigilators=Paul Surveillant")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbfNum\xc3\xa9ro de session")
    assert candidate.birth_name in response.content.decode("utf-8-sig")
    ods = client.get(
        reverse("sessions_app:export") + f"?session={session.pk}&format=ods&invigilators=P"
    )
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert ods.content[:2] == b"PK"


def test_student_with_incomplete_identity_is_told_why(client, student, year):
    client.force_login(student)
    body = client.get(reverse("sessions_app:offer")).content.decode()
    assert "identité est incomplète" in body
    complete_identity(student.candidate)
    body = client.get(reverse("sessions_app:offer")).content.decode()
    assert "identité est incomplète" not in body


def test_complementary_and_prepaid_forms(client, future_session, eligible_student, administrator):
    future_session.complementary = ["droit"]
    future_session.save()
    reg = services.register_first_come(
        future_session, eligible_student.candidate, acting_user=eligible_student
    )
    client.force_login(eligible_student)
    assert "Pix+ Droit" in client.get(reverse("sessions_app:mine")).content.decode()
    client.post(reverse("sessions_app:complementary", args=[reg.pk]), {"complementary": "droit"})
    reg.refresh_from_db()
    assert reg.complementary == "droit"
    assert client.post(reverse("sessions_app:prepaid", args=[reg.pk])).status_code == 403
    client.force_login(administrator)
    client.post(reverse("sessions_app:prepaid", args=[reg.pk]), {"prepaid_code": "1/F"})
    reg.refresh_from_db()
    assert reg.pricing == "Prépayée"
    body = client.get(reverse("sessions_app:session", args=[future_session.pk])).content.decode()
    assert "Prépayée" in body


@pytest.mark.parametrize("name", ["offer", "campaigns"])
def test_list_pages_do_not_query_per_row(client, name, eligible_student, administrator, year, room):
    """The same number of queries for 2 or 12 sessions and campaigns (no N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = eligible_student if name == "offer" else administrator
    client.force_login(user)
    now = timezone.now()
    year.end_date = timezone.localdate() + dt.timedelta(days=300)
    year.save()

    def add(n):
        for _ in range(n):
            day = timezone.localdate() + dt.timedelta(days=10 + Session.objects.count())
            s = Session.objects.create(
                academic_year=year, date=day, start_time=dt.time(9), room=room,
                status=SessionStatus.OPEN,
            )  # fmt: skip
            c = Campaign.objects.create(
                academic_year=year, name=f"C{s.pk}", opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=1),
            )  # fmt: skip
            c.sessions.add(s)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(f"sessions_app:{name}")).status_code == 200
        return len(ctx)

    add(2)
    few = count()
    add(10)
    assert count() == few


def test_an_external_candidate_on_a_students_campaign_is_sent_to_the_offer(
    client, external, year, room
):
    now = timezone.now()
    day = timezone.localdate() + dt.timedelta(days=40)
    year.end_date = day + dt.timedelta(days=100)
    year.save()
    session = Session.objects.create(
        academic_year=year, date=day, start_time=dt.time(9, 0), room=room, audience="students"
    )
    campaign = Campaign.objects.create(
        academic_year=year, name="Printemps", opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=2),
    )  # fmt: skip
    campaign.sessions.add(session)
    client.force_login(external)
    response = client.get(reverse("sessions_app:apply", args=[campaign.pk]), follow=True)
    assert response.redirect_chain == [(reverse("sessions_app:offer"), 302)]
    assert "Cette campagne ne vous concerne pas" in response.content.decode()


# --- what the offer proposes -------------------------------------------------------------------


@pytest.fixture
def afternoon(time_machine, year, room):
    """It is 15:00 (Paris) on a day of the year: this morning's session has started."""
    from sessions_app.models import PARIS

    day = dt.date(2025, 10, 20)
    time_machine.move_to(dt.datetime.combine(day, dt.time(15, 0), tzinfo=PARIS), tick=False)
    return day


def test_sessions_started_or_past_are_never_offered(
    client, afternoon, year, room, eligible_student
):
    def at(day, hour):
        return Session.objects.create(
            academic_year=year, date=day, start_time=dt.time(hour, 0), room=room, capacity=20,
            audience=Audience.STUDENTS, status=SessionStatus.OPEN,
        )  # fmt: skip

    yesterday = at(afternoon - dt.timedelta(days=1), 14)
    this_morning = at(afternoon, 9)
    tonight = at(afternoon, 18)
    tomorrow = at(afternoon + dt.timedelta(days=1), 9)
    client.force_login(eligible_student)
    offered = {s.pk for s in client.get(reverse("sessions_app:offer")).context["sessions"]}
    assert offered == {tonight.pk, tomorrow.pk}
    assert yesterday.pk not in offered and this_morning.pk not in offered
    # Nor in a campaign's wishes.
    campaign = Campaign.objects.create(
        academic_year=year, name="Campagne", opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    campaign.sessions.add(this_morning, tonight)
    form = client.get(reverse("sessions_app:apply", args=[campaign.pk])).context["form"]
    choices = {value for value, _ in form.fields["wish_1"].choices if value}
    assert {getattr(v, "value", v) for v in choices} == {tonight.pk}
    with pytest.raises(services.SessionError, match="déjà commencé"):
        services.apply_for_campaign(
            campaign, eligible_student.candidate, [this_morning.pk], acting_user=eligible_student
        )


def test_a_candidate_with_a_seat_is_not_offered_another_and_a_refusal_is_said_once(
    client, future_session, year, room, eligible_student
):
    other = Session.objects.create(
        academic_year=year, date=future_session.date, start_time=dt.time(14, 0), room=room,
        capacity=20, audience=Audience.STUDENTS, status=SessionStatus.OPEN,
    )  # fmt: skip
    services.register_first_come(
        future_session, eligible_student.candidate, acting_user=eligible_student
    )
    client.force_login(eligible_student)
    offer = client.get(reverse("sessions_app:offer")).content.decode()
    assert "Prendre cette place" not in offer
    assert offer.count("Vous avez déjà une place") == 1
    # A request sent anyway (an old tab): refused, and the reason once, not twice.
    response = client.post(reverse("sessions_app:register", args=[other.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("sessions_app:offer")
    assert response.content.decode().count("Vous avez déjà une place") == 1
    assert not Registration.objects.filter(session=other).exists()
