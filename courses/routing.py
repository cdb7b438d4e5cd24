"""Serving pages without working out the same route on every request.

Wagtail finds a page by asking the database for the site, the locale, the home page in that
locale and then the page (``Page.route_for_request``): four queries before the page is known,
the same for every reader. ``serve`` keeps the answer in ``core``'s page memo (process memory,
until any page is published, moved, unpublished or deleted, or a site or view restriction
changes), and the live page itself: a request for a page it knows runs no query to find it.
Each request gets its own copy of the page, so nothing set on it while serving one reader
reaches another.

Anything the memo cannot answer is left to Wagtail unchanged: previews, routable pages (a route
with arguments), a page that is no longer live, and every path seen for the first time.
"""

from __future__ import annotations

import copy
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve as wagtail_serve

from core.api import page_memo, shared_reads

__all__ = ["ancestor_paths", "remember_site", "restricted_paths", "serve"]


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's ``serve`` view, with the site and the route taken from the page memo."""
    _route_from_memo(request, path)
    if request.method not in ("GET", "HEAD"):
        return wagtail_serve(request, path)
    # A page read (GETs never write: tests/learners/test_no_get_writes.py): the panels share
    # the reader's rows (the module page's completion and its quiz panel read the same results).
    # Rendered here, inside the block (no middleware of ours changes a template response).
    with shared_reads():
        response = wagtail_serve(request, path)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.render()
        return response


def remember_site(request: HttpRequest) -> Site | None:
    """Set the request's site (what ``Site.find_for_request`` would find, one query) and the
    sites' root paths (``Site.get_site_root_paths``, a cache read) from the page memo: for views
    that link to pages (``page.get_url(request)`` asks for both)."""
    if not hasattr(request, "_wagtail_site"):
        host, port = request.get_host(), request.get_port()
        request._wagtail_site = page_memo(  # type: ignore[attr-defined]
            request, ("site", host, port), lambda: Site.find_for_request(request)
        )
        # And every site's root path, which page URLs are made from (a cache read otherwise).
        request._wagtail_cached_site_root_paths = page_memo(  # type: ignore[attr-defined]
            request, ("site-root-paths",), Site.get_site_root_paths
        )
    site: Site | None = request._wagtail_site  # type: ignore[attr-defined]
    return site


def _route_from_memo(request: HttpRequest, path: str) -> None:
    """Set what ``Site.find_for_request`` and ``Page.route_for_request`` would find on the
    request (they read it from there), when the memo knows it."""
    site = remember_site(request)
    if site is None:
        return
    found = page_memo(
        request, ("route", site.pk, get_language(), path), lambda: _route_key(request, path)
    )
    if found is None:
        return  # Wagtail decides
    # Set when the memo was filled just now: the page Wagtail found, kept rather than read again.
    routed = getattr(request, "_wagtail_route_for_request", None)
    page = page_memo(request, ("page", *found), lambda: _live_page(request, *found, routed))
    if page is None:
        return
    # A copy per request: attributes set while serving never reach another reader.
    request._wagtail_route_for_request = RouteResult(copy.copy(page))  # type: ignore[attr-defined]


def _live_page(request: HttpRequest, model: type[Page], pk: int, routed: Any) -> Page | None:
    """The live page, with whether it is public (no view restriction on it or above it)."""
    page = routed[0] if routed is not None and routed[0].pk == pk else None
    if page is None:
        page = model.objects.filter(pk=pk).first()
    if page is None or not page.live:
        return None
    restricted = page_memo(request, ("restricted-paths",), restricted_paths)
    page._zhusan_public = restricted.isdisjoint(ancestor_paths(page))
    return page


def _route_key(request: HttpRequest, path: str) -> tuple[type[Page], int] | None:
    """Route as Wagtail does; the page's type and id when the route is a plain page."""
    result: Any = Page.route_for_request(request, path)
    if result is None:
        return None
    page, args, kwargs = result
    if args or kwargs:
        return None
    return type(page), page.pk


def ancestor_paths(page: Page) -> list[str]:
    """The tree paths of ``page`` and every page above it."""
    steplen = Page.steplen
    return [page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)]


def restricted_paths() -> frozenset[str]:
    """The tree paths of every page with a view restriction (a handful at most)."""
    return frozenset(PageViewRestriction.objects.values_list("page__path", flat=True))
