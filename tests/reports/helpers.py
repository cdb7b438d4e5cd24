"""Helpers of the dashboard's tests."""

from __future__ import annotations

from typing import Any

from learners.models import Profile
from tests.factories import practitioner


def person(region: str, specialty: str = "psychologist", **kwargs: Any) -> Any:
    user = practitioner(**kwargs)
    Profile.objects.filter(user=user).update(region=region, specialty=specialty)
    return user
