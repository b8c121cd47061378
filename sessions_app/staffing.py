"""How many invigilators a session needs and for how long (pure arithmetic, no database).

Rules from the seed (DESIGN.md, "Sessions"): one invigilator per *started* block of 20
candidates, mobilised 2 hours, plus 40 minutes when a candidate has extra time (tiers-temps).
The project's defaults live in settings (``PIX_CANDIDATES_PER_INVIGILATOR``,
``PIX_INVIGILATION_MINUTES``, ``PIX_EXTRA_TIME_EXTENSION_MINUTES``), and a year's figures in
``billing.CostParameterSet``; these functions take them as arguments so that callers decide
which ones apply and tests need no settings.
"""

DEFAULT_CANDIDATES_PER_INVIGILATOR = 20
DEFAULT_INVIGILATION_MINUTES = 120
DEFAULT_EXTRA_TIME_EXTENSION_MINUTES = 40


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
) -> int:
    """Minutes each invigilator is mobilised: ``base``, plus ``extension`` when any confirmed
    candidate has extra time (the whole room stays open for them)."""
    if base < 0 or extension < 0:
        raise ValueError("minutes must be >= 0")
    return base + extension if any_extra_time else base
