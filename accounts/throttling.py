"""Who is asking, and how often: the client address behind our proxies, and the hourly limits
on emails anyone can ask for (password resets).

Counts live in the cache and fail open: with the cache down, emails are sent rather than
refused, and sign-in lockout (django-axes) keeps its counts in the database regardless.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

__all__ = ["client_address", "over_hourly_limit"]

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies the
    address the outermost of them saw (entries further left could be forged by the client)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def over_hourly_limit(kind: str, subject: str, limit: int) -> bool:
    """Count one more ``kind`` for ``subject`` this hour; whether that is more than ``limit``.

    ``subject`` (an email or client address) is hashed into the key, so the cache holds no
    addresses. A cache that does not answer counts nothing (fail open).
    """
    digest = hashlib.sha256(subject.casefold().encode()).hexdigest()[:32]
    key = f"throttle:{kind}:{digest}:{timezone.now():%Y%m%d%H}"
    try:
        cache.add(key, 0, timeout=2 * 60 * 60)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=2 * 60 * 60)
            count = 1
    except Exception:  # noqa: BLE001 - the cache is down (any backend's error): do not refuse
        logger.warning("Throttle counts unavailable (cache down); allowing %s", kind)
        return False
    return count > limit
