"""How often: the hourly limits on emails anyone can ask for (password resets). The client
address behind our proxies is ``core.api.client_address``, re-exported here for django-axes
(``AXES_CLIENT_IP_CALLABLE``).

Counts live in the cache and fail open: with the cache down, emails are sent rather than
refused, and sign-in lockout (django-axes) keeps its counts in the database regardless.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.utils import timezone

from core.api import client_address

__all__ = ["client_address", "over_hourly_limit"]

logger = logging.getLogger(__name__)


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
