import contextlib
import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Role, User


@pytest.mark.django_db
def test_seed_demo_creates_one_account_per_role_and_prints_them():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for role in Role:
        assert User.objects.filter(role=role).exists()
    assert "gestionnaire@demo.pixcentre.fr" in text
    assert "demo-pix-2026" in text


# Today, and dates on which running it twice once added rows (the demo's picks moved with what
# later parts of it had created): summer, when the semester's sessions were all past; the last
# days of the autumn semester; 3 December 2026, when the held 2026 session took a weekly
# session's room.
@pytest.mark.django_db
@pytest.mark.parametrize("day", ["today", "2026-07-04", "2027-01-28", "2026-12-03"])
def test_seed_demo_is_idempotent(day):
    with contextlib.ExitStack() as on_that_day:
        if day != "today":
            morning = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), dt.UTC)
            on_that_day.enter_context(time_machine.travel(morning, tick=True))
        call_command("seed_demo", stdout=StringIO())
        counts = {m: m.objects.count() for m in _models()}
        call_command("seed_demo", stdout=StringIO())
        assert {m: m.objects.count() for m in _models()} == counts


def _models():
    from django.apps import apps

    return [m for m in apps.get_models() if m._meta.app_label in
            {"accounts", "candidates", "sessions_app", "billing", "competences"}]  # fmt: skip


@pytest.mark.django_db
def test_seed_demo_shows_the_administrator_home_and_the_users_page(client):
    from sessions_app.services.overview import admin_overview

    call_command("seed_demo", stdout=StringIO())
    overview = admin_overview()
    assert overview.rebalance, "a full session with a waitlist next to free seats"
    assert overview.refused_count and overview.not_sent["no_email"]
    client.force_login(User.objects.get(email="gestionnaire@demo.pixcentre.fr"))
    page = client.get("/utilisateurs/", {"active": "all"}).context["page"]
    assert {u.email for u in page} >= {
        "adjoint.gestion@demo.pixcentre.fr",
        "nina.garde@demo.pixcentre.fr",
        "ancien.surveillant@demo.pixcentre.fr",
    }


@pytest.mark.django_db
def test_seed_demo_prints_the_accounts_last_and_logs_nothing_of_its_pdfs_and_tasks(caplog):
    """The accounts close the output (a newcomer reads them where the command stops), and the
    demo's PDF rendering and in-process tasks do not flood the terminal."""
    import logging

    from accounts.demo import DEMO_PASSWORD

    out = StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command("seed_demo", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    tail = lines[-8:]
    assert "Demo accounts" in tail[0]
    assert [line.split()[0] for line in tail[1:-1]] == [
        "gestionnaire@demo.pixcentre.fr", "referent@demo.pixcentre.fr",
        "surveillant@demo.pixcentre.fr", "etudiant@demo.pixcentre.fr",
        "personnel@demo.pixcentre.fr", "externe@demo.pixcentre.fr",
    ]  # fmt: skip
    assert DEMO_PASSWORD in tail[-1]
    noisy = [
        r for r in caplog.records
        if r.name.split(".")[0] in {"weasyprint", "celery", "kombu", "fontTools"}
    ]  # fmt: skip
    assert noisy == [], [f"{r.name}: {r.getMessage()}" for r in noisy[:5]]
