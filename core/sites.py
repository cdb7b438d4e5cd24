"""The site's public address, ``settings.SITE_URL``, and absolute links built from it.

Anything that leaves the site carries an absolute link: the QR code and the printed link on a
certificate, the links in emails (reminders, invitations). They are all built here, from one
setting, so they never point at a development address by accident. Production requires
``SITE_URL`` (``curriculum.settings.production``), and ``manage.py check --deploy`` refuses a
missing one, one that is not https, and a local address (:func:`check_site_url`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

__all__ = ["absolute_url", "check_site_url", "site_url"]

#: Host names that only ever mean "this machine": a link to them is useless to anyone else.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})  # noqa: S104


def site_url() -> str:
    """``SITE_URL`` without a trailing slash, e.g. ``https://academy.example.kz``."""
    return str(getattr(settings, "SITE_URL", "") or "").strip().rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse`` or a page's URL, starting with ``/``) on the site's public
    address: ``absolute_url("/verify/ABCD/")`` is ``https://academy.example.kz/verify/ABCD/``.

    Raises ``ValueError`` for a path that is already absolute or does not start with ``/``, so a
    link is never silently joined into nonsense.
    """
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"absolute_url needs a path that starts with one '/', not {path!r}")
    return site_url() + path


def check_site_url(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[Any]:
    """``check --deploy``: ``SITE_URL`` is set, https, and not an address of this machine."""
    url = site_url()
    hint = (
        "Set SITE_URL to the address people use to reach the site, e.g. https://academy.example.kz"
    )
    if not url:
        return [checks.Error("SITE_URL is not set.", hint=hint, id="core.E001")]
    parts = urlsplit(url)
    problems = []
    if parts.scheme != "https":
        problems.append(
            checks.Error(
                f"SITE_URL must start with https:// (it is {url!r}).", hint=hint, id="core.E002"
            )
        )
    host = (parts.hostname or "").lower()
    if not host or host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost"):
        problems.append(
            checks.Error(
                f"SITE_URL points at this machine or at no host ({url!r}): links in certificates "
                "and emails would not work for anyone else.",
                hint=hint,
                id="core.E003",
            )
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        problems.append(
            checks.Error(
                f"SITE_URL must be the site's address only, with no path ({url!r}).",
                hint=hint,
                id="core.E004",
            )
        )
    return problems
