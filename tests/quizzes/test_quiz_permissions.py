"""Every role against every quiz route.

Anyone signed in may take a quiz placed on a live page; an attempt is its learner's alone, and
anyone else gets the 404 of an attempt that does not exist, so attempt ids cannot be probed. A quiz
placed nowhere is there only for those who edit quizzes (to try it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from courses.api import ModulePage
from learners.models import CoordinatorRegion
from quizzes.models import Attempt, Quiz
from quizzes.services import attempt_start, attempt_submit
from tests.factories import UserFactory, practitioner
from tests.factories.quizzes import make_quiz

from .helpers import attempt_url, placed_quiz, quiz_url

pytestmark = pytest.mark.django_db

ROLES = [
    None,
    "owner",
    "other practitioner",
    "Trainer",
    "Course reviewer",
    "Regional coordinator",
    "Ministry",
    "admin",
]
QUIZ_EDITORS = {"Trainer", "Course reviewer", "admin"}  # quizzes.change_quiz


@dataclass
class Setup:
    quiz: Quiz
    owner: Any
    open_attempt: Attempt
    done_attempt: Attempt


@pytest.fixture
def setup(module: ModulePage) -> Setup:
    quiz = placed_quiz(module)
    owner = practitioner()
    done = attempt_start(user=owner, quiz=quiz)
    attempt_submit(attempt=done)
    return Setup(quiz, owner, attempt_start(user=owner, quiz=quiz), done)


def sign_in(client: Client, role: str | None, owner: Any) -> None:
    if role is None:
        return
    if role == "owner":
        user = owner
    elif role == "other practitioner":
        user = practitioner()
    elif role == "admin":
        user = UserFactory(is_superuser=True, is_staff=True)
    else:
        user = UserFactory(groups=[role])
        if role == "Regional coordinator":
            CoordinatorRegion.objects.create(user=user, region="KZ-75")
    client.force_login(user)


# (name, method, url template, data, status for the owner)
ROUTES = [
    ("quiz detail", "get", "quiz", {}, 200),
    ("start", "post", "start", {}, 302),
    ("attempt", "get", "attempt", {}, 200),
    ("save", "post", "attempt", {"action": "save"}, 302),
    ("autosave", "post", "autosave", {"q1": ""}, 200),  # an empty body is refused (400)
    ("summary", "get", "summary", {}, 200),
    ("submit", "post", "submit", {}, 302),
    ("review", "get", "review", {}, 200),
]


def url_for(route: str, setup: Setup) -> str:
    if route == "quiz":
        return quiz_url(setup.quiz.pk)
    if route == "start":
        return quiz_url(setup.quiz.pk, "start")
    attempt = setup.done_attempt if route == "review" else setup.open_attempt
    return attempt_url(attempt.pk, "" if route == "attempt" else route)


def expected(role: str | None, route: str, owner_status: int) -> int:
    if role is None:
        return 302  # to sign in
    if role == "owner" or route in ("quiz", "start"):
        return owner_status  # any signed-in user may take the quiz
    return 404  # somebody else's attempt


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(
    ("name", "method", "route", "data", "owner_status"), ROUTES, ids=[r[0] for r in ROUTES]
)
def test_role_against_route(
    client: Client,
    setup: Setup,
    role: str | None,
    name: str,
    method: str,
    route: str,
    data: dict[str, str],
    owner_status: int,
) -> None:
    sign_in(client, role, setup.owner)
    url = url_for(route, setup)
    response = getattr(client, method)(url, data)
    assert response.status_code == expected(role, route, owner_status), (role, name)
    if role is None:
        assert response["Location"].startswith("/en/accounts/login/"), response["Location"]
    if response.status_code == 404:
        # Not a hint that the attempt exists: the same answer as for one that does not.
        missing = url.replace(f"/{setup.open_attempt.pk}/", "/999999/").replace(
            f"/{setup.done_attempt.pk}/", "/999999/"
        )
        assert getattr(client, method)(missing, data).status_code == 404
    # Nobody but the owner changed the attempt.
    setup.open_attempt.refresh_from_db()
    if role != "owner":
        assert setup.open_attempt.state == "in_progress"
        assert Attempt.objects.filter(user=setup.owner).count() == 2


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(("name", "method", "route"), [
    ("quiz detail", "get", "quiz"), ("start", "post", "start")
], ids=["quiz detail", "start"])  # fmt: skip
def test_a_quiz_placed_nowhere_is_only_for_quiz_editors(
    client: Client, role: str | None, name: str, method: str, route: str
) -> None:
    quiz = make_quiz()
    owner = practitioner()
    sign_in(client, role, owner)
    url = quiz_url(quiz.pk) if route == "quiz" else quiz_url(quiz.pk, "start")
    response = getattr(client, method)(url)
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/")
    elif role in QUIZ_EDITORS:
        assert response.status_code == (200 if route == "quiz" else 302)
    else:
        assert response.status_code == 404, (role, name)


def test_a_quiz_on_an_unpublished_page_is_not_there_for_learners(
    client: Client, setup: Setup, module: ModulePage
) -> None:
    ModulePage.objects.get(pk=module.pk).unpublish()
    learner = practitioner()
    client.force_login(learner)
    assert client.get(quiz_url(setup.quiz.pk)).status_code == 404
    assert client.post(quiz_url(setup.quiz.pk, "start")).status_code == 404
    assert not Attempt.objects.filter(user=learner).exists()
    trainer = UserFactory(groups=["Trainer"])
    client.force_login(trainer)
    assert client.get(quiz_url(setup.quiz.pk)).status_code == 200


def test_an_attempt_on_a_quiz_no_longer_published_cannot_be_saved(
    client: Client, setup: Setup, module: ModulePage
) -> None:
    """Every attempt route answers 404 once the quiz's page is unpublished, autosave included."""
    ModulePage.objects.get(pk=module.pk).unpublish()
    client.force_login(setup.owner)
    attempt_id = setup.open_attempt.pk
    assert client.get(attempt_url(attempt_id)).status_code == 404
    assert client.post(attempt_url(attempt_id, "autosave"), {"q1": "x"}).status_code == 404
    assert client.post(attempt_url(attempt_id, "submit")).status_code == 404
    setup.open_attempt.refresh_from_db()
    assert setup.open_attempt.saved_at is None


POST_ONLY = [("start", "start"), ("autosave", "autosave"), ("submit", "submit")]


@pytest.mark.parametrize("role", [None, "owner"], ids=["anonymous", "owner"])
@pytest.mark.parametrize(("name", "route"), POST_ONLY, ids=[r[0] for r in POST_ONLY])
def test_post_only_routes_refuse_get(
    client: Client, setup: Setup, role: str | None, name: str, route: str
) -> None:
    sign_in(client, role, setup.owner)
    response = client.get(url_for(route, setup))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    setup.open_attempt.refresh_from_db()
    assert setup.open_attempt.state == "in_progress"
