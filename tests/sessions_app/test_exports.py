"""Pix Certif exports built from our sessions, read back as Pix would read them."""

import csv
import io

import pytest
from django.core.management import call_command
from odf.namespaces import OFFICENS, TABLENS
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from odf.text import P

from candidates.models import CandidateKind
from sessions_app.models import Audience, Registration
from sessions_app.services import exports

from .conftest import NOW, make_candidate, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_sessions(time_machine):
    """The sessions of these tests are in October 2025: export them before they take place
    (Pix refuses a session in the past, and so does the export)."""
    time_machine.move_to(NOW, tick=False)


# Copied from ../shared/formats/README.md §2a (not imported from the code under test).
CSV_HEADER = (  # noqa: SIM905 - the README line, split as Pix splits it
    "Numéro de session préexistante;* Nom du site;* Nom de la salle;* Date de début (format: "
    "JJ/MM/AAAA);* Heure de début (heure locale format: HH:MM);* Surveillant(s);Observations "
    "(optionnel);* Nom de naissance;* Prénom;* Date de naissance (format: JJ/MM/AAAA);* Sexe "
    "(M ou F);Code INSEE de la commune de naissance;Code postal de la commune de naissance;Nom "
    "de la commune de naissance;* Pays de naissance;E-mail du destinataire des résultats "
    "(formateur, enseignant…);E-mail de convocation;Identifiant externe;Temps majoré ? "
    "(exemple format: 33%);* Tarification part Pix (Gratuite, Prépayée ou Payante);Code de "
    "prépaiement (si Tarification part Pix Prépayée)"
).split(";") + [
    f"{label} ('oui' ou laisser vide)"
    for label in ("CléA Numérique", "Pix+ Droit", "Pix+ Édu 1er degré", "Pix+ Édu 2nd degré",
                  "Pix+ Édu CPE", "Pix+ Pro Santé")
]  # fmt: skip
ODS_HEADER = [
    "* Nom de naissance", "* Prénom", "* Date de naissance (format : jj/mm/aaaa)",
    "* Sexe (M ou F)", "Code Insee", "Code postal", "Nom de la commune", "Pays",
    "E-mail du destinataire des résultats (formateur, enseignant…)", "E-mail de convocation",
    "Identifiant local", "Temps majoré ?", "Tarification part Pix", "Code de prépaiement",
]  # fmt: skip


def seat(session, candidate, **extra):
    return Registration.objects.create(
        candidate=candidate, session=session, academic_year=session.academic_year,
        status="confirmed", source="override", created_at=NOW, **extra,
    )  # fmt: skip


@pytest.fixture
def mixed_session(year, room):
    session = make_session(year, room, audience=Audience.MIXED, complementary=["droit", "clea"])
    student = make_candidate(CandidateKind.STUDENT)
    student.birth_name, student.first_name = "MARTIN", "Léa"
    student.extra_time_percent = 33
    student.save()
    staff = make_candidate(CandidateKind.STAFF)
    staff.birth_name = "BERNARD"
    staff.save()
    paying = make_candidate(CandidateKind.EXTERNAL)
    paying.birth_name = "DURAND"
    paying.save()
    prepaid = make_candidate(CandidateKind.EXTERNAL)
    prepaid.birth_name = "PETIT"
    prepaid.birth_insee_code, prepaid.birth_postal_code, prepaid.birth_city = (
        "",
        "13001",
        "Marseille",
    )
    prepaid.save()
    seat(session, student, complementary="droit")
    seat(session, staff)
    seat(session, paying)
    seat(session, prepaid, prepaid_code="12345678912345/FACT12345")
    # Not exported: a waitlisted candidate.
    Registration.objects.create(
        candidate=make_candidate(), session=session, academic_year=session.academic_year,
        status="waitlisted", waitlist_order=1, source="first_come", created_at=NOW,
    )  # fmt: skip
    return session


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_has_pix_headers_pricing_extra_time_and_complementary(mixed_session, tmp_path):
    out = tmp_path / "export.csv"
    call_command(
        "export_pix_certif", str(mixed_session.pk), "--format", "csv", "-o", str(out),
        "--invigilator", "Paul Surveillant", stdout=io.StringIO(),
    )  # fmt: skip
    header, *rows = read_csv(out)
    assert header == CSV_HEADER
    by_name = {r[7]: dict(zip(header, r, strict=True)) for r in rows}
    assert sorted(by_name) == ["BERNARD", "DURAND", "MARTIN", "PETIT"]
    tarif = "* Tarification part Pix (Gratuite, Prépayée ou Payante)"
    assert {n: r[tarif] for n, r in by_name.items()} == {
        "BERNARD": "Gratuite", "DURAND": "Payante", "MARTIN": "Gratuite", "PETIT": "Prépayée",
    }  # fmt: skip
    code = "Code de prépaiement (si Tarification part Pix Prépayée)"
    assert by_name["PETIT"][code] == "12345678912345/FACT12345"
    assert by_name["DURAND"][code] == ""
    martin = by_name["MARTIN"]
    assert martin["Temps majoré ? (exemple format: 33%)"] == "33%"
    assert martin["Pix+ Droit ('oui' ou laisser vide)"] == "oui"
    assert martin["CléA Numérique ('oui' ou laisser vide)"] == ""
    assert martin["* Date de début (format: JJ/MM/AAAA)"] == "15/10/2025"
    assert martin["* Heure de début (heure locale format: HH:MM)"] == "09:00"
    assert martin["* Surveillant(s)"] == "Paul Surveillant"
    assert (
        martin["Identifiant externe"]
        == mixed_session.registrations.get(candidate__birth_name="MARTIN").candidate.external_id
    )


def _cell_text(cell):
    return "\n".join(str(p) for p in cell.getElementsByType(P))


def read_ods(path):
    doc = load(str(path))
    tables = {t.getAttribute("name"): t for t in doc.spreadsheet.getElementsByType(Table)}
    rows = []
    for row in tables["Liste des candidats"].getElementsByType(TableRow):
        cells = []
        for cell in row.getElementsByType(TableCell):
            repeat = int(cell.attributes.get((TABLENS, "number-columns-repeated"), 1))
            cells += [(_cell_text(cell), cell.attributes.get((OFFICENS, "value")))] * repeat
        rows += [cells] * int(row.attributes.get((TABLENS, "number-rows-repeated"), 1))
    return rows


def test_ods_export_is_one_sessions_candidate_list(mixed_session, tmp_path):
    mixed_session.pix_session_number = "31245"
    mixed_session.save()
    out = tmp_path / "liste.ods"
    call_command(
        "export_pix_certif", str(mixed_session.pk), "--format", "ods", "-o", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    rows = read_ods(out)
    header = [text for text, _v in rows[10][1 : 1 + len(ODS_HEADER)]]  # row 11
    assert header == ODS_HEADER
    names = sorted(row[1][0] for row in rows[11:15])
    assert names == ["BERNARD", "DURAND", "MARTIN", "PETIT"]
    martin = next(row for row in rows[11:15] if row[1][0] == "MARTIN")
    assert martin[12][1] == "0.33"  # Temps majoré: a percentage cell
    assert martin[13][0] == "Gratuite"


def test_a_candidate_breaking_a_pix_rule_stops_the_export_with_reasons(
    mixed_session, tmp_path, capfd
):
    broken = mixed_session.registrations.get(candidate__birth_name="DURAND").candidate
    broken.birth_insee_code, broken.birth_postal_code = "84007", "84000"  # both: refused by Pix
    broken.save()
    out = tmp_path / "export.csv"
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "export_pix_certif", str(mixed_session.pk), "-o", str(out), "--invigilator", "P",
        )  # fmt: skip
    assert exit_info.value.code != 0
    err = capfd.readouterr().err + ""
    assert not out.exists()
    assert "DURAND" in err and "jamais les deux" in err


def test_session_without_pix_number_needs_invigilators(mixed_session):
    export = exports.prepare([mixed_session])
    assert [(p.registration, p.field) for p in export.problems] == [(None, "invigilators")]
    assert exports.prepare([mixed_session], invigilators=["Paul"]).problems == []


def test_ods_is_for_a_single_session(mixed_session, year, other_room, tmp_path):
    from django.core.management import CommandError

    other = make_session(year, other_room, day=20)
    with pytest.raises(CommandError, match="one session"):
        call_command(
            "export_pix_certif", str(mixed_session.pk), str(other.pk), "--format", "ods",
            "-o", str(tmp_path / "x.ods"),
        )  # fmt: skip
