import pytest

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_anonymous_home_invites_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/comptes/login/"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "title"),
    [
        ("student", "Mon espace candidat"),
        ("external", "Mon espace candidat"),
        ("invigilator", "Espace surveillant"),
        ("administrator", "Gestion du centre"),
        ("referent", "Espace référent Pix"),
    ],
)
def test_each_role_gets_its_own_home(client, request, persona, title):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    body = client.get("/").content.decode()
    assert title in body


def test_external_home_tells_to_book_and_pay(client, external):
    client.force_login(external)
    assert "réglez les frais" in client.get("/").content.decode()


def test_login_with_email_and_password(client, student):
    response = client.post("/comptes/login/", {"login": student.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == student


def test_pages_have_a_skip_link_and_a_language_switch(client, db):
    body = client.get("/").content.decode()
    assert 'href="#main"' in body
    assert 'id="main"' in body
    assert 'name="language"' in body


def test_english_is_available(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"


def test_signup_creates_a_candidate_account(client, db, mailoutbox):
    from accounts.models import Role, User

    response = client.post(
        "/comptes/signup/",
        {"email": "nouveau@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="nouveau@example.org")
    assert user.role == Role.CANDIDATE
    assert len(mailoutbox) == 1  # the verification email


def test_django_admin_is_for_superusers_only(client, administrator):
    client.force_login(administrator)
    response = client.get("/backoffice/")
    assert response.status_code == 302  # to the admin login: not the product's UI
