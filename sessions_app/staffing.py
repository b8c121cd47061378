"""How many invigilators a session needs and for how long, and how long the test lasts by
certification (pure arithmetic, no database).

Rules from the seed (DESIGN.md, "Sessions"): one invigilator per *started* block of 20
candidates, mobilised 2 hours, plus 40 minutes when a candidate has extra time (tiers-temps).
The project's defaults live in settings (``PIX_CANDIDATES_PER_INVIGILATOR``,
``PIX_INVIGILATION_MINUTES``, ``PIX_EXTRA_TIME_EXTENSION_MINUTES``), and a year's figures in
``billing.CostParameterSet``; these functions take them as arguments so that callers decide
which ones apply and tests need no settings.

Pix's 2026 rules (DESIGN.md, "Pix's rules as of 2026"): the test lasts 1 h 45 for core Pix
(and CléA Numérique, taken with it), 45 min for Pix+ Droit and Pix+ Pro Santé, 1 h 30 for Pix+
Édu (1er degré, 2nd degré, CPE). Certifications are named by Pix's own labels (those of
``models.Complementary``, of Pix Certif's columns and of ``Type de certification``), so a label
added there (Pix+ Édu CPE) needs nothing else here.

The seed's 2 h + 40 min are the core case. Our reading for the others: an invigilator stays
the test plus what the seed adds around it (120 − 105 = 15 minutes to seat the candidates and
close the room), and a candidate with extra time keeps the room open an extension in
proportion to their test (40 min for 1 h 45: 18 for 45 min, 35 for 1 h 30, rounded up). A
room mixing certifications stays open for the longest of its candidates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

DEFAULT_CANDIDATES_PER_INVIGILATOR = 20
DEFAULT_INVIGILATION_MINUTES = 120
DEFAULT_EXTRA_TIME_EXTENSION_MINUTES = 40

CORE_TEST_MINUTES = 105  # 1 h 45: core Pix, CléA Numérique
TEST_MINUTES = {
    "Pix+ Droit": 45,
    "Pix+ Pro Santé": 45,
    "Pix+ Édu 1er degré": 90,
    "Pix+ Édu 2nd degré": 90,
    "Pix+ Édu CPE": 90,
}  # any other label (core Pix, CléA Numérique, none): CORE_TEST_MINUTES


def exam_minutes(certification: str = "") -> int:
    """The test's length for a certification label ('' or anything not Pix+: core Pix)."""
    return TEST_MINUTES.get(" ".join((certification or "").split()), CORE_TEST_MINUTES)


def format_minutes(minutes: int) -> str:
    """105 → ``1 h 45``, 45 → ``45 min``."""
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"


def with_extra_time(test: int, extra_time_percent: int | None) -> int:
    """The test's length for a candidate with this extra time, rounded up to the minute."""
    if not extra_time_percent:
        return test
    return math.ceil(test * (100 + extra_time_percent) / 100)


def invigilators_needed(
    confirmed: int, per_invigilator: int = DEFAULT_CANDIDATES_PER_INVIGILATOR
) -> int:
    """One invigilator per started block of ``per_invigilator`` candidates; none for nobody.

    >>> [invigilators_needed(n) for n in (0, 1, 20, 21, 40)]
    [0, 1, 1, 2, 2]
    """
    if confirmed < 0:
        raise ValueError("confirmed must be >= 0")
    if per_invigilator < 1:
        raise ValueError("per_invigilator must be >= 1")
    return -(-confirmed // per_invigilator)  # ceiling division on integers


def invigilation_minutes(
    any_extra_time: bool,
    base: int = DEFAULT_INVIGILATION_MINUTES,
    extension: int = DEFAULT_EXTRA_TIME_EXTENSION_MINUTES,
    test: int = CORE_TEST_MINUTES,
) -> int:
    """Minutes each invigilator is mobilised for a test of ``test`` minutes: ``base`` and
    ``extension`` are the core case (seed: 120, plus 40 when any confirmed candidate has extra
    time: the whole room stays open for them), scaled to the test's length.

    >>> [invigilation_minutes(x, test=t) for t in (105, 45, 90) for x in (False, True)]
    [120, 160, 60, 78, 105, 140]
    """
    if base < 0 or extension < 0 or test < 0:
        raise ValueError("minutes must be >= 0")
    if base >= CORE_TEST_MINUTES:
        minutes = test + base - CORE_TEST_MINUTES
    else:  # a year that pays less than the core test: in proportion
        minutes = math.ceil(base * test / CORE_TEST_MINUTES)
    if any_extra_time:
        minutes += math.ceil(extension * test / CORE_TEST_MINUTES)
    return minutes


def session_invigilation_minutes(
    longest_test: int | None,
    longest_extra_time_test: int | None,
    base: int = DEFAULT_INVIGILATION_MINUTES,
    extension: int = DEFAULT_EXTRA_TIME_EXTENSION_MINUTES,
) -> int:
    """Minutes of a session: the longest of its candidates' tests (``longest_test``, None for
    nobody: planned as core Pix) and of those with extra time (``longest_extra_time_test``,
    None when nobody has extra time), each with the time around it."""
    plain = invigilation_minutes(False, base, extension, longest_test or CORE_TEST_MINUTES)
    if longest_extra_time_test is None:
        return plain
    return max(plain, invigilation_minutes(True, base, extension, longest_extra_time_test))


def longest_exam_minutes(certifications: Iterable[str]) -> int:
    """The room's test length: its longest certification (core Pix when there is none)."""
    return max((exam_minutes(c) for c in certifications), default=CORE_TEST_MINUTES)
