"""Whole-page cache for anonymous readers.

A practitioner who is not signed in sees exactly what every other anonymous reader sees in the
same language, so the rendered page can be served from the cache without routing, queries or
templates. Everything else goes through Django as usual.

Correctness rules (each one tested):

- Only GET requests that carry no session or messages cookie are looked up or stored, so a
  signed-in user, or anyone with a pending message, never gets a shared page.
- Only responses a page marked cacheable (``mark_cacheable``: Wagtail page types that opt in)
  are stored, and only 200s with no cookies set and no CSRF token rendered.
- Every entry's key carries a *generation*; publishing, unpublishing, moving or deleting any page,
  or changing a site, image or document, moves the generation on, so no stale page is served.
  The generation lives in the cache, so this is correct across processes only with a shared
  cache (Redis): ``settings.PAGE_CACHE_SECONDS`` is 0 (off) in production without ``REDIS_URL``.
- Privacy: a page under a view restriction (its own or an ancestor's) is never marked cacheable,
  and adding, changing or removing any ``PageViewRestriction`` moves the generation on, so a page
  made private is not served from the cache to anyone.
- The key is the host, the path and only the query parameters in ``KEYED_PARAMETERS`` (none
  today: no cacheable page reads one). A request with any other parameter (``?x=1``, tracking
  tags) is served the copy of the page without it, and what it renders is never stored: random
  query strings neither fill the cache nor get past it.
- A cache outage (``core.cache``) loses the generation moves made during it; when the cache
  answers again, the generation is moved on (``cache_recovered``), so nothing from before the
  outage is served.

The same generation keys ``page_memo``: what every reader's request works out again from pages
that rarely change (a URL path's page, the site, the lesson sequence, which pages are private),
kept in the process's memory until the generation moves. Signed-in readers never get a cached
page, but they get these (docs/benchmarks.md, "Lesson page").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import escape_uri_path

__all__ = [
    "AnonymousPageCacheMiddleware",
    "connect_signals",
    "invalidate_page_cache",
    "invalidate_page_cache_on",
    "mark_cacheable",
    "page_memo",
]

T = TypeVar("T")

GENERATION_KEY = "pagecache:generation"
HIT_HEADER = "X-Page-Cache"
_SKIPPED_HEADERS = {"set-cookie"}

#: Query parameters that change what a cacheable page shows, and so are part of its key. No
#: cacheable page reads one today. A page type that starts to (a page number, a filter) must add
#: its parameter here, or readers would be served each other's variant.
KEYED_PARAMETERS: frozenset[str] = frozenset()


def mark_cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let the middleware store ``response``, a Wagtail page's, if the request was anonymous
    and the page is public.

    The page is the one in the response's context (``page``, as Wagtail's ``Page.serve`` sets
    it). A response without one is not stored: its privacy cannot be checked. A page under a
    view restriction is never stored, whoever passed it: the cache serves without asking.
    """
    user = getattr(request, "user", None)
    if (
        request.method != "GET"
        or user is None
        or user.is_authenticated
        or not settings.PAGE_CACHE_SECONDS
    ):
        return response
    page = (getattr(response, "context_data", None) or {}).get("page")
    if page is None or page.get_view_restrictions().exists():
        return response
    response.zhusan_page_cacheable = True  # type: ignore[attr-defined]
    return response


def invalidate_page_cache(**kwargs: Any) -> None:
    """Move the generation on: every page cached so far is left to expire unseen, every value
    ``page_memo`` kept is worked out again.

    Moved now and again when the transaction commits: until then other processes read the
    database as it was, and what they work out from it under the new generation must go too.
    """
    _move_generation()
    transaction.on_commit(_move_generation)


def _move_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): start a new, never-used one
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def connect_signals() -> None:
    """Invalidate on every change to page privacy and when the cache comes back from an outage
    (called from ``CoreConfig.ready``; content changes are connected in ``courses.signals``)."""
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import PageViewRestriction

    from .cache import cache_recovered

    for signal in (post_save, post_delete):
        signal.connect(
            invalidate_page_cache,
            sender=PageViewRestriction,
            dispatch_uid=f"pagecache-restriction-{id(signal)}",
        )
    m2m_changed.connect(
        invalidate_page_cache,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="pagecache-restriction-groups",
    )
    cache_recovered.connect(invalidate_page_cache, dispatch_uid="pagecache-cache-recovered")
    request_started.connect(_request_started, dispatch_uid="pagememo-request-started")
    request_finished.connect(_request_finished, dispatch_uid="pagememo-request-finished")


def invalidate_page_cache_on(*models: type[Any]) -> None:
    """Move the generation on whenever a row of one of ``models`` is saved or deleted: for
    models whose rows pages show (a quiz's title in a lesson's pager) or that ``page_memo``
    values are built from. Called from the owning app's ``ready``."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_page_cache,
                sender=model,
                dispatch_uid=f"pagecache-{model._meta.label}-{id(signal)}",
            )


def current_generation() -> int:
    """The cache's generation now: moves on with every publish, move or delete of a page."""
    return _generation()


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY, generation)
    return int(generation)


#: How many values ``page_memo`` keeps per process before it starts again (a few per page).
MEMO_MAX_ENTRIES = 5000
_memo: dict[str, Any] = {"generation": None, "entries": {}}


_request_local = threading.local()


def _request_started(**kwargs: Any) -> None:
    _request_local.active, _request_local.generation = True, None


def _request_finished(**kwargs: Any) -> None:
    _request_local.active, _request_local.generation = False, None


def request_generation(request: HttpRequest | None) -> int:
    """The generation the current request started under: read from the cache once per request
    (``request`` or not: code without the request, a page model's method, shares the request's
    reading). Outside a request (a task, a command) it is read every time."""
    if request is None:
        return _local_generation()
    generation: int | None = getattr(request, "_zhusan_generation", None)
    if generation is None:
        generation = _local_generation()
        request._zhusan_generation = generation  # type: ignore[attr-defined]
    return generation


def _local_generation() -> int:
    if not getattr(_request_local, "active", False):
        return _generation()
    generation: int | None = getattr(_request_local, "generation", None)
    if generation is None:
        generation = _request_local.generation = _generation()
    return generation


def page_memo(request: HttpRequest | None, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, kept in this process's memory under ``key`` until the generation moves.

    For values that depend only on published pages, sites, view restrictions and what the
    generation's signals cover, never on the reader: a publish, move, unpublish or delete
    anywhere moves the generation, and every process starts again on its next request. The
    value is shared by every request of the process, so it must not be changed by its users.

    Entries are keyed by the generation the request *started* under: a value worked out by a
    request that began before a publish is never served to one that began after it.
    ``settings.PAGE_MEMO`` off (several processes without a shared cache, where a generation
    move would not reach the others) computes every time. A cache outage computes every time
    too: the generation cannot be trusted then.
    """
    if not settings.PAGE_MEMO:
        return compute()
    try:
        generation = request_generation(request)
    except Exception:  # noqa: BLE001 - a cache outage costs the work, never the page
        return compute()
    if _memo["generation"] != generation:
        _memo["generation"], _memo["entries"] = generation, {}
    entries: dict[tuple[Any, ...], Any] = _memo["entries"]
    full_key = (generation, *key)
    try:
        return cast(T, entries[full_key])
    except KeyError:
        pass
    value = compute()
    if len(entries) >= MEMO_MAX_ENTRIES:
        entries.clear()
    entries[full_key] = value
    return value


def _query(request: HttpRequest) -> tuple[str, bool]:
    """The keyed part of the query string, normalised (sorted), and whether the query string
    holds nothing else."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return "", True
    pairs = parse_qsl(raw, keep_blank_values=True)
    keyed = sorted((name, value) for name, value in pairs if name in KEYED_PARAMETERS)
    return urlencode(keyed), len(keyed) == len(pairs) and bool(pairs)


def _key(request: HttpRequest) -> str | None:
    """The cache key for an eligible request, or None."""
    if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    host = request.get_host()
    query, _ = _query(request)
    # The path decoded then escaped again: one key for every spelling of it (``%66`` and ``f``).
    return f"pagecache:{_local_generation()}:{host}:{escape_uri_path(request.path)}?{query}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        getattr(response, "zhusan_page_cacheable", False)
        and _query(request)[1]
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-cache" not in cache_control
        and "no-store" not in cache_control
    )


class AnonymousPageCacheMiddleware:
    """Serve and store anonymous page responses (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            key = _key(request)
            stored = cache.get(key) if key is not None else None
        except Exception:  # noqa: BLE001 - a cache outage must not take pages down
            key = stored = None
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response[HIT_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if key is not None and _storable(request, response):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS]
            entry = (response.status_code, headers, response.content)
            try:
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            except Exception:  # noqa: BLE001 - the page is served even if it cannot be stored
                return response
            response[HIT_HEADER] = "miss"
        return response
