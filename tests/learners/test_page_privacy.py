"""Issue #12, finding 5: every learning endpoint keeps Wagtail's page privacy.

A course (or any ancestor) restricted to a group, to a password or to signed-in readers is
refused by the endpoints that act on its pages without serving them (the quiz and its attempt,
starting, autosave, summary, submit, review; completing a lesson; enrolling; what is left;
leaving), all through ``courses.api.page_viewable``. Refused: 404, as Wagtail never confirms a restricted page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import PageViewRestriction

from courses.api import ModulePage, page_viewable
from learners.models import Enrollment, LessonProgress
from quizzes.models import Attempt
from quizzes.services import attempt_start
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    practitioner,
)
from tests.quizzes.helpers import form, placed_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def module() -> ModulePage:
    return ModulePageFactory(parent=CoursePageFactory())


@pytest.fixture
def pilot() -> Group:
    return Group.objects.create(name="Pilot region")


def restrict(page: Any, kind: str, group: Group | None = None) -> PageViewRestriction:
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password="open sesame" if kind == "password" else ""
    )
    if group is not None:
        restriction.groups.add(group)
    return restriction


def endpoints(module: ModulePage) -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
    """Every learning endpoint on the module's course: (method, url, data)."""
    course = module.get_parent().specific
    lesson = LessonPageFactory(parent=module)
    quiz = placed_quiz(module)
    learner = practitioner()
    attempt = attempt_start(user=learner, quiz=quiz)
    q, a = "/en/learn/quizzes", f"/en/learn/quizzes/attempts/{attempt.pk}"
    return learner, [
        ("get", f"{q}/{quiz.pk}/", {}),
        ("post", f"{q}/{quiz.pk}/start/", {}),
        ("get", f"{a}/", {}),
        ("post", f"{a}/", form(attempt)),
        ("post", f"{a}/autosave/", form(attempt)),
        ("get", f"{a}/summary/", {}),
        ("post", f"{a}/submit/", {}),
        ("get", f"{a}/review/", {}),
        ("post", f"/en/learn/lessons/{lesson.pk}/complete/", {}),
        ("post", f"/en/learn/courses/{course.pk}/enrol/", {}),
        ("get", f"/en/learn/courses/{course.pk}/what-is-left/", {}),
        ("post", f"/en/learn/courses/{course.pk}/leave/", {}),
    ]


def test_a_course_private_to_a_group_refuses_everyone_else_at_every_endpoint(
    client: Client, module: ModulePage, pilot: Group
) -> None:
    learner, calls = endpoints(module)
    restrict(module.get_parent(), "groups", pilot)  # on the course: the module and lesson inherit
    client.force_login(learner)
    for method, url, data in calls:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert not LessonProgress.objects.exists()
    assert not Enrollment.objects.exists()
    assert Attempt.objects.get().state == "in_progress"  # not saved, not submitted


def test_the_groups_members_and_administrators_use_every_endpoint(
    client: Client, module: ModulePage, pilot: Group
) -> None:
    learner, calls = endpoints(module)
    learner.groups.add(pilot)
    restrict(module.get_parent(), "groups", pilot)
    client.force_login(learner)
    for method, url, data in calls:
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), (method, url, response.status_code)
    assert LessonProgress.objects.filter(user=learner).exists()
    assert Attempt.objects.get().state == "finished"


def test_a_password_restriction_is_passed_with_the_password_in_the_session(
    client: Client, module: ModulePage
) -> None:
    learner, calls = endpoints(module)
    restriction = restrict(module, "password")
    client.force_login(learner)
    quiz_url = calls[0][1]
    lesson_complete = calls[8][1]
    assert client.get(quiz_url).status_code == 404
    assert client.post(lesson_complete).status_code == 404
    # Wagtail's own password form marks the restriction passed in the session.
    response = client.post(
        f"/en/_util/authenticate_with_password/{restriction.pk}/{module.pk}/",
        {"password": "open sesame", "return_url": "/"},
    )
    assert response.status_code == 302
    assert client.get(quiz_url).status_code == 200
    assert client.post(lesson_complete).status_code == 302
    assert LessonProgress.objects.filter(user=learner).exists()


def test_page_viewable_follows_wagtail(rf: Any, module: ModulePage, pilot: Group) -> None:
    restrict(module, "login")
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user, request.session = AnonymousUser(), {}
    assert not page_viewable(request, module)
    request.user = practitioner()
    assert page_viewable(request, module)
    restrict(module, "groups", pilot)
    assert not page_viewable(request, module)
    request.user = UserFactory(is_superuser=True)
    assert page_viewable(request, module)


def test_leaving_a_course_now_private_to_a_group_is_refused(
    client: Client, module: ModulePage, pilot: Group
) -> None:
    course = module.get_parent().specific
    learner = practitioner()
    client.force_login(learner)
    assert client.post(f"/en/learn/courses/{course.pk}/enrol/").status_code == 302
    restrict(course, "groups", pilot)
    assert client.post(f"/en/learn/courses/{course.pk}/leave/").status_code == 404
    assert Enrollment.objects.get(user=learner).left_at is None  # nothing changed
