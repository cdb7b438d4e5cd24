"""Changes to live quizzes and questions take effect only after review (issue #12, finding 2).

A trainer edits in the CMS (the snippet edit view, as the browser posts it) and submits to the
"Course review" workflow; the live quiz, which learners take, is unchanged until a Course
reviewer approves. Attempts keep the rules and questions they started with, and the history
names the editor and the approver.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from courses.api import ModulePage
from quizzes.models import Attempt, Question, QuestionType, Quiz, QuizResult
from quizzes.services import attempt_start, attempt_submit, review_for
from tests.factories import UserFactory, practitioner
from tests.factories.quizzes import make_question

from .helpers import placed_quiz, quiz_url, responses

pytestmark = pytest.mark.django_db


# --- the CMS forms, as the edit views post them ---------------------------------------------


def quiz_form(quiz: Quiz, **changes: Any) -> dict[str, Any]:
    """The quiz's edit form with its current values, and ``changes``."""
    fields: dict[str, Any] = {
        "title": quiz.title,
        "slug": quiz.slug,
        "description": quiz.description,
        "selection": quiz.selection,
        "shuffle_options": "on" if quiz.shuffle_options else "",
        "pass_mark": quiz.pass_mark,
        "grading_method": quiz.grading_method,
        "attempts_allowed": quiz.attempts_allowed,
        "delay_minutes": quiz.delay_minutes,
        "time_limit_minutes": quiz.time_limit_minutes,
        "opens_at": "",
        "closes_at": "",
        "review_score": quiz.review_score,
        "review_answers": quiz.review_answers,
        "review_feedback": quiz.review_feedback,
        "fixed_questions": inline_formset(
            [
                {"id": row.pk, "question": row.question_id, "ORDER": str(order)}
                for order, row in enumerate(quiz.fixed_questions.order_by("sort_order"), start=1)
            ],
            initial=quiz.fixed_questions.count(),
        ),
        "draws": inline_formset([]),
    }
    if quiz.shuffle_questions:
        fields["shuffle_questions"] = "on"
    fields.update(changes)
    data = nested_form_data(fields)
    return {k: v for k, v in data.items() if v != "" or k in ("opens_at", "closes_at")}


def question_form(question: Question, weights: list[str], **changes: Any) -> dict[str, Any]:
    """A choice question's edit form with its current values, new option ``weights``, and
    ``changes``."""
    options = list(question.options.order_by("sort_order"))
    fields: dict[str, Any] = {
        "category": question.category_id,
        "kind": question.kind,
        "title": question.title,
        "scenario": question.scenario,
        "text": question.text,
        "text_format": question.text_format,
        "default_mark": str(question.default_mark),
        "general_feedback": question.general_feedback,
        "partial_credit": "on" if question.partial_credit else "",
        "options": inline_formset(
            [
                {
                    "id": option.pk,
                    "ORDER": str(order),
                    "text": option.text,
                    "match": option.match,
                    "weight": weight,
                    "value": "",
                    "tolerance": "",
                    "feedback": option.feedback,
                }
                for order, (option, weight) in enumerate(zip(options, weights, strict=True), 1)
            ],
            initial=len(options),
        ),
        # The written-task fields every question's form carries (empty for a choice question).
        "rubric": streamfield([]),
        "attachments": inline_formset([]),
    }
    fields.update(changes)
    return {k: v for k, v in nested_form_data(fields).items() if v != ""}


def edit_url(obj: Quiz | Question) -> str:
    return reverse(f"wagtailsnippets_quizzes_{obj._meta.model_name}:edit", args=[obj.pk])


def signed_in(role: str) -> tuple[Client, Any]:
    user = UserFactory(groups=[role], first_name=role.split()[0], last_name="Person")
    client = Client()
    client.force_login(user)
    return client, user


def approve(obj: Quiz | Question, client: Client) -> Any:
    """The reviewer presses "Approve" on the task waiting in the workflow."""
    state = WorkflowState.objects.get(
        base_content_type__model=obj._meta.model_name, object_id=str(obj.pk), status="in_progress"
    )
    url = reverse(
        f"wagtailsnippets_quizzes_{obj._meta.model_name}:workflow_action",
        args=[obj.pk, "approve", state.current_task_state_id],
    )
    return client.post(url, {"comment": "Checked against the syllabus."})


def blank_attempt(quiz: Quiz, learner: Any) -> Attempt:
    attempt, _graded = attempt_submit(attempt=attempt_start(user=learner, quiz=quiz))
    return attempt


@pytest.fixture
def quiz(module: ModulePage) -> Quiz:
    """A live quiz placed on a live module: pass mark 80."""
    return placed_quiz(module)


# --- a quiz's pass mark -----------------------------------------------------------------------


def test_a_trainers_change_to_a_live_quiz_waits_for_review(quiz: Quiz, learner: Any) -> None:
    trainer, _user = signed_in("Trainer")
    response = trainer.post(edit_url(quiz), quiz_form(quiz, pass_mark=0, **{"action-submit": "1"}))
    assert response.status_code == 302, response.content.decode()[:3000]

    quiz.refresh_from_db()
    assert quiz.live and quiz.pass_mark == 80  # the live quiz is unchanged
    assert quiz.has_unpublished_changes
    assert quiz.latest_revision is not None
    assert quiz.latest_revision.content["pass_mark"] == 0  # the change waits in a revision
    assert WorkflowState.objects.filter(object_id=str(quiz.pk), status="in_progress").exists()

    attempt = blank_attempt(quiz, learner)
    assert attempt.passed is False
    assert QuizResult.objects.get(quiz=quiz, user=learner).passed is False


def test_a_trainer_cannot_publish(quiz: Quiz, learner: Any) -> None:
    trainer, _user = signed_in("Trainer")
    trainer.post(edit_url(quiz), quiz_form(quiz, pass_mark=0, **{"action-publish": "1"}))
    quiz.refresh_from_db()
    assert quiz.pass_mark == 80
    assert blank_attempt(quiz, learner).passed is False


def test_after_a_reviewer_approves_the_change_is_live(quiz: Quiz, learner: Any) -> None:
    trainer, _trainer = signed_in("Trainer")
    trainer.post(edit_url(quiz), quiz_form(quiz, pass_mark=0, **{"action-submit": "1"}))
    reviewer, _reviewer = signed_in("Course reviewer")
    response = approve(quiz, reviewer)
    assert response.status_code in (200, 302), response.content.decode()[:3000]

    quiz.refresh_from_db()
    assert quiz.pass_mark == 0 and not quiz.has_unpublished_changes
    assert blank_attempt(quiz, learner).passed is True


def test_a_reviewer_may_publish_directly(quiz: Quiz) -> None:
    reviewer, _user = signed_in("Course reviewer")
    reviewer.post(edit_url(quiz), quiz_form(quiz, pass_mark=60, **{"action-publish": "1"}))
    quiz.refresh_from_db()
    assert quiz.pass_mark == 60


def test_an_attempt_started_before_publication_keeps_its_rules(quiz: Quiz, learner: Any) -> None:
    attempt = attempt_start(user=learner, quiz=quiz)  # under pass mark 80, answers after submit
    trainer, _trainer = signed_in("Trainer")
    trainer.post(
        edit_url(quiz),
        quiz_form(quiz, pass_mark=0, review_answers="never", **{"action-submit": "1"}),
    )
    approve(quiz, signed_in("Course reviewer")[0])
    quiz.refresh_from_db()
    assert quiz.pass_mark == 0 and quiz.review_answers == "never"

    attempt, _graded = attempt_submit(attempt=attempt)
    assert attempt.score == 0
    assert attempt.passed is False and attempt.pass_mark == 80
    assert QuizResult.objects.get(quiz=quiz, user=learner).passed is False
    assert review_for(quiz=quiz, attempt=attempt).answers is True

    # A new attempt is graded by the rules now live.
    later = blank_attempt(quiz, learner)
    assert later.passed is True and later.pass_mark == 0
    assert review_for(quiz=quiz, attempt=later).answers is False


def test_an_attempt_records_the_revision_it_started_from(quiz: Quiz, learner: Any) -> None:
    reviewer, _user = signed_in("Course reviewer")
    reviewer.post(edit_url(quiz), quiz_form(quiz, pass_mark=70, **{"action-publish": "1"}))
    quiz.refresh_from_db()
    attempt = attempt_start(user=learner, quiz=quiz)
    assert attempt.quiz_revision_id == quiz.live_revision_id is not None
    assert attempt.quiz_settings["pass_mark"] == 70


# --- history ----------------------------------------------------------------------------------


def test_the_history_names_the_editor_and_the_approver(quiz: Quiz) -> None:
    trainer, trainer_user = signed_in("Trainer")
    trainer.post(edit_url(quiz), quiz_form(quiz, pass_mark=0, **{"action-submit": "1"}))
    reviewer, reviewer_user = signed_in("Course reviewer")
    approve(quiz, reviewer)

    actions = {
        (entry.action, entry.user_id)
        for entry in ModelLogEntry.objects.filter(
            content_type__model="quiz", object_id=str(quiz.pk)
        )
    }
    assert ("wagtail.workflow.start", trainer_user.pk) in actions
    assert ("wagtail.workflow.approve", reviewer_user.pk) in actions
    assert ("wagtail.publish", reviewer_user.pk) in actions

    history = reviewer.get(reverse("wagtailsnippets_quizzes_quiz:history", args=[quiz.pk]))
    page = history.content.decode()
    assert history.status_code == 200
    assert trainer_user.get_full_name() in page and reviewer_user.get_full_name() in page
    assert "Approved" in page

    edit_page = trainer.get(edit_url(quiz)).content.decode()
    assert reverse("wagtailsnippets_quizzes_quiz:history", args=[quiz.pk]) in edit_page


# --- a question's answer key ------------------------------------------------------------------


def test_a_change_to_a_questions_answer_key_waits_for_review(module: ModulePage) -> None:
    question = make_question(QuestionType.SINGLE_CHOICE)
    quiz = placed_quiz(module, [question], pass_mark=100)
    right, wrong = list(question.options.order_by("sort_order"))[:2]
    assert right.weight == Decimal(100) and wrong.weight == Decimal(0)

    trainer, trainer_user = signed_in("Trainer")
    swapped = ["0", "100"] + ["0"] * (question.options.count() - 2)
    response = trainer.post(
        edit_url(question), question_form(question, swapped, **{"action-submit": "1"})
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    # The live key is unchanged: the right answer still passes, the other still fails.
    question.refresh_from_db()
    assert [o.weight for o in question.options.order_by("sort_order")][:2] == [100, 0]
    learner = practitioner()
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt, _graded = attempt_submit(attempt=attempt, responses=responses(attempt))
    assert attempt.passed is True

    reviewer, reviewer_user = signed_in("Course reviewer")
    approve(question, reviewer)
    question.refresh_from_db()
    assert [o.weight for o in question.options.order_by("sort_order")][:2] == [0, 100]
    actions = set(
        ModelLogEntry.objects.filter(
            content_type__model="question", object_id=str(question.pk)
        ).values_list("action", "user_id")
    )
    assert ("wagtail.workflow.start", trainer_user.pk) in actions
    assert ("wagtail.workflow.approve", reviewer_user.pk) in actions


def test_a_question_never_published_is_not_asked(module: ModulePage, learner: Any) -> None:
    published = make_question(QuestionType.TRUE_FALSE)
    draft = make_question(QuestionType.TRUE_FALSE, live=False)
    quiz = placed_quiz(module, [published, draft])
    attempt = attempt_start(user=learner, quiz=quiz)
    assert [a.question_id for a in attempt.answers.all()] == [published.pk]


def test_a_quiz_never_published_is_not_offered(module: ModulePage, learner: Any) -> None:
    quiz = placed_quiz(module, live=False)
    client = Client()
    client.force_login(learner)
    assert client.get(quiz_url(quiz.pk)).status_code == 404
    quiz.live = True
    quiz.save()
    assert client.get(quiz_url(quiz.pk)).status_code == 200


def test_a_quiz_a_trainer_adds_starts_as_a_draft(module: ModulePage) -> None:
    question = make_question(QuestionType.TRUE_FALSE)
    trainer, _user = signed_in("Trainer")
    data = quiz_form(Quiz(title="New", slug="new-quiz"))
    data.update(
        nested_form_data(
            {"fixed_questions": inline_formset([{"question": question.pk, "ORDER": "1"}])}
        )
    )
    response = trainer.post(reverse("wagtailsnippets_quizzes_quiz:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Quiz.objects.get(slug="new-quiz").live is False


# --- imports ----------------------------------------------------------------------------------

GIFT = "::Calm::Which helps a child settle?{=A quiet room ~Loud music}\n"


def upload(client: Client, text: str) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("quizzes_import"),
        {
            "file": SimpleUploadedFile("q.gift", text.encode()),
            "format": "gift",
            "new_category": "Bank",
        },
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_trainers_import_changes_nothing_live(module: ModulePage, learner: Any) -> None:
    from quizzes.importing import questions_import

    questions_import(text=GIFT, fmt="gift", category="Bank", publish=True)
    live = Question.objects.get(title="Calm")
    assert live.live
    quiz = placed_quiz(module, [live])

    trainer, trainer_user = signed_in("Trainer")
    page = upload(trainer, GIFT.replace("=A quiet room ~Loud music", "~A quiet room =Loud music"))
    assert "1 updated" in page and 'id="import-review"' in page

    live.refresh_from_db()
    assert [o.weight for o in live.options.order_by("sort_order")] == [100, 0]  # unchanged
    assert live.has_unpublished_changes
    assert live.latest_revision is not None and live.latest_revision.user_id == trainer_user.pk
    attempt = attempt_start(user=learner, quiz=quiz)
    assert attempt.answers.get().snapshot["options"][0]["weight"] == "100"

    # Importing the same file again finds the draft already waiting: nothing more to review.
    assert "1 unchanged" in upload(
        trainer, GIFT.replace("=A quiet room ~Loud music", "~A quiet room =Loud music")
    )

    # A new question from a trainer's file is a draft, never asked until published.
    upload(trainer, "::Fresh::A new one?{T}\n")
    assert Question.objects.get(title="Fresh").live is False


def test_a_reviewers_import_publishes(module: ModulePage) -> None:
    from quizzes.importing import questions_import

    questions_import(text=GIFT, fmt="gift", category="Bank", publish=True)
    reviewer, _user = signed_in("Course reviewer")
    page = upload(reviewer, GIFT.replace("=A quiet room ~Loud music", "~A quiet room =Loud music"))
    assert 'id="import-review"' not in page
    live = Question.objects.get(title="Calm")
    assert [o.weight for o in live.options.order_by("sort_order")] == [0, 100]
    assert live.live


def test_the_curriculum_loader_publishes_what_it_creates(learner: Any) -> None:
    from courses.api import curriculum_import
    from tests.conftest import FLAGSHIP_CURRICULUM

    curriculum_import(path=FLAGSHIP_CURRICULUM)
    assert Quiz.objects.exists() and not Quiz.objects.filter(live=False).exists()
    assert Question.objects.exists() and not Question.objects.filter(live=False).exists()
    quiz = Quiz.objects.order_by("pk").first()
    assert quiz is not None
    # A module check draws its questions from its pool; the final asks its fixed set.
    draw = quiz.draws.first()
    asked = draw.count if draw is not None else quiz.fixed_questions.count()
    assert attempt_start(user=learner, quiz=quiz).answers.count() == asked
