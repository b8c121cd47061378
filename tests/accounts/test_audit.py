import pytest

from accounts.audit import record
from accounts.models import AuditEntry


@pytest.fixture
def entries(administrator, student):
    candidate = student.candidate
    record("registration.confirmed", actor=student, obj=candidate, candidate_id=candidate.pk,
           session_id=7, after={"status": "confirmed"})  # fmt: skip
    record("payment.recorded", actor=administrator, obj=candidate, candidate_id=999, session_id=8)
    return candidate


def test_record_keeps_who_what_and_before_after(entries, student):
    entry = AuditEntry.objects.get(action="registration.confirmed")
    assert entry.actor == student
    assert entry.object_type == "candidates.Candidate"
    assert entry.after == {"status": "confirmed"}


def test_administrator_filters_the_log_by_candidate(client, administrator, entries):
    client.force_login(administrator)
    response = client.get("/journal/", {"candidate": entries.pk})
    assert response.status_code == 200
    assert [e.action for e in response.context["page"]] == ["registration.confirmed"]
    response = client.get("/journal/", {"session": 8})
    assert [e.action for e in response.context["page"]] == ["payment.recorded"]


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
    for i in range(30):
        record("import.done", actor=administrator, summary=str(i))
    # session, user, count for the paginator, the page of entries with their actor (one
    # join), the distinct actions for the filter
    with django_assert_num_queries(5):
        client.get("/journal/")
