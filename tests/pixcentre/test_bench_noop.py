"""The load run's no-op view (benchmarks/urls.py) exists only under benchmarks.settings."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parents[2]


def test_the_site_does_not_route_the_benchmark_view(client, student):
    with pytest.raises(NoReverseMatch):
        reverse("bench_noop")
    client.force_login(student)
    assert client.post("/_bench/noop/").status_code == 404


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="benchmarks.urls")
def test_the_benchmark_view_is_an_authenticated_post_that_does_nothing(client, student):
    assert client.post("/_bench/noop/").status_code == 302
    assert "/comptes/login/" in client.post("/_bench/noop/")["Location"]
    client.force_login(student)
    response = client.post("/_bench/noop/")
    assert (response.status_code, response["Location"]) == (302, "/sessions/mon-inscription/")
    assert client.get("/_bench/noop/").status_code == 405


def test_the_benchmark_settings_refuse_production():
    out = subprocess.run(
        [sys.executable, "-c", "import benchmarks.settings"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PRODUCTION": "true",  # with what production needs, so only our check can refuse
            "SECRET_KEY": "k" * 60,
            "PIX_SITE_URL": "https://pix.example.fr",
            "ALLOWED_HOSTS": "pix.example.fr",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode != 0
    assert "benchmarks.settings is for load runs, never PRODUCTION=true" in out.stderr
