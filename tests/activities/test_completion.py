"""xAPI statements complete activities, lessons and courses: mastery, voiding, "What is left?"."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from activities.completion import required_activities
from activities.models import Activity, ActivityAttempt, ActivityCompletion
from activities.services import attempt_version
from learners.api import course_completion, course_structures, lesson_progress_complete
from learners.models import LessonProgress
from tests.factories import LessonPageFactory, ModulePageFactory, practitioner
from tests.factories.activities import make_activity, myth_source, place_activity

pytestmark = pytest.mark.django_db

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _statement(
    user: Any, activity: Activity, verb: str = COMPLETED, *, raw: int = 6, maximum: int = 6,
    success: bool | None = None,
) -> dict[str, Any]:  # fmt: skip
    result: dict[str, Any] = {
        "score": {"raw": raw, "min": 0, "max": maximum, "scaled": raw / maximum},
        "completion": True,
    }
    if success is not None:
        result["success"] = success
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "http://testserver",
                                                     "name": str(user.pk)}},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
        "object": {"objectType": "Activity", "id": activity.iri},
        "result": result,
        "timestamp": "2026-12-01T10:00:00Z",
    }  # fmt: skip


def _post(client: Client, statement: dict[str, Any]) -> Any:
    return client.post(
        "/xapi/statements",
        data=json.dumps(statement),
        content_type="application/json",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )


@pytest.fixture
def lesson() -> Any:
    module = ModulePageFactory()
    LessonPageFactory(parent=module)
    return LessonPageFactory(parent=module)


def test_completing_the_activities_of_a_lesson_completes_the_lesson(lesson: Any) -> None:
    scenario = make_activity(slug="scenario")
    myths = make_activity(myth_source(), slug="myths")
    place_activity(scenario, lesson)
    place_activity(myths, lesson)
    learner = practitioner()
    client = Client()
    client.force_login(learner)
    course = lesson.get_parent().get_parent().specific

    missing = course_completion(user=learner, course=course).missing
    kinds = sorted((m.kind, m.title) for m in missing if m.kind == "activity")
    assert kinds == [("activity", "A first conversation"), ("activity", "Myth or fact?")]

    attempt_version(user=learner, activity=scenario)
    assert _post(client, _statement(learner, scenario, ANSWERED)).status_code == 200
    assert not ActivityCompletion.objects.exists()
    assert _post(client, _statement(learner, scenario)).status_code == 200
    assert ActivityCompletion.objects.filter(user=learner, activity=scenario).exists()
    assert ActivityAttempt.objects.get(user=learner).completed_at is not None
    assert not LessonProgress.objects.filter(user=learner, lesson=lesson).exists()

    assert _post(client, _statement(learner, myths, PASSED, raw=4, maximum=4)).status_code == 200
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).exists()
    missing = course_completion(user=learner, course=course).missing
    assert not [m for m in missing if m.kind == "activity"]
    # The status the lesson page asks for after a completing statement.
    status = client.get(f"/h5p/launch/{myths.pk}/?status=1&page={lesson.pk}").json()
    assert status == {"completed": True, "lesson_completed": True}


def test_an_activity_that_is_not_required_is_not_missing(lesson: Any) -> None:
    activity = make_activity()
    place_activity(activity, lesson, required=False)
    learner = practitioner()
    course = lesson.get_parent().get_parent().specific
    assert not [
        m for m in course_completion(user=learner, course=course).missing if m.kind == "activity"
    ]


@pytest.mark.parametrize(
    ("mastery", "raw", "success", "completes"),
    [
        (None, 1, None, True),  # no mastery score: completing counts...
        (None, 1, False, False),  # ...unless the activity says the learner did not succeed
        (80, 5, None, True),  # 5/6 = 83% >= 80%
        (80, 4, True, False),  # 4/6 = 67% < 80%, whatever the activity says
        (100, 6, None, True),
    ],
)
def test_the_mastery_score_decides(
    mastery: int | None, raw: int, success: bool | None, completes: bool
) -> None:
    activity = make_activity(mastery=mastery)
    learner = practitioner()
    client = Client()
    client.force_login(learner)
    assert _post(client, _statement(learner, activity, raw=raw, success=success)).status_code == 200
    assert ActivityCompletion.objects.filter(activity=activity).exists() is completes


def test_completing_a_translation_completes_the_activity(lesson: Any) -> None:
    english = make_activity(slug="visit")
    russian = make_activity(slug="visit", language="ru", translation_of=english)
    place_activity(english, lesson)
    learner = practitioner()
    client = Client()
    client.force_login(learner)
    assert russian.iri == english.iri
    assert _post(client, _statement(learner, russian)).status_code == 200
    assert ActivityCompletion.objects.get(user=learner).activity == english
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).exists()


def test_voiding_the_completing_statement_takes_the_completion_back() -> None:
    activity = make_activity()
    learner = practitioner()
    client = Client()
    client.force_login(learner)
    first, second = _statement(learner, activity), _statement(learner, activity)
    _post(client, first)
    _post(client, second)
    completion = ActivityCompletion.objects.get()
    assert str(completion.statement_id) == first["id"]

    def void(target: str) -> Any:
        return {
            "actor": first["actor"],
            "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": target},
        }

    assert _post(client, void(first["id"])).status_code == 200
    completion = ActivityCompletion.objects.get()  # the second statement still completes it
    assert str(completion.statement_id) == second["id"]
    assert _post(client, void(second["id"])).status_code == 200
    assert not ActivityCompletion.objects.exists()


def test_another_learners_completion_is_not_mine(lesson: Any) -> None:
    activity = make_activity()
    place_activity(activity, lesson)
    someone, me = practitioner(), practitioner()
    client = Client()
    client.force_login(someone)
    _post(client, _statement(someone, activity))
    course = lesson.get_parent().get_parent().specific
    assert [m.kind for m in course_completion(user=me, course=course).missing].count(
        "activity"
    ) == 1
    # And a statement naming someone else is refused.
    client.force_login(me)
    assert _post(client, _statement(someone, activity)).status_code == 403


def test_the_requirement_costs_the_same_queries_for_one_or_many_learners(lesson: Any) -> None:
    from django.db import connection

    from core.api import invalidate_page_cache

    activity = make_activity()
    place_activity(activity, lesson)
    course = lesson.get_parent().get_parent().specific
    structures = course_structures([course])

    def cost(count: int) -> int:
        users = [practitioner() for _ in range(count)]
        for user in users:
            lesson_progress_complete(user=user, lesson=lesson)
        invalidate_page_cache()  # cold: the placements read again, as after a publish
        with CaptureQueriesContext(connection) as queries:
            lookup = required_activities([u.pk for u in users], [course], structures)
            for user in users:
                lookup(user.pk, course.pk)
        return len(queries)

    assert cost(1) == cost(8)


def test_the_certificate_sweep_sees_a_learner_whose_last_step_was_an_activity(lesson: Any) -> None:
    """A required activity may be the last thing a learner does: the sweep that makes good a
    lost issuing task must check them too."""
    from datetime import timedelta

    from django.utils import timezone

    from certification.models import TrackRequirement
    from certification.selectors.due import learners_to_check
    from tests.factories.certification import TrackFactory

    course = lesson.get_parent().get_parent().specific
    TrackRequirement.objects.create(track=TrackFactory(active=True), course=course)
    activity = make_activity()
    place_activity(activity, lesson)
    learner = practitioner()
    client = Client()
    client.force_login(learner)
    since = timezone.now() - timedelta(minutes=1)
    _post(client, _statement(learner, activity))
    LessonProgress.objects.filter(user=learner).update(completed_at=since - timedelta(days=1))
    checked = [user_id for batch in learners_to_check(since=since) for user_id in batch]
    assert learner.pk in checked
