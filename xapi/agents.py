"""Who a learner is in xAPI: the Agent that stands for a site account, and the check that an
actor (or the State resource's ``agent`` parameter) is that learner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

__all__ = ["actor_for", "identifies"]


def actor_for(user: User) -> dict[str, Any]:
    """The Agent that stands for ``user``: an account on this site (``SITE_URL``) named by the
    user's primary key, which never changes and says nothing about the person; ``name`` is only
    for people reading statements."""
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": str(user.pk)},
        "name": user.get_full_name() or user.get_username(),
    }


def identifies(agent: object, user: User) -> bool:
    """Whether ``agent`` (a valid Agent or Group) is ``user``: an Agent whose identifier is the
    account :func:`actor_for` gives. A Group, or any other identifier, is not."""
    if not isinstance(agent, Mapping) or agent.get("objectType", "Agent") != "Agent":
        return False
    account = agent.get("account")
    others = ("mbox", "mbox_sha1sum", "openid")
    if not isinstance(account, Mapping) or any(key in agent for key in others):
        return False
    home = str(account.get("homePage", "")).rstrip("/")
    return home == settings.SITE_URL.rstrip("/") and account.get("name") == str(user.pk)
