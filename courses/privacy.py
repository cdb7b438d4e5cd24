"""Wagtail page privacy for the endpoints that act on a page outside Wagtail's own ``serve``.

Wagtail checks a page's view restrictions (password, signed-in, groups; set on the page or an
ancestor) only when it serves the page. The learning endpoints (a quiz and its attempts, completing
a lesson, enrolling) act on a page without serving it, so each asks ``page_viewable`` first:
the one place this is decided.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from wagtail.models import Page

__all__ = ["page_viewable", "require_page_viewable"]


def page_viewable(request: HttpRequest, page: Page) -> bool:
    """Whether ``request`` passes every view restriction on ``page`` and its ancestors, as
    Wagtail's ``serve`` decides it: a password restriction is passed once the reader has given
    the password in this session; a group restriction lets superusers through."""
    return all(restriction.accept_request(request) for restriction in page.get_view_restrictions())


def require_page_viewable(request: HttpRequest, page: Page) -> None:
    """Raise ``Http404`` unless ``request`` may view ``page`` (``page_viewable``).

    A 404, not a 403: an endpoint tells a reader the page refuses no more than Wagtail does
    (it answers a restricted page with a sign-in or password form, never with its content or a
    confirmation that it exists), and the endpoints already answer 404 for what a learner may not
    reach (an attempt not theirs, a quiz placed nowhere live)."""
    if not page_viewable(request, page):
        raise Http404
