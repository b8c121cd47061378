"""Notification emails leave from a task: a mail server that is down never fails the request
whose change is committed."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from sessions_app import services
from sessions_app.models import Registration, RegistrationStatus

from .conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db(transaction=True)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_a_seat_is_kept_and_the_request_succeeds_when_the_mail_server_is_down(
    year, room, administrator, settings, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    session = make_session(year, room)
    candidate = make_candidate(email="lea.martin@example.org")
    registration = services.register_first_come(
        session, candidate, acting_user=administrator, now=NOW
    )
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED
    assert "Email to lea.martin@example.org not sent" in caplog.text


def test_with_a_working_mail_server_the_candidate_is_told(year, room, administrator):
    session = make_session(year, room)
    candidate = make_candidate(email="lea.martin@example.org")
    services.register_first_come(session, candidate, acting_user=administrator, now=NOW)
    assert [m.to for m in mail.outbox] == [["lea.martin@example.org"]]
