"""Autosave refuses a body it cannot read (400) and leaves the saved answers as they were.

Before, anything that was not the attempt form (JSON, a garbled or empty body) parsed as "no
question answered", and the autosave cleared every saved answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from courses.api import ModulePage
from quizzes.models import Attempt

from .helpers import attempt_url, form, placed_quiz, quiz_url, right, wrong

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(client: Client, module: ModulePage, learner: Any) -> Attempt:
    """An attempt whose every question has a saved (right) answer."""
    quiz = placed_quiz(module)
    client.force_login(learner)
    started = client.post(quiz_url(quiz.pk, "start"))
    attempt_id = int(re.search(r"/attempts/(\d+)/", started["Location"])[1])  # type: ignore[index]
    attempt = Attempt.objects.get(pk=attempt_id)
    response = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right))
    assert response.status_code == 200
    return attempt


def stored(attempt: Attempt) -> dict[int, Any]:
    return dict(attempt.answers.values_list("position", "response"))


def state(attempt: Attempt) -> tuple[dict[int, Any], int]:
    attempt.refresh_from_db()
    return stored(attempt), attempt.revision


UNREADABLE = {
    "json": ("application/json", json.dumps({"q1": "x"})),
    "json shape as form": ("application/x-www-form-urlencoded", '{"answers": []}'),
    "garbage": ("application/x-www-form-urlencoded", "\x00\xff%%%garbage"),
    "text": ("text/plain", "q1=a"),
    "no type": ("", "q1=a"),
    "empty form": ("application/x-www-form-urlencoded", ""),
    "broken multipart": ("multipart/form-data; boundary=xyz", "--abc\r\nnot a part"),
    "unknown field": ("application/x-www-form-urlencoded", "q1=&answers=%5B%5D"),
    "question not on the attempt": ("application/x-www-form-urlencoded", "q999=a"),
}


@pytest.mark.parametrize("kind", UNREADABLE)
def test_unreadable_body_is_refused_and_changes_nothing(
    client: Client, saved: Attempt, kind: str
) -> None:
    content_type, body = UNREADABLE[kind]
    before = state(saved)
    assert all(response is not None for response in before[0].values())
    response = client.generic(
        "POST", attempt_url(saved.pk, "autosave"), body, content_type=content_type
    )
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert state(saved) == before


def test_a_good_body_still_saves(client: Client, saved: Attempt) -> None:
    before = state(saved)
    data = form(saved, wrong, revision=str(before[1]))
    response = client.post(attempt_url(saved.pk, "autosave"), data)
    assert response.status_code == 200
    after = state(saved)
    assert after[1] == before[1] + 1
    assert after[0] != before[0]


def test_a_urlencoded_form_that_clears_one_answer_still_saves(
    client: Client, saved: Attempt
) -> None:
    """Unticking is a real change: a readable form with a question left blank clears it."""
    before = state(saved)
    response = client.generic(
        "POST",
        attempt_url(saved.pk, "autosave"),
        f"revision={before[1]}&q1=",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert state(saved)[0][1] is None
