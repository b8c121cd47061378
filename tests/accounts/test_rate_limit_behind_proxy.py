"""The login rate limit (30 a minute per address) behind the university's reverse proxy.

Every request then comes from the proxy's address: without ``TRUSTED_PROXY_COUNT`` the 31st
student of the minute is refused, as the load run of a registration opening showed
(``docs/performance.md``). With it, allauth reads each student's address from
``X-Forwarded-For``.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def sign_in_31_students(proxy_header: bool) -> list[int]:
    statuses = []
    for n in range(31):
        email = f"etudiant{n}@etu.univ-avignon.fr"
        make_user(email)
        headers = {"HTTP_X_FORWARDED_FOR": f"10.0.0.{n + 1}"} if proxy_header else {}
        response = Client(REMOTE_ADDR="192.0.2.1", **headers).post(
            reverse("account_login"), {"login": email, "password": PASSWORD}
        )
        statuses.append(response.status_code)
    return statuses


def test_behind_the_proxy_each_student_counts_for_their_own_address(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert sign_in_31_students(proxy_header=True) == [302] * 31


def test_without_trusting_the_proxy_the_31st_sign_in_of_the_minute_is_refused(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    statuses = sign_in_31_students(proxy_header=True)
    assert statuses[:30] == [302] * 30
    assert statuses[30] == 429
