"""Pages of the candidates app, for each persona that may or may not see them."""

import datetime as dt
import json
from html import unescape as html_unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates import services
from candidates.models import AcademicYear, Candidate, ImportStatus, ProfileImport
from candidates.unit_files import write_unit_enrolments

from .conftest import NOW, make_export, participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_with_profile(student, django_capture_on_commit_callbacks):
    data = make_export(
        [{**participant(1, pix=44, year="M1"), "student_number": "21950001", "last_name": "MARTIN"}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.import_profiles(data, file_name="e.csv", now=NOW)
    return student


# --- Student page -------------------------------------------------------------------------------


def test_student_sees_chart_tier_and_reason(
    client, student_with_profile, django_assert_num_queries
):
    client.force_login(student_with_profile)
    # Queries: session, user with own candidate (candidates/backends.py), newest profile, the
    # 16 competences, preparation units.
    with django_assert_num_queries(5):
        response = client.get(reverse("candidates:me"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="profile-chart"' in html and 'id="profile-chart-data"' in html
    chart = response.context["chart"]
    assert chart["levels"] == [5] * 16 and chart["max"] == 7
    assert "704 / 896" in html  # 16 × 44 pix against the max score (7 levels)
    assert "Niveau de priorité : 2" in html
    assert "Priorité 2" in html and "M1" in html
    assert "Mener une recherche et une veille d’information" in html  # table alternative


def test_the_tier_is_explained_in_the_readers_language(client, student_with_profile):
    """The reason is stored in French by the scoring task; an English page words it in English."""
    assert (
        "Priorité 2"
        in student_with_profile.candidate.__class__.objects.get(
            user=student_with_profile
        ).priority_reason
    )
    client.force_login(student_with_profile)
    client.cookies["django_language"] = "en"
    for url in (reverse("candidates:me"),):
        html = client.get(url).content.decode()
        assert "Priority 2: you meet one of the two criteria." in html
        assert "Priorité 2" not in html


def test_student_without_profile_gets_advice(client, student):
    client.force_login(student)
    html = client.get(reverse("candidates:me")).content.decode()
    assert 'data-testid="no-profile"' in html
    assert "campagne de collecte de profils" in html


def test_weak_profile_shows_advice(client, student, django_capture_on_commit_callbacks):
    data = make_export([{**participant(1, pix=12), "student_number": "21950001"}])
    services.import_profiles(data, file_name="e.csv", now=NOW)
    client.force_login(student)
    html = client.get(reverse("candidates:me")).content.decode()
    assert "encore faible" in html and "Travaillez d’abord" in html


def test_another_student_gets_404_on_someone_elses_profile(
    client, student_with_profile, other_student
):
    pk = student_with_profile.candidate.pk
    client.force_login(other_student)
    assert client.get(reverse("candidates:profile", args=[pk])).status_code == 404
    client.force_login(student_with_profile)
    assert client.get(reverse("candidates:profile", args=[pk])).status_code == 200


def test_administrator_sees_any_profile_and_invigilator_is_refused(
    client, student_with_profile, administrator, invigilator
):
    url = reverse("candidates:profile", args=[student_with_profile.candidate.pk])
    client.force_login(administrator)
    assert client.get(url).status_code == 200
    client.force_login(invigilator)
    assert client.get(url).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("candidates:me"))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_outsider_without_candidate_record_is_invited_to_give_their_identity(client, outsider):
    client.force_login(outsider)
    html = client.get(reverse("candidates:me")).content.decode()
    assert reverse("candidates:identity") in html


# --- Identity form ------------------------------------------------------------------------------


def identity_post(**overrides):
    data = {
        "birth_name": "MARTIN",
        "first_name": "Léa",
        "sex": "F",
        "birth_date": "2003-05-04",
        "birth_country": "France",
        "birth_insee_code": "84007",
        "birth_postal_code": "",
        "birth_city": "",
        "convocation_email": "",
        "accessibility_needs": "",
    }
    data.update(overrides)
    return data


def test_identity_form_refuses_insee_with_postal_code_and_keeps_what_was_typed(client, student):
    client.force_login(student)
    response = client.post(
        reverse("candidates:identity"),
        identity_post(birth_postal_code="84000", birth_city="Avignon"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "jamais les deux" in html
    assert 'value="84000"' in html and 'value="Avignon"' in html
    student.candidate.refresh_from_db()
    assert student.candidate.birth_insee_code == ""


def test_identity_form_saves_a_complete_identity(client, student):
    client.force_login(student)
    response = client.post(reverse("candidates:identity"), identity_post())
    assert response.status_code == 302
    c = Candidate.objects.get(user=student)
    assert c.identity_complete and c.birth_date == dt.date(2003, 5, 4)


def test_identity_form_explains_born_abroad_rules(client, student):
    client.force_login(student)
    response = client.post(
        reverse("candidates:identity"),
        identity_post(birth_country="Maroc", birth_insee_code="", birth_postal_code="12345"),
    )
    html = response.content.decode()
    assert "le code postal doit rester vide" in html
    assert "la ville de naissance est obligatoire" in html


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"birth_insee_code": "99999"}, "Aucune commune n’a le code INSEE « 99999 »"),
        (
            {"birth_insee_code": "", "birth_postal_code": "84000", "birth_city": "Marseille"},
            "« Marseille » n’a pas le code postal 84000",
        ),
        (
            {"birth_country": "Frnace", "birth_insee_code": "", "birth_city": "Paris"},
            "Vouliez-vous dire « France » ?",
        ),
    ],
)
def test_identity_form_checks_the_birthplace_against_the_official_referentials(
    client, student, overrides, field_text
):
    client.force_login(student)
    response = client.post(reverse("candidates:identity"), identity_post(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert html_unescape(field_text) in html_unescape(html)
    assert "Pix l’acceptera" not in html
    student.candidate.refresh_from_db()
    assert not student.candidate.birth_date  # nothing saved


def test_identity_form_saves_a_birth_abroad_with_insee_code_99_and_the_official_country(
    client, student
):
    client.force_login(student)
    response = client.post(
        reverse("candidates:identity"),
        identity_post(birth_country="maroc", birth_insee_code="", birth_city="Rabat"),
    )
    assert response.status_code == 302
    c = Candidate.objects.get(user=student)
    assert (c.birth_country, c.birth_insee_code, c.birth_city) == ("Maroc", "99", "Rabat")


def test_outsider_giving_an_identity_becomes_an_external_candidate(client, outsider):
    client.force_login(outsider)
    client.post(reverse("candidates:identity"), identity_post(birth_name="CURIEUX"))
    c = Candidate.objects.get(user=outsider)
    assert c.kind == "external" and c.birth_name == "CURIEUX"


# --- Personal data ------------------------------------------------------------------------------


def test_student_downloads_all_their_data_as_json(client, student_with_profile):
    client.force_login(student_with_profile)
    response = client.get(reverse("candidates:my_data"))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["candidat"]["identifiant_externe"] == "21950001"
    assert len(data["profils_de_positionnement"]) == 1


def test_student_requests_deletion(client, student):
    client.force_login(student)
    assert client.post(reverse("candidates:deletion")).status_code == 302
    assert Candidate.objects.get(user=student).deletion_requested_at is not None


# --- Administrator list and detail --------------------------------------------------------------


@pytest.fixture
def many_candidates(student, other_student):
    Candidate.objects.bulk_create(
        [
            Candidate(
                birth_name=f"NOM{i:03d}",
                first_name="Alex",
                external_id=f"3100{i:04d}",
                study_year="L3" if i % 2 else "L1",
                priority_tier=1 + i % 3,
                is_certifiable=bool(i % 2),
            )
            for i in range(120)
        ]
    )


def test_candidate_list_is_paginated_with_a_fixed_number_of_queries(
    client, administrator, many_candidates, django_assert_num_queries
):
    client.force_login(administrator)
    # Queries: session, user, count of the filtered candidates, one page of candidates with
    # their account and UEO flags.
    with django_assert_num_queries(4):
        response = client.get(reverse("candidates:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    with django_assert_num_queries(4):
        client.get(reverse("candidates:list"), {"page": 3, "tier": "1", "ueo": "none"})


def test_administrator_finds_a_candidate_by_name_or_student_number(
    client, administrator, many_candidates
):
    client.force_login(administrator)
    by_name = client.get(reverse("candidates:list"), {"q": "roux"}).context["page"]
    assert [c.first_name for c in by_name] == ["Hugo"]
    by_number = client.get(reverse("candidates:list"), {"q": "21950001"}).context["page"]
    assert [c.birth_name for c in by_number] == ["MARTIN"]


def test_candidate_list_filters(client, administrator, many_candidates, student_with_profile):
    client.force_login(administrator)

    def count(**params):
        return client.get(reverse("candidates:list"), params).context["page"].paginator.count

    assert count(study_year="L3") == 60
    assert count(programme="informatique") == 1  # the imported student's "M1 Informatique"
    assert count(tier="1") == 40
    assert count(certifiable="yes") == 61  # 60 + the student with a profile
    year = AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )
    services.import_unit_enrolments(
        write_unit_enrolments([("21950001", "Pix1", 7), ("21950001", "Pix2", 7)]),
        academic_year=year,
        semester=1,
    )
    assert count(ueo="both") == 1
    assert count(ueo="pix1", q="martin") == 1
    assert count(ueo="none") == 121


def test_students_and_invigilators_may_not_see_the_list(client, student, invigilator):
    for user in (student, invigilator):
        client.force_login(user)
        assert client.get(reverse("candidates:list")).status_code == 403


def test_csv_export_neutralises_formulas(client, administrator, sample_export):
    services.import_profiles(sample_export, file_name="s.csv", now=NOW)
    client.force_login(administrator)
    response = client.get(reverse("candidates:export"))
    text = response.content.decode("utf-8-sig")
    assert '\'=HYPERLINK(""x"")' in text or "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ";=HYPERLINK" not in text
    assert len(text.strip().split("\n")) == 25


def test_candidate_detail_shows_profile_history(client, administrator, student_with_profile):
    later = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
    data = make_export(
        [{**participant(1, pix=20, sent_at=later), "student_number": "21950001"}],
        campaign_name="Seconde collecte",
    )
    services.import_profiles(data, file_name="second.csv", now=NOW)
    client.force_login(administrator)
    response = client.get(reverse("candidates:detail", args=[student_with_profile.candidate.pk]))
    assert response.status_code == 200
    assert len(response.context["history"]) == 2
    assert "Seconde collecte" in response.content.decode()


def test_student_is_refused_the_administrator_detail(client, student_with_profile):
    client.force_login(student_with_profile)
    url = reverse("candidates:detail", args=[student_with_profile.candidate.pk])
    assert client.get(url).status_code == 403


# --- Imports ------------------------------------------------------------------------------------


def upload(client, data, name="export.csv"):
    return client.post(
        reverse("candidates:imports"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_upload_of_the_sample_imports_and_shows_counts(
    client, administrator, sample_export, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, sample_export, "Resultats-sample.csv")
    imp = ProfileImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:import_detail", args=[imp.pk])
    assert imp.status == ImportStatus.DONE and imp.uploaded_by == administrator
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-counts"' in html and "<td>23</td>" in html
    history = client.get(reverse("candidates:imports")).content.decode()
    assert "Resultats-sample.csv" in history and administrator.email in history
    progress = client.get(reverse("candidates:import_progress", args=[imp.pk])).json()
    assert progress["finished"] and progress["percent"] == 100


def test_upload_with_bad_rows_shows_every_problem(
    client, administrator, django_capture_on_commit_callbacks
):
    data = make_export([participant(1), participant(2)]).replace(b";480;", b";481;")
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, data)
    html = client.get(response["Location"]).content.decode()
    assert "Rien n’a été importé" in html
    assert html.count("<td>Nombre de pix total</td>") == 2
    assert Candidate.objects.count() == 0


def test_upload_of_a_file_that_is_not_a_pix_export_is_refused_with_one_sentence(
    client, administrator
):
    client.force_login(administrator)
    response = upload(client, b"nom,prenom\nA,B\n")
    assert response.status_code == 200
    assert "points-virgules" in response.content.decode()
    assert ProfileImport.objects.count() == 0


def test_pending_import_page_shows_a_progress_bar_and_the_json_follows(client, administrator):
    imp = ProfileImport.objects.create(file_name="big.csv", total_rows=10000)
    client.force_login(administrator)
    html = client.get(reverse("candidates:import_detail", args=[imp.pk])).content.decode()
    assert 'id="import-progress"' in html and "import-progress.js" in html
    from django.core.cache import cache

    cache.set(services.progress_key(imp.pk), 2500)
    progress = client.get(reverse("candidates:import_progress", args=[imp.pk])).json()
    assert (progress["percent"], progress["finished"]) == (25, False)


def test_students_may_not_upload(client, student, sample_export):
    client.force_login(student)
    assert upload(client, sample_export).status_code == 403


def test_units_page_imports_a_file(client, administrator, student):
    year = AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )
    client.force_login(administrator)
    ok = write_unit_enrolments([("21950001", "Pix1", 7)])
    response = client.post(
        reverse("candidates:units"),
        {"academic_year": year.pk, "semester": 1, "file": SimpleUploadedFile("u.csv", ok)},
    )
    assert response.status_code == 302
    bad = write_unit_enrolments([("00000000", "Pix1", 7)])
    response = client.post(
        reverse("candidates:units"),
        {"academic_year": year.pk, "semester": 1, "file": SimpleUploadedFile("u.csv", bad)},
    )
    assert "Aucun candidat n’a ce numéro" in response.content.decode()


def test_administrator_recomputes_scores_on_demand(
    client, administrator, student, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidates:recompute_scores"))
    assert Candidate.objects.get(user=student).priority_tier == 3


# --- Names as Pix takes them, and only addresses the candidate proved are theirs --------------


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+33612345678", "-MARTIN", "@SOMME(A1)"]
)
def test_a_name_starting_like_a_formula_is_refused_at_entry_with_a_sentence(client, student, name):
    client.force_login(student)
    before = Candidate.objects.get(user=student).birth_name
    response = client.post(reverse("candidates:identity"), identity_post(birth_name=name))
    assert response.status_code == 200
    assert f"Un nom ne peut pas commencer par « {name[0]} »" in response.content.decode()
    assert Candidate.objects.get(user=student).birth_name == before


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("D’ARTAGNAN", True),
        ("O'NEIL-ÉLISÉE", True),
        ("Marie Ange", True),
        ("Zoë", True),
        ("Cliquez sur www.exemple.fr", False),
        ("MARTIN2", False),
        ("Léa <b>", False),
        ("Jean.Paul", False),
    ],
)
def test_names_are_letters_spaces_hyphens_and_apostrophes(client, student, name, accepted):
    client.force_login(student)
    response = client.post(reverse("candidates:identity"), identity_post(first_name=name))
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert "Un nom ne contient que des lettres" in response.content.decode()


def test_an_administrator_fixes_a_name_pix_would_refuse(client, administrator, student):
    """The name that blocked the session's Pix export can be corrected on the record."""
    candidate = Candidate.objects.get(user=student)
    Candidate.objects.filter(pk=candidate.pk).update(birth_name="=MARTIN")
    client.force_login(administrator)
    url = reverse("candidates:edit_identity", kwargs={"pk": candidate.pk})
    assert "=MARTIN" in client.get(url).content.decode()
    response = client.post(url, identity_post(birth_name="MARTIN"))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.birth_name == "MARTIN"


def test_a_candidate_cannot_have_the_centre_write_to_an_address_they_did_not_verify(
    client, student
):
    client.force_login(student)
    response = client.post(
        reverse("candidates:identity"), identity_post(convocation_email="victime@example.org")
    )
    assert response.status_code == 200
    assert "Cette adresse n’est pas vérifiée" in response.content.decode()
    assert Candidate.objects.get(user=student).convocation_email != "victime@example.org"


def test_a_verified_second_address_or_the_accounts_own_may_receive_the_convocation(client, student):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=student, email="lea.perso@example.org", verified=True)
    EmailAddress.objects.create(user=student, email="pas.encore@example.org", verified=False)
    client.force_login(student)
    url = reverse("candidates:identity")
    assert (
        client.post(url, identity_post(convocation_email="Lea.Perso@example.org")).status_code
        == 302
    )
    assert client.post(url, identity_post(convocation_email=student.email)).status_code == 302
    assert (
        client.post(url, identity_post(convocation_email="pas.encore@example.org")).status_code
        == 200
    )


def test_staff_enter_a_candidates_address_without_verification(client, administrator, student):
    candidate = Candidate.objects.get(user=student)
    client.force_login(administrator)
    url = reverse("candidates:edit_identity", kwargs={"pk": candidate.pk})
    response = client.post(url, identity_post(convocation_email="lea@univ-avignon.fr"))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.convocation_email == "lea@univ-avignon.fr"
