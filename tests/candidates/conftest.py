"""Fixtures of the candidates tests (personas come from tests/conftest.py)."""

import datetime as dt
from pathlib import Path

import pytest

from candidates.pix.profiles import PARIS, default_competences
from candidates.pix.profiles_writer import write_profiles_export

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_NAME = "Resultats-Collecte profils L3 2025-2026-48213-2025-11-20-0915.csv"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
CODES = [code for code, _t in default_competences()]


@pytest.fixture
def sample_export() -> bytes:
    """The sample of shared/formats/samples/ (24 participants, one without profile)."""
    return (DATA / SAMPLE_NAME).read_bytes()


def participant(n, *, pix=30, year="L3", sent_at=dt.datetime(2025, 11, 14, 10, 32, tzinfo=PARIS)):
    return {
        "last_name": f"Nom{n}",
        "first_name": f"Prénom{n}",
        "student_number": f"2200{n:04d}",
        "group": f"{year} Informatique",
        "sent_at": sent_at,
        "pix": None
        if pix is None
        else (pix if isinstance(pix, dict) else dict.fromkeys(CODES, pix)),
    }


def make_export(participants, **kwargs) -> bytes:
    return write_profiles_export(participants, max_level=6, **kwargs)
