"""Written tasks: the attempt waits for its grader, the trainer grades it with the rubric, the
second marker of a borderline result, telling the learner, and who may grade what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.api import ModulePage
from learners.api import course_completion
from learners.models import Cohort, CohortMembership, Profile
from quizzes.grading import AnswerMarking, GradingRefused, attempt_grade, gradable_attempts
from quizzes.models import Attempt, AttemptState, QuizResult, WrittenGrade
from quizzes.notices import notify_graded_sweep, remind_graders
from tests.factories import UserFactory, practitioner
from tests.factories.quizzes import make_question

from .helpers import attempt_url, form, placed_quiz, quiz_url, right, wrong

pytestmark = pytest.mark.django_db

QUEUE = "/en/learn/quizzes/grading/"


def grade_url(attempt: Attempt) -> str:
    return f"{QUEUE}{attempt.pk}/"


@pytest.fixture
def trainer(learner: Any) -> Any:
    """A trainer who runs the learner's cohort."""
    user = UserFactory(groups=["Trainer"], email="trainer@example.org")
    cohort = Cohort.objects.create(name="Shymkent school psychologists")
    cohort.trainers.add(user)
    CohortMembership.objects.create(cohort=cohort, user=learner)
    return user


def written_quiz(module: ModulePage, *, pass_mark: int = 60, auto: int = 1) -> Any:
    """A quiz of ``auto`` single-choice questions (1 mark each) and a written task worth 4."""
    questions = [make_question("single_choice") for _ in range(auto)]
    questions.append(make_question("essay", default_mark=Decimal(4), min_words=3, max_words=400))
    return placed_quiz(module, questions, pass_mark=pass_mark)


def submit(client: Client, quiz: Any, choose: Any = right) -> Attempt:
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.filter(quiz=quiz).latest("pk")
    client.post(attempt_url(attempt.pk), {**form(attempt, choose), "action": "save"})
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    return attempt


def essay_answer(attempt: Attempt) -> Any:
    return next(a for a in attempt.answers.all() if a.snapshot["kind"] == "essay")


def marking(attempt: Attempt, levels: list[int], feedback: str = "") -> dict[int, AnswerMarking]:
    return {essay_answer(attempt).pk: AnswerMarking(levels, feedback)}


def test_a_written_task_holds_the_result_until_it_is_graded(
    client: Client, module: ModulePage, learner: Any, trainer: Any
) -> None:
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    assert attempt.state == AttemptState.AWAITING
    assert (attempt.score, attempt.passed, attempt.points, attempt.max_points) == (
        None,
        None,
        Decimal(1),
        Decimal(5),
    )
    assert not QuizResult.objects.filter(quiz=quiz, user=learner).exists()
    review = client.get(attempt_url(attempt.pk, "review")).content.decode()
    assert "awaiting grading by your trainer" in review
    # "What is left?" says why the quiz is not done yet.
    missing = course_completion(user=learner, course=module.get_parent().specific).missing
    assert any("awaiting grading" in item.reason for item in missing)
    # The model answer never reaches the learner.
    assert "A short, true story" not in review
    assert "A short, true story" not in client.get(attempt_url(attempt.pk)).content.decode()


def test_the_trainer_grades_with_the_rubric_and_the_learner_is_told(
    client: Client,
    module: ModulePage,
    learner: Any,
    trainer: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.QUIZZES_BORDERLINE_MARGIN = 0
    Profile.objects.filter(user=learner).update(preferred_language="kk")
    learner.email = "learner@example.org"
    learner.save()
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    grader = Client()
    grader.force_login(trainer)
    page = grader.get(grade_url(attempt)).content.decode()
    assert "A short, true story" in page  # the model answer, for graders
    assert "Your father loved you" in page  # the learner's answer
    answer = essay_answer(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        response = grader.post(
            grade_url(attempt),
            {f"a{answer.pk}-c0": "2", f"a{answer.pk}-c1": "1", f"a{answer.pk}-feedback": "Clear."},
        )
    assert response.status_code == 302
    attempt.refresh_from_db()
    # 1 auto mark + 4 x (4 + 3) / (4 + 6) = 1 + 2.8 = 3.8 of 5 = 76%
    assert attempt.state == AttemptState.FINISHED
    assert attempt.score == Decimal("76.00") and attempt.passed
    assert attempt.graded_at is not None and attempt.learner_notified_at is not None
    result = QuizResult.objects.get(quiz=quiz, user=learner)
    assert result.passed and result.grade == Decimal("76.00")
    grade = WrittenGrade.objects.get()
    assert (grade.marker, grade.grader, grade.levels, grade.points) == (
        1,
        trainer,
        [2, 1],
        Decimal(7),
    )
    # Told once, in Kazakh, with a link to the review.
    assert len(mail.outbox) == 1
    assert "жазбаша жұмысыңыз тексерілді" in mail.outbox[0].subject  # in Kazakh
    assert attempt_url(attempt.pk, "review") in mail.outbox[0].body.replace("/kk/", "/en/")
    # The learner sees the levels picked and the feedback, not the grader or the model answer.
    review = client.get(attempt_url(attempt.pk, "review")).content.decode()
    assert "Safety first: level 2" in review and "Clear." in review
    assert "A short, true story" not in review


def test_a_borderline_first_marking_goes_to_a_second_marker(
    module: ModulePage, learner: Any, trainer: Any, settings: Any, client: Client
) -> None:
    settings.QUIZZES_BORDERLINE_MARGIN = 5
    quiz = written_quiz(module, pass_mark=60)
    client.force_login(learner)
    attempt = submit(client, quiz)
    # 1 + 4 x (2 + 3) / 10 = 3 of 5 = 60%: on the pass mark.
    first = attempt_grade(attempt_id=attempt.pk, grader=trainer, markings=marking(attempt, [1, 1]))
    assert not first.settled and first.needs_second_marker
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.AWAITING and attempt.needs_second_marker
    with pytest.raises(GradingRefused, match="second marker must be someone else"):
        attempt_grade(attempt_id=attempt.pk, grader=trainer, markings=marking(attempt, [2, 2]))
    reviewer = UserFactory(groups=["Course reviewer"])
    second = attempt_grade(
        attempt_id=attempt.pk, grader=reviewer, markings=marking(attempt, [2, 2])
    )
    assert second.settled and second.marker == 2
    attempt.refresh_from_db()
    # The two markings are averaged: (0.5 + 1.0) / 2 = 0.75 → 1 + 3 = 4 of 5 = 80%.
    assert attempt.score == Decimal("80.00") and attempt.passed
    assert list(WrittenGrade.objects.values_list("marker", "grader_id")) == [
        (1, trainer.pk),
        (2, reviewer.pk),
    ]


def test_a_bad_marking_stores_nothing(
    module: ModulePage, learner: Any, trainer: Any, client: Client
) -> None:
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    for levels, message in (
        ([1], "pick a level for every criterion"),
        ([1, 7], "has no such level"),
        ([-1, 0], "has no such level"),
    ):
        with pytest.raises(GradingRefused, match=message):
            attempt_grade(attempt_id=attempt.pk, grader=trainer, markings=marking(attempt, levels))
    with pytest.raises(GradingRefused, match="longer than 5000"):
        attempt_grade(
            attempt_id=attempt.pk, grader=trainer, markings=marking(attempt, [0, 0], "x" * 5001)
        )
    assert not WrittenGrade.objects.exists()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.AWAITING
    # Through the page: the form is shown again with the problem named.
    grader = Client()
    grader.force_login(trainer)
    answer = essay_answer(attempt)
    response = grader.post(grade_url(attempt), {f"a{answer.pk}-c0": "1"}, follow=True)
    assert "pick a level for every criterion" in response.content.decode()
    assert not WrittenGrade.objects.exists()


def test_an_empty_written_answer_needs_no_grader(
    module: ModulePage, learner: Any, client: Client
) -> None:
    quiz = written_quiz(module)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz)
    data = form(attempt, right)
    data[f"q{essay_answer(attempt).position}"] = "   "
    client.post(attempt_url(attempt.pk), {**data, "action": "save"})
    client.post(attempt_url(attempt.pk, "submit"))
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.score == Decimal("20.00")


def test_the_word_range_is_named_before_the_summary(
    module: ModulePage, learner: Any, client: Client
) -> None:
    quiz = written_quiz(module)
    client.force_login(learner)
    client.post(quiz_url(quiz.pk, "start"))
    attempt = Attempt.objects.get(quiz=quiz)
    data = form(attempt, wrong)
    position = essay_answer(attempt).position
    data[f"q{position}"] = "Too short."
    response = client.post(attempt_url(attempt.pk), {**data, "action": "finish"}, follow=True)
    text = response.content.decode()
    assert f"Question {position}: write at least 3 words (you have 2)." in text
    assert response.redirect_chain[-1][0].startswith(attempt_url(attempt.pk) + "?")
    # The answer is kept all the same.
    assert essay_answer(attempt).response == {"text": "Too short."}


def test_who_may_grade(module: ModulePage, learner: Any, trainer: Any, client: Client) -> None:
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    other_trainer = UserFactory(groups=["Trainer"])
    reviewer = UserFactory(groups=["Course reviewer"])
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert attempt in gradable_attempts(trainer)
    assert attempt in gradable_attempts(reviewer)
    assert attempt in gradable_attempts(admin)
    assert attempt not in gradable_attempts(other_trainer)  # not their cohort
    assert attempt not in gradable_attempts(learner)  # never one's own
    with pytest.raises(GradingRefused):
        attempt_grade(
            attempt_id=attempt.pk, grader=other_trainer, markings=marking(attempt, [0, 0])
        )
    assert not WrittenGrade.objects.exists()


ROLES = {
    "anonymous": None,
    "practitioner": "practitioner",
    "trainer of the cohort": "trainer",
    "another trainer": ["Trainer"],
    "course reviewer": ["Course reviewer"],
    "regional coordinator": ["Regional coordinator"],
    "ministry": ["Ministry"],
    "administrator": "admin",
}
#: (queue, the attempt's grading page) for each role: 200, 302 (to sign in), 403 or 404.
EXPECTED = {
    "anonymous": (302, 302),
    "practitioner": (403, 403),
    "trainer of the cohort": (200, 200),
    "another trainer": (200, 404),
    "course reviewer": (200, 200),
    "regional coordinator": (403, 403),
    "ministry": (403, 403),
    "administrator": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_grading_pages_by_role(
    role: str, module: ModulePage, learner: Any, trainer: Any, client: Client
) -> None:
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    visitor = Client()
    groups = ROLES[role]
    if groups == "trainer":
        visitor.force_login(trainer)
    elif groups == "practitioner":
        visitor.force_login(practitioner())  # with a profile, as the profile check asks
    elif groups == "admin":
        visitor.force_login(UserFactory(is_superuser=True, is_staff=True))
    elif groups is not None:
        visitor.force_login(UserFactory(groups=groups))
    codes = (visitor.get(QUEUE).status_code, visitor.get(grade_url(attempt)).status_code)
    assert codes == EXPECTED[role]
    if EXPECTED[role][1] != 200:  # and no grade can be posted
        answer = essay_answer(attempt)
        visitor.post(grade_url(attempt), {f"a{answer.pk}-c0": "0", f"a{answer.pk}-c1": "0"})
        assert not WrittenGrade.objects.exists()


#: The queue's queries on a warm session (docs/benchmarks.md): the session and the user, the
#: role and permission checks (3), the count and the page of attempts (with quiz, learner and
#: first marker), the quizzes and the cohorts of the filters, and the page header's two reads
#: of the user's CMS profile (every page's).
QUEUE_QUERIES = 11


def queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_query_count_does_not_grow(module: ModulePage, trainer: Any) -> None:
    quiz = written_quiz(module)
    cohort = Cohort.objects.get()

    def add(count: int) -> None:
        for _ in range(count):
            person = practitioner()
            CohortMembership.objects.create(cohort=cohort, user=person)
            learner_client = Client()
            learner_client.force_login(person)
            submit(learner_client, quiz)

    client = Client()
    client.force_login(trainer)
    add(2)
    queue_queries(client)  # warm the session
    few = queue_queries(client)
    add(6)
    assert Attempt.objects.filter(state=AttemptState.AWAITING).count() == 8
    assert queue_queries(client) == few == QUEUE_QUERIES
    text = client.get(QUEUE).content.decode()
    assert text.count(">Grade<") == 8


def test_the_queue_filters_and_flags_work_waiting_too_long(
    module: ModulePage, learner: Any, trainer: Any, client: Client, settings: Any
) -> None:
    settings.QUIZZES_GRADING_OVERDUE_DAYS = 7
    quiz = written_quiz(module)
    client.force_login(learner)
    old = submit(client, quiz)
    Attempt.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=9))
    grader = Client()
    grader.force_login(trainer)
    overdue = grader.get(QUEUE + "?stage=overdue").content.decode()
    assert "waiting 9 days" in overdue
    assert grader.get(QUEUE + "?stage=second").content.decode().count(">Grade<") == 0
    assert grader.get(QUEUE + f"?quiz={quiz.pk}").content.decode().count(">Grade<") == 1
    assert grader.get(QUEUE + "?quiz=999999").content.decode().count(">Grade<") == 0
    # Another trainer's cohort in the URL filters to nothing rather than showing its members.
    elsewhere = Cohort.objects.create(name="Another cohort")
    assert grader.get(QUEUE + f"?cohort={elsewhere.pk}").content.decode().count(">Grade<") == 0
    assert grader.get(QUEUE + "?stage=nonsense&quiz=abc").status_code == 200
    # The morning reminder tells the trainer, once each, in their language.
    mail.outbox.clear()
    assert remind_graders() == 1
    assert mail.outbox[0].to == ["trainer@example.org"]
    assert "waited more than 7 days" in mail.outbox[0].subject


def test_a_lost_notice_is_sent_by_the_sweep(
    module: ModulePage,
    learner: Any,
    trainer: Any,
    client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.QUIZZES_BORDERLINE_MARGIN = 0
    learner.email = "learner@example.org"
    learner.save()
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    # The task is lost: the broker went away after the grade was committed.
    from unittest import mock

    with (
        mock.patch("quizzes.grading.notify_graded.delay") as lost,
        django_capture_on_commit_callbacks(execute=True),
    ):
        attempt_grade(attempt_id=attempt.pk, grader=trainer, markings=marking(attempt, [2, 2]))
    assert lost.call_count == 1
    attempt.refresh_from_db()
    assert attempt.learner_notified_at is None and not mail.outbox
    assert notify_graded_sweep() == 0  # too recent: its task may still be on the way
    Attempt.objects.filter(pk=attempt.pk).update(graded_at=timezone.now() - timedelta(minutes=10))
    assert notify_graded_sweep() == 1
    assert notify_graded_sweep() == 0  # once
    assert len(mail.outbox) == 1


def test_grading_completes_the_course(
    module: ModulePage, learner: Any, trainer: Any, client: Client, settings: Any
) -> None:
    """The module's only requirement is the quiz: once graded and passed, the course is
    complete and "What is left?" is empty."""
    settings.QUIZZES_BORDERLINE_MARGIN = 0
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    course = module.get_parent().specific
    assert course_completion(user=learner, course=course).missing != []
    attempt_grade(attempt_id=attempt.pk, grader=trainer, markings=marking(attempt, [2, 2]))
    missing = course_completion(user=learner, course=course).missing
    assert not [item for item in missing if item.kind == "quiz"]


def test_the_queue_link_is_reversible() -> None:
    assert reverse("quizzes:grading_queue") == QUEUE


LOG = "/admin/grading-log/"


@pytest.mark.parametrize(
    ("role", "status"),
    [("Trainer", 403), ("Course reviewer", 200), ("Regional coordinator", 302), ("admin", 200)],
)
def test_the_grading_log_is_read_by_reviewers_and_administrators(
    role: str,
    status: int,
    module: ModulePage,
    learner: Any,
    trainer: Any,
    client: Client,
    settings: Any,
) -> None:
    settings.QUIZZES_BORDERLINE_MARGIN = 0
    quiz = written_quiz(module)
    client.force_login(learner)
    attempt = submit(client, quiz)
    attempt_grade(attempt_id=attempt.pk, grader=trainer, markings=marking(attempt, [1, 2]))
    reader = Client()
    if role == "admin":
        reader.force_login(UserFactory(is_superuser=True, is_staff=True))
    else:
        reader.force_login(UserFactory(groups=[role]))
    response = reader.get(LOG)
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert trainer.username in text or trainer.get_full_name() in text
        assert quiz.title in text
        # Read-only: there is no way to change a grade.
        edit = reader.get(f"{LOG}edit/{WrittenGrade.objects.get().pk}/", follow=True)
        assert edit.status_code == 404
        assert reader.get(f"{LOG}add/", follow=True).status_code == 404
