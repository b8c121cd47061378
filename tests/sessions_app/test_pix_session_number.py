"""A Pix session accepts starts for 24 h after its first start: one Pix session number never
spans two dates (rooms of the same day may share it)."""

import pytest
from django.urls import reverse

from sessions_app.models import Session, SessionStatus
from sessions_app.services import SessionError, set_pix_certif_identifiers

from .conftest import make_session

pytestmark = pytest.mark.django_db


def give(session, number, user):
    return set_pix_certif_identifiers(session, number=number, access_code="AB12", acting_user=user)


def test_two_rooms_of_one_day_may_share_a_number(year, room, other_room, administrator):
    morning = make_session(year, room, day=15, hour=9)
    afternoon = make_session(year, other_room, day=15, hour=14)
    give(morning, "40100", administrator)
    give(afternoon, " 40100 ", administrator)
    assert set(Session.objects.values_list("pix_session_number", flat=True)) == {"40100"}


def test_a_number_of_another_day_is_refused(year, room, administrator):
    first = make_session(year, room, day=15)
    next_day = make_session(year, room, day=16)
    give(first, "40100", administrator)
    with pytest.raises(SessionError) as refused:
        give(next_day, "40100", administrator)
    assert "15/10/2025" in refused.value.message and "16/10/2025" in refused.value.message
    assert "24 h" in refused.value.message
    next_day.refresh_from_db()
    assert next_day.pix_session_number == ""


def test_a_cancelled_session_does_not_hold_its_number(year, room, administrator):
    first = make_session(year, room, day=15)
    give(first, "40100", administrator)
    Session.objects.filter(pk=first.pk).update(status=SessionStatus.CANCELLED)
    other = make_session(year, room, day=16)
    assert give(other, "40100", administrator).pix_session_number == "40100"


def test_the_page_says_why_and_saves_nothing(client, year, room, administrator):
    give(make_session(year, room, day=15), "40100", administrator)
    other = make_session(year, room, day=16)
    client.force_login(administrator)
    response = client.post(
        reverse("sessions_app:session_pix", args=[other.pk]),
        {"number": "40100", "access_code": "ZZ99"},
        follow=True,
    )
    assert "ne s’étend jamais sur deux jours" in response.content.decode()
    other.refresh_from_db()
    assert (other.pix_session_number, other.pix_access_code) == ("", "")
