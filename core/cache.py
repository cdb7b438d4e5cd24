"""A Redis cache that fails open: with Redis down or hanging, the site works without it.

Everything the cache holds can be rebuilt (Wagtail's site root paths, rendered lesson bodies,
whole anonymous pages, rate-limit counts), so losing it must cost speed, never a request. Django's
own ``RedisCache`` raises on every call when Redis is down and, with no socket timeouts, waits as
long as the operating system lets a connection hang. ``FailOpenRedisCache`` behaves instead like
a cache that forgets everything at once:

- a read is a miss (``get`` gives the default, ``get_many`` nothing, ``has_key`` False);
- a write does nothing and reports success, as though the entry had been evicted at once (``set``,
  ``add`` True, ``set_many`` no failed keys); ``incr`` and ``decr`` raise ``ValueError``, the error
  Django raises for a missing key, which callers already handle for evictions;
- no call waits more than ``socket_connect_timeout`` / ``socket_timeout`` (0.25 s by default);
- after a failure, Redis is left alone for ``circuit_breaker_seconds`` (5 s by default): calls
  return at once, and then one caller in the process probes it with a ``PING``. Outage and
  recovery are logged once each, not once per call.

When a Redis that was down answers again, ``cache_recovered`` is sent before anything else is read:
writes made during the outage were lost, so what relies on one (the page cache's generation, see
``core.page_cache``) can start afresh. Decision: docs/decisions/0008-cache-fails-open.md.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import RedisError

from .sites import LOCAL_HOSTS

__all__ = [
    "FailOpenRedisCache",
    "cache_recovered",
    "check_cache_apart_from_broker",
    "forget_outages",
]

logger = logging.getLogger(__name__)

#: Sent (``sender`` is the backend's class) when a Redis that was down answers again, before the
#: call that found it back reads anything. Receivers may use the cache.
cache_recovered = Signal()

#: Socket timeouts in seconds: a Redis that accepts connections but never answers (stopped,
#: swapping, a dropped network) costs a request this much once, not the operating system's minutes.
DEFAULT_SOCKET_TIMEOUT = 0.25
#: How long a failed Redis is left alone before one caller tries it again.
DEFAULT_CIRCUIT_BREAKER_SECONDS = 5.0

T = TypeVar("T")


class _Circuit:
    """Whether one Redis (one ``LOCATION``) is down, shared by every thread of the process.

    Django gives each thread its own cache object, so the state lives here, not on the object:
    one failure spares every other thread the wait.
    """

    def __init__(self, where: str, cooldown: float) -> None:
        self.where = where
        self.cooldown = cooldown
        self.down_since: float | None = None
        self.retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def claim_probe(self) -> bool:
        """While down: whether this caller should try Redis now. At most one caller per
        cooldown gets True; the others go on without the cache."""
        now = time.monotonic()
        with self._lock:
            if now < self.retry_at:
                return False
            self.retry_at = now + self.cooldown
            return True

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self.retry_at = now + self.cooldown
            if self.down_since is not None:
                return
            self.down_since = now
        logger.warning(
            "Cache at %s failed (%s: %s); serving without it, trying again every %g s.",
            self.where,
            error.__class__.__name__,
            error,
            self.cooldown,
        )

    def recovered(self) -> bool:
        """Mark the circuit up; True for the one caller that saw it come back."""
        with self._lock:
            if self.down_since is None:
                return False
            seconds = time.monotonic() - self.down_since
            self.down_since = None
            self.retry_at = 0.0
        logger.warning("Cache at %s answers again after %.1f s.", self.where, seconds)
        return True


_circuits: dict[tuple[str, ...], _Circuit] = {}
_circuits_lock = threading.Lock()


def _where(servers: Iterable[str]) -> str:
    """The servers as ``host:port/db``, without any user or password, for the log."""
    parts = []
    for server in servers:
        url = urlsplit(server)
        if url.hostname:
            parts.append(f"{url.hostname}:{url.port or 6379}{url.path}")
        else:  # a Unix socket
            parts.append(url.path)
    return ",".join(parts)


def _circuit_for(servers: list[str], cooldown: float) -> _Circuit:
    key = tuple(servers)
    with _circuits_lock:
        if key not in _circuits:
            _circuits[key] = _Circuit(_where(servers), cooldown)
        return _circuits[key]


def forget_outages() -> None:
    """Forget every outage seen so far (for tests: each starts with the cache presumed up)."""
    with _circuits_lock:
        _circuits.clear()


def _missing_key() -> int:
    raise ValueError("The cache is unavailable: the key is treated as missing.")


class _ReusedClients(RedisCacheClient):
    """Django's Redis client maker, keeping one ``redis.Redis`` per connection pool: Django makes
    a new one for every call (hundreds of callbacks registered each time, about a third of a
    millisecond here), and a ``redis.Redis`` is safe to share between threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shared: Any = None

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        if len(self._servers) > 1:  # type: ignore[attr-defined]  # replicas: as Django does
            return super().get_client(key, write=write)
        if self._shared is None:
            self._shared = super().get_client(key, write=True)
        return self._shared


class FailOpenRedisCache(RedisCache):
    """Django's ``RedisCache`` with short socket timeouts and a circuit breaker; every Redis
    error makes the call behave as on an empty cache (see the module docstring).

    ``OPTIONS`` take Django's and redis-py's options, plus ``circuit_breaker_seconds``.
    """

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        cooldown = float(options.pop("circuit_breaker_seconds", DEFAULT_CIRCUIT_BREAKER_SECONDS))
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusedClients
        # ``_servers`` and ``_cache`` are RedisCache's own (untyped in django-stubs).
        self._circuit = _circuit_for(self._servers, cooldown)  # type: ignore[attr-defined]

    def _guard(self, fallback: Callable[[], T], method: Callable[..., T], *args: Any) -> T:
        """``method(*args)``, or ``fallback()`` when Redis is down or fails now."""
        circuit = self._circuit
        if circuit.down:
            if not circuit.claim_probe():
                return fallback()
            try:
                self._cache.get_client(write=True).ping()  # type: ignore[attr-defined]
            except RedisError as error:
                circuit.failed(error)
                return fallback()
            if circuit.recovered():
                cache_recovered.send(sender=type(self))
        try:
            return method(*args)
        except RedisError as error:
            circuit.failed(error)
            return fallback()

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard(lambda: True, super().add, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(lambda: default, super().get, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard(lambda: None, super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(lambda: False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: False, super().delete, key, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard(dict, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: False, super().has_key, key, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._guard(_missing_key, super().incr, key, delta, version)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guard(list, super().set_many, data, timeout, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(lambda: None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._guard(lambda: None, super().clear)


def _redis_database(url: str) -> tuple[str, int, int] | None:
    """``(host, port, database)`` that a Redis URL points at, as redis-py reads it (``?db=``
    before the path), with every name of this machine as one; None for anything not Redis."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"redis", "rediss", "unix"}:
        return None
    query_db = parse_qs(parts.query).get("db", [""])[0]
    if parts.scheme == "unix":
        host, port, path_db = parts.path, 0, ""
    else:
        host = (parts.hostname or "localhost").lower()
        host = "localhost" if host in LOCAL_HOSTS or host.startswith("127.") else host
        port, path_db = parts.port or 6379, parts.path.strip("/")
    try:
        database = int(query_db or path_db or 0)
    except ValueError:
        return None
    return host, port, database


def check_cache_apart_from_broker(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``check --deploy``: no Redis cache shares a database with the Celery broker.

    The cache is disposable and the queue is not: ``cache.clear()`` empties the whole database
    (``FLUSHDB``), queued tasks included, and a cache filling up should evict cache entries, not
    messages. The cache's own database (e.g. 14 beside the broker's 15) keeps them apart.
    """
    broker = {
        database
        for url in re.split(r"[;,]", str(getattr(settings, "CELERY_BROKER_URL", "") or ""))
        if (database := _redis_database(url)) is not None
    }
    problems: list[checks.CheckMessage] = []
    for alias, config in settings.CACHES.items():
        if "redis" not in str(config.get("BACKEND", "")).lower():
            continue
        location: Any = config.get("LOCATION", "")
        urls = re.split(r"[;,]", location) if isinstance(location, str) else list(location)
        if any(_redis_database(url) in broker for url in urls):
            problems.append(
                checks.Error(
                    f"The cache {alias!r} and the Celery broker use the same Redis database.",
                    hint=(
                        "Give the cache a database of its own, e.g. REDIS_URL=redis://host:6379/14 "
                        "and CELERY_BROKER_URL=redis://host:6379/15 (docs/deployment.md, Cache)."
                    ),
                    id="core.E010",
                )
            )
    return problems
