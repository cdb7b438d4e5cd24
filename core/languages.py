"""Choosing the language: the switcher's links, remembering a choice, and the same page in
another language.

- ``path_in_language(request, path, code)``: where ``path`` is in language ``code``. A page that
  Wagtail serves goes to its translation (pages in different locales share ``translation_key``;
  their slugs may differ) when it exists and is live, else to the nearest translated ancestor, at
  worst the home page in that language. Other URLs are Django's ``translate_url``; an unprefixed
  one (``/verify/…``) stays as it is, its language being the cookie's.
- ``use_language(request, code)``: remember ``code`` as the visitor's language.
  ``SiteLocaleMiddleware`` then sets the language cookie on the response and sends a redirect to
  its target in that language. Sign-in uses it with the person's preferred language
  (``learners``); the switcher's view (``choose_language``) with the one picked.
- ``choose_language``: ``/language/?language=ru&next=…``. A GET only sets the cookie (the
  anonymous switcher's plain links, so pages stay the same for every anonymous reader and stay
  cacheable); a POST (the signed-in switcher's form, with its CSRF token) also sends
  ``language_chosen``, on which ``learners`` saves the person's preferred language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.dispatch import Signal
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

__all__ = [
    "choose_language",
    "language_chosen",
    "language_codes",
    "page_in_languages",
    "path_in_language",
    "remember_language",
    "use_language",
]

#: Sent when a signed-in person picks a language with the switcher: ``user``, ``language``.
language_chosen = Signal()

_CHOSEN = "zhusan_language_chosen"


def language_codes() -> list[str]:
    """The site's languages, in the order of ``settings.LANGUAGES``."""
    return [code for code, _name in settings.LANGUAGES]


def page_in_languages(page: Any, request: HttpRequest | None) -> dict[str, str]:
    """The URL of ``page`` (a Wagtail page) in each language: its live translation, else its
    nearest translated ancestor's (at worst the home page in that language). With no page at
    all in that language, the same path under its prefix, where Wagtail serves the source.

    One query, then kept in the process's memory until any page is published, moved or deleted
    (``core.page_cache.page_memo``), so a page's reads do not grow with the switcher."""
    from .page_cache import page_memo

    host = request.get_host() if request is not None else ""
    urls = page_memo(
        request, ("langlinks", host, page.pk), lambda: _page_in_languages(page, request)
    )
    return dict(urls)


def _page_in_languages(page: Any, request: HttpRequest | None) -> dict[str, str]:
    from wagtail.models import Page

    steplen = Page.steplen
    chain = [page.path[: steplen * depth] for depth in range(2, page.depth + 1)]
    keys = Page.objects.filter(path__in=chain).values("translation_key")
    rows = (
        Page.objects.filter(translation_key__in=keys)
        .select_related("locale")
        .only("id", "path", "depth", "url_path", "translation_key", "live", "locale")
    )
    depth_of: dict[Any, int] = {}
    found: dict[str, list[Any]] = {}
    own = ""
    for row in rows:
        if row.path in chain:
            depth_of[row.translation_key] = row.depth
        if row.pk == page.pk:
            own = row.locale.language_code
        found.setdefault(row.locale.language_code, []).append(row)
    urls: dict[str, str] = {}
    for code in language_codes():
        if code == own:
            urls[code] = page.get_url(request) or f"/{code}/"
            continue
        best = None
        for row in found.get(code, []):
            if not row.live or row.translation_key not in depth_of:
                continue
            if best is None or depth_of[row.translation_key] > depth_of[best.translation_key]:
                best = row
        if best is not None:
            urls[code] = best.get_url(request) or f"/{code}/"
        else:  # no tree in that language at all: Wagtail serves this one under its prefix
            urls[code] = _with_prefix(page.get_url(request) or "/", code)
    return urls


def _with_prefix(path: str, code: str) -> str:
    """``/en/courses/x/`` → ``/ru/courses/x/``."""
    current = translation.get_language_from_path(path)
    rest = path[len(current) + 2 :] if current is not None else path.lstrip("/")
    return f"/{code}/{rest}"


def _wagtail_page(request: HttpRequest, path: str) -> Any:
    """The live Wagtail page at ``path`` (a prefixed path), or None."""
    from wagtail.models import Page, Site

    language = translation.get_language_from_path(path)
    if language is None:
        return None
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.url_name != "wagtail_serve":
            return None
        site = Site.find_for_request(request)
        if site is None:
            return None
        root = site.root_page.localized
    rest = path[len(f"/{language}/") :]
    url_path = f"{root.url_path}{rest}" if rest else root.url_path
    if not url_path.endswith("/"):
        url_path += "/"
    return Page.objects.live().filter(url_path=url_path, locale_id=root.locale_id).first()


def path_in_language(request: HttpRequest, path: str, code: str) -> str:
    """``path`` (with its query string) as it reads in language ``code``."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return path
    page = _wagtail_page(request, parts.path)
    if page is not None:
        target = page_in_languages(page, request)[code]
        return urlunsplit(("", "", target, parts.query, parts.fragment))
    # translate_url resolves in the active language: the path's own, whatever the request's.
    with translation.override(translation.get_language_from_path(parts.path)):
        return translate_url(path, code)


def use_language(request: HttpRequest, code: str) -> None:
    """Remember ``code`` as the language chosen in this request: the response sets the language
    cookie, and a redirect goes to its target in ``code`` (``SiteLocaleMiddleware``). The page
    being answered keeps its language (it is the URL's). An unknown code is ignored."""
    if code in language_codes():
        setattr(request, _CHOSEN, code)


def remember_language(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Set the cookie of a language chosen in this request, and translate a local redirect."""
    code = getattr(request, _CHOSEN, None)
    if code is None:
        return response
    _set_cookie(response, code)
    location = response.get("Location") if 300 <= response.status_code < 400 else None
    if location and url_has_allowed_host_and_scheme(location, allowed_hosts=None):
        response["Location"] = path_in_language(request, location, code)
    return response


def _set_cookie(response: HttpResponseBase, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def remember_first_language(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """A first unprefixed visit, redirected to the language its ``Accept-Language`` asked for:
    remember that language, so the visitor's later choice (the switcher) is what changes it."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or response.status_code not in (301, 302):
        return response
    if translation.get_language_from_path(request.path_info) is not None:
        return response
    code = translation.get_language_from_path(response.get("Location", ""))
    if code is not None:
        _set_cookie(response, code)
    return response


@never_cache
def choose_language(request: HttpRequest) -> HttpResponse:
    """The switcher's target: remember ``language`` and go back to ``next`` in that language.

    A GET sets the cookie only; a POST from a signed-in person (CSRF-checked) also tells the apps
    above (``language_chosen``), so their profile keeps the choice.
    """
    data = request.POST if request.method == "POST" else request.GET
    code = data.get("language", "")
    if code not in language_codes():
        return HttpResponseBadRequest("Unknown language")
    target = data.get("next", "") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    target = urlunsplit(("", "", *urlsplit(target)[2:]))  # this site's path, never a host
    use_language(request, code)
    user = getattr(request, "user", None)
    if request.method == "POST" and user is not None and user.is_authenticated:
        language_chosen.send(sender=choose_language, user=user, language=code)
    if target == "/":
        target = f"/{code}/"
    return HttpResponseRedirect(path_in_language(request, target, code))
