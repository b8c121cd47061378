"""The administrators' session forms and action buttons, fed random values.

Never a 500; a form is accepted (redirect) or shown again with an error and nothing written;
an action button always redirects with a message saying what happened.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from candidates.models import Candidate
from sessions_app.models import (
    Audience,
    Campaign,
    Complementary,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Room,
    Session,
    SessionStatus,
)

from .conftest import (
    FUZZ,
    assert_accepted_or_explained,
    assert_redirect_with_message,
    client_for,
    rolled_back,
)
from .strategies import (
    FORM_DATE,
    FORM_DATETIME,
    FORM_NUMBER,
    FORM_TEXT,
    FORM_TIME,
    choices,
    ids,
    maybe,
    post_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(year, room):
    return Session.objects.create(
        academic_year=year,
        date=timezone.localdate() + dt.timedelta(days=20),
        start_time=dt.time(9, 0),
        room=room,
        capacity=20,
        audience=Audience.MIXED,
        status=SessionStatus.OPEN,
        complementary=[Complementary.choices[0][0]],
    )


@pytest.fixture
def seat(session, student):
    from tests.sessions_app.conftest import complete_identity

    candidate = complete_identity(student.candidate)
    return Registration.objects.create(
        candidate=candidate,
        session=session,
        academic_year=session.academic_year,
        status=RegistrationStatus.CONFIRMED,
        source=RegistrationSource.OVERRIDE,
        created_at=timezone.now(),
        confirmed_at=timezone.now(),
    )


def tables():
    return (
        Room.objects.count(),
        Session.objects.count(),
        Campaign.objects.count(),
        Registration.objects.count(),
    )


# --- forms with a page --------------------------------------------------------------------------


@FUZZ
@given(
    site=maybe(FORM_TEXT),
    name=maybe(FORM_TEXT),
    address=maybe(FORM_TEXT),
    capacity=maybe(FORM_NUMBER),
    accessible=maybe(st.sampled_from(["on", "", "false", "x"])),
)
def test_room_form(administrator, site, name, address, capacity, accessible):
    with rolled_back():
        before = tables()
        response = client_for(administrator).post(
            reverse("sessions_app:rooms"),
            post_data(
                site=site, name=name, address=address, capacity=capacity, accessible=accessible
            ),
        )
        if not assert_accepted_or_explained(response):
            assert tables() == before


@FUZZ
@given(data=st.data())
def test_session_form(administrator, room, year, data):
    fields = post_data(
        date=data.draw(maybe(FORM_DATE), label="date"),
        start_time=data.draw(maybe(FORM_TIME), label="start_time"),
        room=data.draw(maybe(ids(room.pk)), label="room"),
        capacity=data.draw(maybe(FORM_NUMBER), label="capacity"),
        audience=data.draw(maybe(choices(Audience.values)), label="audience"),
        complementary=data.draw(
            maybe(st.lists(choices(Complementary.values), max_size=3)), label="complementary"
        ),
    )
    with rolled_back():
        before = tables()
        response = client_for(administrator).post(reverse("sessions_app:session_create"), fields)
        if not assert_accepted_or_explained(response):
            assert tables() == before


@FUZZ
@given(data=st.data())
def test_session_series_form(administrator, room, year, data):
    lines = st.lists(FORM_DATE, max_size=4).map("\n".join)
    fields = post_data(
        dates=data.draw(maybe(lines), label="dates"),
        times=data.draw(maybe(st.lists(FORM_TIME, max_size=3).map(", ".join)), label="times"),
        rooms=data.draw(maybe(st.lists(ids(room.pk), max_size=2)), label="rooms"),
        capacity=data.draw(maybe(FORM_NUMBER), label="capacity"),
        audience=data.draw(maybe(choices(Audience.values)), label="audience"),
        complementary=data.draw(
            maybe(st.lists(choices(Complementary.values), max_size=2)), label="complementary"
        ),
    )
    with rolled_back():
        before = tables()
        response = client_for(administrator).post(reverse("sessions_app:session_series"), fields)
        if not assert_accepted_or_explained(response):
            assert tables() == before


@FUZZ
@given(data=st.data())
def test_session_reschedule_form(administrator, session, room, data):
    fields = post_data(
        date=data.draw(maybe(FORM_DATE), label="date"),
        start_time=data.draw(maybe(FORM_TIME), label="start_time"),
        room=data.draw(maybe(ids(room.pk)), label="room"),
    )
    with rolled_back():
        before = Session.objects.values_list("date", "start_time", "room_id").get(pk=session.pk)
        response = client_for(administrator).post(
            reverse("sessions_app:session_reschedule", args=[session.pk]), fields
        )
        if not assert_accepted_or_explained(response):
            after = Session.objects.values_list("date", "start_time", "room_id").get(pk=session.pk)
            assert after == before


@FUZZ
@given(data=st.data())
def test_campaign_form(administrator, session, year, data):
    fields = post_data(
        academic_year=data.draw(maybe(ids(year.pk)), label="academic_year"),
        name=data.draw(maybe(FORM_TEXT), label="name"),
        opens_at=data.draw(maybe(FORM_DATETIME), label="opens_at"),
        closes_at=data.draw(maybe(FORM_DATETIME), label="closes_at"),
        sessions=data.draw(maybe(st.lists(ids(session.pk), max_size=2)), label="sessions"),
    )
    with rolled_back():
        before = tables()
        response = client_for(administrator).post(reverse("sessions_app:campaign_create"), fields)
        if not assert_accepted_or_explained(response):
            assert tables() == before


@FUZZ
@given(data=st.data())
def test_session_edit_form(administrator, seat, data):
    session = seat.session
    fields = post_data(
        capacity=data.draw(maybe(FORM_NUMBER), label="capacity"),
        audience=data.draw(maybe(choices(Audience.values)), label="audience"),
        complementary=data.draw(
            maybe(st.lists(choices(Complementary.values), max_size=3)), label="complementary"
        ),
    )
    columns = ("capacity", "audience", "complementary")
    with rolled_back():
        before = Session.objects.values_list(*columns).get(pk=session.pk)
        seats = list(Registration.objects.values_list("pk", "status"))
        response = client_for(administrator).post(
            reverse("sessions_app:session_edit", args=[session.pk]), fields
        )
        if not assert_accepted_or_explained(response):
            assert Session.objects.values_list(*columns).get(pk=session.pk) == before
        # Whatever was accepted, the registered student keeps their seat.
        assert list(Registration.objects.values_list("pk", "status")) == seats


@FUZZ
@given(
    site=maybe(FORM_TEXT),
    name=maybe(FORM_TEXT),
    address=maybe(FORM_TEXT),
    capacity=maybe(FORM_NUMBER),
    accessible=maybe(st.sampled_from(["on", "", "false", "x"])),
)
def test_room_edit_form(administrator, session, site, name, address, capacity, accessible):
    room = session.room
    columns = ("site", "name", "address", "capacity", "accessible")
    with rolled_back():
        before = Room.objects.values_list(*columns).get(pk=room.pk)
        response = client_for(administrator).post(
            reverse("sessions_app:room_edit", args=[room.pk]),
            post_data(
                site=site, name=name, address=address, capacity=capacity, accessible=accessible
            ),
        )
        if not assert_accepted_or_explained(response):
            assert Room.objects.values_list(*columns).get(pk=room.pk) == before
        # A room never ends up smaller than a coming session in it.
        assert Room.objects.get(pk=room.pk).capacity >= session.capacity


# --- action buttons on the session page -----------------------------------------------------------


@FUZZ
@given(status=maybe(choices(SessionStatus.values)))
def test_session_status_button(administrator, session, status):
    with rolled_back():
        response = client_for(administrator).post(
            reverse("sessions_app:session_status", args=[session.pk]),
            {**post_data(status=status), "confirmed": "1"},  # past the confirmation step
        )
        assert_redirect_with_message(response)


@FUZZ
@given(number=maybe(FORM_TEXT), access_code=maybe(FORM_TEXT))
def test_session_pix_certif_button(administrator, session, number, access_code):
    with rolled_back():
        response = client_for(administrator).post(
            reverse("sessions_app:session_pix", args=[session.pk]),
            post_data(number=number, access_code=access_code),
        )
        messages = assert_redirect_with_message(response)
        if ("success", "Identifiants Pix Certif enregistrés.") not in messages:
            session.refresh_from_db()
            assert (session.pix_session_number, session.pix_access_code) == ("", "")


@FUZZ
@given(data=st.data())
def test_session_override_button(administrator, session, other_student, data):
    candidate = Candidate.objects.get(user=other_student)
    value = data.draw(maybe(ids(candidate.pk)), label="candidate")
    with rolled_back():
        before = tables()
        response = client_for(administrator).post(
            reverse("sessions_app:session_override", args=[session.pk]),
            post_data(candidate=value),
        )
        messages = assert_redirect_with_message(response)
        if not any(level == "success" for level, _text in messages):
            assert tables() == before


@FUZZ
@given(complementary=maybe(FORM_TEXT | st.sampled_from(Complementary.values)))
def test_complementary_button(student, seat, complementary):
    with rolled_back():
        response = client_for(student).post(
            reverse("sessions_app:complementary", args=[seat.pk]),
            post_data(complementary=complementary),
        )
        assert_redirect_with_message(response)


@FUZZ
@given(prepaid_code=maybe(FORM_TEXT))
def test_prepaid_button(administrator, seat, prepaid_code):
    with rolled_back():
        response = client_for(administrator).post(
            reverse("sessions_app:prepaid", args=[seat.pk]), post_data(prepaid_code=prepaid_code)
        )
        assert_redirect_with_message(response)


@pytest.mark.parametrize("name", ["cancel", "no_show"])
def test_cancel_and_no_show_buttons_of_someone_else_are_404(name, other_student, seat):
    """Ids of other objects: another candidate's seat is not found, not a crash."""
    response = client_for(other_student).post(reverse(f"sessions_app:{name}", args=[seat.pk]))
    assert response.status_code in (403, 404)


@FUZZ
@given(pk=st.integers(0, 2**31 - 1))
def test_action_buttons_on_any_id_are_404_or_a_message(administrator, seat, pk):
    """Ids of no object. On PostgreSQL the sequences are not reset between tests, so a drawn id
    can be the seat's or its session's own (CI drew 1721, the seat: its cancel page is a 200);
    those are the other tests' business."""
    assume(not Session.objects.filter(pk=pk).exists())
    assume(not Registration.objects.filter(pk=pk).exists())
    client = client_for(administrator)
    for name in ("session_status", "session_pix", "session_override"):
        response = client.post(reverse(f"sessions_app:{name}", args=[pk]), {"status": "open"})
        assert response.status_code in (302, 404)
    for name in ("cancel", "no_show", "prepaid", "complementary"):
        response = client.post(reverse(f"sessions_app:{name}", args=[pk]))
        assert response.status_code in (302, 404)


# --- candidates ---------------------------------------------------------------------------------


@pytest.fixture
def open_campaign(year, session, room):
    second = Session.objects.create(
        academic_year=year,
        date=session.date + dt.timedelta(days=1),
        start_time=dt.time(14, 0),
        room=room,
        capacity=20,
        audience=Audience.STUDENTS,
        status=SessionStatus.OPEN,
    )
    now = timezone.now()
    campaign = Campaign.objects.create(
        academic_year=year,
        name="Printemps",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=5),
    )
    campaign.sessions.set([session, second])
    return campaign


@FUZZ
@given(data=st.data())
def test_application_form(student, open_campaign, data):
    from tests.sessions_app.conftest import complete_identity

    complete_identity(student.candidate)
    pks = [s.pk for s in open_campaign.sessions.all()]
    fields = post_data(
        **{f"wish_{rank}": data.draw(maybe(ids(*pks)), label=f"wish_{rank}") for rank in (1, 2, 3)}
    )
    with rolled_back():
        before = tables()
        response = client_for(student).post(
            reverse("sessions_app:apply", args=[open_campaign.pk]), fields
        )
        if not assert_accepted_or_explained(response):
            assert tables() == before
