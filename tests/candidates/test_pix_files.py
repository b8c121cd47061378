"""The Pix Orga profile export reader: plain tests, no database."""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from candidates.pix.profiles import (
    COL_CERTIFIABLE,
    COL_CERTIFIABLE_COUNT,
    COL_TOTAL,
    PARIS,
    NotAPixExport,
    default_competences,
    parse_profiles_export,
    read_header,
)
from candidates.pix.profiles_writer import write_profiles_export

# A copy of shared/formats/samples/ kept with the tests.
SAMPLE = (
    Path(__file__).resolve().parent
    / "data/Resultats-Collecte profils L3 2025-2026-48213-2025-11-20-0915.csv"
)
CODES = [code for code, _title in default_competences()]
SENT = dt.datetime(2025, 11, 14, 10, 32, tzinfo=PARIS)


def participant(n=1, pix=30, **extra):
    p = {
        "last_name": f"Nom{n}",
        "first_name": f"Prénom{n}",
        "student_number": f"2190{n:04d}",
        "group": "L3 Informatique",
        "sent_at": SENT,
        "pix": None if pix is None else dict.fromkeys(CODES, pix),
    }
    p.update(extra)
    return p


def export(*participants, **kwargs) -> bytes:
    return write_profiles_export(list(participants) or [participant()], max_level=6, **kwargs)


def parse(data: bytes):
    return parse_profiles_export(data)


def edit(data: bytes, line: int, column: str, value: str) -> bytes:
    """Replace one cell (by header name) of one physical line of an export we wrote."""
    text = data.decode("utf-8-sig")
    lines = text.split("\n")
    header = [h.strip('"') for h in lines[0].split(";")]
    cells = lines[line - 1].split(";")
    cells[header.index(column)] = value
    lines[line - 1] = ";".join(cells)
    return ("\ufeff" + "\n".join(lines)).encode()


def level_col(code):
    title = dict(default_competences())[code]
    return f"Niveau pour la compétence {title}"


def pix_col(code):
    title = dict(default_competences())[code]
    return f"Nombre de pix pour la compétence {title}"


# --- The real sample ---------------------------------------------------------------------------


def test_sample_export_reads_24_participants_one_without_profile():
    result = parse(SAMPLE.read_bytes())
    assert result.problems == []
    assert (result.campaign_id, result.campaign_name, result.campaign_code) == (
        "48213",
        "Collecte profils L3 2025-2026",
        "AVIGPIX24",
    )
    assert result.header_variant == "new"
    assert len(result.rows) == 24
    assert len(result.without_profile) == 1
    assert result.without_profile[0].external_id == "21900005"
    first = result.rows[0]
    assert (first.last_name, first.first_name, first.external_id, first.group) == (
        "Durand",
        "Lina",
        "21900000",
        "M2 Géographie",
    )
    assert first.total_pix == 620 and first.certifiable and first.levels["1.3"] == 6
    assert first.sent_at == SENT


def test_formula_guard_apostrophe_is_removed_on_read():
    result = parse(SAMPLE.read_bytes())
    assert result.rows[7].last_name == '=HYPERLINK("x")'


# --- Variants the reader accepts ---------------------------------------------------------------


def test_old_header_with_date_only_is_accepted():
    result = parse(export(participant(), variant="old", campaign_code=None))
    assert result.problems == []
    assert result.header_variant == "old"
    assert result.rows[0].sent_at == dt.datetime(2025, 11, 14, tzinfo=PARIS)


def test_straight_apostrophe_in_competence_names_is_accepted():
    data = export().decode("utf-8").replace("’", "'").encode()
    result = parse(data)
    assert result.problems == [] and result.rows[0].levels["1.1"] == 3


def test_export_without_bom_and_with_crlf_line_ends_is_accepted():
    data = export(participant(1), participant(2)).decode("utf-8-sig").replace("\n", "\r\n")
    assert len(parse(data.encode()).rows) == 2


def test_campaign_external_id_label_is_used_when_there_is_no_student_number_column():
    data = export(participant(), student_number=False).decode("utf-8-sig")
    data = data.replace('"Groupe";', '"Groupe";"Identifiant";', 1)
    lines = data.split("\n")
    lines[1] = lines[1].replace('"L3 Informatique";', '"L3 Informatique";"ABC-42";', 1)
    result = parse("\n".join(lines).encode())
    assert result.problems == []
    assert result.external_id_column == "Identifiant"
    assert result.rows[0].external_id == "ABC-42"


def test_organisation_columns_are_kept_as_extras():
    data = export().decode("utf-8-sig")
    data = data.replace('"Groupe";', '"Composante";"Groupe";', 1)
    lines = data.split("\n")
    lines[1] = lines[1].replace('"L3 Informatique";', '"UFR Sciences";"L3 Informatique";', 1)
    result = parse("\n".join(lines).encode())
    assert result.rows[0].extra == {"Composante": "UFR Sciences"}


def test_comma_decimal_whole_numbers_are_read():
    data = edit(export(), 2, COL_TOTAL, "480,0")
    assert parse(data).rows[0].total_pix == 480


# --- Bad rows: every problem named with line, column, value and reason -------------------------


def test_level_above_8_is_reported_whatever_the_centre_setting(settings):
    settings.PIX_MAX_LEVEL = 6
    data = edit(export(), 2, level_col("1.1"), "9")
    (problem,) = parse(data).problems
    assert (problem.line, problem.column, problem.value) == (2, level_col("1.1"), "9")
    assert "entre 0 et 8" in problem.reason


def test_pix_inconsistent_with_level_is_reported():
    data = edit(export(), 2, level_col("2.1"), "4")
    (problem,) = parse(data).problems
    assert problem.column == level_col("2.1")
    assert "30 pix donnent le niveau 3" in problem.reason


def test_pix_above_the_competence_cap_is_reported():
    data = edit(export(), 2, pix_col("5.2"), "65")
    problems = parse(data).problems
    assert [p.column for p in problems] == [pix_col("5.2")]


def test_total_not_matching_the_competences_is_reported():
    data = edit(export(), 2, COL_TOTAL, "481")
    (problem,) = parse(data).problems
    assert (problem.column, problem.value) == (COL_TOTAL, "481")
    assert "480" in problem.reason


def test_certifiable_flag_contradicting_levels_is_reported():
    data = edit(export(), 2, COL_CERTIFIABLE, '"Non"')
    (problem,) = parse(data).problems
    assert problem.column == COL_CERTIFIABLE


def test_certifiable_count_contradicting_levels_is_reported():
    data = edit(export(), 2, COL_CERTIFIABLE_COUNT, "15")
    (problem,) = parse(data).problems
    assert problem.column == COL_CERTIFIABLE_COUNT and "16" in problem.reason


def test_non_numeric_level_is_reported():
    data = edit(export(), 2, level_col("3.4"), '"trois"')
    assert [p.value for p in parse(data).problems] == ["trois"]


def test_duplicate_student_number_is_reported_with_the_first_line():
    data = export(participant(1), participant(2), participant(1))
    (problem,) = parse(data).problems
    assert problem.line == 4 and "ligne 2" in problem.reason


def test_partial_na_row_is_reported():
    data = edit(export(), 2, COL_TOTAL, '"NA"')
    (problem,) = parse(data).problems
    assert problem.value == "NA"


def test_row_with_a_missing_cell_is_reported():
    data = export(participant(1), participant(2)).decode("utf-8-sig").split("\n")
    data[2] = data[2].rsplit(";", 1)[0]
    (problem,) = parse("\n".join(data).encode()).problems
    assert problem.line == 3 and "colonnes" in problem.reason


def test_every_bad_row_is_reported_not_only_the_first():
    data = export(participant(1), participant(2), participant(3))
    data = edit(data, 2, COL_TOTAL, "1")
    data = edit(data, 4, level_col("1.1"), "9")
    assert [p.line for p in parse(data).problems] == [2, 4]


def test_na_row_is_a_participant_without_profile_not_an_error():
    result = parse(export(participant(1), participant(2, pix=None)))
    assert result.problems == []
    assert [r.has_profile for r in result.rows] == [True, False]


# --- Files that are not Pix exports: one sentence ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "vide"),
        (b"   \n", "vide"),
        (b"PK\x03\x04\x00\x00binary\x00zip", "binaire"),
        ("Nom;Prénom\n".encode("utf-16"), "binaire"),
        ('"Nom de l\'organisation";"Prénom"\n'.encode("latin-1"), "UTF-8"),
        (b"a,b,c\n1,2,3\n", "points-virgules"),
        (b"Nom;Pr\xc3\xa9nom;Note\nA;B;12\n", "colonne"),
    ],
    ids=["empty", "blank", "binary", "utf16", "latin1", "comma-separated", "other-csv"],
)
def test_files_that_are_not_pix_exports_are_refused_with_one_sentence(data, words):
    with pytest.raises(NotAPixExport) as exc:
        parse(data)
    message = str(exc.value)
    assert words in message
    assert message.count(". ") == 0 and "\n" not in message


def test_comma_separated_pix_export_saved_by_a_spreadsheet_is_refused():
    data = export().decode("utf-8-sig").replace(";", ",").encode()
    with pytest.raises(NotAPixExport, match="points-virgules"):
        parse(data)


def test_header_only_file_is_refused():
    data = export().decode("utf-8-sig").split("\n")[0].encode()
    with pytest.raises(NotAPixExport, match="aucun participant"):
        parse(data)


def test_header_check_accepts_the_sample_and_refuses_a_missing_competence():
    assert read_header(SAMPLE.read_bytes()) == "new"
    data = SAMPLE.read_bytes().replace(b"Programmer", b"Coder")
    with pytest.raises(NotAPixExport, match="Programmer"):
        read_header(data)


def test_writer_and_reader_agree_on_max_level_8():
    p = participant(pix=60)
    result = parse_profiles_export(write_profiles_export([p], max_level=8))
    assert result.problems == [] and result.rows[0].levels["1.1"] == 7


# --- Property: whatever Pix writes, the reader reads back ---------------------------------------

names = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(lambda s: s and s != "NA" and not s.startswith("'"))
)


@settings(max_examples=60, deadline=None)
@given(
    last=names,
    first=names,
    pix=st.lists(st.integers(0, 48), min_size=16, max_size=16),
    shared=st.booleans(),
    variant=st.sampled_from(["new", "old"]),
)
def test_any_participant_written_like_pix_reads_back(last, first, pix, shared, variant):
    p = participant(1, last_name=last, first_name=first)
    p["pix"] = dict(zip(CODES, pix, strict=True)) if shared else None
    result = parse(export(p, variant=variant))
    assert result.problems == []
    (row,) = result.rows
    assert (row.last_name, row.first_name) == (last, first)
    assert row.has_profile is shared
    if shared:
        assert row.pix == dict(zip(CODES, pix, strict=True))
        assert row.total_pix == sum(pix)
