"""Profile imports, scores and tiers, preparation units, personal data."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from accounts.models import AuditEntry
from candidates import services
from candidates.models import (
    AcademicYear,
    Candidate,
    ImportStatus,
    PositioningProfile,
    PreparationUnit,
    ProfileImport,
    UnitEnrolment,
)
from candidates.services import profiles
from candidates.unit_files import write_unit_enrolments

from .conftest import CODES, NOW, make_export, participant

pytestmark = pytest.mark.django_db


def run(data, **kw):
    return services.import_profiles(data, file_name="export.csv", now=NOW, **kw)


# --- Import of the sample -------------------------------------------------------------------


def test_sample_imports_23_profiles_and_one_participant_without_profile(
    sample_export, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = run(sample_export)
    assert result.status == ImportStatus.DONE
    assert (result.created_count, result.updated_count, result.unchanged_count) == (23, 0, 0)
    assert result.without_profile_count == 1
    assert result.candidates_created_count == 24
    assert Candidate.objects.count() == 24
    assert PositioningProfile.objects.count() == 23
    no_profile = Candidate.objects.get(external_id="21900005")
    assert not no_profile.profiles.exists()
    lina = Candidate.objects.get(external_id="21900000")
    assert (lina.birth_name, lina.first_name, lina.study_year) == ("Durand", "Lina", "M2")
    # Scores were computed by the task enqueued after commit.
    assert lina.total_pix == 620 and lina.is_certifiable
    assert lina.average_level == Decimal("4.44")  # 71 levels / 16
    assert lina.priority_tier == 3
    assert no_profile.priority_tier == 3 and "pas encore partagé" in no_profile.priority_reason


def test_importing_the_same_file_twice_changes_nothing(sample_export):
    run(sample_export)
    snapshot = list(PositioningProfile.objects.order_by("pk").values())
    candidates = list(Candidate.objects.order_by("pk").values("pk", "birth_name", "external_id"))
    second = run(sample_export)
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 23)
    assert second.candidates_created_count == 0
    assert list(PositioningProfile.objects.order_by("pk").values()) == snapshot
    assert list(Candidate.objects.order_by("pk").values("pk", "birth_name", "external_id")) == (
        candidates
    )


def test_newer_export_adds_a_snapshot_and_the_newest_counts(django_capture_on_commit_callbacks):
    first = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)
    later = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        run(make_export([participant(1, pix=30, year="M1")]))
    with django_capture_on_commit_callbacks(execute=True):
        r = run(make_export([participant(1, pix=44, year="M1", sent_at=later)]))
    assert (r.created_count, r.updated_count) == (0, 1)
    c = Candidate.objects.get(external_id="22000001")
    assert c.profiles.count() == 2
    assert c.total_pix == 16 * 44 and c.average_level == Decimal("5.00")
    assert c.priority_tier == 2
    assert services.newest_profile(c).measured_at == later
    del first


def test_existing_candidate_is_matched_by_student_number(student):
    data = make_export([{**participant(1), "student_number": "21950001", "last_name": "MARTIN"}])
    r = run(data)
    assert r.candidates_created_count == 0
    assert student.candidate.profiles.count() == 1


def test_file_with_bad_rows_imports_nothing_and_records_the_report(administrator):
    data = make_export([participant(1), participant(2)]).replace(b";480;", b";481;", 1)
    result = run(data, acting_user=administrator)
    assert result.status == ImportStatus.REFUSED
    assert [(p["line"], p["column"], p["value"]) for p in result.error_report] == [
        (2, "Nombre de pix total", "481")
    ]
    assert Candidate.objects.count() == 0 and PositioningProfile.objects.count() == 0
    assert ProfileImport.objects.get().uploaded_by == administrator


def test_file_that_is_not_a_pix_export_is_refused_with_one_sentence():
    result = run(b"a,b,c\n1,2,3\n")
    assert result.status == ImportStatus.REFUSED
    assert "points-virgules" in result.error_message and result.error_report == []


def test_dry_run_counts_without_saving(sample_export):
    result = run(sample_export, dry_run=True)
    assert result.created_count == 23 and result.pk is None
    assert Candidate.objects.count() == 0 and ProfileImport.objects.count() == 0


def test_stored_import_runs_once_even_if_the_task_is_delivered_twice(
    sample_export, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        imp = services.start_profile_import(
            data=sample_export, file_name="sample.csv", acting_user=administrator, now=NOW
        )
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and imp.created_count == 23
    assert services.run_stored_profile_import(imp.pk) is None
    assert PositioningProfile.objects.count() == 23
    assert services.import_progress(imp)["percent"] == 100


def test_a_crashing_import_is_marked_failed_not_left_running(
    sample_export, administrator, monkeypatch
):
    imp = ProfileImport.objects.create(file_name="s.csv")
    imp.file.save("s.csv", ContentFile(sample_export))

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(profiles, "_write_profiles", boom)
    with pytest.raises(RuntimeError):
        services.run_stored_profile_import(imp.pk, now=NOW)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED and "rien n’a été importé" in imp.error_message
    assert Candidate.objects.count() == 0


def test_progress_is_reported_while_the_import_runs():
    seen = []
    data = make_export([participant(n) for n in range(1, 4501)])
    r = run(data, on_progress=lambda done, total: seen.append((done, total)))
    assert r.created_count == 4500
    assert seen[0] == (2000, 4500) and seen[-1] == (4500, 4500)


# --- Command ----------------------------------------------------------------------------------


def test_command_reports_bad_rows_on_stderr_with_exit_code_1(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(make_export([participant(1)]).replace(b";480;", b";481;", 1))
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_profiles", str(path), stderr=err)
    assert exc.value.code == 1
    assert "ligne 2 ; colonne « Nombre de pix total » ; valeur « 481 »" in err.getvalue()
    assert Candidate.objects.count() == 0


def test_command_refuses_a_non_pix_file_with_exit_code_2(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01binary")
    err = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_profiles", str(path), stderr=err)
    assert exc.value.code == 2 and "binaire" in err.getvalue()


def test_command_dry_run_saves_nothing(tmp_path, sample_export):
    path = tmp_path / "s.csv"
    path.write_bytes(sample_export)
    out = StringIO()
    call_command("import_profiles", str(path), "--dry-run", stdout=out)
    assert "profils créés : 23" in out.getvalue() and Candidate.objects.count() == 0


# --- Preparation units and tiers ----------------------------------------------------------------


@pytest.fixture
def year(db):
    return AcademicYear.objects.create(
        label="2025-2026", start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 8, 31)
    )


def test_units_completed_raise_the_tier(year, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(make_export([participant(1, pix=44, year="M1")]))
    c = Candidate.objects.get(external_id="22000001")
    assert c.priority_tier == 2
    data = write_unit_enrolments([("22000001", "Pix1", 7), ("22000001", "UEO Pix2", 7)])
    with django_capture_on_commit_callbacks(execute=True):
        result = services.import_unit_enrolments(data, academic_year=year, semester=1, now=NOW)
    assert result.ok and result.created == 2
    c.refresh_from_db()
    assert c.priority_tier == 1
    assert PreparationUnit.objects.get(code="pix1", semester=1).quota == 500


def test_unit_with_6_of_7_courses_is_not_completed(year, django_capture_on_commit_callbacks):
    run(make_export([participant(1, pix=44, year="M1")]))
    data = write_unit_enrolments([("22000001", "Pix1", 7), ("22000001", "Pix2", 6)])
    with django_capture_on_commit_callbacks(execute=True):
        services.import_unit_enrolments(data, academic_year=year, semester=2, now=NOW)
    assert Candidate.objects.get(external_id="22000001").priority_tier == 2


def test_unit_file_with_bad_rows_imports_nothing(year, student):
    data = write_unit_enrolments(
        [("21950001", "Pix1", 7), ("99999999", "Pix1", 3), ("21950001", "Pix3", 8)]
    )
    result = services.import_unit_enrolments(data, academic_year=year, semester=1, now=NOW)
    assert [(p.line, p.column) for p in result.problems] == [
        (3, "Numéro étudiant"),
        (4, "UEO"),
        (4, "Parcours validés"),
    ]
    assert UnitEnrolment.objects.count() == 0


def test_unit_quota_is_enforced(year, student, other_student):
    PreparationUnit.objects.create(code="pix1", academic_year=year, semester=1, quota=1)
    data = write_unit_enrolments([("21950001", "Pix1", 7), ("21950002", "Pix1", 7)])
    result = services.import_unit_enrolments(data, academic_year=year, semester=1, now=NOW)
    assert [p.line for p in result.problems] == [3]
    assert "Quota" in result.problems[0].reason
    assert UnitEnrolment.objects.count() == 0


def test_reimporting_units_updates_course_counts(year, student):
    services.import_unit_enrolments(
        write_unit_enrolments([("21950001", "Pix1", 3)]), academic_year=year, semester=1
    )
    r = services.import_unit_enrolments(
        write_unit_enrolments([("21950001", "Pix1", 7)]), academic_year=year, semester=1
    )
    assert (r.created, r.updated) == (0, 1)
    assert UnitEnrolment.objects.get().courses_completed == 7


def test_scores_on_demand_cover_every_candidate(student, external):
    assert services.compute_scores(now=NOW) == 2
    assert Candidate.objects.filter(priority_tier=3, scores_computed_at=NOW).count() == 2


# --- Personal data ------------------------------------------------------------------------------


def test_personal_data_holds_identity_profiles_and_units(student, year):
    run(make_export([{**participant(1), "student_number": "21950001"}]))
    services.import_unit_enrolments(
        write_unit_enrolments([("21950001", "Pix2", 5)]), academic_year=year, semester=1
    )
    data = services.personal_data(student.candidate)
    assert data["candidat"]["identifiant_externe"] == "21950001"
    assert data["candidat"]["compte"] == student.email
    assert data["profils_de_positionnement"][0]["niveaux"]["1.1"] == 3
    assert data["unites_de_preparation"][0]["parcours_valides"] == 5


def test_only_the_candidate_may_request_deletion(student, other_student):
    with pytest.raises(services.CandidateError):
        services.request_deletion(student.candidate, acting_user=other_student)
    c = services.request_deletion(student.candidate, acting_user=student, now=NOW)
    assert c.deletion_requested_at == NOW
    entry = AuditEntry.objects.get(action="deletion_requested")
    assert (entry.actor, entry.candidate_id) == (student, c.pk)


def test_import_and_identity_changes_are_audited(student, administrator, sample_export):
    run(sample_export, acting_user=administrator)
    entry = AuditEntry.objects.get(action="profiles_imported")
    assert entry.actor == administrator and entry.after["created"] == 23
    services.update_identity(
        student.candidate, {"birth_city": "Avignon"}, acting_user=student, now=NOW
    )
    entry = AuditEntry.objects.get(action="identity_updated")
    assert (entry.before, entry.after) == ({"birth_city": ""}, {"birth_city": "Avignon"})


def test_purge_anonymises_inactive_candidates_and_keeps_statistics(student, other_student):
    run(make_export([{**participant(1), "student_number": "21950001"}]))
    old = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    Candidate.objects.filter(user=student).update(last_activity_at=old, study_year="L3")
    out = StringIO()
    call_command("purge_candidates", "--before", "2024-01-01", stdout=out)
    assert "1 candidat(s)" in out.getvalue()
    c = Candidate.objects.get(pk=student.candidate.pk)
    assert c.birth_name == "ANONYME" and c.external_id == "" and c.user is None
    assert c.study_year == "L3" and c.profiles.count() == 1  # statistics kept
    student.refresh_from_db()
    assert not student.is_active and "lea" not in student.email
    other = Candidate.objects.get(user=other_student)
    assert other.birth_name == "ROUX" and other.anonymised_at is None


def test_purge_deletes_uploaded_exports_older_than_the_limit(sample_export):
    old = ProfileImport.objects.create(
        file_name="old.csv", created_at=dt.datetime(2023, 5, 1, tzinfo=dt.UTC)
    )
    old.file.save("old.csv", ContentFile(sample_export))
    recent = ProfileImport.objects.create(file_name="new.csv", created_at=NOW)
    recent.file.save("new.csv", ContentFile(sample_export))
    path = old.file.path
    services.purge_candidates(before=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), now=NOW)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and old.file_name == "old.csv"
    assert recent.file
    assert not Path(path).exists()


def test_purge_with_deletion_requests(student):
    services.request_deletion(student.candidate, acting_user=student, now=NOW)
    before = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    assert services.purge_candidates(before=before) == 0
    assert services.purge_candidates(before=before, include_deletion_requests=True) == 1


def test_competence_codes_are_the_sixteen():
    assert len(CODES) == 16
