"""Fixed-window rate limits kept in Django's cache (shared between processes when the
cache is Redis; see settings.CACHES)."""

import hashlib

from django.core.cache import cache


def parse_rate(rate):
    """'20/3600' -> (20, 3600)."""
    count, seconds = rate.split("/")
    return int(count), int(seconds)


def hit(scope, key, rate):
    """Count one attempt for `key`; True while within `rate`, False once over it."""
    limit, window = parse_rate(rate)
    # Hashed so the cache never holds e-mail addresses or client addresses in clear.
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()
    cache_key = f"rl:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count <= limit
