"""Issue #13: a learner who switches language in the middle of the shipped course loses nothing.

Two lessons done in English show as done on the Kazakh course page, with the same percent; a
lesson done in Kazakh and the module quiz passed in Russian show on the English page; the
certificate counts the course once, whatever language each part was done in; enrolling on the
Russian page is being enrolled on the English one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from certification.models import Certificate, CertificationTrack
from certification.tasks import issue_for_user
from certification.tracks_file import tracks_import
from courses.api import CoursePage, LessonPage, ModulePage, curriculum_import
from learners.api import course_completion
from learners.models import Profile
from quizzes.grading import AnswerMarking, attempt_grade
from quizzes.models import Attempt, QuestionType, Quiz, QuizResult
from quizzes.services import attempt_start, attempt_submit
from tests.conftest import FLAGSHIP, FLAGSHIP_CURRICULUM, shipped_tracks_for
from tests.factories import UserFactory, practitioner
from tests.quizzes.helpers import form, responses, right

pytestmark = pytest.mark.django_db

COURSE = "trauma-informed-care"
FIRST_MODULE = "understanding-trauma-and-return"
PROGRESS = re.compile(r'<progress class="progress__bar" max="100" value="(\d+)"')


@pytest.fixture
def shipped(tmp_path: Path) -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)
    tracks_import(path=shipped_tracks_for({FLAGSHIP}, tmp_path))


@pytest.fixture
def learner(client: Client) -> User:
    """A practitioner of a specialty the foundation track alone certifies (the specialist track
    is for psychologists, school staff, social workers and religious counsellors)."""
    user: User = practitioner()
    Profile.objects.filter(user=user).update(specialty="police_probation")
    client.force_login(user)
    return user


def course_in(language: str) -> CoursePage:
    return CoursePage.objects.get(slug=COURSE, locale__language_code=language)


def lessons_in(language: str) -> list[LessonPage]:
    return list(LessonPage.objects.descendant_of(course_in(language)).order_by("path"))


def modules_in(language: str) -> list[ModulePage]:
    return list(ModulePage.objects.child_of(course_in(language)).order_by("path"))


def quiz_in(language: str, module: ModulePage) -> Quiz:
    """The module's assessment in ``language`` (the translation of the English module's quiz)."""
    source = ModulePage.objects.get(
        slug=module.slug, locale__language_code="en"
    ).assessment  # the quiz's identity
    assert source is not None
    return Quiz.objects.get(translation_key=source.translation_key, locale__language_code=language)


def course_page(client: Client, language: str) -> tuple[str, int]:
    """The course page in ``language`` and the percent its progress bar shows."""
    response = client.get(course_in(language).url)
    assert response.status_code == 200
    html = response.content.decode()
    found = PROGRESS.search(html)
    assert found, "no progress bar: the learner is not enrolled on this page"
    return html, int(found.group(1))


def summary(html: str) -> str:
    """The progress bar's words: "2 of 14 done (14%)"."""
    return html.split('class="progress__text">')[1].split("</span>")[0]


def complete(client: Client, language: str, lesson: LessonPage) -> None:
    response = client.post(f"/{language}/learn/lessons/{lesson.pk}/complete/")
    assert response.status_code == 302


def pass_through_views(client: Client, language: str, quiz: Quiz, module: ModulePage) -> Attempt:
    """Start ``quiz`` (a translation) on its page in ``language``, answer all right, submit; a
    written task (the final assessment's) is answered within its word range and graded by a
    course reviewer with the top level of every criterion."""
    start = client.post(f"/{language}/learn/quizzes/{quiz.pk}/start/?from={module.pk}")
    assert start.status_code == 302
    attempt = Attempt.objects.get(pk=int(re.findall(r"/attempts/(\d+)/", start["Location"])[0]))
    data = form(attempt, right, with_answers="1")
    essays = [a for a in attempt.answers.all() if a.snapshot["kind"] == QuestionType.ESSAY]
    for answer in essays:
        data[f"q{answer.position}"] = " ".join(["word"] * ((answer.snapshot["min_words"] or 0) + 5))
    submitted = client.post(
        f"/{language}/learn/quizzes/attempts/{attempt.pk}/submit/?from={module.pk}", data
    )
    assert submitted.status_code == 302
    if essays:
        reviewer = UserFactory(groups=["Course reviewer"])
        top = {
            a.pk: AnswerMarking(levels=[len(c["levels"]) - 1 for c in a.snapshot["rubric"]])
            for a in essays
        }
        attempt_grade(attempt_id=attempt.pk, grader=reviewer, markings=top)
    attempt.refresh_from_db()
    return attempt


def test_progress_and_the_quiz_follow_the_learner_across_languages(
    shipped: None, client: Client, learner: User
) -> None:
    english, kazakh = lessons_in("en"), lessons_in("kk")
    complete(client, "en", english[0])
    complete(client, "en", english[1])
    en_html, en_percent = course_page(client, "en")
    kk_html, kk_percent = course_page(client, "kk")
    assert kk_percent == en_percent > 0
    done = course_completion(user=learner, course=course_in("kk")).done
    assert done == course_completion(user=learner, course=course_in("en")).done == 2
    # The Kazakh outline ticks the two lessons the learner did in English, and only those.
    for lesson in kazakh[:2]:
        assert lesson.title in kk_html
    # "2 of 14 done (14%)", "14 ішінен 2 орындалды (14%)": the same numbers, in any order.
    numbers = [sorted(re.findall(r"\d+", summary(html))) for html in (en_html, kk_html)]
    assert numbers[0] == numbers[1] and "2" in numbers[1], numbers

    # On in Kazakh: the module's last lessons; then the module quiz in Russian.
    first_module = LessonPage.objects.child_of(modules_in("kk")[0]).count()
    for lesson in kazakh[2:first_module]:
        complete(client, "kk", lesson)
    module_ru = modules_in("ru")[0]
    quiz_ru = quiz_in("ru", module_ru)
    attempt = pass_through_views(client, "ru", quiz_ru, module_ru)
    assert attempt.passed
    source = modules_in("en")[0].assessment
    assert source is not None and attempt.quiz_id == source.pk  # the source quiz's attempt
    answers = attempt.answers.select_related("question__locale")
    asked = {a.question.locale.language_code if a.question else None for a in answers}
    assert asked == {"ru"}  # every question asked in Russian
    result = QuizResult.objects.get(user=learner)
    assert result.quiz_id == source.pk and result.passed

    en_html, en_percent = course_page(client, "en")
    _html, kk_percent = course_page(client, "kk")
    assert en_percent == kk_percent > 0
    first = course_completion(user=learner, course=course_in("en")).modules[0]
    assert first.complete, "its lessons (in en and kk) and the quiz (ru) complete the module"
    module_en = client.get(modules_in("en")[0].url).content.decode()
    assert "You passed this quiz." in module_en


def test_the_certificate_counts_the_course_once_whatever_the_languages(
    shipped: None, client: Client, learner: User
) -> None:
    languages = ["en", "kk", "ru"]
    track = CertificationTrack.objects.get(slug="psychosocial-support-for-returnee-families")
    for number, (en, kk, ru) in enumerate(
        zip(lessons_in("en"), lessons_in("kk"), lessons_in("ru"), strict=True)
    ):
        complete(client, languages[number % 3], (en, kk, ru)[number % 3])
    modules = modules_in("en")
    for number, module in enumerate(modules[:-1]):  # every quiz but the last, in turn
        language = languages[number % 3]
        translation = quiz_in(language, module)
        attempt = attempt_start(user=learner, quiz=module.assessment, questions_from=translation)
        attempt_submit(attempt=attempt, responses=responses(attempt, right))
    assert issue_for_user(learner.pk) == []  # one quiz still to pass: no certificate yet
    assert not course_completion(user=learner, course=course_in("kk")).complete
    last_kk = modules_in("kk")[-1]
    assert pass_through_views(client, "kk", quiz_in("kk", last_kk), last_kk).passed

    for language in ("en", "ru", "kk"):
        completion = course_completion(user=learner, course=course_in(language))
        assert completion.complete and completion.percent == 100, language
    issued = issue_for_user(learner.pk)
    assert len(issued) == 1
    assert issue_for_user(learner.pk) == issued  # again: the same one, nothing new
    assert Certificate.objects.filter(user=learner).count() == 1
    certificate = Certificate.objects.get(user=learner)
    assert certificate.track == track
    assert list(certificate.course_versions) == [str(course_in("en").pk)]  # the course, once
    assert QuizResult.objects.filter(user=learner, passed=True).count() == len(modules)


def test_enrolling_in_russian_is_being_enrolled_in_english(
    shipped: None, client: Client, learner: User
) -> None:
    english = client.get(course_in("en").url).content.decode()
    assert not PROGRESS.search(english)  # not enrolled yet: the page offers to enrol
    russian = course_in("ru")
    response = client.post(f"/ru/learn/courses/{russian.pk}/enrol/")
    assert response.status_code == 302
    html, percent = course_page(client, "en")
    assert percent == 0
    assert f"/en/learn/courses/{course_in('en').pk}/leave/" in html
    _html, percent = course_page(client, "kk")
    assert percent == 0


def test_what_is_left_shows_the_course_in_the_readers_language(
    shipped: None, client: Client, learner: User
) -> None:
    """Counted on the English identity, shown in Kazakh: the course, module and lesson titles,
    and links to the Kazakh lessons."""
    english, kazakh = course_in("en"), course_in("kk")
    assert client.post(f"/kk/learn/courses/{kazakh.pk}/enrol/").status_code == 302
    html = client.get(f"/kk/learn/courses/{english.pk}/what-is-left/").content.decode()
    first_en, first_kk = lessons_in("en")[0], lessons_in("kk")[0]
    assert f'href="{first_kk.url}"' in html and first_kk.title in html
    assert f'href="{first_en.url}"' not in html
    assert modules_in("kk")[0].title in html and modules_in("en")[0].title not in html
    assert kazakh.title in html
