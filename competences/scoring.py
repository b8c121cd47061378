"""Pix score arithmetic. Pure functions: no database, no request.

Rules (DESIGN.md, formats README §1): one level in one competence = 8 pix; a competence's pix
are capped at ``max level × 8``; its level is ``floor(pix / 8)`` capped at the max level; the
profile total is the sum of the capped competence pix; the max score is
``16 × max level × 8`` (768 at 6 levels, 1024 at 8); a profile is certifiable when at least 5
competences are at level 1 or more.

``max_level`` defaults to the ``PIX_MAX_LEVEL`` setting (7: what Pix certifies today); pass
it explicitly where a file or a test fixes it. Files from Pix are read up to
``FILE_MAX_LEVEL`` (8, announced) whatever that setting: a centre still showing 7 levels must
not refuse the first file that carries an 8.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

PIX_PER_LEVEL = 8
COMPETENCE_COUNT = 16
CERTIFIABLE_MIN_COMPETENCES = 5
# The highest level a Pix file may carry (formats README §1 and §3): 8 levels are announced.
FILE_MAX_LEVEL = 8


def max_level(value: int | None = None) -> int:
    if value is not None:
        return value
    from django.conf import settings

    return settings.PIX_MAX_LEVEL


def pix_for_level(level: int) -> int:
    """The pix a level is worth in one competence."""
    if level < 0:
        raise ValueError("A level cannot be negative.")
    return level * PIX_PER_LEVEL


def max_competence_pix(max_lvl: int | None = None) -> int:
    return pix_for_level(max_level(max_lvl))


def capped_pix(pix: int, max_lvl: int | None = None) -> int:
    """A competence's pix, capped at what the max level allows."""
    if pix < 0:
        raise ValueError("Pix cannot be negative.")
    return min(pix, max_competence_pix(max_lvl))


def level_for_pix(pix: int, max_lvl: int | None = None) -> int:
    """The level reached with these pix in one competence."""
    return min(capped_pix(pix, max_lvl) // PIX_PER_LEVEL, max_level(max_lvl))


def profile_total(competence_pix: Iterable[int], max_lvl: int | None = None) -> int:
    """Total pix of a profile: the sum of each competence's capped pix."""
    return sum(capped_pix(p, max_lvl) for p in competence_pix)


def max_score(max_lvl: int | None = None, competences: int = COMPETENCE_COUNT) -> int:
    return competences * max_competence_pix(max_lvl)


def certifiable_competences(levels: Iterable[int]) -> int:
    return sum(1 for level in levels if level >= 1)


def is_certifiable(levels: Iterable[int]) -> bool:
    return certifiable_competences(levels) >= CERTIFIABLE_MIN_COMPETENCES


def average_level(levels: Iterable[int], competences: int = COMPETENCE_COUNT) -> Decimal:
    """Mean level over all the referential's competences (a missing one counts as 0)."""
    total = sum(levels)
    return (Decimal(total) / competences).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Showing an average level: one rounding rule, one formatter ---------------------------------

AVERAGE_SHOWN = Decimal("0.1")


def shown_average(average) -> Decimal | None:
    """The average level as people read it: one decimal, rounded half up (3.05 → 3.1, 3.04 →
    3.0). The stored value keeps two decimals for ranking; every page, email and export shows
    this one (they used to show 3,06 / 3,1 / 3,0 for the same profile: raw, rounded, truncated)."""
    if average is None or average == "":
        return None
    return Decimal(str(average)).quantize(AVERAGE_SHOWN, rounding=ROUND_HALF_UP)


def format_average(average, *, use_l10n=None) -> str:
    """``shown_average`` in the current language (« 3,1 » in French, "3.1" in English); "—"
    when there is no profile."""
    from django.utils.formats import number_format

    shown = shown_average(average)
    if shown is None:
        return "—"
    return number_format(shown, 1, use_l10n=use_l10n)
