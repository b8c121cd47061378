"""Profile exports as Pix Orga writes them in 2026 (formats README §1): levels 7 and 8, competence
titles spelt without accents or in capitals, sent dates in the autumn hour that occurs twice, a
student number known under another name, a database error during the import."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from candidates import services
from candidates.models import Candidate, CandidateKind, ImportStatus, PositioningProfile
from candidates.pix.profiles import PARIS, parse_profiles_export

from .conftest import NOW

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "pix"
    / "Resultats-Collecte profils 2026 niveaux 7-8-51730-2025-10-26-0400.csv"
)


@pytest.fixture
def levels_7_8() -> bytes:
    return FIXTURE.read_bytes()


def run(data, **kw):
    return services.import_profiles(data, file_name=FIXTURE.name, now=NOW, **kw)


# --- the file itself (pure) -----------------------------------------------------------------


def test_levels_7_and_8_and_titles_without_accents_read_whatever_the_setting(levels_7_8, settings):
    settings.PIX_MAX_LEVEL = 6  # a centre still showing 6 levels
    export = parse_profiles_export(levels_7_8)
    assert export.problems == []
    assert len(export.rows) == 4 and len(export.with_profile) == 3
    first = export.rows[0]
    assert first.levels["1.1"] == 8 and first.pix["1.1"] == 64  # header "mener … d'information"
    assert first.levels["1.2"] == 7  # header "GÉRER DES DONNÉES"
    assert first.levels["3.2"] == 3  # header "… multimedia" (the annex says multimédia)
    assert first.levels["4.1"] == 7  # header "Securiser l'environnement numerique"
    assert first.total_pix == 790
    assert export.rows[1].total_pix == 896 and set(export.rows[1].levels.values()) == {7}


def test_the_repeated_autumn_hour_is_read_as_one_utc_instant(levels_7_8):
    rows = parse_profiles_export(levels_7_8).rows
    # 26/10/2025 02:30 in Paris, first occurrence (summer time, UTC+2).
    assert rows[0].sent_at == dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC)
    assert rows[0].sent_at.tzinfo is dt.UTC
    assert rows[1].sent_at == dt.datetime(2025, 10, 26, 0, 59, tzinfo=dt.UTC)
    assert rows[2].sent_at == dt.datetime(2025, 10, 26, 2, 15, tzinfo=dt.UTC)  # 03:15 winter


def test_a_level_9_is_still_refused(levels_7_8):
    text = levels_7_8.decode("utf-8")
    bad = text.replace(";8;64;7;56;8;64;", ";9;72;7;56;8;64;", 1).encode("utf-8")
    export = parse_profiles_export(bad)
    assert {(p.line, p.value) for p in export.problems} >= {(2, "9"), (2, "72")}


# --- importing it -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_file_imports_then_reimports_as_unchanged(levels_7_8):
    first = run(levels_7_8)
    assert first.status == ImportStatus.DONE, first.error_report
    assert (first.created_count, first.without_profile_count) == (3, 1)
    stored = PositioningProfile.objects.get(candidate__external_id="21950000")
    assert stored.measured_at == dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC)
    assert stored.levels["1.1"] == 8 and stored.total_pix == 790

    again = run(levels_7_8)
    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert PositioningProfile.objects.count() == 3


@pytest.mark.django_db
def test_a_dry_run_reimport_of_the_repeated_hour_does_not_crash(levels_7_8, tmp_path):
    run(levels_7_8)
    path = tmp_path / FIXTURE.name
    path.write_bytes(levels_7_8)
    out, err = StringIO(), StringIO()
    call_command("import_profiles", str(path), "--dry-run", stdout=out, stderr=err)
    assert "inchangés : 3" in out.getvalue()
    call_command("import_profiles", str(path), stdout=out, stderr=err)
    assert PositioningProfile.objects.count() == 3


@pytest.mark.django_db
def test_a_profile_stored_before_the_fix_is_recognised(levels_7_8):
    """Earlier versions stored the Paris time as given (fold 0): the same instant."""
    run(levels_7_8)
    profile = PositioningProfile.objects.get(candidate__external_id="21950001")
    paris = dt.datetime(2025, 10, 26, 2, 59, tzinfo=PARIS)
    assert profile.measured_at == paris.astimezone(dt.UTC)
    assert run(levels_7_8).unchanged_count == 3


@pytest.mark.django_db
def test_a_student_number_known_under_another_name_is_imported_and_listed(levels_7_8):
    known = Candidate.objects.create(
        kind=CandidateKind.STUDENT, birth_name="Lemoine", first_name="Sarah", external_id="21950002"
    )
    # The same person spelt differently (accents, case) is not a warning.
    Candidate.objects.create(
        kind=CandidateKind.STUDENT, birth_name="ARNAUD", first_name="Maelys", external_id="21950000"
    )
    result = run(levels_7_8)
    assert result.status == ImportStatus.DONE
    assert known.profiles.count() == 1  # imported for the number's owner
    assert [(w["line"], w["value"]) for w in result.warnings] == [(4, "21950002")]
    warning = result.warnings[0]
    assert warning["column"] == "Numéro Étudiant"
    assert "Sarah Lemoine" in warning["reason"] and "Ilyès Carré" in warning["reason"]
    result.refresh_from_db()
    assert len(result.warnings) == 1  # stored with the import


@pytest.mark.django_db
def test_the_warning_is_on_the_import_page_and_the_command_output(
    levels_7_8, client, administrator, tmp_path
):
    Candidate.objects.create(
        kind=CandidateKind.STUDENT, birth_name="Lemoine", first_name="Sarah", external_id="21950002"
    )
    result = run(levels_7_8)
    client.force_login(administrator)
    html = client.get(reverse("candidates:import_detail", args=[result.pk])).content.decode()
    assert 'data-testid="import-warnings"' in html and "Sarah Lemoine" in html

    path = tmp_path / FIXTURE.name
    path.write_bytes(levels_7_8)
    err = StringIO()
    call_command("import_profiles", str(path), "--dry-run", stdout=StringIO(), stderr=err)
    assert "à vérifier : ligne 4" in err.getvalue()


@pytest.mark.django_db
def test_a_database_error_is_a_message_and_nothing_is_imported(levels_7_8, monkeypatch, tmp_path):
    from candidates.services import bulk

    insert_rows = bulk.insert_rows

    def refuse(model, *args, **kwargs):
        # The candidates are written first, then the profiles are refused.
        if model is PositioningProfile:
            raise IntegrityError("duplicate key value violates unique constraint")
        return insert_rows(model, *args, **kwargs)

    monkeypatch.setattr(bulk, "insert_rows", refuse)
    result = run(levels_7_8)
    assert result.status == ImportStatus.FAILED
    assert "rien n’a été importé" in result.error_message
    assert "duplicate key" not in result.error_message
    assert Candidate.objects.count() == 0  # the candidates of the same transaction too
    result.refresh_from_db()
    assert result.status == ImportStatus.FAILED

    dry = run(levels_7_8, dry_run=True)
    assert dry.status == ImportStatus.FAILED and dry.pk is None

    path = tmp_path / FIXTURE.name
    path.write_bytes(levels_7_8)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_profiles", str(path), stdout=StringIO(), stderr=err)
    assert exit_.value.code == 3
    assert "rien n’a été importé" in err.getvalue() and "Traceback" not in err.getvalue()
