"""The audit trail: written by record() with catalogue actions, read on /journal/ in words."""

import pytest
from django.utils import translation

from accounts.audit import record
from accounts.audit_actions import AuditAction
from accounts.models import AuditEntry
from sessions_app.models import Registration, RegistrationStatus
from tests.sessions_app.conftest import make_candidate, make_session


@pytest.fixture
def entries(administrator, student, year, room):
    candidate = student.candidate
    session = make_session(year, room)
    registration = Registration.objects.create(
        candidate=candidate,
        session=session,
        academic_year=year,
        status=RegistrationStatus.CONFIRMED,
        source="first_come",
        created_at=session.starts_at,
    )
    record(AuditAction.FIRST_COME, actor=student, obj=registration, candidate_id=candidate.pk,
           session_id=session.pk, after={"status": "confirmed"})  # fmt: skip
    record(
        AuditAction.NO_SHOW,
        actor=administrator,
        obj=registration,
        candidate_id=candidate.pk,
        session_id=session.pk,
        before={"status": "confirmed"},
        after={"status": "no_show"},
    )
    other = make_candidate()
    record(AuditAction.FEE_PAID, actor=administrator, candidate_id=other.pk)
    return candidate, session


def test_record_keeps_who_what_and_before_after(entries, student):
    entry = AuditEntry.objects.get(action="first_come")
    assert entry.actor == student
    assert entry.object_type == "sessions_app.Registration"
    assert entry.after == {"status": "confirmed"}


def test_the_journal_speaks_words_not_codes(client, administrator, entries):
    client.force_login(administrator)
    with translation.override("fr"):
        page = client.get("/journal/").content.decode()
    assert "Absence du candidat" in page
    assert "<code>" not in page and "<td>no_show" not in page  # no internal action names
    assert "Statut : Place confirmée" in page and "Statut : Absent" in page
    assert "{&#x27;status&#x27;" not in page and "{'status'" not in page
    assert "inscription" in page and "Léa" in page  # the object and its candidate by name
    client.get("/i18n/setlang/", {"language": "en"})
    response = client.get("/journal/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Candidate absent" in response.content.decode()


def test_the_journal_filters_by_candidate_name_session_and_action(client, administrator, entries):
    candidate, session = entries
    client.force_login(administrator)
    response = client.get("/journal/", {"candidate": "lea mart"})
    assert [e.action for e in response.context["page"]] == ["no_show", "first_come"]
    response = client.get("/journal/", {"session": session.pk, "action": "no_show"})
    assert [e.action for e in response.context["page"]] == ["no_show"]
    form = response.context["form"]
    assert ("no_show", "Absence du candidat") in [
        (v, str(label)) for v, label in form.fields["action"].choices
    ]
    assert str(session.room) in response.content.decode()  # sessions offered by date and room


@pytest.mark.parametrize(
    "query",
    [
        {"candidate": "Léa\x00"},
        {"session": "\x00"},
        {"session": "99999999999999999999999"},
        {"action": "drop table"},
        {"action": "\x00"},
        {"page": "\x00"},
    ],
)
def test_a_filter_that_is_not_one_is_a_message_never_a_500(client, administrator, entries, query):
    client.force_login(administrator)
    response = client.get("/journal/", query)
    assert response.status_code == 200
    if "page" not in query:
        assert response.context["form"].errors


@pytest.mark.parametrize("persona", ["student", "invigilator", "referent"])
def test_other_roles_may_not_read_the_log(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/journal/").status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/journal/")
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]


def test_the_log_page_query_count_does_not_grow_with_entries(
    client, administrator, entries, django_assert_num_queries
):
    client.force_login(administrator)
    candidate, session = entries
    for i in range(30):
        record(AuditAction.PROFILES_IMPORTED, actor=administrator, summary=str(i),
               candidate_id=candidate.pk, session_id=session.pk)  # fmt: skip
    # session, user, count for the paginator, the page of entries with their actor (one
    # join), the page's candidates, the page's sessions with their room, and the sessions
    # offered in the session filter with their room
    with django_assert_num_queries(7):
        client.get("/journal/")


def test_the_journal_names_a_reverse_relation_by_its_model(client, administrator, entries):
    """A before/after key that is a reverse relation (a registration's « attendance », a
    candidate's « user »…) has no verbose_name of its own: the page answered 500."""
    candidate, session = entries
    registration = Registration.objects.get(candidate=candidate)
    entry = record(
        AuditAction.NO_SHOW,
        actor=administrator,
        obj=registration,
        candidate_id=candidate.pk,
        session_id=session.pk,
        before={"attendance": "absent", "convocation": None},
        after={"attendance": "present"},
    )
    from pixcentre.journal import changes

    entry = entry or AuditEntry.objects.order_by("-pk").first()
    label = Registration._meta.get_field("attendance").related_model._meta.verbose_name
    with translation.override("fr"):
        assert (str(label), "absent", "present") in changes(entry)
    client.force_login(administrator)
    with translation.override("fr"):
        response = client.get("/journal/")
    assert response.status_code == 200
