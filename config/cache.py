"""The Redis cache as an optimisation, not a requirement: with Redis unreachable, reads
miss, writes are dropped and a warning is logged (once a minute at most), so the public
page still renders and takes signatures and the API answers. /health/ reports the cache
as "degraded" meanwhile (config/health.py). Rate limits kept in the cache count nothing
until Redis is back (they fail open: the honeypot and the double opt-in still hold)."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_WARN_EVERY = 60  # seconds
_last_warning = 0.0


def _unreachable(operation, error):
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY:
        _last_warning = now
        logger.warning("cache unreachable (%s: %s); serving without it", operation, error)


def _degrading(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            _unreachable(name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


class DegradingRedisCache(RedisCache):
    get = _degrading("get", lambda key, default=None, **kw: default)
    get_many = _degrading("get_many", {})
    has_key = _degrading("has_key", False)
    set = _degrading("set", None)
    set_many = _degrading("set_many", [])
    add = _degrading("add", True)  # as if first: a rate limit counts nothing while down
    incr = _degrading("incr", 1)
    touch = _degrading("touch", False)
    delete = _degrading("delete", False)
    delete_many = _degrading("delete_many", None)
    clear = _degrading("clear", None)

    def ping(self):
        """Raises when Redis cannot be reached (for /health/)."""
        self._cache.get_client(write=False).ping()
