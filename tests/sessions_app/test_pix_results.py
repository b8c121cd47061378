import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competences.scoring import max_score
from sessions_app.pix.results import (
    COMPETENCE_CODES,
    VARIANT_2026,
    VARIANT_CLASSIC,
    NotAResultsFile,
    ResultsFileError,
    parse_results,
)

SAMPLE = (
    Path(__file__).parent.parent / "fixtures" / "pix" / "20260112_0900_resultats_session_31245.csv"
)
BOM = "\ufeff"

# README §3, copied: the classic header without complementary columns.
README_CLASSIC_HEADER = (
    "Numéro de certification;Prénom;Nom;Date de naissance;Lieu de naissance;Identifiant Externe;"
    "Statut;Nombre de Pix;1.1;1.2;1.3;2.1;2.2;2.3;2.4;3.1;3.2;3.3;3.4;4.1;4.2;4.3;5.1;5.2;"
    "Commentaire jury pour l’organisation;Session;Centre de certification;"
    "Date de passage de la certification"
)
CLASSIC_HEADER = README_CLASSIC_HEADER.split(";")
VARIANT_HEADER = [
    *CLASSIC_HEADER[:6], "Type de certification", "Statut", "Certification CléA Numérique",
    "Niveau", "Score en pix", *CLASSIC_HEADER[8:],
]  # fmt: skip


def line(**overrides) -> dict:
    values = {
        "Numéro de certification": "900200", "Prénom": '"Léa"', "Nom": '"Martin"',
        "Date de naissance": '"04/05/2003"', "Lieu de naissance": '"AVIGNON"',
        "Identifiant Externe": "21900042", "Type de certification": '"Pix"',
        "Statut": '"Validée"', "Certification CléA Numérique": '"Validée"',
        "Nombre de Pix": "412", "Niveau": '"Indépendant 2"', "Score en pix": "412",
        "Commentaire jury pour l’organisation": '""', "Session": "31300",
        "Centre de certification": '"Avignon Université"',
        "Date de passage de la certification": '"15/06/2026"',
    }  # fmt: skip
    values.update(dict.fromkeys(COMPETENCE_CODES, "3"))
    values.update(overrides)
    return values


def build(header, lines, bom=True, sep=";", eol="\n") -> bytes:
    rows = [sep.join(header)] + [sep.join(values[h] for h in header) for values in lines]
    return ((BOM if bom else "") + eol.join(rows) + eol).encode("utf-8")


def problems_of(data, **kwargs):
    with pytest.raises(ResultsFileError) as caught:
        parse_results(data, **kwargs)
    return [(p.line, p.column, p.value) for p in caught.value.problems]


def not_results(data) -> str:
    with pytest.raises(NotAResultsFile) as caught:
        parse_results(data)
    message = caught.value.message
    assert message and message == str(caught.value)
    return message


# --- the shared sample ----------------------------------------------------------------------


def test_the_shared_sample_parses_completely():
    data = SAMPLE.read_bytes()
    result = parse_results(data)
    body = data.decode("utf-8-sig").strip().split("\n")[1:]
    assert len(result.lines) == len(body) == 11
    assert result.variant == VARIANT_CLASSIC
    assert result.complementary_labels == ("Pix+ Droit",)
    assert result.session_numbers == ("31245",)
    first = result.lines[0]
    assert first.line == 2
    assert first.certification_number == "900100"
    assert (first.first_name, first.last_name) == ("Lina", "Durand")
    assert first.birth_date == dt.date(2003, 3, 1)
    assert first.birth_place == "AVIGNON"
    assert first.external_id == "21900000"
    assert first.status == "Rejetée"
    assert first.score == 0
    assert first.level == ""  # classic files have no Niveau
    assert first.competence_levels == dict.fromkeys(COMPETENCE_CODES, 0)
    assert first.complementary == {"Pix+ Droit": "Non passée"}
    assert first.centre == "Avignon Université"
    assert first.taken_on == dt.date(2026, 1, 12)
    louis = result.lines[1]
    assert louis.score == 584
    assert louis.competence_levels["1.1"] == 5
    assert louis.competence_levels["5.1"] == 3
    cancelled = next(r for r in result.lines if r.certification_number == "900110")
    assert cancelled.status == "Annulée"
    assert cancelled.score is None
    assert set(cancelled.competence_levels.values()) == {None}


def test_the_formula_guard_is_stripped_on_read():
    result = parse_results(SAMPLE.read_bytes())
    jade = next(r for r in result.lines if r.first_name == "Jade")
    assert jade.last_name == '=HYPERLINK("x")'


def test_levels_up_to_8_are_read_whatever_the_setting(settings):
    settings.PIX_MAX_LEVEL = 6
    data = build(CLASSIC_HEADER, [line(**{"1.1": "8", "Nombre de Pix": "1000"})])
    assert parse_results(data).lines[0].competence_levels["1.1"] == 8
    data = build(CLASSIC_HEADER, [line(**{"1.1": "9", "Nombre de Pix": "1025"})])
    assert problems_of(data) == [(2, "Nombre de Pix", "1025"), (2, "1.1", "9")]


# --- variants and layout ------------------------------------------------------------------


def test_the_2026_variant_is_accepted():
    data = build(VARIANT_HEADER, [line(), line(**{"Numéro de certification": "900201",
                                                  "Statut": "En erreur", "Niveau": "-",
                                                  "Score en pix": "-"})])  # fmt: skip
    result = parse_results(data)
    assert result.variant == VARIANT_2026
    assert result.complementary_labels == ("CléA Numérique",)
    first, second = result.lines
    assert (first.level, first.score) == ("Indépendant 2", 412)
    assert first.certification_type == "Pix"
    assert first.complementary == {"CléA Numérique": "Validée"}
    assert (second.status, second.level, second.score) == ("En erreur", "", None)


def test_headers_are_matched_by_name_not_position():
    shuffled = list(reversed(CLASSIC_HEADER))
    result = parse_results(build(shuffled, [line()], bom=False))
    r = result.lines[0]
    assert (r.certification_number, r.first_name, r.score) == ("900200", "Léa", 412)
    assert r.competence_levels == dict.fromkeys(COMPETENCE_CODES, 3)


def test_unquoted_strings_crlf_and_unknown_columns_are_fine():
    header = [*CLASSIC_HEADER, "Colonne inconnue"]
    row = line(**{"Prénom": "Léa", "Colonne inconnue": "x"})
    result = parse_results(build(header, [row], eol="\r\n"))
    assert result.lines[0].first_name == "Léa"


def test_a_quoted_jury_comment_with_semicolon_and_newline():
    row = line(**{"Commentaire jury pour l’organisation": '"Fraude ; voir ""PV""\nsuite"'})
    data = build(CLASSIC_HEADER, [row, line(**{"Numéro de certification": "900201"})])
    first, second = parse_results(data).lines
    assert first.jury_comment == 'Fraude ; voir "PV"\nsuite'
    assert second.line == 4  # physical line numbers count the embedded newline


# --- bad lines: all or nothing ------------------------------------------------------------


def test_a_bad_status_rejects_the_whole_file():
    data = build(CLASSIC_HEADER, [line(), line(**{"Numéro de certification": "900201",
                                                  "Statut": "Validé"})])  # fmt: skip
    with pytest.raises(ResultsFileError) as caught:
        parse_results(data)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.value) == (3, "Statut", "Validé")
    assert "Statut inconnu" in problem.reason
    assert "aucun résultat" in caught.value.message


def test_score_must_be_between_0_and_the_max_score_of_8_levels():
    top = max_score(8)
    ok = build(CLASSIC_HEADER, [line(**{"Nombre de Pix": str(top)})])
    assert parse_results(ok).lines[0].score == top
    for bad in (str(top + 1), "-1", "12,5", "", "abc"):  # empty: a validated line has a score
        data = build(CLASSIC_HEADER, [line(**{"Nombre de Pix": bad})])
        assert problems_of(data) == [(2, "Nombre de Pix", bad)]


def test_2026_score_and_level_are_bounded():
    data = build(VARIANT_HEADER, [line(**{"Score en pix": "1025", "Niveau": "7"})])
    assert problems_of(data) == [(2, "Score en Pix", "1025"), (2, "Niveau", "7")]


def test_competence_levels_must_be_0_to_8_or_dash_or_empty():
    data = build(CLASSIC_HEADER, [line(**{"1.1": "9", "2.3": "10", "5.2": "x"})])
    assert problems_of(data) == [(2, "1.1", "9"), (2, "2.3", "10"), (2, "5.2", "x")]
    ok = build(CLASSIC_HEADER, [line(**{"1.1": "6", "2.3": "-", "5.2": "0", "3.1": ""})])
    levels = parse_results(ok).lines[0].competence_levels
    assert (levels["1.1"], levels["2.3"], levels["5.2"]) == (6, None, 0)


@pytest.mark.parametrize("bad", ["2003-05-04", "4/5/2003", "31/02/2003", "", "04/05/03"])
def test_dates_must_be_dd_mm_yyyy(bad):
    data = build(CLASSIC_HEADER, [line(**{"Date de naissance": bad})])
    assert problems_of(data) == [(2, "Date de naissance", bad)]
    data = build(CLASSIC_HEADER, [line(**{"Date de passage de la certification": bad})])
    assert problems_of(data) == [(2, "Date de passage de la certification", bad)]


def test_duplicate_certification_number_is_reported_on_the_second_line():
    data = build(CLASSIC_HEADER, [line(), line(**{"Prénom": "Jo"}), line()])
    with pytest.raises(ResultsFileError) as caught:
        parse_results(data)
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (3, "Numéro de certification"), (4, "Numéro de certification"),
    ]  # fmt: skip
    assert "ligne 2" in caught.value.problems[0].reason


def test_unknown_complementary_outcome_and_empty_one():
    bad = build(VARIANT_HEADER, [line(**{"Certification CléA Numérique": "Oui"})])
    assert problems_of(bad) == [(2, "Certification CléA Numérique", "Oui")]
    empty = build(VARIANT_HEADER, [line(**{"Certification CléA Numérique": ""})])
    assert parse_results(empty).lines[0].complementary == {}


def test_missing_names_and_numbers_are_reported():
    data = build(CLASSIC_HEADER, [line(**{"Prénom": '""', "Session": "abc",
                                          "Numéro de certification": ""})])  # fmt: skip
    assert problems_of(data) == [
        (2, "Numéro de certification", ""), (2, "Prénom", ""), (2, "Session", "abc"),
    ]  # fmt: skip


def test_a_line_with_the_wrong_number_of_cells():
    text = build(CLASSIC_HEADER, [line()]).decode("utf-8") + "900300;Jo;Roux\n"
    assert problems_of(text.encode("utf-8")) == [(3, "", "900300;Jo;Roux")]


def test_every_problem_of_every_line_is_reported():
    data = build(CLASSIC_HEADER, [
        line(**{"Statut": "X"}),
        line(**{"Numéro de certification": "900201", "Nombre de Pix": "9999", "1.2": "9"}),
    ])  # fmt: skip
    assert problems_of(data) == [
        (2, "Statut", "X"), (3, "Nombre de Pix", "9999"), (3, "1.2", "9"),
    ]  # fmt: skip


# --- not a results file at all ------------------------------------------------------------


def test_empty_files():
    assert "vide" in not_results(b"")
    assert "vide" in not_results(b"\xef\xbb\xbf\n\n")


def test_a_binary_file():
    assert "pas un fichier texte" in not_results(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" * 20)
    assert "pas un fichier texte" in not_results(SAMPLE.read_text("utf-8").encode("utf-16"))


def test_a_file_not_in_utf8():
    data = SAMPLE.read_bytes().decode("utf-8-sig").encode("cp1252", errors="replace")
    assert "UTF-8" in not_results(data)


def test_a_comma_separated_file():
    data = build(CLASSIC_HEADER, [line()], sep=",")
    assert "virgule" in not_results(data)


def test_missing_columns():
    header = [h for h in CLASSIC_HEADER if h not in ("Statut", "1.1")]
    message = not_results(build(header, [line()]))
    assert "« Statut »" in message and "« 1.1 »" in message
    without_score = [h for h in CLASSIC_HEADER if h != "Nombre de Pix"]
    assert "Nombre de Pix" in not_results(build(without_score, [line()]))


def test_another_csv_with_semicolons():
    data = "\ufeffNom de l'organisation;ID Campagne;Nom de la campagne\nUA;48213;L3\n"
    assert "pas un export des résultats" in not_results(data.encode("utf-8"))


def test_a_header_without_lines():
    assert "aucun résultat" in not_results(build(CLASSIC_HEADER, []))


def test_a_broken_quote():
    data = build(CLASSIC_HEADER, [line(**{"Prénom": '"Lé"a"'})])
    assert "mal formé" in not_results(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400) | st.text(alphabet=";\"\n\r-0123456789/aéÉ’'", max_size=300)
       .map(lambda s: s.encode("utf-8")))  # fmt: skip
def test_random_bytes_never_raise_anything_but_our_two_errors(data):
    try:
        result = parse_results(data)
    except (NotAResultsFile, ResultsFileError) as error:
        assert error.message
    else:
        assert result.lines


@settings(max_examples=100)
@given(st.data())
def test_random_cells_in_a_real_header_never_raise_anything_else(data):
    cells = st.text(alphabet=';"\n-0123456789/VaélidéAnuD', max_size=12)
    rows = [line(**{h: data.draw(cells) for h in CLASSIC_HEADER[:9]}) for _ in range(2)]
    try:
        result = parse_results(build(CLASSIC_HEADER, rows))
    except (NotAResultsFile, ResultsFileError) as error:
        assert error.message
    else:
        assert len(result.lines) == 2
