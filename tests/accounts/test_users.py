"""Users and roles managed in the application: list, search, invite, change role, deactivate;
audited; the last administrator and one's own role are kept."""

import pytest
from django.core import mail

from accounts import services
from accounts.models import AuditEntry, Role, User
from tests.conftest import make_user


@pytest.fixture
def staff(db, administrator, invigilator, referent):
    make_user("zoe.eleve@univ-avignon.fr", Role.INVIGILATOR, first_name="Zoé", last_name="Élève")
    make_user("ancien@univ-avignon.fr", Role.INVIGILATOR, is_active=False)


def test_list_shows_the_centre_staff_not_candidates(client, administrator, staff, student):
    client.force_login(administrator)
    response = client.get("/utilisateurs/")
    emails = {u.email for u in response.context["page"]}
    assert emails == {
        administrator.email,
        "paul.surveillant@univ-avignon.fr",
        "thierry.referent@univ-avignon.fr",
        "zoe.eleve@univ-avignon.fr",
    }
    assert student.email not in emails


def test_list_filters_by_role_state_and_search(client, administrator, staff):
    client.force_login(administrator)
    page = client.get("/utilisateurs/", {"role": "invigilator", "q": "zoe"}).context["page"]
    assert [u.email for u in page] == ["zoe.eleve@univ-avignon.fr"]
    page = client.get("/utilisateurs/", {"active": "no"}).context["page"]
    assert [u.email for u in page] == ["ancien@univ-avignon.fr"]


def test_list_is_paginated_with_a_constant_number_of_queries(
    client, administrator, django_assert_num_queries
):
    User.objects.bulk_create(
        User(email=f"s{i}@univ-avignon.fr", role=Role.INVIGILATOR) for i in range(80)
    )
    client.force_login(administrator)
    client.get("/utilisateurs/")  # warm the session
    # session, signed-in user, count, one page of users
    with django_assert_num_queries(4):
        response = client.get("/utilisateurs/", {"page": 2})
    assert len(response.context["page"].object_list) == 30
    assert response.context["page"].paginator.num_pages == 3


def test_invite_creates_an_account_and_emails_a_link(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/utilisateurs/inviter/",
            {
                "email": "Nina.Garde@univ-avignon.fr",
                "first_name": "Nina",
                "last_name": "Garde",
                "role": "invigilator",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nina.garde@univ-avignon.fr")
    assert user.role == Role.INVIGILATOR and not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/comptes/password/reset/key/" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="user.invited")
    assert entry.actor == administrator and entry.after["role"] == "invigilator"


def test_invitation_link_lets_the_person_choose_a_password(client, administrator):
    user = services.invite_user(
        email="nina@univ-avignon.fr",
        first_name="Nina",
        last_name="G",
        role=Role.REFERENT,
        acting_user=administrator,
    )
    link = services.invitation_link(user).split("8000", 1)[-1]
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(
        form_url, {"password1": "un-mot-de-passe-long-42", "password2": "un-mot-de-passe-long-42"}
    )
    user.refresh_from_db()
    assert user.check_password("un-mot-de-passe-long-42")


def test_invite_refuses_an_existing_address(client, administrator, invigilator):
    client.force_login(administrator)
    response = client.post(
        "/utilisateurs/inviter/",
        {
            "email": invigilator.email.upper(),
            "first_name": "P",
            "last_name": "S",
            "role": "invigilator",
        },
    )
    assert response.status_code == 200
    assert "existe déjà" in response.content.decode()
    assert User.objects.filter(email=invigilator.email).count() == 1


def test_invite_offers_only_staff_roles(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/utilisateurs/inviter/",
        {"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": "candidate"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.org").exists()


def test_change_role_asks_for_confirmation_then_is_audited(client, administrator, invigilator):
    client.force_login(administrator)
    url = f"/utilisateurs/{invigilator.pk}/"
    response = client.post(url, {"action": "role", "role": "referent"})
    assert response.status_code == 200
    assert "Référent Pix" in response.content.decode()
    invigilator.refresh_from_db()
    assert invigilator.role == Role.INVIGILATOR  # not yet
    response = client.post(url, {"action": "role", "role": "referent", "confirmed": "1"})
    assert response.status_code == 302
    invigilator.refresh_from_db()
    assert invigilator.role == Role.REFERENT
    entry = AuditEntry.objects.get(action="user.role_changed")
    assert entry.before["role"] == "invigilator" and entry.after["role"] == "referent"


def test_deactivate_asks_for_confirmation_and_blocks_sign_in(client, administrator, invigilator):
    client.force_login(administrator)
    url = f"/utilisateurs/{invigilator.pk}/"
    client.post(url, {"action": "deactivate"})
    invigilator.refresh_from_db()
    assert invigilator.is_active
    client.post(url, {"action": "deactivate", "confirmed": "1"})
    invigilator.refresh_from_db()
    assert not invigilator.is_active
    assert AuditEntry.objects.filter(action="user.deactivated").count() == 1
    client.post(url, {"action": "activate"})
    invigilator.refresh_from_db()
    assert invigilator.is_active


def test_an_administrator_cannot_remove_their_own_role(client, administrator):
    make_user("autre.gestion@univ-avignon.fr", Role.ADMINISTRATOR)
    client.force_login(administrator)
    response = client.post(
        f"/utilisateurs/{administrator.pk}/",
        {"action": "role", "role": "invigilator", "confirmed": "1"},
        follow=True,
    )
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR
    assert "votre propre rôle" in response.content.decode()
    client.post(f"/utilisateurs/{administrator.pk}/", {"action": "deactivate", "confirmed": "1"})
    administrator.refresh_from_db()
    assert administrator.is_active


def test_the_last_administrator_keeps_the_role(administrator):
    other = make_user("autre.gestion@univ-avignon.fr", Role.ADMINISTRATOR)
    services.change_role(other, Role.REFERENT, acting_user=administrator)  # one left: fine
    superuser = make_user("root@univ-avignon.fr", Role.REFERENT)
    with pytest.raises(services.AccountError, match="au moins un gestionnaire"):
        services.change_role(administrator, Role.REFERENT, acting_user=superuser)
    with pytest.raises(services.AccountError, match="au moins un gestionnaire"):
        services.set_active(administrator, False, acting_user=superuser)
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR and administrator.is_active


@pytest.mark.parametrize("persona", ["invigilator", "referent", "student"])
def test_other_roles_may_not_manage_users(client, request, persona, invigilator):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/utilisateurs/").status_code == 403
    assert (
        client.post(
            f"/utilisateurs/{invigilator.pk}/", {"action": "deactivate", "confirmed": "1"}
        ).status_code
        == 403
    )
    invigilator.refresh_from_db()
    assert invigilator.is_active
