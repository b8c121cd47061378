"""An administrator corrects a candidate's identity (audited before/after), reached from the
Pix export's problem list and sent back there."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db

VALID = {
    "birth_name": "MARTIN",
    "first_name": "Léa",
    "sex": "F",
    "birth_date": "2003-05-17",
    "birth_country": "France",
    "birth_insee_code": "84007",
    "birth_postal_code": "",
    "birth_city": "",
    "convocation_email": "",
    "accessibility_needs": "",
}


def test_administrator_corrects_an_identity_and_the_change_is_audited(
    client, administrator, student
):
    candidate = student.candidate
    client.force_login(administrator)
    url = reverse("candidates:edit_identity", args=[candidate.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**VALID, "first_name": "Léa-Marie"})
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:detail", args=[candidate.pk])
    candidate.refresh_from_db()
    assert candidate.first_name == "Léa-Marie" and candidate.identity_complete
    entry = AuditEntry.objects.get(action="identity_updated", candidate_id=candidate.pk)
    assert entry.actor == administrator
    assert entry.before["first_name"] == "Léa" and entry.after["first_name"] == "Léa-Marie"
    assert entry.before["birth_date"] == "" and entry.after["birth_date"] == "2003-05-17"
    assert "sort_name" not in entry.after


def test_pix_rules_refuse_a_bad_identity_and_nothing_changes(client, administrator, student):
    client.force_login(administrator)
    url = reverse("candidates:edit_identity", args=[student.candidate.pk])
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {**VALID, "birth_date": future})
    assert response.status_code == 200
    assert response.context["form"].errors
    student.candidate.refresh_from_db()
    assert student.candidate.birth_date is None
    assert not AuditEntry.objects.filter(action="identity_updated").exists()


def test_back_to_the_page_it_came_from_but_only_on_this_site(client, administrator, student):
    client.force_login(administrator)
    url = reverse("candidates:edit_identity", args=[student.candidate.pk])
    back = "/sessions/export/?session=4&format=csv"
    response = client.post(url, {**VALID, "next": back})
    assert response["Location"] == back
    response = client.post(url, {**VALID, "next": "https://evil.example.org/"})
    assert response["Location"] == reverse("candidates:detail", args=[student.candidate.pk])


@pytest.mark.parametrize("persona", ["student", "referent", "invigilator"])
def test_only_administrators_edit_someone_elses_identity(client, request, persona, other_student):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("candidates:edit_identity", args=[other_student.candidate.pk])
    assert client.post(url, {**VALID, "birth_name": "PIRATE"}).status_code == 403
    other_student.candidate.refresh_from_db()
    assert other_student.candidate.birth_name == "ROUX"


def test_a_candidate_s_own_identity_change_is_audited_with_the_old_values(client, student):
    client.force_login(student)
    response = client.post(reverse("candidates:identity"), {**VALID, "first_name": "Léane"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="identity_updated", candidate_id=student.candidate.pk)
    assert entry.before["first_name"] == "Léa" and entry.after["first_name"] == "Léane"
