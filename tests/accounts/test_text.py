import pytest

from accounts.text import fold, fold_variants, search_words


@pytest.mark.parametrize(
    "raw, folded",
    [
        ("André", "andre"),
        ("Léa  MARTIN", "lea martin"),
        ("Jean-Pierre N’Diaye", "jean pierre n diaye"),
        ("Œuvray ÆSCHYLE Straße", "oeuvray aeschyle strasse"),
        ("ÇA", "ca"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_drops_accents_case_and_punctuation(raw, folded):
    assert fold(raw) == folded


def test_search_words_are_folded():
    assert search_words("  Léa   martin ") == ["lea", "martin"]


def test_variants_join_words_split_by_apostrophes_and_hyphens():
    assert fold_variants("N’Diaye") == "n diaye ndiaye"
    assert fold_variants("Martin") == "martin"
