"""The Redis cache keeps pages working when Redis stops (pixcentre/cache.py), against a real
``redis-server`` of the test's own, stopped and started again."""

import pytest

from pixcentre import cache as fail_safe
from pixcentre.cache import FailSafeRedisCache
from tests.faults.processes import REDIS_SERVER, RedisServer, free_port

pytestmark = pytest.mark.skipif(
    not REDIS_SERVER, reason="needs redis-server (Debian package redis-server)"
)


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def make_cache(url):
    return FailSafeRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})


def test_the_cache_uses_redis_then_memory_while_it_is_down_then_redis_again(
    redis, monkeypatch, caplog
):
    monkeypatch.setattr(fail_safe, "RETRY_AFTER_SECONDS", 0.0)
    cache = make_cache(redis.url)
    other_process = make_cache(redis.url)
    cache.set("k", "in redis")
    assert other_process.get("k") == "in redis"  # shared through Redis

    redis.stop()
    assert cache.get("k", "default") == "default"  # no error: a miss
    cache.set("k", "in memory")
    assert cache.get("k") == "in memory"
    assert cache.add("n", 1) is True
    assert cache.incr("n") == 2
    assert other_process.get("k") is None  # memory is per process
    assert "Redis cache unreachable" in caplog.text

    redis.start()
    assert cache.get("k") is None  # Redis again (empty: it keeps nothing on disk)
    cache.set("k", "back in redis")
    assert other_process.get("k") == "back in redis"
    assert "Redis cache reachable again" in caplog.text


def test_while_redis_is_down_the_cache_does_not_try_it_on_every_call(redis, monkeypatch):
    cache = make_cache(redis.url)
    redis.stop()
    cache.get("k")
    calls = []
    monkeypatch.setattr(
        "django.core.cache.backends.redis.RedisCache.get",
        lambda *a, **k: calls.append(a),
    )
    for _ in range(5):
        cache.get("k")
    assert calls == []  # within RETRY_AFTER_SECONDS the memory cache answers at once
