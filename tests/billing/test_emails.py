"""Emails around an external candidate's money, and the acknowledgements of applications and
cancellations: each once, in the candidate's language, through the outbox after commit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from billing import services as billing
from sessions_app import services
from sessions_app.models import PARIS, Campaign, Registration
from tests.sessions_app.conftest import (
    NOW,
    complete_identity,
    make_session,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def year(db):
    from candidates.models import AcademicYear

    return AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )


@pytest.fixture
def room(db):
    from sessions_app.models import Room

    return Room.objects.create(site="Centre-ville", name="Salle S1", capacity=24)


@pytest.fixture
def booked(year, room, external):
    """The external candidate's confirmed booking in a mixed session, the outbox emptied."""
    complete_identity(external.candidate)
    session = make_session(year, room, audience="mixed")
    registration = services.book_external(
        session, external.candidate, acting_user=external, now=NOW
    )
    return registration


def test_a_booking_sends_one_email_with_the_amount_and_how_to_pay(booked, external):
    assert len(mail.outbox) == 1  # not a seat email plus a fee email
    message = mail.outbox[0]
    assert message.to == [external.email]
    assert "45,00 € à régler" in message.subject
    assert "Frais d’inscription : 45,00 €." in message.body
    assert "carte bancaire, chèque, virement, espèces ou bon de commande" in message.body
    assert "mercredi 15 octobre 2025" in message.body


def test_the_booking_email_speaks_the_candidates_language(year, room, external):
    external.preferred_language = "en"
    external.save()
    complete_identity(external.candidate)
    session = make_session(year, room, audience="mixed")
    services.book_external(session, external.candidate, acting_user=external, now=NOW)
    (message,) = mail.outbox
    assert "€45.00" in message.subject
    assert "Registration fee: €45.00." in message.body
    assert "bank card, cheque" in message.body
    assert "Bonjour" not in message.body


def test_a_student_seat_still_gets_its_seat_email(year, room, student):
    complete_identity(student.candidate)
    session = make_session(year, room)
    services.register_first_come(session, student.candidate, acting_user=student, now=NOW)
    (message,) = mail.outbox
    assert "confirmée" in message.subject and "€" not in message.body


def test_a_payment_sends_the_receipt_once(booked, administrator):
    from billing import emails
    from billing.models import Receipt

    mail.outbox.clear()
    payment = billing.record_payment(
        booked.fee, acting_user=administrator, paid_on=dt.date(2025, 10, 2), method="card"
    )
    (message,) = mail.outbox
    receipt = payment.receipt
    assert f"Votre reçu n° {receipt.display_number}" in message.subject
    assert "paiement de 45,00 € (Carte bancaire, le 2 octobre 2025)" in message.body
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (f"recu-{receipt.display_number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert Receipt.objects.get(pk=receipt.pk).emailed_at is not None
    assert emails.send_receipt_email(receipt.pk) == "sent already"  # a second run
    assert len(mail.outbox) == 1


def test_a_refund_sends_the_receipt_with_the_refund(booked, administrator, external):
    payment = billing.record_payment(
        booked.fee, acting_user=administrator, paid_on=dt.date(2025, 10, 2), method="card"
    )
    services.cancel_registration(booked, acting_user=external, now=NOW)
    mail.outbox.clear()
    booked.fee.refresh_from_db()
    billing.record_refund(
        booked.fee, acting_user=administrator, refunded_on=dt.date(2025, 10, 3),
        reason="candidate_cancelled",
    )  # fmt: skip
    (message,) = mail.outbox
    assert "Remboursement" in message.subject
    assert "Le centre vous rembourse 45,00 €" in message.body
    assert message.attachments[0][0] == f"recu-{payment.receipt.display_number}.pdf"


def test_the_receipt_and_refund_emails_speak_the_candidates_language(
    year, room, external, administrator
):
    from django.utils import translation

    external.preferred_language = "en"
    external.save()
    complete_identity(external.candidate)
    session = make_session(year, room, audience="mixed")
    booked = services.book_external(session, external.candidate, acting_user=external, now=NOW)
    mail.outbox.clear()
    with translation.override("fr"):  # the administrator works in French
        payment = billing.record_payment(
            booked.fee, acting_user=administrator, paid_on=dt.date(2025, 10, 2), method="card"
        )
        services.cancel_registration(booked, acting_user=external, now=NOW)
        booked.fee.refresh_from_db()
        billing.record_refund(
            booked.fee, acting_user=administrator, refunded_on=dt.date(2025, 10, 3),
            reason="candidate_cancelled",
        )  # fmt: skip
    receipt_email, refund_email = (m for m in mail.outbox if m.attachments)
    number = payment.receipt.display_number
    assert f"Your receipt no. {number}" in receipt_email.subject
    assert "€45.00" in receipt_email.body and "2 October 2025" in receipt_email.body
    assert "Bonjour" not in receipt_email.body and "L’équipe" not in receipt_email.body
    assert "Refund" in refund_email.subject and "€45.00" in refund_email.body
    assert "Bonjour" not in refund_email.body and "Le centre" not in refund_email.body
    assert refund_email.attachments[0][0] == f"recu-{number}.pdf"


def test_a_mail_server_down_gives_the_claim_back(booked, administrator, settings):
    from billing.models import Receipt

    settings.EMAIL_BACKEND = "tests.sessions_app.test_notification_email.RefusingBackend"
    payment = billing.record_payment(
        booked.fee, acting_user=administrator, paid_on=dt.date(2025, 10, 2), method="card"
    )
    assert Receipt.objects.get(pk=payment.receipt.pk).emailed_at is None  # to be sent again


def test_a_cancellation_is_acknowledged(year, room, student):
    complete_identity(student.candidate)
    session = make_session(year, room)
    registration = services.register_first_come(
        session, student.candidate, acting_user=student, now=NOW
    )
    mail.outbox.clear()
    services.cancel_registration(registration, acting_user=student, now=NOW)
    (message,) = mail.outbox
    assert "annulée" in message.subject
    assert "mercredi 15 octobre 2025" in message.body
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"


def autumn_campaign(year, room, name):
    """An open campaign closing on 10 October 2025 at 12:00, with two sessions (20 and 21
    October): ``(campaign, first, second)``."""
    first, second = make_session(year, room, day=20), make_session(year, room, day=21)
    campaign = Campaign.objects.create(
        academic_year=year, name=name,
        opens_at=NOW - dt.timedelta(days=1), closes_at=dt.datetime(2025, 10, 10, 12, tzinfo=PARIS),
    )  # fmt: skip
    campaign.sessions.add(first, second)
    return campaign, first, second


def test_an_application_is_acknowledged_once_with_its_wishes(year, room, student):
    complete_identity(student.candidate)
    campaign, first, second = autumn_campaign(year, room, "Campagne d’automne")
    services.apply_for_campaign(
        campaign, student.candidate, [second.pk, first.pk], acting_user=student, now=NOW
    )
    services.apply_for_campaign(  # a double click: the same wishes, nothing more to say
        campaign, student.candidate, [second.pk, first.pk], acting_user=student, now=NOW
    )
    (message,) = mail.outbox
    assert "candidature" in message.subject
    assert "« Campagne d’automne »" in message.body
    body = message.body
    assert body.index("1. le mardi 21 octobre") < body.index("2. le lundi 20 octobre")
    assert "10 octobre 2025 12:00" in body


def test_the_acknowledgement_is_described_by_its_task_in_the_candidates_language(
    year, room, student
):
    """The apply request queues only the application and the wished ids; the task describes the
    sessions (in words, with their room) in the candidate's language, and skips an application
    deleted meanwhile."""
    from sessions_app.models import Application
    from sessions_app.tasks import acknowledge_application

    complete_identity(student.candidate)
    student.preferred_language = "en"
    student.save()
    campaign, first, second = autumn_campaign(year, room, "Autumn")
    with services.emails_suppressed():  # the demo writes to nobody
        services.apply_for_campaign(
            campaign, student.candidate, [first.pk], acting_user=student, now=NOW
        )
    assert mail.outbox == []
    services.apply_for_campaign(
        campaign, student.candidate, [second.pk, first.pk], acting_user=student, now=NOW
    )
    (message,) = mail.outbox
    assert message.to == ["lea.martin@etu.univ-avignon.fr"]
    assert "Hello Léa" in message.body and "Bonjour" not in message.body
    assert "1. on Tuesday 21 October 2025 at 09:00, Centre-ville" in message.body
    assert message.body.index("Tuesday 21 October") < message.body.index("Monday 20 October")
    application = Application.objects.get()
    application.delete()
    assert acknowledge_application.delay(application.pk, [first.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_no_candidate_email_during_the_demo(year, room, external):
    complete_identity(external.candidate)
    session = make_session(year, room, audience="mixed")
    with services.emails_suppressed():
        services.book_external(session, external.candidate, acting_user=external, now=NOW)
    assert mail.outbox == []
    assert Decimal(Registration.objects.get().fee.amount) == Decimal("45.00")


def test_a_seat_email_speaks_the_candidates_language_not_the_requests(year, room, student):
    from django.utils import translation

    student.preferred_language = "en"
    student.save()
    complete_identity(student.candidate)
    session = make_session(year, room)
    with translation.override("fr"):  # an administrator's French request gives the seat
        services.register_first_come(session, student.candidate, acting_user=student, now=NOW)
    (message,) = mail.outbox
    assert "is confirmed" in message.subject and "Bonjour" not in message.body
