"""The Redis cache, made safe for the day Redis stops.

The cache holds nothing that cannot be lost: login and sign-up rate limits (allauth) and the
progress of a running import. Django's ``RedisCache`` raises on every call when Redis is
unreachable, which would turn every page that touches the cache into an error. This backend
catches the connection error, logs it once, and serves the call from a per-process memory cache
instead; for the next few seconds it does not even try Redis, so a stopped Redis costs one
short connection timeout, not one per request. When Redis answers again, it is used again.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


def _fail_safe(name: str):
    def method(self, *args, **kwargs):
        if time.monotonic() >= self._redis_down_until:
            try:
                result = getattr(super(FailSafeRedisCache, self), name)(*args, **kwargs)
            except RedisError as exc:
                self._mark_down(exc)
            else:
                if self._redis_down_until:
                    self._mark_up()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` on Redis, or on the process's memory cache while Redis is down."
    return method


class FailSafeRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        fallback_params = {k: v for k, v in params.items() if k in ("TIMEOUT", "KEY_PREFIX")}
        self._fallback = LocMemCache(f"pixcentre-fallback-{id(self)}", fallback_params)
        self._redis_down_until = 0.0
        self._lock = threading.Lock()

    def _mark_down(self, exc: Exception) -> None:
        with self._lock:
            was_up = self._redis_down_until == 0.0
            self._redis_down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if was_up:
            logger.warning("Redis cache unreachable, using the memory cache meanwhile: %s", exc)

    def _mark_up(self) -> None:
        self._redis_down_until = 0.0
        logger.warning("Redis cache reachable again")

    add = _fail_safe("add")
    get = _fail_safe("get")
    set = _fail_safe("set")
    touch = _fail_safe("touch")
    delete = _fail_safe("delete")
    get_many = _fail_safe("get_many")
    has_key = _fail_safe("has_key")
    incr = _fail_safe("incr")
    set_many = _fail_safe("set_many")
    delete_many = _fail_safe("delete_many")
    clear = _fail_safe("clear")
