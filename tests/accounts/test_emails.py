"""Emails through accounts.emails: templates, the reader's language, after the commit."""

from pathlib import Path

import pytest
from django.core import mail
from django.template.loader import get_template
from django.utils import translation

from accounts.emails import (
    emails_suppressed,
    language_of,
    render_email,
    send_templated_email,
)
from sessions_app import services
from tests.conftest import make_user
from tests.sessions_app.conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Every app's email templates (sessions_app's, billing's).
EMAIL_DIRS = {app: ROOT / f"{app}/templates/{app}/emails" for app in ("sessions_app", "billing")}
SAMPLE = {
    "name": "Léa",
    "session": "le lundi 15 juin 2026 à 09:00, B204",
    "hours": 72,
    "position": 2,
    "show_priority": True,
    "tier": 1,
    "status": "Validée",
    "score": "512 pix sur 1024",
    "url": "https://pix.example.org/resultats/moi/",
    "amount": "45,00",
    "how": "Par carte bancaire au centre.",
    "deadline": "12 juin 2026 09:00",
    "method": "Carte bancaire",
    "paid_on": "2 juin 2026",
    "refunded_on": "3 juin 2026",
    "reason": "Annulation par le candidat",
    "number": "2026-0001",
}


def english_candidate(email="emma.smith@example.org"):
    user = make_user(email, preferred_language="en")
    return make_candidate(user=user, email=email)


def test_the_seat_email_is_in_the_candidates_language_not_the_administrators(
    year, room, administrator
):
    session = make_session(year, room)
    candidate = english_candidate()
    with translation.override("fr"):  # the administrator works in French
        services.register_first_come(session, candidate, acting_user=administrator, now=NOW)
    [message] = mail.outbox
    assert message.subject == "[Centre Pix] Your place in a Pix certification session is confirmed"
    assert message.body.startswith(f"Hello {candidate.first_name},\n\nYour place is confirmed")
    assert "Your priority tier: 3 (1 = highest priority)." in message.body
    assert "The " in message.body and "team" in message.body
    assert "Bonjour" not in message.body and "juin" not in message.body


def test_a_french_candidate_reads_french_even_from_an_english_page(year, room, administrator):
    session = make_session(year, room)
    candidate = make_candidate(email="lea.martin@example.org")
    with translation.override("en"):
        services.register_first_come(session, candidate, acting_user=administrator, now=NOW)
    [message] = mail.outbox
    assert (
        message.subject == "[Centre Pix] Votre place en session de certification Pix est confirmée"
    )
    assert "Votre place est confirmée pour la session de certification Pix le " in message.body
    assert "L’équipe du" in message.body


@pytest.mark.parametrize(
    "app, name",
    sorted(
        (app, p.stem)
        for app, folder in EMAIL_DIRS.items()
        for p in folder.glob("*.txt")
        if not p.stem.startswith("_")
    ),
)
def test_every_email_template_has_its_english_text(app, name, db):
    """A template whose wording drifted from its catalogue entry would leave French in the
    English email: each one is rendered in English and must read English."""
    if name.endswith("_subject"):
        return
    email = render_email(f"{app}/emails/{name}", SAMPLE, language="en")
    french = ["Bonjour", "Votre", "votre", "L’équipe", " la session", "Statut", "Le centre"]
    assert [w for w in french if w in email.text or w in email.subject] == []
    assert email.subject.startswith("[Centre Pix] ") and "\n" not in email.subject
    french_email = render_email(f"{app}/emails/{name}", SAMPLE, language="fr")
    assert french_email.text.startswith("Bonjour Léa,")


def test_text_emails_are_not_html_escaped(db):
    email = render_email(
        "sessions_app/emails/seat_promoted",
        {**SAMPLE, "name": "Zoé d'Arc <Z>", "session": "salle « A & B »"},
        language="fr",
    )
    assert "Bonjour Zoé d'Arc <Z>," in email.text
    assert "salle « A & B »" in email.text
    assert email.html is None  # no HTML template for this one


def test_nothing_is_queued_without_an_address_or_when_emails_are_suppressed(db):
    assert not send_templated_email("", "sessions_app/emails/seat_promoted", SAMPLE, language="fr")
    with emails_suppressed():
        assert not send_templated_email(
            "a@example.org", "sessions_app/emails/seat_promoted", SAMPLE, language="fr"
        )
    assert mail.outbox == []
    assert send_templated_email(
        "a@example.org", "sessions_app/emails/seat_promoted", SAMPLE, language="fr"
    )
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_the_language_of_a_person(db):
    assert language_of(None) == "fr"
    assert language_of(make_user("a@example.org", preferred_language="en")) == "en"
    assert language_of(make_user("b@example.org", preferred_language="")) == "fr"
    assert language_of(make_user("c@example.org", preferred_language="de")) == "fr"


def test_every_text_template_ends_with_the_signature_or_is_a_subject_or_a_part():
    for app, folder in EMAIL_DIRS.items():
        paths = list(folder.glob("*.txt"))
        assert paths, folder
        for path in paths:
            if path.stem.endswith("_subject") or path.stem.startswith("_"):
                continue
            assert get_template(f"{app}/emails/{path.name}")
            assert path.read_text().endswith('{% include "emails/_signature.txt" %}'), path.name


def test_an_email_with_an_html_template_gets_both_parts_in_the_same_words(db):
    email = render_email(
        "sessions_app/emails/result_arrived", {**SAMPLE, "name": "Zoé <b>"}, language="en"
    )
    assert "Hello Zoé <b>," in email.text
    assert email.html.startswith("<!doctype html>") and '<html lang="en">' in email.html
    assert "Hello Zoé &lt;b&gt;," in email.html  # escaped in HTML, not in the text
    assert '<a href="https://pix.example.org/resultats/moi/"' in email.html
    assert "team" in email.html and "Bonjour" not in email.html


def test_a_row_queued_with_its_template_is_rendered_by_the_task_as_in_a_request(db):
    """``accounts.tasks.send_templated_email``: nothing queues it any more, but an outbox row
    written by the version before (the apply acknowledgement's template and context) renders
    the email the request would have rendered, in the reader's language."""
    from accounts.tasks import send_templated_email as task

    context = {"name": "Emma", "campaign": "Spring", "wishes": "1. x", "closes": "10 May"}
    args = ["emma@example.org", "sessions_app/emails/application_received", context]
    assert task.delay(*args, language="en").get() == "sent"
    (message,) = mail.outbox
    expected = render_email("sessions_app/emails/application_received", context, language="en")
    assert (message.subject, message.body, message.to) == (
        expected.subject, expected.text, ["emma@example.org"],
    )  # fmt: skip
    assert "Emma" in message.body and "Bonjour" not in message.body
