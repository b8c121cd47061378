import csv
import datetime as dt
import io
from dataclasses import replace

import pytest
from odf.namespaces import OFFICENS, TABLENS
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow

from sessions_app.pix.certif import (
    COMPLEMENTARY_LABELS,
    SESSION_INDEX,
    CertifCandidate,
    CertifSession,
    UnsafeValueError,
    candidate_list_ods,
    export_problems,
    file_problems,
    mass_import_csv,
)

TODAY = dt.date(2026, 11, 23)

# Copied from ../shared/formats/README.md §2a, on purpose not imported from the module.
README_MASS_IMPORT_HEADER = (
    "Numéro de session préexistante;* Nom du site;* Nom de la salle;* Date de début (format: "
    "JJ/MM/AAAA);* Heure de début (heure locale format: HH:MM);* Surveillant(s);Observations "
    "(optionnel);* Nom de naissance;* Prénom;* Date de naissance (format: JJ/MM/AAAA);* Sexe (M "
    "ou F);Code INSEE de la commune de naissance;Code postal de la commune de naissance;Nom de "
    "la commune de naissance;* Pays de naissance;E-mail du destinataire des résultats "
    "(formateur, enseignant…);E-mail de convocation;Identifiant externe;Temps majoré ? (exemple "
    "format: 33%);* Tarification part Pix (Gratuite, Prépayée ou Payante);Code de prépaiement "
    "(si Tarification part Pix Prépayée)"
)
README_LABELS = ["CléA Numérique", "Pix+ Droit", "Pix+ Édu 1er degré", "Pix+ Édu 2nd degré",
                 "Pix+ Édu CPE", "Pix+ Pro Santé"]  # fmt: skip
README_ODS_HEADERS = [
    "* Nom de naissance", "* Prénom", "* Date de naissance (format : jj/mm/aaaa)",
    "* Sexe (M ou F)", "Code Insee", "Code postal", "Nom de la commune", "Pays",
    "E-mail du destinataire des résultats (formateur, enseignant…)", "E-mail de convocation",
    "Identifiant local", "Temps majoré ?", "Tarification part Pix", "Code de prépaiement",
]  # fmt: skip


def candidate(**overrides) -> CertifCandidate:
    values = {
        "birth_name": "MARTIN", "first_name": "Léa", "birth_date": dt.date(2003, 5, 4),
        "sex": "F", "insee_code": "84007", "postal_code": "", "city": "", "country": "France",
        "result_email": "referent@univ-avignon.fr", "convocation_email": "lea@example.org",
        "external_id": "21900001", "extra_time_percent": None, "pricing": "Gratuite",
        "prepaid_code": "", "complementary": "",
    }  # fmt: skip
    values.update(overrides)
    return CertifCandidate(**values)


def session(**overrides) -> CertifSession:
    values = {
        "site": "Campus Hannah Arendt", "room": "Salle 0E07", "date": dt.date(2027, 1, 12),
        "time": dt.time(9, 0), "invigilators": ["Paul Durand", "Anne Roux"],
        "existing_number": "",
    }  # fmt: skip
    values.update(overrides)
    return CertifSession(**values)


def problems(sess, cands, **kwargs):
    return export_problems(sess, cands, today=TODAY, **kwargs)


def fields_of(cands, sess=None):
    return [(i, f) for i, f, _m in problems(sess or session(), cands)]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))


# --- ODS reading with odfpy, expanding repeated rows and columns -------------------------


def _cell_text(cell) -> str:
    return "\n".join(str(p) for p in cell.childNodes if p.qname[1] == "p")


def read_ods(data: bytes, sheet: str):
    """Rows of (text, value-type, value) cells, 1-based via index + 1, repeats expanded."""
    doc = load(io.BytesIO(data))
    tables = {t.getAttribute("name"): t for t in doc.spreadsheet.getElementsByType(Table)}
    rows = []
    for row in tables[sheet].getElementsByType(TableRow):
        cells = []
        for cell in row.getElementsByType(TableCell):
            repeat = int(cell.attributes.get((TABLENS, "number-columns-repeated"), 1))
            info = (
                _cell_text(cell),
                cell.attributes.get((OFFICENS, "value-type")),
                cell.attributes.get((OFFICENS, "value")),
            )
            cells += [info] * repeat
        repeat = int(row.attributes.get((TABLENS, "number-rows-repeated"), 1))
        rows += [cells] * repeat
    return rows, list(tables)


# --- mass import CSV ----------------------------------------------------------------------


def test_csv_has_bom_semicolons_and_the_exact_readme_header():
    data = mass_import_csv([(session(), [candidate()])])
    assert data.startswith(b"\xef\xbb\xbf")
    first_line = data[3:].decode("utf-8").split("\n")[0]
    expected = README_MASS_IMPORT_HEADER + "".join(
        f";{label} ('oui' ou laisser vide)" for label in README_LABELS
    )
    assert first_line == expected


def test_complementary_labels_are_the_readme_ones_in_order():
    assert list(COMPLEMENTARY_LABELS) == README_LABELS


def test_csv_only_has_the_complementary_columns_given():
    data = mass_import_csv([(session(), [candidate()])], complementary_labels=("Pix+ Droit",))
    header = read_csv(data)[0]
    assert header[-2:] == [
        "Code de prépaiement (si Tarification part Pix Prépayée)",
        "Pix+ Droit ('oui' ou laisser vide)",
    ]


def test_csv_reads_back_with_formatted_values():
    c1 = candidate(extra_time_percent=33, complementary="Pix+ Droit", pricing="Prépayée",
                   prepaid_code="12345678912345/FACT12345")  # fmt: skip
    c2 = candidate(
        birth_name="DA SILVA; JR", first_name='Théo "TJ"', insee_code="",
        postal_code="84000", city="Avignon", birth_date=dt.date(2001, 12, 9),
    )  # fmt: skip
    rows = read_csv(mass_import_csv([(session(observations="PMR"), [c1, c2])]))
    header, r1, r2 = rows
    assert len(rows) == 3
    d1 = dict(zip(header, r1, strict=True))
    assert d1["Numéro de session préexistante"] == ""
    assert d1["* Nom du site"] == "Campus Hannah Arendt"
    assert d1["* Date de début (format: JJ/MM/AAAA)"] == "12/01/2027"
    assert d1["* Heure de début (heure locale format: HH:MM)"] == "09:00"
    assert d1["* Surveillant(s)"] == "Paul Durand, Anne Roux"
    assert d1["Observations (optionnel)"] == "PMR"
    assert d1["* Date de naissance (format: JJ/MM/AAAA)"] == "04/05/2003"
    assert d1["Code INSEE de la commune de naissance"] == "84007"
    assert d1["Temps majoré ? (exemple format: 33%)"] == "33%"
    assert d1["* Tarification part Pix (Gratuite, Prépayée ou Payante)"] == "Prépayée"
    assert d1["Code de prépaiement (si Tarification part Pix Prépayée)"] == (
        "12345678912345/FACT12345"
    )
    assert d1["Pix+ Droit ('oui' ou laisser vide)"] == "oui"
    assert d1["CléA Numérique ('oui' ou laisser vide)"] == ""
    d2 = dict(zip(header, r2, strict=True))
    assert d2["* Nom de naissance"] == "DA SILVA; JR"  # quoted, not split
    assert d2["* Prénom"] == 'Théo "TJ"'
    assert d2["* Date de naissance (format: JJ/MM/AAAA)"] == "09/12/2001"
    assert d2["Code postal de la commune de naissance"] == "84000"
    assert d2["Temps majoré ? (exemple format: 33%)"] == ""
    assert [d2[f"{x} ('oui' ou laisser vide)"] for x in README_LABELS] == [""] * 6


def test_existing_session_number_leaves_session_columns_empty():
    rows = read_csv(mass_import_csv([(session(existing_number="31245", observations="x"),
                                      [candidate()])]))  # fmt: skip
    assert rows[1][:7] == ["31245", "", "", "", "", "", ""]
    assert rows[1][7] == "MARTIN"


def test_several_sessions_and_a_session_without_candidates():
    s2 = session(room="Salle 2")
    rows = read_csv(mass_import_csv([(session(), [candidate(), candidate(first_name="Jo")]),
                                     (s2, [])]))  # fmt: skip
    assert len(rows) == 4
    assert rows[3][2] == "Salle 2"
    assert set(rows[3][7:]) == {""}
    assert all(len(r) == len(rows[0]) for r in rows)


def test_csv_refuses_to_write_a_formula():
    with pytest.raises(UnsafeValueError):
        mass_import_csv([(session(), [candidate(birth_name='=HYPERLINK("x")')])])
    with pytest.raises(UnsafeValueError):
        mass_import_csv([(session(site="+cmd"), [candidate()])])


def test_csv_refuses_a_complementary_certification_without_column():
    with pytest.raises(ValueError):
        mass_import_csv([(session(), [candidate(complementary="Pix+ Droit")])],
                        complementary_labels=("CléA Numérique",))  # fmt: skip


# --- candidate list ODS -------------------------------------------------------------------


def test_ods_sheet_session_block_header_row_11_and_data_row_12():
    c1 = candidate(extra_time_percent=33, complementary="CléA Numérique")
    c2 = candidate(birth_name="ROUX", first_name="Nathan", sex="M")
    data = candidate_list_ods(session(existing_number="31245"), [c1, c2])
    rows, sheets = read_ods(data, "Liste des candidats")
    assert sheets == ["Liste des candidats"]
    labels = {}
    for row in rows[:10]:
        texts = [t for t, _vt, _v in row]
        for i, text in enumerate(texts[:-1]):
            labels[text] = texts[i + 1]
    assert labels["N° de session"] == "31245"
    assert labels["Nom du site"] == "Campus Hannah Arendt"
    assert labels["Nom de la salle"] == "Salle 0E07"
    assert labels["Date"] == "12/01/2027"
    assert labels["Heure locale (début)"] == "09:00"
    assert labels["Session surveillée par :"] == "Paul Durand, Anne Roux"

    header = [t for t, _vt, _v in rows[10]]  # row 11
    assert header[1:] == README_ODS_HEADERS + [
        f'{label}\n("oui" ou laisser vide)' for label in README_LABELS
    ]
    row12 = rows[11]
    assert row12[0][0] == "1"
    data12 = dict(zip(header, row12, strict=False))
    assert data12["* Nom de naissance"][0] == "MARTIN"
    assert data12["* Date de naissance (format : jj/mm/aaaa)"][0] == "04/05/2003"
    assert data12["Code Insee"][0] == "84007"
    assert data12["Tarification part Pix"][0] == "Gratuite"
    assert data12['CléA Numérique\n("oui" ou laisser vide)'][0] == "oui"
    _text, value_type, value = data12["Temps majoré ?"]
    assert value_type == "percentage"
    assert float(value) == pytest.approx(0.33)
    row13 = dict(zip(header, rows[12], strict=False))
    assert rows[12][0][0] == "2"
    assert row13["* Prénom"][0] == "Nathan"
    assert row13["Temps majoré ?"][1] is None
    assert len(rows) == 13


def test_ods_with_fewer_complementary_columns_and_a_small_percentage():
    data = candidate_list_ods(session(), [candidate(extra_time_percent=7)], complementary_labels=())
    rows, _ = read_ods(data, "Liste des candidats")
    assert [t for t, _vt, _v in rows[10]][1:] == README_ODS_HEADERS
    _text, value_type, value = rows[11][12]
    assert (value_type, float(value)) == ("percentage", pytest.approx(0.07))


def test_formulas_in_the_session_are_refused():
    found = fields_of([candidate()], session(invigilators=["@SUM(A1)"], observations="-x"))
    assert found == [(SESSION_INDEX, "observations"), (SESSION_INDEX, "invigilators")]


# --- export_problems: every rule ----------------------------------------------------------


def test_a_complete_session_has_no_problem():
    cands = [candidate(), candidate(first_name="Jo", extra_time_percent=33,
                                    pricing="Prépayée", prepaid_code="123/F1")]  # fmt: skip
    assert problems(session(), cands) == []


def test_identity_rules_come_from_pix_identity_with_export_field_names():
    assert fields_of([candidate(birth_name=" ", sex="X", birth_date=None)]) == [
        (0, "birth_name"), (0, "sex"), (0, "birth_date"),
    ]  # fmt: skip
    assert fields_of([candidate(birth_date=dt.date(1899, 12, 31))]) == [(0, "birth_date")]


def test_insee_code_together_with_postal_code_is_refused():
    found = problems(session(), [candidate(insee_code="84007", postal_code="84000")])
    assert [(i, f) for i, f, _m in found] == [(0, "insee_code")]
    assert "jamais les deux" in found[0][2]


def test_postal_code_and_city_without_insee_is_fine():
    assert fields_of([candidate(insee_code="", postal_code="84000", city="Avignon")]) == []


def test_born_abroad_needs_a_city_and_no_postal_code():
    abroad = {"country": "Maroc", "insee_code": "99"}
    assert fields_of([candidate(**abroad, city="Rabat")]) == []
    assert fields_of([candidate(**abroad, city="")]) == [(0, "city")]
    assert fields_of([candidate(**abroad, city="Rabat", postal_code="10000")]) == [
        (0, "postal_code")
    ]
    assert fields_of([candidate(insee_code="99", city="Rabat", country="")]) == [(0, "country")]


@pytest.mark.parametrize("extra", [0, 100, -5])
def test_extra_time_outside_1_to_99_is_refused(extra):
    assert fields_of([candidate(extra_time_percent=extra)]) == [(0, "extra_time_percent")]


@pytest.mark.parametrize("extra", [1, 33, 99])
def test_extra_time_1_to_99_is_fine(extra):
    assert fields_of([candidate(extra_time_percent=extra)]) == []


def test_pricing_is_required_and_must_be_a_pix_value():
    assert fields_of([candidate(pricing="")]) == [(0, "pricing")]
    assert fields_of([candidate(pricing="Gratuit")]) == [(0, "pricing")]
    assert fields_of([candidate(pricing="Payante")]) == []


def test_prepaid_without_code_is_refused():
    found = problems(session(), [candidate(pricing="Prépayée", prepaid_code=" ")])
    assert [(i, f) for i, f, _m in found] == [(0, "prepaid_code")]
    assert "obligatoire" in found[0][2]


def test_code_without_prepaid_is_refused():
    for pricing in ("Gratuite", "Payante"):
        found = problems(session(), [candidate(pricing=pricing, prepaid_code="123/F1")])
        assert [(i, f) for i, f, _m in found] == [(0, "prepaid_code")]
        assert "Prépayée" in found[0][2]


@pytest.mark.parametrize(
    "value", ["CléA Numérique, Pix+ Droit", "Pix+ Droit;Pix+ Pro Santé",
              ["Pix+ Droit", "CléA Numérique"]],
)  # fmt: skip
def test_two_complementary_certifications_are_impossible(value):
    found = problems(session(), [candidate(complementary=value)])
    assert [(i, f) for i, f, _m in found] == [(0, "complementary")]
    assert "une seule" in found[0][2]


def test_unknown_complementary_label_is_refused():
    found = problems(session(), [candidate(complementary="Pix+ Cuisine")])
    assert [(i, f) for i, f, _m in found] == [(0, "complementary")]
    assert "inconnue" in found[0][2]


def test_complementary_the_centre_is_not_authorised_for_is_refused():
    found = problems(session(), [candidate(complementary="Pix+ Droit")],
                     complementary_labels=("CléA Numérique",))  # fmt: skip
    assert [(i, f) for i, f, _m in found] == [(0, "complementary")]


def test_each_known_label_alone_is_fine():
    for label in COMPLEMENTARY_LABELS:
        assert fields_of([candidate(complementary=label)]) == []


def test_same_candidate_twice_is_refused_case_insensitively():
    first = candidate()
    twin = candidate(birth_name="martin", first_name="LÉA ", external_id="other")
    other_birth = candidate(birth_date=dt.date(2003, 5, 5))
    found = problems(session(), [first, other_birth, twin])
    assert [(i, f) for i, f, _m in found] == [(2, "birth_name")]
    assert "n° 1" in found[0][2]


def test_invalid_email_is_refused():
    assert fields_of([candidate(result_email="not-an-email")]) == [(0, "result_email")]
    assert fields_of([candidate(convocation_email="")]) == []


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_values_a_spreadsheet_would_run_as_formulas_are_refused_not_altered(prefix):
    found = problems(session(), [candidate(first_name=prefix + "cmd|calc")])
    assert [(i, f) for i, f, _m in found] == [(0, "first_name")]
    assert "formule" in found[0][2]


def test_session_problems_use_the_session_index():
    found = fields_of([candidate()], session(site="", invigilators=[], time=None))
    assert found == [(SESSION_INDEX, "site"), (SESSION_INDEX, "time"),
                     (SESSION_INDEX, "invigilators")]  # fmt: skip
    # With a pre-existing number, the session columns are not needed.
    assert fields_of([candidate()], session(site="", existing_number="31245")) == []


def test_problems_are_reported_not_fixed():
    c = candidate(birth_name="=X", pricing="Prépayée")
    before = replace(c)
    problems(session(), [c])
    assert c == before


# --- Issue 13: births abroad, empty files, past sessions, habilitations ----------------------

ABROAD = {"country": "Maroc", "insee_code": "", "city": "Rabat"}
INSEE_CSV = "Code INSEE de la commune de naissance"


def test_a_birth_abroad_goes_out_with_insee_code_99_in_the_csv():
    header, row = read_csv(mass_import_csv([(session(), [candidate(**ABROAD)])]))
    assert dict(zip(header, row, strict=True))[INSEE_CSV] == "99"


def test_a_birth_abroad_goes_out_with_insee_code_99_in_the_ods():
    rows, _sheets = read_ods(
        candidate_list_ods(session(), [candidate(**ABROAD)]), "Liste des candidats"
    )
    header = [text for text, _t, _v in rows[10]]
    insee = header.index("Code Insee")
    assert rows[11][insee][0] == "99"


def test_a_birth_in_france_keeps_its_insee_code():
    header, row = read_csv(mass_import_csv([(session(), [candidate()])]))
    assert dict(zip(header, row, strict=True))[INSEE_CSV] == "84007"


def test_a_file_without_any_candidate_is_refused_with_a_sentence():
    (message,) = file_problems([(session(), []), (session(room="Salle 2"), [])])
    assert "Pix refuse un fichier sans candidat" in message
    with pytest.raises(ValueError):
        mass_import_csv([(session(), [])])
    with pytest.raises(ValueError):
        candidate_list_ods(session(), [])
    assert file_problems([(session(), [candidate()])]) == []


def test_a_pre_existing_session_without_candidates_writes_no_line():
    rows = read_csv(mass_import_csv([(session(), [candidate()]),
                                     (session(existing_number="31245"), [])]))  # fmt: skip
    assert len(rows) == 2  # the header and the one candidate
    assert all(r[0] != "31245" for r in rows)


def test_a_session_in_the_past_is_reported():
    past = session(date=TODAY - dt.timedelta(days=1))
    found = problems(past, [candidate()])
    assert [(i, f) for i, f, _m in found] == [(SESSION_INDEX, "date")]
    assert "SESSION_SCHEDULED_IN_THE_PAST" in found[0][2]
    numbered = session(date=TODAY - dt.timedelta(days=1), existing_number="31245")
    assert [(i, f) for i, f, _m in problems(numbered, [candidate()])] == [(SESSION_INDEX, "date")]
    assert problems(session(date=TODAY), [candidate()]) == []


def test_columns_are_exactly_the_habilitations_given():
    labels = ("Pix+ Droit", "Pix+ Édu CPE")
    header = read_csv(mass_import_csv([(session(), [candidate()])], labels))[0]
    assert header[21:] == [
        "Pix+ Droit ('oui' ou laisser vide)",
        "Pix+ Édu CPE ('oui' ou laisser vide)",
    ]
    chose_sante = candidate(complementary="Pix+ Pro Santé")
    found = problems(session(), [chose_sante], complementary_labels=labels)
    assert [(i, f) for i, f, _m in found] == [(0, "complementary")]
    assert "pas habilité" in found[0][2]
