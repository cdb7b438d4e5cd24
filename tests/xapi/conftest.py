"""Fixtures of the xAPI tests: a signed-in learner, statements about them, and the store's
listeners set aside (so what another app does with statements is not measured here)."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.test.client import Client as ClientType

from tests.factories import practitioner
from xapi import listeners
from xapi.api import actor_for

HEADERS = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ACTIVITY = "http://testserver/h5p/activities/river-crossing"
STATEMENTS = "/xapi/statements"
STATE = "/xapi/activities/state"


@pytest.fixture(autouse=True)
def registered_listeners(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The store's listeners, emptied for the test (``activities`` registers one)."""
    registered: list[Any] = []
    monkeypatch.setattr(listeners, "_LISTENERS", registered)
    return registered


def statement_about(user: User, **overrides: Any) -> dict[str, Any]:
    """A valid statement about ``user``: completed ``ACTIVITY``, with a score."""
    statement: dict[str, Any] = {
        "actor": actor_for(user),
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": ACTIVITY,
            "definition": {"name": {"en-US": "River crossing"}},
        },
        "result": {"score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}, "completion": True},
        "timestamp": "2024-05-01T10:30:00+05:00",
    }
    statement.update(copy.deepcopy(overrides))
    return statement


def voiding(user: User, target: uuid.UUID | str, **overrides: Any) -> dict[str, Any]:
    """A statement of ``user`` voiding ``target``."""
    return statement_about(
        user,
        verb={"id": VOIDED, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": str(target)},
        **overrides,
    )


@pytest.fixture
def learner(db: None) -> User:
    return practitioner()


@pytest.fixture
def other_learner(db: None) -> User:
    return practitioner()


@pytest.fixture
def api(learner: User) -> ClientType:
    """A client signed in as ``learner``."""
    client = Client()
    client.force_login(learner)
    return client


Post = Callable[..., Any]


@pytest.fixture
def post(api: ClientType) -> Post:
    """POST a statement or a list as JSON to /xapi/statements, with the version header."""

    def send(body: Any, client: ClientType | None = None, **headers: Any) -> Any:
        return (client or api).post(
            STATEMENTS, json.dumps(body), content_type="application/json", **{**HEADERS, **headers}
        )

    return send
