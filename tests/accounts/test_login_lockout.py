"""The back office's login goes through the site's sign-in (its rate limits), and the lockout
after failed passwords holds per account *and* address: a stranger cannot keep the owner out."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.9"
OWNER = "198.51.100.7"


@pytest.fixture
def superuser(db):
    return make_user("root@univ-avignon.fr", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def test_forty_wrong_passwords_on_the_backoffice_login_then_the_right_one_does_not_get_in(
    superuser,
):
    """As the probe did: 40 wrong passwords in a row, then the right one, straight at
    /backoffice/login/. Nothing is authenticated there any more: every POST is sent to the
    site's sign-in, where the limits apply."""
    client = Client(REMOTE_ADDR=STRANGER)
    for _ in range(40):
        response = client.post("/backoffice/login/", {"username": superuser.email,
                                                      "password": "wrong"})  # fmt: skip
        assert response.status_code == 302
    response = client.post("/backoffice/login/?next=/backoffice/",
                           {"username": superuser.email, "password": PASSWORD})  # fmt: skip
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fbackoffice%2F"


def test_the_backoffice_sends_to_the_site_sign_in_and_back(superuser):
    client = Client(REMOTE_ADDR=OWNER)
    response = client.get("/backoffice/")
    assert response.status_code == 302
    response = client.get(response["Location"])  # the admin's login URL
    assert response["Location"] == reverse("account_login") + "?next=%2Fbackoffice%2F"
    response = client.post(response["Location"], {"login": superuser.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/backoffice/"
    assert client.get("/backoffice/").status_code == 200
    # signed in already: the admin's login URL goes straight to where it was asked to
    assert client.get("/backoffice/login/?next=/backoffice/accounts/user/")["Location"] == (
        "/backoffice/accounts/user/"
    )
    # never to another site
    assert client.get("/backoffice/login/?next=https://evil.example/")["Location"] == (
        "/backoffice/"
    )


def test_a_signed_in_non_staff_user_is_refused_the_backoffice_login(student):
    client = Client()
    client.force_login(student)
    assert client.get("/backoffice/login/?next=/backoffice/").status_code == 403


def test_the_site_sign_in_limits_a_burst_of_wrong_passwords_from_one_address(superuser):
    url = reverse("account_login")
    client = Client(REMOTE_ADDR=STRANGER)
    for _ in range(5):
        client.post(url, {"login": superuser.email, "password": "wrong"})
    client.post(url, {"login": superuser.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # locked out, from this address


def test_a_stranger_failing_five_times_does_not_lock_the_owner_out(superuser):
    url = reverse("account_login")
    stranger = Client(REMOTE_ADDR=STRANGER)
    for _ in range(8):
        response = stranger.post(url, {"login": superuser.email, "password": "wrong"})
    assert "Trop de tentatives de connexion" in response.content.decode()

    owner = Client(REMOTE_ADDR=OWNER)
    response = owner.post(url, {"login": superuser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(superuser.pk)

    # the stranger stays locked out, even with the right password
    stranger.post(url, {"login": superuser.email, "password": PASSWORD})
    assert "_auth_user_id" not in stranger.session


def test_ipv6_neighbours_in_one_block_share_the_lockout(superuser):
    url = reverse("account_login")
    for n in range(5):
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1}").post(
            url, {"login": superuser.email, "password": "wrong"}
        )
    neighbour = Client(REMOTE_ADDR="2001:db8:1:2::99")
    neighbour.post(url, {"login": superuser.email, "password": PASSWORD})
    assert "_auth_user_id" not in neighbour.session
    elsewhere = Client(REMOTE_ADDR="2001:db8:9:9::1")
    elsewhere.post(url, {"login": superuser.email, "password": PASSWORD})
    assert elsewhere.session["_auth_user_id"] == str(superuser.pk)
