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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

__all__ = ["AnonymousPageCacheMiddleware", "invalidate_page_cache", "mark_cacheable"]

GENERATION_KEY = "pagecache:generation"
HIT_HEADER = "X-Page-Cache"
_SKIPPED_HEADERS = {"set-cookie"}


def mark_cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let the middleware store ``response`` if the request was anonymous."""
    user = getattr(request, "user", None)
    if request.method == "GET" and user is not None and not user.is_authenticated:
        response.zhusan_page_cacheable = True  # type: ignore[attr-defined]
    return response


def invalidate_page_cache(**kwargs: Any) -> None:
    """Move the generation on: every page cached so far is left to expire unseen."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or evicted): start a new, never-used one
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY, generation)
    return int(generation)


def _key(request: HttpRequest) -> str | None:
    """The cache key for an eligible request, or None."""
    if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    host = request.get_host()
    return f"pagecache:{_generation()}:{host}:{request.get_full_path()}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        getattr(response, "zhusan_page_cacheable", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
        and "no-cache" not in response.get("Cache-Control", "")
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
