"""An external candidate's booking: the fee and how to pay are shown before anything is booked,
and « Confirmer » books at the amount that was shown."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Fee
from sessions_app.models import Registration

from .conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def external_ready(external):
    from tests.sessions_app.conftest import complete_identity

    complete_identity(external.candidate)
    return external


@pytest.fixture
def year(db):
    """The academic year around the real clock (the pages read the real time)."""
    from candidates.models import AcademicYear

    today = timezone.localdate()
    return AcademicYear.objects.create(
        label="courante", start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=300),
    )  # fmt: skip


@pytest.fixture
def coming_session(year, room):
    day = timezone.localdate() + dt.timedelta(days=30)
    return make_session(year, room, date=day, hour=14, audience="mixed")


def _url(session):
    return f"/couts/reserver/{session.pk}/"


def test_the_page_shows_the_fee_and_how_to_pay_and_books_nothing(
    client, external_ready, coming_session
):
    client.force_login(external_ready)
    response = client.get(_url(coming_session))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="booking-amount">45,00 €' in text
    assert "carte bancaire, chèque, virement, espèces ou bon de commande" in text
    assert "Confirmer la réservation (45,00 €)" in text
    assert 'name="amount" value="45.00"' in text  # sent back as shown, whatever the language
    assert not Registration.objects.exists()


def test_confirming_books_the_seat_and_makes_the_fee_due(client, external_ready, coming_session):
    client.force_login(external_ready)
    response = client.post(_url(coming_session), {"amount": "45.00"}, follow=True)
    assert response.redirect_chain[-1][0] == "/couts/mes-frais/"
    registration = Registration.objects.get(candidate=external_ready.candidate)
    assert (registration.status, registration.source) == ("confirmed", "booking")
    assert Fee.objects.get(registration=registration).amount == Decimal("45.00")
    assert "Votre place est réservée. 45,00 € sont à régler au centre" in (
        response.content.decode()
    )


def test_a_fee_changed_since_the_page_was_shown_books_nothing(
    client, external_ready, coming_session
):
    from billing import services
    from billing.models import CostParameterSet

    services.cost_parameters_for(coming_session.academic_year)
    CostParameterSet.objects.update(external_fee=Decimal("40.00"))  # the referent changed it
    client.force_login(external_ready)
    response = client.post(_url(coming_session), {"amount": "45.00"})
    assert response.status_code == 200
    assert "Le tarif de cette session a changé" in response.content.decode()
    assert 'data-testid="booking-amount">40,00 €' in response.content.decode()
    assert not Registration.objects.exists()


def test_a_full_session_says_the_fee_is_due_only_if_a_seat_frees(
    client, external_ready, coming_session
):
    from tests.sessions_app.conftest import make_candidate

    from .conftest import make_registration

    type(coming_session).objects.filter(pk=coming_session.pk).update(capacity=1)
    make_registration(coming_session, make_candidate(), source="first_come")
    client.force_login(external_ready)
    text = client.get(_url(coming_session)).content.decode()
    assert "La session est complète : vous serez sur sa liste d’attente" in text
    assert "M’inscrire sur la liste d’attente" in text


def test_booked_already_goes_to_my_registration(client, external_ready, coming_session):
    client.force_login(external_ready)
    client.post(_url(coming_session), {"amount": "45.00"})
    response = client.get(_url(coming_session))
    assert response["Location"] == "/sessions/mon-inscription/"
    client.post(_url(coming_session), {"amount": "45.00"})  # a double click
    assert Registration.objects.filter(candidate=external_ready.candidate).count() == 1


@pytest.mark.parametrize("case", ["student", "students_session", "started", "closed"])
def test_who_and_what_may_not_be_booked_is_a_404(
    client, external_ready, student, year, room, coming_session, case
):
    session, user = coming_session, external_ready
    if case == "student":
        user = student
    elif case == "students_session":
        session = make_session(year, room, date=coming_session.date, audience="students")
    elif case == "started":
        now = timezone.localtime()
        session = make_session(year, room, date=now.date(), hour=0, audience="mixed")
    else:
        session = make_session(year, room, date=coming_session.date, status="closed")
    client.force_login(user)
    assert client.get(_url(session)).status_code == 404
    assert client.post(_url(session), {"amount": "45.00"}).status_code == 404
