"""University sign-in against a real CAS 3 server process (django-cas-server on loopback).

Nothing is mocked: the test signs in at the CAS server's login form to get a service ticket
(as the browser would), then hands it to pixcentre, which validates it over HTTP with that
server (``p3/serviceValidate``) and reads the SUPANN attributes the test chose. The browser walk
of the same journey is ``tests/browser/test_university_sign_in.py``.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from accounts.models import IdentitySource, User
from candidates.models import Candidate, CandidateKind, IdentityDiscrepancy
from tests.cas_server.process import service_ticket, supann

pytestmark = pytest.mark.django_db
SERVICE = "http://testserver/comptes/universite/?next=%2F"


@pytest.fixture
def imported(db):
    return Candidate.objects.create(
        kind=CandidateKind.STUDENT,
        birth_name="MARTIN",
        first_name="Léa",
        external_id="21950201",
        study_year="L3",
    )


def student_attributes(uid, **change):
    attributes = supann(
        uid=uid,
        mail=f"{uid}@etu.univ-avignon.fr",
        givenName="Léa",
        sn="Martin",
        supannEtuId="21950201",
        supannEtuCursusAnnee=["{SUPANN}L3"],
        supannEtuEtape="L3 Géographie",
    )
    attributes.update(change)
    return {k: v for k, v in attributes.items() if v is not None}


def university_sign_in(client, cas, uid, attributes, service=SERVICE):
    cas.set_user(uid, "mot-de-passe-université", attributes)
    ticket = service_ticket(cas.url, uid, "mot-de-passe-université", service)
    path = service.removeprefix("http://testserver")
    return client.get(f"{path}&ticket={ticket}")


def test_without_cas_server_url_nothing_changes(client, settings):
    settings.CAS_SERVER_URL = ""
    assert client.get(reverse("cas_ng_login")).status_code == 404
    assert client.post(reverse("cas_ng_logout")).status_code == 404
    page = client.get(reverse("account_login")).content.decode()
    assert "compte université" not in page
    assert 'name="login"' in page  # allauth's email form, as before


def test_with_cas_the_login_page_leads_with_the_university_button(client, cas, settings):
    page = client.get(reverse("account_login") + "?next=/candidats/moi/").content.decode()
    assert "Se connecter avec mon compte université" in page
    assert page.index("compte université") < page.index('name="login"')
    assert 'href="/comptes/universite/?next=/candidats/moi/"' in page
    settings.CAS_LOGIN_LABEL = "Connexion ENT Avignon"
    assert "Connexion ENT Avignon" in client.get(reverse("account_login")).content.decode()


def test_the_university_button_sends_to_the_cas_login_with_our_service_url(client, cas):
    response = client.get(reverse("cas_ng_login") + "?next=/candidats/moi/")
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert response.url.startswith(cas.url + "login")
    assert parse_qs(target.query)["service"] == [
        "http://testserver/comptes/universite/?next=%2Fcandidats%2Fmoi%2F"
    ]


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/x"])
def test_a_next_page_on_another_site_is_refused_before_and_after_cas(client, cas, imported, target):
    response = client.get(reverse("cas_ng_login") + "?" + urlencode({"next": target}))
    assert response.status_code == 302 and response.url == "/"
    # Even with a valid ticket for such a service URL: no sign-in, no redirect there.
    service = "http://testserver/comptes/universite/?" + urlencode({"next": target})
    response = university_sign_in(client, cas, "lmartin", student_attributes("lmartin"), service)
    assert response.status_code == 302 and response.url == "/"
    assert "evil" not in response.url


def test_the_csp_allows_the_cas_server_as_a_form_target(client, cas):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:" in policy


def test_an_imported_student_signs_in_and_lands_on_their_own_record(client, cas, imported):
    response = university_sign_in(client, cas, "lmartin", student_attributes("lmartin"))
    assert response.status_code == 302 and response.url == "/"
    user = User.objects.get(cas_username="lmartin")
    imported.refresh_from_db()
    assert imported.user == user
    assert user.identity_source == IdentitySource.CAS
    me = client.get(reverse("candidates:me"))
    assert me.context["candidate"] == imported
    body = me.content.decode()
    assert "21950201" in body and "L3" in body
    # The sign-out of a university session goes through CAS (single sign-out).
    assert f'action="{reverse("cas_ng_logout")}"' in body


def test_sign_out_goes_to_the_cas_logout(client, cas, imported):
    university_sign_in(client, cas, "lmartin", student_attributes("lmartin"))
    response = client.post(reverse("cas_ng_logout"))
    assert response.status_code == 302 and response.url.startswith(cas.url + "logout")
    assert client.get(reverse("candidates:me")).status_code == 302  # signed out here


def test_a_second_sign_in_changes_nothing(client, cas, imported):
    university_sign_in(client, cas, "lmartin", student_attributes("lmartin"))
    client.logout()
    university_sign_in(client, cas, "lmartin", student_attributes("lmartin"))
    assert User.objects.count() == 1 and Candidate.objects.count() == 1
    assert not IdentityDiscrepancy.objects.exists()


def test_staff_affiliation_makes_a_staff_candidate(client, cas):
    attributes = student_attributes(
        "pdurand", eduPersonAffiliation=["staff", "member"], supannEtuId=None
    )
    assert university_sign_in(client, cas, "pdurand", attributes).status_code == 302
    assert User.objects.get(cas_username="pdurand").candidate.kind == CandidateKind.STAFF


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"supannEtuId": None}, "numéro étudiant"),
        ({"mail": None}, "adresse e-mail"),
        ({"supannEtuCursusAnnee": ["troisième"]}, "illisible"),
        ({"eduPersonAffiliation": ["affiliate"]}, "externe"),
    ],
)
def test_missing_or_malformed_attributes_give_a_clear_message_and_no_account(
    client, cas, change, words
):
    response = university_sign_in(client, cas, "broken", student_attributes("broken", **change))
    assert response.status_code == 403
    assert words in response.context["message"]
    assert not User.objects.exists() and not Candidate.objects.exists()


def test_a_forged_ticket_is_refused(client, cas):
    response = client.get("/comptes/universite/?next=%2F&ticket=ST-forged-by-someone")
    assert response.status_code == 403
    assert "ticket refusé" in response.context["message"]
    assert not User.objects.exists()


def test_a_ticket_is_used_once(client, cas, imported):
    cas.set_user("lmartin", "pw", student_attributes("lmartin"))
    ticket = service_ticket(cas.url, "lmartin", "pw", SERVICE)
    assert client.get(f"/comptes/universite/?next=%2F&ticket={ticket}").status_code == 302
    client.logout()
    assert client.get(f"/comptes/universite/?next=%2F&ticket={ticket}").status_code == 403


def test_attributes_released_under_other_names_are_renamed(client, cas, settings):
    settings.CAS_RENAME_ATTRIBUTES = {"studentNumber": "supannEtuId"}
    attributes = student_attributes("rename", supannEtuId=None, studentNumber="21950999")
    assert university_sign_in(client, cas, "rename", attributes).status_code == 302
    assert User.objects.get(cas_username="rename").candidate.external_id == "21950999"


def test_an_attribute_named_like_a_user_field_is_never_applied(client, cas):
    attributes = student_attributes("sneaky", role="administrator", is_superuser="True")
    university_sign_in(client, cas, "sneaky", attributes)
    user = User.objects.get(cas_username="sneaky")
    assert user.role == "candidate" and not user.is_superuser
