"""A written task from submission to certificate, in Chromium (issue #15).

A practitioner writes a child's core story for a composite family and submits the module's final
assessment: the attempt waits for grading and "What is left?" says so. Their cohort's trainer
opens the grading queue, grades it with the rubric and writes feedback. The learner's course is
then complete, their certificate is issued, and the review shows the rubric levels and feedback.

Walked twice: the learner in Russian on a phone and the trainer in Kazakh on a desktop, then the
learner in English on a desktop and the trainer in English on a phone. Every page is checked
with axe-core and for sideways scrolling; screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORY = (
    "Your papa went to another country and made choices that hurt people. Those choices were "
    "his, not yours. Mama and grandmother love you, and you are safe at home with us now."
)
FEEDBACK = "Clear and kind; name who the child can ask when questions come back."


@pytest.fixture
def site(migrated_db: None, live_server: Any) -> str:
    """The live server without the shipped curricula: the test builds the course it needs."""
    return str(live_server.url)


@dataclass
class Setting:
    course: Any
    quiz: Any
    learner: Any
    trainer: Any


def build(language: str) -> Setting:
    """A certified course of one module: one lesson (done) and an assessment with a choice
    question and a written task; a cohort with the learner and their trainer."""
    from certification.models import CertificationTrack, TrackRequirement
    from learners.api import lesson_progress_complete
    from learners.models import Cohort, CohortMembership, Profile
    from tests.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        UserFactory,
        practitioner,
    )
    from tests.factories.quizzes import make_question, make_quiz, place_on_module

    course = CoursePageFactory(title="Talking with children", slug="talking-with-children")
    module = ModulePageFactory(parent=course, title="The core story", slug="core-story")
    lesson = LessonPageFactory(parent=module, title="A true, short story", slug="true-story")
    essay = make_question(
        "essay",
        default_mark=Decimal(4),
        min_words=20,
        max_words=300,
        text="Write the core story for Dana, 7, from the composite family in the case file.",
    )
    quiz = make_quiz(
        [make_question("single_choice"), essay], title="Final assessment", pass_mark=60
    )
    place_on_module(quiz, module)
    track = CertificationTrack.objects.create(name="Talking with children", slug="children")
    TrackRequirement.objects.create(track=track, course=course)
    learner = practitioner(
        username="aigerim", first_name="Айгерим", last_name="Сапарова", email="a@example.org"
    )
    Profile.objects.filter(user=learner).update(preferred_language=language)
    lesson_progress_complete(user=learner, lesson=lesson)
    trainer = UserFactory(
        username="marat", first_name="Марат", last_name="Ахметов", groups=["Trainer"]
    )
    cohort = Cohort.objects.create(name="Школьные психологи Шымкента")
    cohort.trainers.add(trainer)
    CohortMembership.objects.create(cohort=cohort, user=learner)
    return Setting(course=course, quiz=quiz, learner=learner, trainer=trainer)


@pytest.mark.parametrize(
    ("learner_language", "learner_view", "trainer_language", "trainer_view", "prefix"),
    [
        ("ru", PHONE, "kk", DESKTOP, "100"),
        ("en", DESKTOP, "en", PHONE, "105"),
    ],
    ids=["ru-phone-kk-desktop", "en-desktop-en-phone"],
)
def test_a_written_task_is_graded_and_the_certificate_follows(
    page_for: Any,
    site: str,
    axe_source: str,
    screenshot_dir: Path,
    learner_language: str,
    learner_view: dict[str, int],
    trainer_language: str,
    trainer_view: dict[str, int],
    prefix: str,
) -> None:
    from certification.models import Certificate
    from quizzes.models import Attempt, AttemptState, WrittenGrade

    data = build(learner_language)
    lang = learner_language

    # The learner answers, writes the story and submits.
    page = page_for(learner_view)
    quiz_path = f"/{lang}/learn/quizzes/{data.quiz.pk}/"
    sign_in(page, site, "aigerim", next_path=quiz_path, lands_on=f"**{quiz_path}")
    page.locator("form[action$='/start/'] button[type=submit]").click()
    page.wait_for_url("**/attempts/*/**")
    # The right option (the options are shuffled): the factory's "Listen first".
    page.locator(".quiz-options label", has_text="Listen first").locator("input").check()
    box = page.locator("textarea.quiz-essay")
    box.fill("Too short.")
    page.locator("button[value=finish]").click()
    page.wait_for_url("**/attempts/*/**")
    assert "20" in page.locator(".messages, [role=status], main").first.inner_text()
    box = page.locator("textarea.quiz-essay")
    box.fill(STORY)
    words = page.locator("[id$='-words']").inner_text()
    assert "32" in words  # the count follows the typing
    check_page(page, axe_source, f"{prefix}-written-task-{lang}", screenshot_dir)
    page.locator("button[value=finish]").click()
    page.wait_for_url("**/summary/**")
    page.locator(".quiz-submit-form button[type=submit]").click()
    page.wait_for_url("**/review/**")
    attempt = Attempt.objects.get(user=data.learner, quiz=data.quiz)
    assert attempt.state == AttemptState.AWAITING
    check_page(page, axe_source, f"{prefix}-awaiting-grading-{lang}", screenshot_dir)
    page.goto(f"{site}/{lang}/learn/courses/{data.course.pk}/what-is-left/")
    left = page.locator("main").inner_text()
    assert data.quiz.title in left
    assert not Certificate.objects.filter(user=data.learner).exists()

    # The trainer grades it from the queue.
    grader = page_for(trainer_view)
    queue_path = f"/{trainer_language}/learn/quizzes/grading/"
    sign_in(grader, site, "marat", next_path=queue_path, lands_on=f"**{queue_path}")
    assert "Айгерим Сапарова" in grader.locator("main").inner_text()
    check_page(grader, axe_source, f"{prefix}-grading-queue-{trainer_language}", screenshot_dir)
    grader.locator(f"a[href$='/grading/{attempt.pk}/']").click()
    grader.wait_for_url(f"**/grading/{attempt.pk}/")
    main = grader.locator("main").inner_text()
    assert STORY[:40] in main  # the answer
    assert "A short, true story" in grader.locator("details.model-answer").text_content()
    check_page(grader, axe_source, f"{prefix}-grading-form-{trainer_language}", screenshot_dir)
    grader.locator("fieldset.rubric-criterion").nth(0).locator("input[type=radio]").nth(2).check()
    grader.locator("fieldset.rubric-criterion").nth(1).locator("input[type=radio]").nth(1).check()
    grader.locator("textarea[name$='-feedback']").fill(FEEDBACK)
    grader.locator(".grading-form button[type=submit]").click()
    grader.wait_for_url(f"**{queue_path}")
    check_page(grader, axe_source, f"{prefix}-grading-done-{trainer_language}", screenshot_dir)

    # 1 + 4 x (4 + 3) / 10 = 3.8 of 5: 76%, passed; the course is complete and certified.
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.score == Decimal("76.00")
    assert WrittenGrade.objects.get().grader == data.trainer
    assert Certificate.objects.filter(user=data.learner).exists()
    page.goto(f"{site}/{lang}/learn/quizzes/attempts/{attempt.pk}/review/")
    review = page.locator("main").inner_text()
    assert "76%" in review and FEEDBACK in review
    assert "Safety first: level 2" in review
    assert "A short, true story" not in review  # the model answer stays with graders
    check_page(page, axe_source, f"{prefix}-graded-review-{lang}", screenshot_dir)
    page.goto(f"{site}/{lang}/learn/")
    assert "Talking with children" in page.locator("main").inner_text()
    check_page(page, axe_source, f"{prefix}-certified-{lang}", screenshot_dir)
