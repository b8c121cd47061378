"""Results statistics on a case computed by hand, the CSV (formula-safe) and who sees them."""

import csv
import io

import pytest

from sessions_app.models import StatisticsSnapshot
from sessions_app.services import statistics


def row(status, score, study_year, session, positioning, levels):
    return {
        "status": status,
        "score": score,
        "study_year": study_year,
        "session_id": session,
        "session_label": f"Session {session}",
        "positioning": positioning,
        "competence_levels": levels,
    }


ROWS = [
    row("Validée", 400, "L3", 1, 380, {"1.1": 3, "1.2": 4}),
    row("Validée", 500, "L3", 1, None, {"1.1": 5, "1.2": None}),
    row("Validée", 300, "M1", 2, 250, {"1.1": 2, "1.2": 2}),
    row("Rejetée", 0, "M1", 2, 100, {"1.1": 0, "1.2": 0}),
    row("Annulée", None, "", 2, 300, {"1.1": None, "1.2": None}),
    row("Validée", 130, "M1", 2, 90, {"1.1": 1}),
    row("Validée", 640, "", 2, None, {}),
]


def test_statistics_on_a_hand_computed_case():
    data = statistics.compute(ROWS, max_level=6)
    assert data["counts"] == {
        "validated": 5, "rejected": 1, "not_obtained": 0, "cancelled": 1, "error": 0,
        "started": 0, "total": 7,
    }  # fmt: skip
    # Scores of validated results only: L3 400, 500; M1 300, 130; no year: 640.
    assert data["by_study_year"] == [
        {"key": "L3", "count": 2, "mean": 450.0, "median": 450.0},
        {"key": "M1", "count": 2, "mean": 215.0, "median": 215.0},
        {"key": "—", "count": 1, "mean": 640.0, "median": 640},
    ]
    # Session 2: 300, 130, 640 → mean 1070 / 3 = 356.7, median 300.
    assert data["by_session"] == [
        {"key": "Session 1", "session_id": 1, "count": 2, "mean": 450.0, "median": 450.0},
        {"key": "Session 2", "session_id": 2, "count": 3, "mean": 356.7, "median": 300},
    ]
    counts = {b["label"]: b["count"] for b in data["distribution"] if b["count"]}
    assert counts == {"128–191": 1, "256–319": 1, "384–447": 1, "448–511": 1, "640–703": 1}
    assert data["distribution"][0]["label"] == "0–63"
    assert data["distribution"][-1]["label"] == "768–768"
    assert data["pairs"] == [[90, 130], [250, 300], [380, 400]]
    # 1.1: 3, 5, 2, 1 → 2.75; 1.2: 4, 2 → 3 (untested and non-validated left out).
    assert data["competence_average"] == {"1.1": 2.75, "1.2": 3.0}
    assert data["max_score"] == 768


def test_no_results_gives_empty_statistics():
    data = statistics.compute([], max_level=6)
    assert data["counts"]["total"] == 0
    assert data["by_session"] == [] and data["pairs"] == []


def test_csv_cells_cannot_run_as_formulas():
    data = statistics.compute(
        [row("Validée", 400, "=cmd|'/C calc'!A0", 1, 380, {"1.1": 3})], max_level=6
    )
    data["by_session"][0]["key"] = "@SUM(1)"
    data["distribution"][0]["label"] = "\t=1+1"
    rows = statistics.csv_rows(data)
    flat = [cell for r in rows for cell in r]
    assert "'=cmd|'/C calc'!A0" in flat and "'@SUM(1)" in flat and "'\t=1+1" in flat
    assert not any(cell[:1] in "=+-@\t\r" and cell for cell in flat)


@pytest.mark.django_db
def test_statistics_page_and_csv_for_administrators_and_referent_only(
    client, administrator, referent, student, invigilator
):
    StatisticsSnapshot.objects.create(
        computed_at="2026-01-13T10:00:00+01:00", data=statistics.compute(ROWS, max_level=6)
    )
    for user in (student, invigilator):
        client.force_login(user)
        assert client.get("/resultats/statistiques/").status_code == 403
        assert client.get("/resultats/statistiques.csv").status_code == 403
    for user in (administrator, referent):
        client.force_login(user)
        page = client.get("/resultats/statistiques/").content.decode()
        assert "chart.umd.min.js" in page and 'id="table-sessions"' in page
        assert "356.7" in page or "356,7" in page
        response = client.get("/resultats/statistiques.csv")
        assert response["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert ["statuts", "validated", "5", "", "", ""] in lines
        assert ["by_session", "Session 2", "", "3", "356.7", "300"] in lines
