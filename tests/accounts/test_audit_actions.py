"""The catalogue of audit actions: every action written is in it, with its English label."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from accounts.audit import record
from accounts.audit_actions import AuditAction, label
from accounts.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "competences", "candidates", "sessions_app", "billing", "pixcentre"]
AUDIT_CALLS = {"record", "_audit", "_cancel"}


def actions_written_in_the_code():
    """Every action given to record / _audit / _cancel: a catalogue member or a string."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                name = getattr(node, "func", None)
                name = getattr(name, "id", None) or getattr(name, "attr", None)
                if not isinstance(node, ast.Call) or name not in AUDIT_CALLS:
                    continue
                argument = node.args[1:2] if name == "_cancel" else node.args[:1]
                for part in (n for a in argument for n in ast.walk(a)):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    if isinstance(part, ast.Constant) and isinstance(part.value, str):
                        found.append((where, "string", part.value))
                    elif (
                        isinstance(part, ast.Attribute)
                        and getattr(part.value, "id", None) == "AuditAction"
                    ):
                        found.append((where, "member", part.attr))
    return found


def test_the_code_names_its_actions_from_the_catalogue():
    found = actions_written_in_the_code()
    assert len(found) > 40  # the scan sees the services' audit calls
    assert [f for f in found if f[1] == "string"] == []
    assert [f for f in found if f[1] == "member" and not hasattr(AuditAction, f[2])] == []


def test_every_action_has_a_french_label_and_an_english_one():
    for action in AuditAction:
        with translation.override("fr"):
            french = str(action.label)
        with translation.override("en"):
            english = str(action.label)
        assert french and english != french, action.value


def test_record_refuses_an_action_outside_the_catalogue(db):
    with pytest.raises(ValueError):
        record("registration.confirmed")
    assert not AuditEntry.objects.exists()
    entry = record(AuditAction.NO_SHOW)
    assert entry.action == "no_show"


def test_an_old_action_no_longer_in_the_catalogue_keeps_its_stored_name():
    assert label("payment.recorded") == "payment.recorded"
    with translation.override("en"):
        assert label("no_show") == "Candidate absent"


def test_an_entry_written_by_hand_reads_back_as_the_orm_would_have_written_it(db):
    """``record`` inserts without the ORM's statement building: every field, JSON and dates
    included, reads back as given, and the entry it returns is the row."""
    import datetime as dt

    from accounts.models import User

    actor = User.objects.create_user(email="admin@example.org", password="x", role="administrator")
    at = dt.datetime(2026, 3, 4, 9, 30, 15, 123456, tzinfo=dt.UTC)
    entry = record(
        AuditAction.NO_SHOW, actor=actor, obj=actor, candidate_id=12, session_id=34,
        before={"status": "confirmed", "list": [1, "é"], "none": None}, after=None,
        summary="Absent · « Zoé »" + "x" * 400, now=at,
    )  # fmt: skip
    stored = AuditEntry.objects.get()
    assert entry.pk == stored.pk and not entry._state.adding
    assert (stored.at, stored.actor_id, stored.action) == (at, actor.pk, "no_show")
    assert (stored.object_type, stored.object_id) == ("accounts.User", str(actor.pk))
    assert (stored.candidate_id, stored.session_id) == (12, 34)
    assert stored.before == {"status": "confirmed", "list": [1, "é"], "none": None}
    assert stored.after is None
    assert stored.summary == ("Absent · « Zoé »" + "x" * 400)[:300]
    by_orm = AuditEntry.objects.create(at=at, action="no_show", after=None)  # as it was written
    assert set(AuditEntry.objects.filter(after__isnull=True)) == {stored, by_orm}
