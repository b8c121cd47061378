"""Security settings proven on responses: headers, cookies in production, allauth's rate limits
on login and sign-up. (Access by role and CSRF: test_access_table.py; `check --deploy`:
test_deployment.py.)"""

import json
import os
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
