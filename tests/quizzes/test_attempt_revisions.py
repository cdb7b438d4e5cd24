"""One attempt, one truth: a save from a page older than the last save is refused.

Two tabs (or windows, or devices) of one attempt both show it; the learner answers in one, then
the other's autosave arrives. Without revisions the older page silently replaced the newer
answers. Every save now carries the revision its page was built from, and the conditional
``UPDATE`` that claims the attempt also requires it (``services._claim_for_saving``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from courses.api import ModulePage
from quizzes.models import Attempt, AttemptState, Quiz
from quizzes.services import (
    AttemptChanged,
    AttemptClosed,
    attempt_save,
    attempt_start,
    attempt_submit,
)
from tests.factories import practitioner
from tests.factories.quizzes import make_quiz

from .helpers import attempt_url, form, placed_quiz, quiz_url, responses, right, wrong
from .test_double_submit import at_once

pytestmark = pytest.mark.django_db

CHANGED = "This attempt was changed in another tab or window. Reload to continue."
NOT_SAVED = (
    "The answers on that page were not saved, because this attempt was changed in another tab "
    "or window. The page now shows the answers saved there."
)


def start(client: Client, quiz: Quiz) -> Attempt:
    response = client.post(quiz_url(quiz.pk, "start"))
    attempt_id = int(re.search(r"/attempts/(\d+)/", response["Location"])[1])  # type: ignore[index]
    return Attempt.objects.get(pk=attempt_id)


def stored(attempt: Attempt) -> dict[int, Any]:
    return dict(attempt.answers.values_list("position", "response"))


def where(response: Any) -> str:
    return str(response["Location"]).split("?")[0]


@pytest.fixture
def two_tabs(client: Client, module: ModulePage, learner: Any) -> tuple[Client, Attempt]:
    """The learner's client and an attempt both tabs loaded at revision 0."""
    client.force_login(learner)
    attempt = start(client, placed_quiz(module))
    page = client.get(attempt_url(attempt.pk)).content.decode()
    assert '<input type="hidden" name="revision" value="0">' in page
    return client, attempt


# --- autosave -----------------------------------------------------------------------------------


def test_each_autosave_moves_the_revision_on_and_says_so(two_tabs: tuple[Client, Attempt]) -> None:
    client, attempt = two_tabs
    first = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, wrong, revision="0"))
    assert (first.status_code, first.json()["revision"]) == (200, 1)
    second = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right, revision="1"))
    assert (second.status_code, second.json()["revision"]) == (200, 2)
    attempt.refresh_from_db()
    assert attempt.revision == 2
    assert stored(attempt) == responses(attempt, right)
    page = client.get(attempt_url(attempt.pk)).content.decode()
    assert '<input type="hidden" name="revision" value="2">' in page


def test_a_stale_tab_is_told_to_reload_and_never_overwrites(
    two_tabs: tuple[Client, Attempt],
) -> None:
    client, attempt = two_tabs
    tab_b = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right, revision="0"))
    assert tab_b.status_code == 200
    tab_a = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, wrong, revision="0"))
    assert tab_a.status_code == 409
    assert tab_a.json() == {"saved": False, "stale": True, "message": CHANGED, "revision": 1}
    attempt.refresh_from_db()
    assert attempt.revision == 1
    assert stored(attempt) == responses(attempt, right)  # tab B's answers


@pytest.mark.parametrize("value", ["x", "-1", "1.0", "\u0661", "1" * 40, " 0x1"])
def test_a_revision_that_is_not_one_is_refused_as_stale(
    two_tabs: tuple[Client, Attempt], value: str
) -> None:
    client, attempt = two_tabs
    response = client.post(
        attempt_url(attempt.pk, "autosave"), form(attempt, right, revision=value)
    )
    assert response.status_code == 409
    assert response.json()["stale"] is True
    assert all(answer is None for answer in stored(attempt).values())


def test_a_save_that_sends_no_revision_is_not_checked(two_tabs: tuple[Client, Attempt]) -> None:
    """Our pages always send one; a request without one (an older page) is stored as before."""
    client, attempt = two_tabs
    client.post(attempt_url(attempt.pk, "autosave"), form(attempt, wrong, revision="0"))
    response = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right))
    assert (response.status_code, response.json()["revision"]) == (200, 2)
    assert stored(attempt) == responses(attempt, right)


def test_a_submitted_attempt_says_submitted_not_stale(two_tabs: tuple[Client, Attempt]) -> None:
    client, attempt = two_tabs
    client.post(attempt_url(attempt.pk, "submit"))
    response = client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right, revision="0"))
    assert response.status_code == 409
    assert response.json()["closed"] is True
    assert response.json()["message"] == "This attempt has already been submitted."


# --- the plain form (no JavaScript) -------------------------------------------------------------


@pytest.mark.parametrize("action", ["save", "finish"])
def test_a_stale_form_post_is_refused_and_shows_the_newer_answers(
    two_tabs: tuple[Client, Attempt], action: str
) -> None:
    client, attempt = two_tabs
    client.post(attempt_url(attempt.pk), form(attempt, right, action="save", revision="0"))
    response = client.post(
        attempt_url(attempt.pk), form(attempt, wrong, action=action, revision="0")
    )
    assert where(response) == attempt_url(attempt.pk)  # not the summary, even for "finish"
    page = client.get(response["Location"]).content.decode()
    assert NOT_SAVED in page
    assert '<input type="hidden" name="revision" value="1">' in page
    assert stored(attempt) == responses(attempt, right)


# --- submitting ---------------------------------------------------------------------------------


def test_the_countdowns_submit_from_a_stale_tab_grades_nothing_it_sent(
    two_tabs: tuple[Client, Attempt],
) -> None:
    """The attempt page's own submit (its countdown) carries answers and the revision: from a
    stale tab it is refused, storing and grading nothing; the newer answers stay."""
    client, attempt = two_tabs
    client.post(attempt_url(attempt.pk, "autosave"), form(attempt, right, revision="0"))
    data = form(attempt, wrong, with_answers="1", revision="0")
    response = client.post(attempt_url(attempt.pk, "submit"), data)
    assert where(response) == attempt_url(attempt.pk)
    assert NOT_SAVED in client.get(response["Location"]).content.decode()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS
    assert stored(attempt) == responses(attempt, right)
    # The summary's submit sends no answers: it grades what is stored, the newer answers.
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == (AttemptState.FINISHED, 100)


def test_the_countdowns_submit_from_the_current_tab_grades_its_answers(
    two_tabs: tuple[Client, Attempt],
) -> None:
    client, attempt = two_tabs
    client.post(attempt_url(attempt.pk, "autosave"), form(attempt, wrong, revision="0"))
    data = form(attempt, right, with_answers="1", revision="1")
    response = client.post(attempt_url(attempt.pk, "submit"), data)
    assert where(response) == attempt_url(attempt.pk, "review")
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.revision) == (AttemptState.FINISHED, 100, 2)


# --- the services -------------------------------------------------------------------------------


def test_attempt_save_refuses_a_stale_revision(learner: Any) -> None:
    attempt = attempt_start(user=learner, quiz=make_quiz())
    saved = attempt_save(attempt=attempt, responses=responses(attempt, right), revision=0)
    assert saved.revision == 1
    with pytest.raises(AttemptChanged) as refused:
        attempt_save(attempt=attempt, responses=responses(attempt, wrong), revision=0)
    assert (str(refused.value), refused.value.revision) == (CHANGED, 1)
    unchecked = attempt_save(attempt=attempt, responses=responses(attempt, right))
    assert unchecked.revision == 2  # read back: the caller learns the revision it now holds
    assert Attempt.objects.get(pk=attempt.pk).revision == 2


def test_after_the_deadline_the_time_limit_is_the_reason_not_the_revision(learner: Any) -> None:
    attempt = attempt_start(user=learner, quiz=make_quiz(time_limit_minutes=10))
    attempt_save(attempt=attempt, responses=responses(attempt, right), revision=0)
    late = timezone.now() + timedelta(minutes=11)
    with pytest.raises(AttemptClosed):
        attempt_save(attempt=attempt, responses=responses(attempt, wrong), revision=0, now=late)
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == (AttemptState.FINISHED, 100)  # graded on the saved


def test_a_stale_submit_through_the_service_changes_nothing(learner: Any) -> None:
    attempt = attempt_start(user=learner, quiz=make_quiz())
    attempt_save(attempt=attempt, responses=responses(attempt, right), revision=0)
    with pytest.raises(AttemptChanged):
        attempt_submit(attempt=attempt, responses=responses(attempt, wrong), revision=0)
    attempt.refresh_from_db()
    assert (attempt.state, attempt.revision) == (AttemptState.IN_PROGRESS, 1)
    assert stored(attempt) == responses(attempt, right)


# --- at the same moment, on PostgreSQL ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_saves_sent_from_one_revision_at_once_store_exactly_one(migrated_db: None) -> None:
    learner = practitioner()
    attempt = attempt_start(user=learner, quiz=make_quiz())
    answers = [responses(attempt, right), responses(attempt, wrong)]

    def save(index: int) -> str:
        mine = Attempt.objects.get(pk=attempt.pk)
        try:
            attempt_save(attempt=mine, responses=answers[index % 2], revision=0)
        except AttemptChanged:
            return f"refused {index % 2}"
        return f"saved {index % 2}"

    results, errors = at_once(8, save)
    assert errors == []
    saved = [r for r in results if r.startswith("saved")]
    assert len(saved) == 1
    assert results.count("refused 0") + results.count("refused 1") == 7
    attempt.refresh_from_db()
    assert attempt.revision == 1
    assert stored(attempt) == answers[int(saved[0][-1])]  # the winner's answers, all of them
