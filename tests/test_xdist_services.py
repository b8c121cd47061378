"""Each xdist process's Redis database (tests/xdist_services.py)."""

import pytest

from tests.xdist_services import worker_url


def test_each_worker_counts_down_from_the_given_database():
    assert worker_url("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"
    assert worker_url("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/14"


def test_a_url_without_a_database_counts_up_from_0_and_keeps_its_options():
    assert worker_url("redis://cache:6379", "gw2") == "redis://cache:6379/2"
    assert worker_url("redis://h:1/3?timeout=1", "gw1") == "redis://h:1/2?timeout=1"


def test_too_few_databases_is_said():
    with pytest.raises(ValueError, match="not enough Redis databases"):
        worker_url("redis://h:1/1", "gw2")
