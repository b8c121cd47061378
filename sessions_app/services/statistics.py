"""Statistics of certification results, computed by a Celery task and stored as a snapshot.

``compute(rows)`` is pure (plain dicts in, plain dict out) so it is tested on a hand-computed
case; ``refresh(year_id)`` reads the database, computes and stores a ``StatisticsSnapshot``.

Definitions (our choice, shown on the page):
- counts: results per Pix status;
- mean and median score: over *validated* results (a rejected certification has 0 pix, a
  cancelled one none; neither is a certified score), by programme year and by session;
- distribution: validated scores in bins of ``BIN_WIDTH`` pix;
- positioning vs certified: (positioning total pix, certified score) pairs of validated results
  whose candidate has a positioning profile;
- per-competence average level: over validated results, competences tested (not ``-``).
"""

from __future__ import annotations

import statistics as pystats
from collections import Counter, defaultdict

from django.utils import timezone

from competences import scoring

from ..models import CertificationResult, ResultStatus, StatisticsSnapshot
from ..pix.certif import FORMULA_PREFIXES

BIN_WIDTH = 64
STATUS_KEYS = {
    ResultStatus.VALIDATED: "validated",
    ResultStatus.REJECTED: "rejected",
    ResultStatus.CANCELLED: "cancelled",
    ResultStatus.ERROR: "error",
    ResultStatus.STARTED: "started",
}
NO_STUDY_YEAR = "—"


def _summary(scores: list[int]) -> dict:
    return {
        "count": len(scores),
        "mean": round(pystats.fmean(scores), 1) if scores else None,
        "median": pystats.median(scores) if scores else None,
    }


def compute(rows: list[dict], *, max_level: int | None = None) -> dict:
    """``rows``: one dict per result with ``status``, ``score``, ``study_year``,
    ``session_id``, ``session_label``, ``positioning`` (total pix or None) and
    ``competence_levels`` ({code: level or None})."""
    top = scoring.max_score(scoring.max_level(max_level))
    counts = Counter(STATUS_KEYS[ResultStatus(r["status"])] for r in rows)
    validated = [
        r for r in rows if r["status"] == ResultStatus.VALIDATED and r["score"] is not None
    ]

    by_year: dict[str, list[int]] = defaultdict(list)
    by_session: dict[int, list[int]] = defaultdict(list)
    labels: dict[int, str] = {}
    for r in validated:
        by_year[r["study_year"] or NO_STUDY_YEAR].append(r["score"])
        by_session[r["session_id"]].append(r["score"])
        labels[r["session_id"]] = r["session_label"]

    bins = []
    for start in range(0, top + 1, BIN_WIDTH):
        end = min(start + BIN_WIDTH - 1, top)
        bins.append(
            {
                "label": f"{start}–{end}",
                "count": sum(1 for r in validated if start <= r["score"] <= end),
            }
        )

    levels: dict[str, list[int]] = defaultdict(list)
    for r in validated:
        for code, level in (r["competence_levels"] or {}).items():
            if level is not None:
                levels[code].append(level)

    return {
        "max_score": top,
        "counts": {key: counts.get(key, 0) for key in STATUS_KEYS.values()} | {"total": len(rows)},
        "by_study_year": [{"key": k, **_summary(v)} for k, v in sorted(by_year.items())],
        "by_session": [
            {"key": labels[k], "session_id": k, **_summary(v)}
            for k, v in sorted(by_session.items())
        ],
        "distribution": bins,
        "pairs": sorted(
            [r["positioning"], r["score"]] for r in validated if r["positioning"] is not None
        ),
        "competence_average": {
            code: round(pystats.fmean(values), 2) for code, values in sorted(levels.items())
        },
    }


def collect(academic_year_id: int | None = None) -> list[dict]:
    results = CertificationResult.objects.select_related(
        "registration__candidate", "registration__session__room"
    )
    if academic_year_id is not None:
        results = results.filter(registration__academic_year_id=academic_year_id)
    rows = []
    for result in results:
        candidate = result.registration.candidate
        session = result.registration.session
        rows.append(
            {
                "status": result.status,
                "score": result.score,
                "study_year": candidate.study_year,
                "session_id": session.pk,
                "session_label": str(session),
                "positioning": candidate.total_pix,
                "competence_levels": result.competence_levels,
            }
        )
    return rows


def refresh(academic_year_id: int | None = None, *, now=None) -> StatisticsSnapshot:
    return StatisticsSnapshot.objects.create(
        academic_year_id=academic_year_id,
        computed_at=now or timezone.now(),
        data=compute(collect(academic_year_id)),
    )


def latest(academic_year_id: int | None) -> StatisticsSnapshot | None:
    return StatisticsSnapshot.objects.filter(academic_year_id=academic_year_id).first()


def _safe(value) -> str:
    """A cell a spreadsheet will not run as a formula: one starting like a formula (``=``,
    ``+``, ``-``, ``@``, tab, carriage return: ``pix_certif.FORMULA_PREFIXES``) is prefixed
    with ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_rows(data: dict) -> list[list[str]]:
    rows = [["section", "clé", "valeur", "effectif", "moyenne", "médiane"]]
    for key, value in data["counts"].items():
        rows.append(["statuts", key, value, "", "", ""])
    for section in ("by_study_year", "by_session"):
        for item in data[section]:
            rows.append([section, item["key"], "", item["count"], item["mean"], item["median"]])
    for item in data["distribution"]:
        rows.append(["distribution", item["label"], item["count"], "", "", ""])
    for positioning, score in data["pairs"]:
        rows.append(["positionnement_score", positioning, score, "", "", ""])
    for code, value in data["competence_average"].items():
        rows.append(["niveau_moyen_competence", code, value, "", "", ""])
    return [[_safe(cell) for cell in row] for row in rows]
