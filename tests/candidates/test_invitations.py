"""Invitations: the way in for those the university's CAS cannot link (or without CAS)."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEntry, IdentitySource
from candidates.models import Candidate, CandidateKind, Invitation, StudyYearSource
from candidates.roster_files import write_roster
from candidates.services import linking
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(db):
    return [
        Candidate.objects.create(
            kind=CandidateKind.STUDENT,
            birth_name=("DUPONT", "MOREL", "GIRARD")[n - 1],
            first_name=("Lina", "Hugo", "Maël")[n - 1],
            external_id=f"2200000{n}",
            study_year="L3",
            study_year_source=StudyYearSource.IMPORT,
        )
        for n in range(1, 4)
    ]


def upload(client, rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("candidates:invitations"),
        {"file": SimpleUploadedFile("roster.csv", write_roster(rows), "text/csv")},
    )


def link_in(message) -> str:
    return re.search(r"https?://\S+/candidats/invitation/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_roster_invites_each_student_by_email_through_the_outbox(
    client, administrator, imported, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client,
            [("22000001", "un@example.org", "M1"), ("22000002", "deux@example.org", "")],
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["deux@example.org", "un@example.org"]
    assert all(link_in(m) for m in mail.outbox)
    assert Invitation.objects.filter(sent_at__isnull=False).count() == 2
    imported[0].refresh_from_db()
    assert imported[0].study_year == "M1"
    assert imported[0].study_year_source == StudyYearSource.ROSTER
    # The roster's year disagreed with the import's: listed for the administrator.
    assert imported[0].discrepancies.get().reported_value == "M1"
    assert AuditEntry.objects.filter(action="roster_imported").count() == 1


def test_a_roster_with_bad_rows_is_refused_whole_and_reported_by_line(
    client, administrator, imported, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client,
            [
                ("22000001", "un@example.org", "L3"),
                ("99999999", "inconnu@example.org", ""),
                ("22000003", "pas-une-adresse", ""),
            ],
        )
    assert response.status_code == 200
    problems = [(p.line, p.column) for p in response.context["result"].problems]
    assert problems == [(3, "Numéro étudiant"), (4, "E-mail")]
    assert "Aucun candidat n’a ce numéro étudiant" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_uploading_the_same_roster_again_sends_no_second_email(
    client, administrator, imported, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    rows = [("22000001", "un@example.org", "")]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rows)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rows)
    assert len(mail.outbox) == 1 and Invitation.objects.count() == 1


def test_invite_one_by_one_from_the_candidate_page(
    client, administrator, imported, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    page = client.get(reverse("candidates:detail", args=[imported[1].pk]))
    assert "Inviter ce candidat" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidates:invite", args=[imported[1].pk]), {"email": "d@example.org"})
    assert [m.to for m in mail.outbox] == [["d@example.org"]]
    invitation = Invitation.objects.get()
    assert invitation.candidate == imported[1] and invitation.created_by == administrator


def test_the_invitation_email_is_the_centres_french_text_through_accounts_emails(
    administrator, imported, settings, django_capture_on_commit_callbacks
):
    """Rendered from candidates/emails/invitation in the reader's language (the record has no
    account yet: French) and queued as accounts.tasks.send_email with the invitation."""
    settings.PIX_INVITATION_VALIDITY_DAYS = 14
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = linking.invite(
            imported[0], "Lina@Example.org", acting_user=administrator, now=now
        )
    assert len(callbacks) == 1  # one email task, nothing else
    [message] = mail.outbox
    assert message.to == ["lina@example.org"]
    assert message.subject == "[Centre Pix] Votre espace au centre Pix"
    assert message.body.startswith(
        f"Bonjour Lina,\n\nLe {settings.PIX_CENTRE_NAME} vous invite à ouvrir votre espace"
    )
    assert link_in(message).endswith(
        f"/candidats/invitation/{linking.invitation_token(invitation)}/"
    )
    assert "expire le 16/11/2026 à 10:00. Si vous" in message.body  # Paris time
    signature = f"L’équipe du {settings.PIX_CENTRE_NAME}\n{settings.PIX_CENTRE_CONTACT_EMAIL}"
    assert message.body.endswith(f"ignorez-le.\n\n{signature}\n")
    invitation.refresh_from_db()
    assert invitation.sent_at == now


def test_the_invitation_email_reads_english_to_an_english_reader(db):
    from accounts.emails import render_email

    context = {"name": "Emma", "url": "https://pix.example.org/l/", "expires": "16/11/2026"}
    email = render_email("candidates/emails/invitation", context, language="en")
    assert email.subject == "[Centre Pix] Your space at the Pix centre"
    assert email.text.startswith("Hello Emma,\n\nThe ")
    assert "expires on 16/11/2026" in email.text and "team" in email.text
    french = ["Bonjour", "Votre", "votre", "L’équipe", "lien"]
    assert [w for w in french if w in email.text or w in email.subject] == []


def test_no_invitation_email_while_emails_are_suppressed(
    administrator, imported, django_capture_on_commit_callbacks
):
    from accounts.emails import emails_suppressed

    with django_capture_on_commit_callbacks(execute=True), emails_suppressed():
        invitation = linking.invite(imported[0], "a@example.org", acting_user=administrator)
    assert mail.outbox == []
    invitation.refresh_from_db()
    assert invitation.sent_at is None  # shown as not sent on the invitations page


def test_an_invitation_queued_by_the_former_task_gets_its_email_once(
    administrator, imported, django_capture_on_commit_callbacks
):
    """A ``send_invitation_task`` row queued before invitations queued their own email may
    still wait in the outbox: it queues the same email, once."""
    from candidates.tasks import send_invitation_task

    with django_capture_on_commit_callbacks(execute=True):
        invitation = Invitation.objects.create(
            candidate=imported[0],
            email="old@example.org",
            nonce="o" * 22,
            expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitation_task(invitation.pk) == "queued"
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitation_task(invitation.pk) == "skipped"
    [message] = mail.outbox
    assert message.to == ["old@example.org"] and message.body.startswith("Bonjour Lina,")
    assert link_in(message)


def _invite(candidate, administrator, email="invitee@example.org", now=None):
    invitation = linking.invite(candidate, email, acting_user=administrator, now=now)
    return invitation, linking.invitation_token(invitation)


def test_following_the_link_and_signing_in_attaches_that_account(client, administrator, imported):
    invitation, token = _invite(imported[0], administrator)
    url = reverse("candidates:invitation", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Lina" in page.content.decode()
    newcomer = make_user("perso@example.org")
    client.force_login(newcomer)
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("candidates:me")
    imported[0].refresh_from_db()
    newcomer.refresh_from_db()
    assert imported[0].user == newcomer
    assert newcomer.identity_source == IdentitySource.INVITATION
    linked = AuditEntry.objects.filter(action="candidate_linked", candidate_id=imported[0].pk)
    assert linked.exists()
    me = client.get(reverse("candidates:me"))
    assert me.context["candidate"] == imported[0]


def test_an_anonymous_visitor_is_asked_to_sign_in_and_comes_back(client, administrator, imported):
    _invitation, token = _invite(imported[0], administrator)
    url = reverse("candidates:invitation", args=[token])
    page = client.get(url).content.decode()
    assert "/comptes/login/?" + urlencode({"next": url}) in page
    assert client.post(url).status_code == 302  # to the login page
    imported[0].refresh_from_db()
    assert imported[0].user is None


def test_an_invitation_is_single_use(client, administrator, imported):
    _invitation, token = _invite(imported[0], administrator)
    first, second = make_user("a@example.org"), make_user("b@example.org")
    linking.accept_invitation(token, first)
    with pytest.raises(linking.LinkingError, match="déjà servi"):
        linking.accept_invitation(token, second)
    client.force_login(second)
    response = client.post(reverse("candidates:invitation", args=[token]), follow=True)
    assert "déjà servi" in response.content.decode()
    imported[0].refresh_from_db()
    assert imported[0].user == first
    assert not Candidate.objects.filter(user=second).exists()


def test_an_invitation_expires(administrator, imported, settings):
    settings.PIX_INVITATION_VALIDITY_DAYS = 14
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    _invitation, token = _invite(imported[0], administrator, now=start)
    late = make_user("late@example.org")
    with pytest.raises(linking.LinkingError, match="expiré"):
        linking.accept_invitation(token, late, now=start + dt.timedelta(days=14, seconds=1))
    with time_machine.travel(start + dt.timedelta(days=13)):
        linking.accept_invitation(token, late)
    imported[0].refresh_from_db()
    assert imported[0].user == late


def test_a_new_invitation_replaces_the_link_of_the_previous_one(administrator, imported):
    _old, old_token = _invite(imported[0], administrator, "old@example.org")
    _new, new_token = _invite(imported[0], administrator, "new@example.org")
    with pytest.raises(linking.LinkingError, match="remplacée"):
        linking.accept_invitation(old_token, make_user("x@example.org"))
    linking.accept_invitation(new_token, make_user("y@example.org"))


@pytest.mark.parametrize("tamper", ["", "x", "forged-token", "{token}x", "{other}"])
def test_a_tampered_or_foreign_link_attaches_nothing(client, administrator, imported, tamper):
    _invitation, token = _invite(imported[0], administrator)
    other = Invitation.objects.create(
        candidate=imported[1],
        email="o@example.org",
        nonce="n" * 22,
        expires_at=Invitation.objects.get().expires_at,
    )
    forged = tamper.format(token=token, other=f"{other.pk}:{'n' * 22}")
    intruder = make_user("intruder@example.org")
    with pytest.raises(linking.LinkingError):
        linking.accept_invitation(forged, intruder)
    assert not Candidate.objects.filter(user=intruder).exists()


def test_an_account_that_already_has_a_record_cannot_take_another(student, administrator, imported):
    _invitation, token = _invite(imported[0], administrator)
    with pytest.raises(linking.LinkingError, match="déjà lié"):
        linking.accept_invitation(token, student)
    imported[0].refresh_from_db()
    assert imported[0].user is None


def test_a_record_with_an_account_cannot_be_invited(student, administrator):
    with pytest.raises(linking.LinkingError):
        linking.invite(student.candidate, "x@example.org", acting_user=administrator)


def test_only_administrators_invite(client, referent, student, imported):
    client.force_login(referent)
    response = client.post(reverse("candidates:invite", args=[imported[0].pk]), {"email": "a@b.fr"})
    assert response.status_code == 403
    with pytest.raises(linking.LinkingError):
        linking.invite(imported[0], "a@b.fr", acting_user=student)
    assert not Invitation.objects.exists()


# --- No path lets an account attach itself, or raise its own kind or year -----------------------


def test_typing_an_imported_student_number_and_name_in_the_identity_form_attaches_nothing(
    client, imported
):
    newcomer = make_user("usurpateur@example.org")
    client.force_login(newcomer)
    response = client.post(
        reverse("candidates:identity"),
        {
            "birth_name": "DUPONT",
            "first_name": "Lina",
            "external_id": "22000001",
            "sex": "F",
            "birth_date": "2003-05-04",
            "birth_country": "France",
            "birth_insee_code": "84007",
        },
    )
    assert response.status_code == 302
    imported[0].refresh_from_db()
    assert imported[0].user is None
    own = Candidate.objects.get(user=newcomer)
    assert own.pk != imported[0].pk
    assert own.kind == CandidateKind.EXTERNAL and own.external_id == ""


def test_the_identity_form_cannot_raise_kind_or_study_year(client, imported):
    candidate = imported[0]
    user = make_user("nom1@example.org")
    candidate.user = user
    candidate.study_year = "L1"
    candidate.study_year_source = StudyYearSource.DIRECTORY
    candidate.save()
    client.force_login(user)
    response = client.post(
        reverse("candidates:identity"),
        {
            "birth_name": "DUPONT",
            "first_name": "Lina",
            "sex": "F",
            "birth_date": "2003-05-04",
            "birth_country": "France",
            "birth_insee_code": "84007",
            "kind": "staff",
            "study_year": "M2",
            "study_year_source": "administrator",
            "priority_tier": "1",
        },
    )
    assert response.status_code == 302  # the identity was accepted, the rest ignored
    candidate.refresh_from_db()
    assert (candidate.kind, candidate.study_year) == (CandidateKind.STUDENT, "L1")
    assert candidate.study_year_source == StudyYearSource.DIRECTORY
    assert candidate.priority_tier is None


def test_a_candidate_cannot_reach_the_study_year_override(client, student):
    client.force_login(student)
    response = client.post(
        reverse("candidates:study_year", args=[student.candidate.pk]),
        {"study_year": "M2", "reason": "moi"},
    )
    assert response.status_code == 403
    student.candidate.refresh_from_db()
    assert student.candidate.study_year == ""


def test_override_from_the_candidate_page_needs_a_reason(client, administrator, imported):
    client.force_login(administrator)
    url = reverse("candidates:study_year", args=[imported[0].pk])
    assert client.post(url, {"study_year": "M2", "reason": ""}).status_code == 200
    imported[0].refresh_from_db()
    assert imported[0].study_year == "L3"
    assert client.post(url, {"study_year": "M2", "reason": "Décision jury"}).status_code == 302
    imported[0].refresh_from_db()
    assert (imported[0].study_year, imported[0].study_year_reason) == ("M2", "Décision jury")


def test_the_password_of_a_seeded_persona_still_works(client, student):
    # Invitations change nothing for accounts that already have their record.
    assert client.login(email=student.email, password=PASSWORD)
