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
