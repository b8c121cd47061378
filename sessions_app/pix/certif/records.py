"""What a Pix Certif file holds: a session and its candidates (``CertifSession``,
``CertifCandidate``), the values Pix knows (complementary certifications, pricings) and how a
value is written into a cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from candidates.pix_identity import ABROAD_INSEE, is_born_in_france

COMPLEMENTARY_LABELS = (
    "CléA Numérique",
    "Pix+ Droit",
    "Pix+ Édu 1er degré",
    "Pix+ Édu 2nd degré",
    "Pix+ Édu CPE",
    "Pix+ Pro Santé",
)
PRICING_FREE = "Gratuite"
PRICING_PAID = "Payante"
PRICING_PREPAID = "Prépayée"
PRICINGS = (PRICING_FREE, PRICING_PAID, PRICING_PREPAID)
SESSION_INDEX = -1
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class CertifCandidate:
    birth_name: str
    first_name: str
    birth_date: dt.date | None
    sex: str
    insee_code: str
    postal_code: str
    city: str
    country: str
    result_email: str
    convocation_email: str
    external_id: str
    extra_time_percent: int | None
    pricing: str
    prepaid_code: str
    complementary: str


@dataclass
class CertifSession:
    site: str
    room: str
    date: dt.date | None
    time: dt.time | None
    invigilators: list[str]
    existing_number: str
    observations: str = ""


class UnsafeValueError(ValueError):
    """A value a spreadsheet would run as a formula; ``export_problems`` reports it first."""


def _is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _complementary_labels_of(value) -> list[str]:
    """The complementary certifications a candidate asks for, however they were given."""
    if not value:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).strip()
    if text in COMPLEMENTARY_LABELS:
        return [text]
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    return parts or [text]


def insee_cell(c: CertifCandidate) -> str:
    """The INSEE code as Pix wants it: ``99`` for a birth abroad, never empty (an empty one
    makes Pix refuse the whole file: CANDIDATE_FOREIGN_INSEE_CODE_NOT_VALID)."""
    insee = (c.insee_code or "").strip()
    if not insee and (c.country or "").strip() and not is_born_in_france(c.country):
        return ABROAD_INSEE
    return insee


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _complementary_cells(c: CertifCandidate, labels) -> list[str]:
    chosen = _complementary_labels_of(c.complementary)
    unknown = [label for label in chosen if label not in labels]
    if unknown:
        raise ValueError(
            f"Complementary certification {unknown[0]!r} is not among the columns {labels!r}; "
            "check export_problems first."
        )
    return ["oui" if label in chosen else "" for label in labels]
