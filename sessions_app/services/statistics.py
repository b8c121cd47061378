"""Statistics of certification results, computed by a Celery task and stored as a snapshot.

``compute(rows)`` is pure (plain dicts in, plain dict out) so it is tested on a hand-computed
case; ``refresh(year_id)`` reads the database, computes and stores a ``StatisticsSnapshot``.

Definitions (our choice, shown on the page):
- counts: results per Pix status (« Non obtenue » since 2026 apart from the classic « Rejetée »);
- by certification: results per Pix ``Type de certification`` (core Pix for classic files), and
  how many were validated; levels: results per certification and ``Niveau`` label as Pix
  writes it (« Novice 2 », « Expert 1 », « Admissible »…), in Pix's order;
- mean and median score: over *validated* results (a rejected certification has 0 pix, a
  cancelled one none; neither is a certified score), by programme year and by session;
- distribution: validated scores in bins of ``BIN_WIDTH`` pix, up to the max score of the
  centre's levels or the highest score, whichever is larger (files may carry 8 levels);
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
from ..pix.results import ALL_LEVELS, CERTIFICATION_TYPES, TYPE_CORE

BIN_WIDTH = 64
STATUS_KEYS = {
    ResultStatus.VALIDATED: "validated",
    ResultStatus.REJECTED: "rejected",
    ResultStatus.NOT_OBTAINED: "not_obtained",
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
    ``session_id``, ``session_label``, ``positioning`` (total pix or None),
    ``competence_levels`` ({code: level or None}) and, optionally, ``certification_type``
    and ``level`` (the ``Niveau`` label)."""
    counts = Counter(STATUS_KEYS[ResultStatus(r["status"])] for r in rows)
    validated = [
        r for r in rows if r["status"] == ResultStatus.VALIDATED and r["score"] is not None
    ]
    top = max([scoring.max_score(scoring.max_level(max_level))] + [r["score"] for r in validated])

    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_level: Counter = Counter()
    for r in rows:
        kind = r.get("certification_type") or TYPE_CORE
        by_type[kind][0] += 1
        by_type[kind][1] += r["status"] == ResultStatus.VALIDATED
        if r.get("level"):
            by_level[(kind, r["level"])] += 1

    def type_order(kind):
        return (CERTIFICATION_TYPES.index(kind) if kind in CERTIFICATION_TYPES else 99, kind)

    def level_order(item):
        (kind, label), _count = item
        rank = ALL_LEVELS.index(label) if label in ALL_LEVELS else 99
        return (type_order(kind), rank, label)

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
        "by_certification": [
            {"key": kind, "count": n, "validated": ok}
            for kind, (n, ok) in sorted(by_type.items(), key=lambda item: type_order(item[0]))
        ],
        "levels": [
            {"certification": kind, "level": label, "count": n}
            for (kind, label), n in sorted(by_level.items(), key=level_order)
        ],
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
                "certification_type": result.certification_type,
                "level": result.level,
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
    for item in data.get("by_certification", []):
        rows.append(["certification", item["key"], item["validated"], item["count"], "", ""])
    for item in data.get("levels", []):
        rows.append(
            ["niveau", f"{item['certification']} · {item['level']}", "", item["count"], "", ""]
        )
    for positioning, score in data["pairs"]:
        rows.append(["positionnement_score", positioning, score, "", "", ""])
    for code, value in data["competence_average"].items():
        rows.append(["niveau_moyen_competence", code, value, "", "", ""])
    return [[_safe(cell) for cell in row] for row in rows]
