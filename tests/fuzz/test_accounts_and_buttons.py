"""Sign-up and sign-in with random values, and every id-only action button with random ids."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import User

from .conftest import FUZZ, assert_accepted_or_explained, assert_no_crash, client_for, rolled_back
from .strategies import FORM_TEXT, maybe, post_data

pytestmark = pytest.mark.django_db

EMAILS = st.one_of(st.emails(), FORM_TEXT, st.just("lea.martin@etu.univ-avignon.fr"))


@FUZZ
@given(email=maybe(EMAILS), password1=maybe(FORM_TEXT), password2=maybe(FORM_TEXT))
def test_sign_up_form(student, email, password1, password2):
    cache.clear()  # the rate limits would answer 429 after 20 examples
    with rolled_back():
        before = User.objects.count()
        response = client_for(None).post(
            reverse("account_signup"),
            post_data(email=email, password1=password1, password2=password2),
        )
        if not assert_accepted_or_explained(response):
            assert User.objects.count() == before


@FUZZ
@given(login=maybe(EMAILS), password=maybe(FORM_TEXT))
def test_sign_in_form(student, login, password):
    cache.clear()
    response = client_for(None).post(
        reverse("account_login"), post_data(login=login, password=password)
    )
    assert_accepted_or_explained(response)


# name, role fixture, method: buttons that carry nothing but the id in their address.
BUTTONS = [
    ("sessions_app:register", "student"),
    ("sessions_app:cancel", "student"),
    ("sessions_app:campaign_allocate", "administrator"),
    ("invigilation:availability_delete", "invigilator"),
    ("invigilation:finalise", "administrator"),
    ("invigilation:attendance_sheet", "administrator"),
    ("convocations:resend", "administrator"),
]


@settings(FUZZ, max_examples=min(FUZZ.max_examples, 10))  # eight requests per example
# Ids of no object: the fixtures' own objects have small ids (SQLite starts again at 1; the
# PostgreSQL sequences of a whole run stay far below 10⁹), and an existing object's button may
# answer with its page (200), which is another test's business.
@given(pk=st.just(0) | st.integers(10**9, 2**31 - 1))
def test_id_only_buttons_on_any_id_are_404_or_a_message(request, pk):
    for name, persona in BUTTONS:
        user = request.getfixturevalue(persona)
        response = client_for(user).post(reverse(name, args=[pk]))
        assert_no_crash(response)
        assert response.status_code in (302, 404), (name, response.status_code)
    response = client_for(request.getfixturevalue("administrator")).post(
        reverse("billing:fee_action", args=[pk, "paiement"]), {"method": "card"}
    )
    assert response.status_code == 404
