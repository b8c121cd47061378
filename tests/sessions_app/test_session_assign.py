"""The session page's « Affecter un candidat »: a search by name, student number or email
(server-side, paginated, without JavaScript; a fragment for search-as-you-type) instead of a
drop-down of every candidate, and a constant number of queries at 10,000 candidates."""

import pytest
from django.urls import reverse

from candidates.models import Candidate, CandidateKind
from sessions_app.models import Registration, RegistrationStatus

from .conftest import complete_identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_candidates(db):
    Candidate.objects.bulk_create(
        (
            Candidate(
                kind=CandidateKind.STUDENT,
                birth_name=f"NOM{i:05d}",
                first_name="André" if i % 1000 == 7 else "Camille",
                external_id=f"3{i:07d}",
            )
            for i in range(10_000)
        ),
        batch_size=2000,
    )


def test_session_page_has_no_drop_down_of_every_candidate(client, administrator, session):
    Candidate.objects.create(birth_name="DUPONT", first_name="André")
    client.force_login(administrator)
    html = client.get(reverse("sessions_app:session", args=[session.pk])).content.decode()
    assert "<select" not in html.split('id="assign"')[1].split("Pix Certif")[0]
    assert "DUPONT" not in html
    assert 'name="q"' in html and 'data-live-search="assign-results-box"' in html


def test_search_finds_by_name_without_accents_and_assigns_without_javascript(
    client, administrator, session
):
    andre = complete_identity(Candidate.objects.create(birth_name="Dupont", first_name="André"))
    Candidate.objects.create(birth_name="MARTIN", first_name="Léa")
    client.force_login(administrator)
    url = reverse("sessions_app:session", args=[session.pk])
    response = client.get(url, {"q": "andre dup"})
    assert [c.pk for c in response.context["assign_page"]] == [andre.pk]
    html = response.content.decode()
    assert f'<input type="hidden" name="candidate" value="{andre.pk}">' in html
    # The « Affecter » button of that result posts its id.
    response = client.post(
        reverse("sessions_app:session_override", args=[session.pk]), {"candidate": andre.pk}
    )
    assert response.status_code == 302
    assert Registration.objects.get(candidate=andre, session=session).status == (
        RegistrationStatus.CONFIRMED
    )


def test_fragment_is_the_results_block_only(client, administrator, session):
    Candidate.objects.create(birth_name="MARTIN", first_name="Léa", external_id="21950555")
    client.force_login(administrator)
    url = reverse("sessions_app:session", args=[session.pk])
    response = client.get(url, {"q": "21950555", "fragment": "1"})
    html = response.content.decode()
    assert "MARTIN Léa" in html and "<html" not in html and '<nav class="navbar' not in html


def test_an_unknown_or_absurd_candidate_id_is_refused_with_a_message(
    client, administrator, session
):
    client.force_login(administrator)
    url = reverse("sessions_app:session_override", args=[session.pk])
    for value in ("999999", "9" * 30, "²", "abc", ""):
        response = client.post(url, {"candidate": value}, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
    assert not Registration.objects.exists()


def test_session_page_keeps_a_constant_number_of_queries_at_10000_candidates(
    client, administrator, session, many_candidates, django_assert_num_queries
):
    client.force_login(administrator)
    url = reverse("sessions_app:session", args=[session.pk])
    client.get(url)  # warm the session
    # session, user, the session (room, year), its registrations (with candidate and account),
    # its campaigns, its assignments clashing with an unavailability (none: one query)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.content) < 60_000  # it was 500 KB with the 10,273-option drop-down
    # the same, plus the search: its count and one page of candidates (with their account)
    with django_assert_num_queries(8):
        response = client.get(url, {"q": "andre", "page": 2})
    page = response.context["assign_page"]
    assert page.paginator.count == 10 and page.paginator.num_pages == 1  # page 2 → the last
    with django_assert_num_queries(8):
        response = client.get(url, {"q": "camille"})
    page = response.context["assign_page"]
    assert page.paginator.count == 9_990 and len(page.object_list) == 10


def test_search_fragment_keeps_a_constant_number_of_queries(
    client, administrator, session, many_candidates, django_assert_num_queries
):
    client.force_login(administrator)
    url = reverse("sessions_app:session", args=[session.pk])
    client.get(url)
    # session, user, the session, the count, one page
    with django_assert_num_queries(5):
        client.get(url, {"q": "3000", "fragment": "1"})
