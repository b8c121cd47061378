from io import StringIO

import pytest
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


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    counts = {m: m.objects.count() for m in _models()}
    call_command("seed_demo", stdout=StringIO())
    assert {m: m.objects.count() for m in _models()} == counts


def _models():
    from django.apps import apps

    return [m for m in apps.get_models() if m._meta.app_label in
            {"accounts", "candidates", "sessions_app", "billing", "competences"}]  # fmt: skip
