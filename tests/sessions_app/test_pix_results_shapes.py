"""Every shape of results file Pix writes (formats README §3) reads with zero manual edits:
classic (with a started row and an empty score), 2026 with core Pix, CléA and Pix+ rows in one
file, a session of Pix+ only, and the shared 2026 sample. Files in tests/fixtures/pix/."""

from pathlib import Path

import pytest

from sessions_app.pix.results import (
    VARIANT_2026,
    VARIANT_CLASSIC,
    ResultsFileError,
    parse_results,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pix"
CLASSIC = FIXTURES / "20260114_1000_resultats_session_31300_classique.csv"
MIXED = FIXTURES / "20260310_1400_resultats_session_40100_mixte.csv"
PIX_PLUS = FIXTURES / "20260312_1600_resultats_session_40200_pix_plus.csv"
SAMPLE_2026 = FIXTURES / "20260203_1400_resultats_session_40001.csv"


def lines_by_number(path):
    parsed = parse_results(path.read_bytes())
    return parsed, {line.certification_number: line for line in parsed.lines}


def problems_of(data: bytes):
    with pytest.raises(ResultsFileError) as caught:
        parse_results(data)
    return [(p.line, p.column, p.value) for p in caught.value.problems]


def test_classic_file_with_a_started_row_and_an_empty_score():
    parsed, by = lines_by_number(CLASSIC)
    assert parsed.variant == VARIANT_CLASSIC and len(parsed.lines) == 5
    assert by["920000"].score == 512 and by["920000"].complementary == {"Pix+ Droit": "Validée"}
    assert by["920001"].status == "Rejetée" and by["920001"].score == 0
    started = by["920002"]
    assert (started.status, started.score, started.level) == ("Démarrée", None, "")
    assert set(started.competence_levels.values()) == {None}
    assert by["920003"].status == "En erreur" and by["920003"].score is None
    assert by["920004"].complementary == {"Pix+ Droit": "Annulée"}


def test_2026_mixed_file_core_clea_and_pix_plus_rows(settings):
    settings.PIX_MAX_LEVEL = 6  # a centre not yet showing level 7: the file is still read
    parsed, by = lines_by_number(MIXED)
    assert parsed.variant == VARIANT_2026 and parsed.has_score and len(parsed.lines) == 11
    assert parsed.complementary_labels == ("CléA Numérique", "Pix+ Droit", "Pix+ Édu 2nd degré")
    expert = by["930000"]
    assert (expert.certification_type, expert.level, expert.score) == ("Pix", "Expert 1", 812)
    assert expert.competence_levels["1.1"] == 7 and expert.is_core
    clea = by["930002"]
    assert clea.certification_type == "CléA Numérique by Pix" and clea.level == "Indépendant 1"
    assert clea.complementary["CléA Numérique"] == "Validée"
    assert by["930003"].complementary["CléA Numérique"] == "Non obtenue"
    droit = by["930004"]
    assert (droit.certification_type, droit.level, droit.score) == ("Pix+ Droit", "Avancé", None)
    assert not droit.is_core and set(droit.competence_levels.values()) == {None}
    assert by["930005"].status == "Non obtenue" and by["930005"].level == "Non obtenue"
    edu = by["930006"]
    assert edu.level == "Admissible" and set(edu.competence_levels.values()) == {None}
    assert (by["930007"].status, by["930007"].score, by["930007"].level) == ("Non obtenue", 0, "")
    assert by["930008"].status == "En erreur"
    assert by["930008"].complementary["Pix+ Édu 2nd degré"] == "En erreur"
    assert (by["930009"].status, by["930009"].score) == ("Démarrée", None)


def test_a_session_of_pix_plus_only_has_no_score_nor_competences():
    parsed, by = lines_by_number(PIX_PLUS)
    assert parsed.variant == VARIANT_2026 and not parsed.has_score and len(parsed.lines) == 7
    assert all(line.score is None and line.competence_levels == {} for line in parsed.lines)
    assert by["940000"].level == "Expert" and by["940001"].level == "Obtenue"
    assert (by["940002"].status, by["940002"].level) == ("Non obtenue", "Non obtenue")
    assert (by["940003"].certification_type, by["940003"].level) == ("Pix+ Édu CPE", "Admissible")
    assert by["940004"].level == "Non admissible"
    assert by["940005"].complementary["Pix+ Droit"] == "En erreur"
    assert (by["940006"].status, by["940006"].level) == ("Démarrée", "")


def test_the_shared_2026_sample_reads_whole():
    parsed, by = lines_by_number(SAMPLE_2026)
    assert len(parsed.lines) == 8
    assert by["910000"].level == "Novice 2" and by["910000"].score == 160
    assert by["910002"].status == "Non obtenue" and by["910002"].score == 0
    assert by["910004"].status == "Démarrée" and by["910004"].score is None
    assert by["910005"].complementary == {"CléA Numérique": "Non obtenue"}
    assert by["910006"].status == "En erreur"


@pytest.mark.parametrize("spelling", ["Score en pix", "SCORE EN PIX", "score en Pix"])
def test_header_matching_ignores_case(spelling):
    data = MIXED.read_bytes().replace(b"Score en Pix", spelling.encode(), 1)
    data = data.replace(b"Type de certification", b"TYPE DE CERTIFICATION", 1)
    parsed = parse_results(data)
    assert parsed.lines[0].score == 812 and parsed.lines[0].certification_type == "Pix"


def test_scores_up_to_1024_and_levels_up_to_8_whatever_the_setting(settings):
    settings.PIX_MAX_LEVEL = 6
    text = MIXED.read_text(encoding="utf-8-sig")
    text = text.replace(';"Expert 1";812;7;', ';"Expert 2";1023;8;', 1)
    parsed = parse_results(text.encode())
    assert (parsed.lines[0].score, parsed.lines[0].competence_levels["1.1"]) == (1023, 8)
    too_much = text.replace(';"Expert 2";1023;8;', ';"Expert 2";1025;9;', 1)
    assert problems_of(too_much.encode()) == [(2, "Score en Pix", "1025"), (2, "1.1", "9")]


def test_a_level_label_foreign_to_the_certification_is_reported():
    text = MIXED.read_text(encoding="utf-8-sig")
    bad = text.replace(';"Expert 1";812;', ';"7";812;', 1).replace('"Avancé";;', '"Novice 1";;', 1)
    problems = problems_of(bad.encode())
    assert problems == [(2, "Niveau", "7"), (6, "Niveau", "Novice 1")]


def test_a_validated_core_result_without_a_score_is_reported():
    text = MIXED.read_text(encoding="utf-8-sig")
    bad = text.replace(';"Expert 1";812;', ';"Expert 1";;', 1)
    assert problems_of(bad.encode()) == [(2, "Score en Pix", "")]


def test_unknown_type_and_statuses_are_reported_by_line():
    text = MIXED.read_text(encoding="utf-8-sig")
    bad = text.replace('"Pix+ Droit";"Validée"', '"Pix+ Compta";"Validée"', 1)
    bad = bad.replace(
        '"Jules";"Henry";"20/09/2001";"CARPENTRAS";22100001;"Pix";"Validée"',
        '"Jules";"Henry";"20/09/2001";"CARPENTRAS";22100001;"Pix";"Réussie"',
    )
    problems = problems_of(bad.encode())
    assert [(line, column) for line, column, _v in problems] == [
        (3, "Statut"),
        (6, "Type de certification"),
    ]


def test_pix_plus_only_header_without_niveau_is_not_a_results_file():
    from sessions_app.pix.results import NotAResultsFile

    data = PIX_PLUS.read_bytes().replace(b";Niveau;", b";Autre;", 1)
    with pytest.raises(NotAResultsFile) as caught:
        parse_results(data)
    assert "Niveau" in caught.value.message


def test_core_level_labels_by_score_band_as_in_the_sample():
    from sessions_app.pix.results import core_level_label

    assert [core_level_label(s) for s in (None, 63, 64, 160, 424, 512, 624, 812, 1000)] == [
        "", "", "Novice 1", "Novice 2", "Indépendant 2", "Avancé 1", "Avancé 1", "Expert 1",
        "Expert 2",
    ]  # fmt: skip
