"""Security settings proven on responses: headers, cookies in production, allauth's rate limits
on login and sign-up. (Access by role and CSRF: test_access_table.py; `check --deploy`:
test_deployment.py.)"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

from .test_deployment import PRODUCTION_ENV, ROOT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/comptes/login/", "/healthz"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_production_cookies_are_secure_and_https_is_enforced(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(PRODUCTION_ENV, PIXCENTRE_VAR_DIR=str(tmp_path))
    names = [
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG",
    ]  # fmt: skip
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "DEBUG": False,
    }


def test_repeated_failed_logins_for_one_account_are_refused_even_with_the_right_password(
    client, student
):
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": student.email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = client.post(url, {"login": student.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # allauth answers with a form error, in the page's language (French by default).
    assert "Trop de tentatives de connexion" in response.content.decode()


def test_a_burst_of_sign_ups_from_one_address_is_refused(client):
    url = reverse("account_signup")
    statuses = []
    for n in range(21):
        response = client.post(
            url,
            {"email": f"burst{n}@example.org", "password1": "Pix-2026-solide", "password2":
             "Pix-2026-solide"},
        )  # fmt: skip
        statuses.append(response.status_code)
    assert all(s in (200, 302) for s in statuses[:20])
    assert statuses[20] == 429


def test_the_content_security_policy_allows_scripts_from_this_site_only(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler_the_policy_would_block():
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text()
            if "/pdf/" in str(path) or path.parent.name == "pdf":
                continue  # rendered to PDF by WeasyPrint, never served to a browser
            for pattern in (INLINE_SCRIPT, EVENT_HANDLER):
                offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in
                              pattern.finditer(text)]  # fmt: skip
    assert offenders == []
