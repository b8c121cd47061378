"""Every shape of results file Pix writes imports with zero manual edits (formats README §3):
the file as Pix writes it, the seats it refers to, and the results stored and shown with Pix's
own words (status, ``Niveau`` label, certification type)."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from candidates.models import Candidate
from sessions_app.models import (
    CertificationResult,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Session,
    SessionStatus,
)
from sessions_app.services import results, statistics
from tests.conftest import make_user

from .conftest import NOW

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pix"
FILES = {
    "classic": "20260114_1000_resultats_session_31300_classique.csv",
    "mixed": "20260310_1400_resultats_session_40100_mixte.csv",
    "pix_plus": "20260312_1600_resultats_session_40200_pix_plus.csv",
    "sample_2026": "20260203_1400_resultats_session_40001.csv",
    "sample_classic": "20260112_0900_resultats_session_31245.csv",
}
COMPLEMENTARY = {"Pix+ Droit": "droit", "Pix+ Pro Santé": "sante", "Pix+ Édu 2nd degré": "edu2"}


def seat_everyone(data: bytes, year, room) -> dict[str, Registration]:
    """The registrations a file refers to: one session per Pix number, one confirmed seat per
    line's person (read with the csv module, not with the importer under test)."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    seats, sessions = {}, {}
    for n, row in enumerate(rows):
        number = row["Session"]
        if number not in sessions:
            day, month, yyyy = map(int, row["Date de passage de la certification"].split("/"))
            sessions[number] = Session.objects.create(
                academic_year=year,
                date=dt.date(yyyy, month, day),
                start_time=dt.time(9, 0),
                room=room,
                status=SessionStatus.HELD,
                pix_session_number=number,
            )
        day, month, yyyy = map(int, row["Date de naissance"].split("/"))
        candidate = Candidate.objects.create(
            birth_name=row["Nom"].removeprefix("'").upper(),
            first_name=row["Prénom"],
            external_id=row["Identifiant Externe"],
            birth_date=dt.date(yyyy, month, day),
            convocation_email=f"r{n}@example.org",
            study_year="L3",
        )
        seats[row["Numéro de certification"]] = Registration.objects.create(
            candidate=candidate,
            session=sessions[number],
            academic_year=year,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.ALLOCATION,
            complementary=COMPLEMENTARY.get(row.get("Type de certification", ""), ""),
            created_at=NOW,
            confirmed_at=NOW,
        )
    return seats


@pytest.mark.parametrize("shape", list(FILES))
def test_each_shape_imports_whole(shape, year, room):
    data = (FIXTURES / FILES[shape]).read_bytes()
    seats = seat_everyone(data, year, room)
    record = results.import_results(data, file_name=FILES[shape], now=NOW)
    assert record.accepted and record.created_count == len(seats)
    assert CertificationResult.objects.count() == len(seats)
    # A second import of the same file changes nothing.
    again = results.import_results(data, file_name=FILES[shape], now=NOW)
    assert (again.created_count, again.updated_count) == (0, 0)


def test_mixed_file_stores_pix_words(year, room):
    data = (FIXTURES / FILES["mixed"]).read_bytes()
    seats = seat_everyone(data, year, room)
    results.import_results(data, file_name="mixte.csv", now=NOW)

    def result(number):
        return CertificationResult.objects.get(registration=seats[number])

    expert = result("930000")
    assert (expert.certification_type, expert.level, expert.score) == ("Pix", "Expert 1", 812)
    assert expert.competence_levels["1.1"] == 7
    droit = result("930004")
    assert (droit.certification_type, droit.status, droit.level) == (
        "Pix+ Droit",
        "Validée",
        "Avancé",
    )
    assert droit.score is None and not droit.is_core
    assert result("930005").status == "Non obtenue"
    assert result("930005").get_status_display() == "Non obtenue"
    assert result("930003").complementary["CléA Numérique"] == "Non obtenue"
    assert result("930008").complementary["Pix+ Édu 2nd degré"] == "En erreur"
    assert (result("930009").status, result("930009").score) == ("Démarrée", None)


def test_the_student_page_shows_the_level_label(client, year, room):
    data = (FIXTURES / FILES["mixed"]).read_bytes()
    seats = seat_everyone(data, year, room)
    results.import_results(data, file_name="mixte.csv", now=NOW)
    for number, expected in (("930000", "Expert 1"), ("930004", "Avancé")):
        candidate = seats[number].candidate
        candidate.user = make_user(f"{number}@etu.univ-avignon.fr")
        candidate.save()
        client.force_login(candidate.user)
        page = client.get("/resultats/moi/").content.decode()
        assert f'data-testid="result-level">{expected}</dd>' in page
    assert 'data-testid="result-type">Pix+ Droit</dd>' in page
    assert 'data-testid="result-score"' not in page  # a Pix+ result has no score


def test_statistics_count_levels_and_certifications(year, room, client, referent):
    data = (FIXTURES / FILES["mixed"]).read_bytes()
    seat_everyone(data, year, room)
    results.import_results(data, file_name="mixte.csv", now=NOW)
    stats = statistics.refresh(year.pk).data
    assert stats["counts"]["not_obtained"] == 2 and stats["counts"]["validated"] == 6
    by_type = {
        item["key"]: (item["count"], item["validated"]) for item in stats["by_certification"]
    }
    assert by_type == {
        "Pix": (6, 2), "CléA Numérique by Pix": (2, 2),
        "Pix+ Droit": (2, 1), "Pix+ Édu 2nd degré": (1, 1),
    }  # fmt: skip
    levels = [(i["certification"], i["level"], i["count"]) for i in stats["levels"]]
    assert levels[:2] == [("Pix", "Novice 1", 1), ("Pix", "Expert 1", 1)]
    assert ("Pix+ Droit", "Avancé", 1) in levels and (
        "Pix+ Édu 2nd degré",
        "Admissible",
        1,
    ) in levels
    # 812 is above the 7-level max (896 at 7 levels, it fits; 8 levels go to 1024).
    assert stats["distribution"][-1]["label"].endswith(str(stats["max_score"]))
    client.force_login(referent)
    page = client.get(f"/resultats/statistiques/?annee={year.label}").content.decode()
    assert 'data-testid="levels"' in page and "Expert 1" in page and "Admissible" in page


def test_a_score_above_the_setting_widens_the_distribution(settings):
    settings.PIX_MAX_LEVEL = 6
    rows = [
        {"status": "Validée", "score": 1000, "study_year": "L3", "session_id": 1,
         "session_label": "S", "positioning": None, "competence_levels": {}},
    ]  # fmt: skip
    data = statistics.compute(rows)
    assert data["max_score"] == 1000 and data["distribution"][-1]["count"] == 1


def test_the_email_gives_the_certification_and_its_level(year, room, mailoutbox):
    data = (FIXTURES / FILES["mixed"]).read_bytes()
    seats = seat_everyone(data, year, room)
    results.import_results(data, file_name="mixte.csv", now=NOW)
    results.notify_result(CertificationResult.objects.get(registration=seats["930004"]).pk)
    body = mailoutbox[-1].body
    assert "Certification : Pix+ Droit — niveau : Avancé" in body and "Score : —" in body
