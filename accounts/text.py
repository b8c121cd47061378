"""Text folded for searching and sorting: accents, case and punctuation ignored.

``fold("Léa  MARTIN-Œuvray")`` is ``"lea martin oeuvray"``. The same function fills the
normalised columns (``Candidate.search_text``, ``Candidate.sort_name``) when a record is saved
or imported, and folds what a person types in a search box, so that « Andre » finds André and
« lea martin » finds Léa Martin on SQLite and on PostgreSQL alike (neither compares accents
away by default, and PostgreSQL's ``unaccent`` is an extension SQLite does not have). Pure: no
database.
"""

import re
import unicodedata

# Letters NFKD does not take apart.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
# Hyphens, apostrophes and other punctuation separate words (« Jean-Pierre », « N’Diaye »).
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def fold(value) -> str:
    """Lower case, without accents, words separated by one space."""
    if not value:
        return ""
    if isinstance(value, str) and value.isascii():  # no accent, ligature or odd case to fold
        return _SEPARATORS.sub(" ", value.lower()).strip()
    text = unicodedata.normalize("NFKD", str(value).casefold().translate(_LIGATURES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", text).strip()


_JOINERS = re.compile(r"[’'ʼ`-]")


def fold_variants(value) -> str:
    """``fold`` plus, when they differ, the words with apostrophes and hyphens removed, so that
    « N’Diaye » is found by « n diaye » and by « ndiaye », « Jean-Pierre » by « jeanpierre »."""
    folded = fold(value)
    joined = fold(_JOINERS.sub("", str(value or "")))
    return folded if joined == folded else f"{folded} {joined}"


def search_words(query) -> list[str]:
    """The folded words of a search box (each must be found)."""
    return fold(query).split()
