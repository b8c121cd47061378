"""Importing the Pix Certif results export: every line matched to a registration, or nothing."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import AuditEntry
from candidates.models import Candidate, PositioningProfile
from sessions_app.models import (
    CertificationResult,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    ResultsImport,
    ResultStatus,
    Session,
    SessionStatus,
    StatisticsSnapshot,
)
from sessions_app.services import results

from .conftest import NOW

pytestmark = pytest.mark.django_db

SAMPLE = (
    Path(__file__).parent.parent / "fixtures" / "pix" / "20260112_0900_resultats_session_31245.csv"
)

# The sample's candidates: external id 21900000 + n, born n+1 March 2003 (n = 0..11, no 5).
SAMPLE_PEOPLE = [
    ("Lina", "Durand"), ("Louis", "Fournier"), ("Nathan", "Roux"), ("Camille", "Michel"),
    ("Camille", "Dubois"), ("Inès", "Petit"), ("Léa", "Da Silva"), ("Jade", "Moreau"),
    ("Lucas", "Bernard"), ("Théo", "Da Silva"), ("Lucas", "Thomas"), ("Théo", "Martin"),
]  # fmt: skip


@pytest.fixture
def sample_bytes():
    return SAMPLE.read_bytes()


@pytest.fixture
def pix_session(year, room):
    return Session.objects.create(
        academic_year=year,
        date=dt.date(2026, 1, 12),
        start_time=dt.time(9, 0),
        room=room,
        status=SessionStatus.HELD,
        pix_session_number="31245",
    )


@pytest.fixture
def seated(pix_session):
    """A confirmed seat in the Pix session for each person of the sample."""
    registrations = {}
    for n, (first, last) in enumerate(SAMPLE_PEOPLE):
        candidate = Candidate.objects.create(
            birth_name=last.upper(),
            first_name=first,
            external_id=str(21900000 + n),
            birth_date=dt.date(2003, 3, n + 1),
            convocation_email=f"c{n}@example.org",
            study_year="L3" if n % 2 else "M1",
        )
        registrations[n] = Registration.objects.create(
            candidate=candidate,
            session=pix_session,
            academic_year=pix_session.academic_year,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.ALLOCATION,
            created_at=NOW,
            confirmed_at=NOW,
        )
    return registrations


def test_the_shared_sample_imports_and_matches_every_line(
    seated, sample_bytes, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = results.import_results(
            sample_bytes, file_name=SAMPLE.name, acting_user=administrator
        )
    assert record.accepted and record.line_count == 11 and record.created_count == 11
    assert record.variant == "classic"
    assert CertificationResult.objects.count() == 11
    assert not CertificationResult.objects.filter(registration=seated[5]).exists()

    rejected = CertificationResult.objects.get(registration=seated[0])
    assert (rejected.status, rejected.score) == (ResultStatus.REJECTED, 0)
    cancelled = CertificationResult.objects.get(registration=seated[10])
    assert (cancelled.status, cancelled.score) == (ResultStatus.CANCELLED, None)
    assert set(cancelled.competence_levels.values()) == {None}
    validated = CertificationResult.objects.get(registration=seated[1])
    assert validated.status == ResultStatus.VALIDATED and validated.score == 584
    assert validated.competence_levels["1.1"] == 5 and validated.competence_levels["5.2"] == 4
    assert validated.complementary == {"Pix+ Droit": "Non passée"}
    assert validated.certification_number == "900101"
    assert validated.taken_on == dt.date(2026, 1, 12)

    # Each candidate is told once; the audit trail has a row per result; statistics computed.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"c{n}@example.org" for n in range(12) if n != 5
    )
    assert "584 pix sur 896" in next(m.body for m in mail.outbox if m.to == ["c1@example.org"])
    assert AuditEntry.objects.filter(action="result_imported").count() == 11
    snapshot = StatisticsSnapshot.objects.get(academic_year=seated[0].academic_year)
    assert snapshot.data["counts"]["validated"] == 9


def test_importing_again_updates_and_tells_nobody_twice(
    seated, sample_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        results.import_results(sample_bytes, file_name="a.csv")
    changed = sample_bytes.replace(
        '"Validée";"Non passée";400'.encode(), '"Rejetée";"Non passée";0'.encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        record = results.import_results(changed, file_name="b.csv")
    assert (record.created_count, record.updated_count) == (0, 1)
    assert CertificationResult.objects.get(registration=seated[2]).status == ResultStatus.REJECTED
    assert len(mail.outbox) == 11
    assert AuditEntry.objects.filter(action="result_updated").count() == 1


def test_an_unknown_external_id_is_reported_and_nothing_is_imported(seated, sample_bytes):
    unknown = sample_bytes.replace(
        b'"Martin";"12/03/2003";"AVIGNON";21900011', b'"Martin";"12/03/2003";"AVIGNON";99999999'
    )
    seated[11].candidate.birth_date = dt.date(2000, 1, 1)  # so the name fallback fails too
    seated[11].candidate.save()
    with pytest.raises(results.ResultsImportError) as caught:
        results.import_results(unknown, file_name="x.csv")
    assert caught.value.problems == [
        {
            "line": 12,
            "column": results.COL_IDENTITY,
            "value": "99999999",
            "reason": "Identifiant externe inconnu, et aucun candidat avec ce prénom, ce nom et "
            "cette date de naissance.",
        }
    ]
    assert not CertificationResult.objects.exists()
    refused = ResultsImport.objects.get()
    assert not refused.accepted and refused.error_report == caught.value.problems


def test_without_external_id_the_name_and_birth_date_match_ignoring_case_and_accents(
    seated, sample_bytes
):
    anonymous = sample_bytes.replace(
        b'"L\xc3\xa9a";"Da Silva";"07/03/2003";"AVIGNON";21900006',
        b'"LEA";"DA-SILVA";"07/03/2003";"AVIGNON";',
    )
    assert anonymous != sample_bytes
    results.import_results(anonymous, file_name="x.csv")
    assert CertificationResult.objects.get(registration=seated[6]).score == 256


def test_a_line_whose_candidate_has_no_seat_in_that_session_is_reported(seated, sample_bytes):
    seated[3].status = RegistrationStatus.CANCELLED
    seated[3].save()
    with pytest.raises(results.ResultsImportError) as caught:
        results.import_results(sample_bytes, file_name="x.csv")
    assert [p["line"] for p in caught.value.problems] == [5]
    assert "31245" in caught.value.problems[0]["reason"]


def test_a_file_that_is_not_a_results_export_is_refused_with_a_sentence(seated):
    with pytest.raises(results.ResultsImportError) as caught:
        results.import_results(b"a,b,c\n1,2,3\n", file_name="x.csv")
    assert "séparateur" in caught.value.message
    assert ResultsImport.objects.get().accepted is False


def test_import_results_command(seated, tmp_path, sample_bytes):
    good = tmp_path / "good.csv"
    good.write_bytes(sample_bytes)
    out = StringIO()
    call_command("import_results", str(good), stdout=out)
    assert "11 results imported: 11 created" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        sample_bytes.replace(b";21900011;", b";88888888;").replace(b"12/03/2003", b"12/03/1999")
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_results", str(bad), stderr=err)
    assert "line 12" in err.getvalue() and "88888888" in err.getvalue()


def test_import_results_command_exits_non_zero(seated, tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"not;a;results;file\n1;2;3;4\n")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_results", str(bad)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PIXCENTRE_VAR_DIR": str(tmp_path / "var")},
    )
    assert proc.returncode != 0
    assert "export des résultats" in proc.stderr


# --- pages --------------------------------------------------------------------------------------


def test_administrator_uploads_the_sample_and_others_are_refused(
    client, seated, administrator, student, referent, sample_bytes
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for user, expected in ((student, 403), (referent, 403)):
        client.force_login(user)
        assert client.get("/resultats/import/").status_code == expected
    client.force_login(administrator)
    upload = SimpleUploadedFile(SAMPLE.name, sample_bytes, content_type="text/csv")
    response = client.post("/resultats/import/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "11 résultat(s) importé(s)" in response.content.decode()
    assert CertificationResult.objects.count() == 11

    bad = SimpleUploadedFile(
        "x.csv", sample_bytes.replace(b";21900011;", b";1;").replace(b"12/03/2003", b"12/03/1999")
    )
    response = client.post("/resultats/import/", {"file": bad})
    assert response.status_code == 200
    assert 'data-testid="error-report"' in response.content.decode()


def test_student_sees_their_score_out_of_the_max_and_levels_next_to_positioning(
    client, student, pix_session, referential
):
    from tests.sessions_app.conftest import complete_identity

    candidate = complete_identity(student.candidate)
    registration = Registration.objects.create(
        candidate=candidate,
        session=pix_session,
        academic_year=pix_session.academic_year,
        status=RegistrationStatus.CONFIRMED,
        source=RegistrationSource.ALLOCATION,
        created_at=NOW,
    )
    levels = {c.code: 3 for c in referential}
    PositioningProfile.objects.create(
        candidate=candidate,
        measured_at=NOW,
        campaign_id="1",
        levels={**levels, "1.1": 4},
        pix={},
        total_pix=400,
        certifiable_competences=16,
        is_certifiable=True,
        average_level=3,
    )
    CertificationResult.objects.create(
        registration=registration,
        certification_number="1",
        status=ResultStatus.VALIDATED,
        score=412,
        competence_levels={**levels, "1.1": 5},
        imported_at=NOW,
    )
    client.force_login(student)
    page = client.get("/resultats/moi/").content.decode()
    assert "412 pix sur 896" in page
    assert "Validée" in page
    assert "<td>5</td><td>4</td>" in page  # 1.1: certified 5, positioned 4
    assert "Positionnement" in page


def test_a_student_sees_only_their_own_results(client, other_student, seated, sample_bytes):
    results.import_results(sample_bytes, file_name="x.csv")
    client.force_login(other_student)
    page = client.get("/resultats/moi/").content.decode()
    assert "Aucun résultat" in page and "584" not in page


def test_the_2026_variant_stores_the_level_and_the_score(seated):
    header = (
        "Numéro de certification;Prénom;Nom;Date de naissance;Lieu de naissance;"
        "Identifiant Externe;Type de certification;Statut;Niveau;Score en pix;"
        + ";".join(results.pix_results.COMPETENCE_CODES)
        + ";Commentaire jury pour l’organisation;Session;Centre de certification;"
        "Date de passage de la certification"
    )
    line = (
        '900101;"Louis";"Fournier";"02/03/2003";"AVIGNON";21900001;"Pix";"Validée";"Avancé 1";584;'
        + ";".join(["5"] * 16)
        + ';"";31245;"Avignon Université";"12/01/2026"'
    )
    record = results.import_results(
        ("\ufeff" + header + "\n" + line + "\n").encode(), file_name="2026.csv"
    )
    assert record.variant == "2026"
    result = CertificationResult.objects.get(registration=seated[1])
    assert (result.level, result.score, result.competence_levels["3.4"]) == ("Avancé 1", 584, 5)
    assert result.certification_type == "Pix"
