"""The shipped curriculum (``content/``): four courses in three languages, their quizzes and the
certification tracks. Every file imports cleanly and round-trips, passes the content lint, has
what docs/content-guidelines.md promises, and a practitioner can take every course from start
to finish in each language and earn both certificates.

The curriculum is imported once for the module (it takes about half a minute on SQLite)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from certification.models import Certificate, CertificationTrack
from courses.api import CoursePage, LessonPage, ModulePage, curriculum_export, curriculum_import
from curriculum.content_lint import DRAW_POOL_FACTOR, lint_content
from quizzes.api import QuestionKind, parse_gift
from quizzes.grading import AnswerMarking, attempt_grade
from quizzes.models import Attempt, AttemptState, Question, QuestionType
from tests.conftest import SHIPPED_CURRICULUM
from tests.factories import ProfileFactory, UserFactory
from tests.quizzes.helpers import form, right

COURSES = {
    "trauma-informed-care": "2",  # the major version: the revision raised it
    "talking-with-children": "1",
    "reducing-stigma": "1",
    "stories-between-generations": "1",
}
LANGUAGES = ("en", "ru", "kk")
TRACKS = {"psychosocial-support-for-returnee-families", "children-and-mothers-specialist"}


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uploads folder for the module: the documents the import stores stay readable for
    every test that uses the imported curriculum."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, media: Path) -> None:
    """Uploads go to the module's folder (replaces tests/conftest.py's, one folder a test)."""
    settings.MEDIA_ROOT = str(media)
    settings.H5P_ROOT = media / "h5p"


@pytest.fixture(scope="module")
def shipped(django_db_setup: None, django_db_blocker: Any, media: Path) -> Iterator[Any]:
    """The whole curriculum and its tracks, imported once for this module's tests (the import's
    report), and removed after them (the other modules' tests expect an empty site)."""
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), H5P_ROOT=media / "h5p"),
    ):
        from django.db import transaction

        with transaction.atomic():
            report = curriculum_import(path=SHIPPED_CURRICULUM)
            call_command("import_tracks", str(SHIPPED_CURRICULUM / "certification-tracks.yaml"),
                         stdout=StringIO())  # fmt: skip
            yield report
            transaction.set_rollback(True)


def source_files(course: str) -> list[Path]:
    return sorted((SHIPPED_CURRICULUM / course).rglob("*.md"))


# --- files ---------------------------------------------------------------------------------------


def test_the_shipped_curriculum_passes_the_content_lint() -> None:
    problems = lint_content(SHIPPED_CURRICULUM)
    assert not problems, "\n".join(str(p) for p in problems)


def test_every_file_imports_cleanly_and_an_export_imports_unchanged(
    shipped: Any, db: None, tmp_path: Path
) -> None:
    assert not shipped.warnings, "\n".join(shipped.warnings)
    for language in LANGUAGES:
        for slug in COURSES:
            course = CoursePage.objects.get(slug=slug, locale__language_code=language)
            assert course.live, (slug, language)
    # Every translated page and question is linked to its source.
    for model in (LessonPage, ModulePage):
        counts = {
            language: model.objects.filter(locale__language_code=language).count()
            for language in LANGUAGES
        }
        assert len(set(counts.values())) == 1, (model.__name__, counts)
    source_keys = set(
        Question.objects.filter(locale__language_code="en").values_list(
            "translation_key", flat=True
        )
    )
    for language in ("ru", "kk"):
        keys = set(
            Question.objects.filter(locale__language_code=language).values_list(
                "translation_key", flat=True
            )
        )
        assert keys and keys <= source_keys, language
    curriculum_export(path=tmp_path)
    again = curriculum_import(path=tmp_path)
    assert not again.warnings, "\n".join(again.warnings)
    assert not again.changed, (again.created, again.updated, again.moved)


def test_every_lesson_renders_in_each_language(shipped: Any, db: None, client: Client) -> None:
    lessons = LessonPage.objects.live().select_related("locale")
    assert lessons.count() == 3 * sum(
        1 for slug in COURSES for p in (SHIPPED_CURRICULUM / slug).rglob("*.md")
        if p.name not in {"course.md", "module.md"}
    )  # fmt: skip
    for lesson in lessons:
        html = page(client, lesson.url)
        assert f'<html lang="{lesson.locale.language_code}"' in html, lesson.url
        assert escape(lesson.title) in html, lesson.url


# --- what every course has -----------------------------------------------------------------------


def front(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n", 2)[1])


@pytest.mark.parametrize("slug", COURSES)
def test_each_course_has_what_the_curriculum_promises(slug: str) -> None:
    root = SHIPPED_CURRICULUM / slug
    course = front(root / "course.md")
    assert course["version"].split(".")[0] == COURSES[slug]
    assert len(course["outcomes"]) >= 4
    modules = sorted(p for p in root.iterdir() if (p / "module.md").is_file())
    teaching, final = modules[:-1], modules[-1]
    lessons = [p for m in teaching for p in sorted(m.glob("*.md")) if p.name != "module.md"]
    assert len(teaching) >= 4, "at least four teaching modules"
    assert len(lessons) >= 12, "at least twelve lessons"
    text = "\n".join(p.read_text(encoding="utf-8") for p in lessons)
    assert text.count("::: scenario") >= 3
    assert text.count("::: reflection") >= len(lessons) // 2
    for module in teaching:
        module_text = "\n".join(p.read_text() for p in module.glob("*.md"))
        assert "::: takeaways" in module_text, f"{module.name}: key takeaways"
    toolkit = [front(p)["title"] for p in sorted(final.glob("*.md")) if p.name != "module.md"]
    assert sum(t.startswith("Aid:") for t in toolkit) >= 3, f"printable aids: {toolkit}"
    assert any("Glossary" in t for t in toolkit), f"a glossary: {toolkit}"
    # Each teaching module ends with a check drawn from a pool of at least three times its size;
    # the final assessment holds one written task with a rubric.
    for module in teaching:
        rules = yaml.safe_load(
            (root / "quizzes" / f"{front(module / 'module.md')['assessment']}.yaml").read_text()
        )
        gift = parse_gift((root / "quizzes" / rules["questions"]).read_text()).questions
        assert rules["draw"] * DRAW_POOL_FACTOR <= len(gift), module.name
    final_rules = yaml.safe_load(
        (root / "quizzes" / f"{front(final / 'module.md')['assessment']}.yaml").read_text()
    )
    questions = parse_gift((root / "quizzes" / final_rules["questions"]).read_text()).questions
    essays = [q for q in questions if q.kind == QuestionKind.ESSAY]
    assert len(essays) == 1, "one written task in the final assessment"
    task = final_rules["written_tasks"][essays[0].title]
    assert len(task["rubric"]) >= 3 and task["model_answer"].strip()
    assert "draw" not in final_rules and len(questions) >= 5


def test_the_tracks_are_the_foundation_and_the_specialist_one() -> None:
    tracks = yaml.safe_load((SHIPPED_CURRICULUM / "certification-tracks.yaml").read_text())
    by_slug = {t["slug"]: t for t in tracks}
    assert set(by_slug) == TRACKS
    assert by_slug["psychosocial-support-for-returnee-families"]["courses"] == [
        "trauma-informed-care",
        "reducing-stigma",
    ]
    specialist = {
        (c["course"], c["specialty"]) for c in by_slug["children-and-mothers-specialist"]["courses"]
    }
    assert specialist == {
        (course, specialty)
        for course in COURSES
        for specialty in ("psychologist", "school_staff", "social_worker", "religious_counsellor")
    }


# --- a practitioner takes every course, in each language ----------------------------------------


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def redirected(response: Any) -> str:
    assert response.status_code == 302, (response.status_code, response.content[:500])
    return str(response["Location"])


def left(client: Client, language: str, course: CoursePage) -> list[str]:
    with translation.override(language):
        url = reverse("learners:what_is_left", args=[course.pk])
    html = page(client, url)
    main = html.split("<main", 1)[1]
    return [
        href.replace("&amp;", "&")
        for href in re.findall(r'<li><a href="([^"]+)"', main)
        if "/learn/lessons/" in href or "/learn/quizzes/" in href or "/courses/" in href
    ]


def complete_lesson(client: Client, url: str) -> None:
    action = re.search(r'<form method="post" action="(/\w\w/learn/lessons/\d+/complete/)"',
                       page(client, url))  # fmt: skip
    assert action, f"no complete button on {url}"
    redirected(client.post(action[1], {"next": url}))


def written(answer: Any) -> dict[str, str]:
    """A written answer inside the task's word range."""
    words = answer.snapshot.get("min_words") or 50
    return {f"q{answer.position}": " ".join(["word"] * (int(words) + 5))}


def take_quiz(client: Client, url: str, reviewer: Any) -> None:
    quiz_path, _, query = url.partition("?")
    attempt_url = redirected(client.post(f"{quiz_path}start/?{query}"))
    attempt = Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", attempt_url)[1]))  # type: ignore[index]
    # The key never reaches the learner's page: no option's feedback, no general feedback.
    html = page(client, attempt_url)
    for answer in attempt.answers.all():
        snapshot = answer.snapshot
        secrets = [o.get("feedback", "") for o in snapshot["options"]]
        secrets.append(snapshot.get("general_feedback", ""))
        for secret in filter(None, secrets):
            assert secret not in html, (url, secret[:60])
    data = form(attempt, right, with_answers="1")
    for answer in attempt.answers.all():
        if answer.snapshot["kind"] == QuestionType.ESSAY:
            data.update(written(answer))
    submit = attempt_url.replace(f"/{attempt.pk}/", f"/{attempt.pk}/submit/")
    redirected(client.post(submit, data))
    attempt.refresh_from_db()
    if attempt.state == AttemptState.AWAITING:
        markings = {
            a.pk: AnswerMarking(levels=[len(c["levels"]) - 1 for c in a.snapshot["rubric"]])
            for a in attempt.answers.all()
            if a.snapshot["kind"] == QuestionType.ESSAY
        }
        attempt_grade(attempt_id=attempt.pk, grader=reviewer, markings=markings)
        attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.passed, url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_practitioner_takes_every_course_in_their_language_and_is_certified(
    shipped: None,
    db: None,
    client: Client,
    language: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    learner = UserFactory(groups=["Practitioner"])
    ProfileFactory(user=learner, specialty="school_staff", preferred_language=language)
    reviewer = UserFactory(groups=["Course reviewer"])
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        for slug in COURSES:
            take_course(client, language, slug, reviewer)
    held = set(Certificate.objects.filter(user=learner).values_list("track__slug", flat=True))
    assert held == TRACKS
    assert CertificationTrack.objects.count() == len(TRACKS)


def take_course(client: Client, language: str, slug: str, reviewer: Any) -> None:
    """Enrol in the course (``slug``) and do everything "What is left?" lists, in ``language``."""
    course = CoursePage.objects.get(slug=slug, locale__language_code="en")
    translated = CoursePage.objects.get(slug=slug, locale__language_code=language)
    assert f'lang="{language}"' in page(client, translated.url)
    with translation.override(language):
        redirected(client.post(reverse("learners:enrol", args=[course.pk])))
    todo = left(client, language, course)
    assert todo, f"nothing to do in {slug}"
    for url in todo:
        assert url.startswith(f"/{language}/"), url
        if "/learn/quizzes/" in url:
            take_quiz(client, url, reviewer)
        else:
            complete_lesson(client, url)
    assert left(client, language, course) == [], f"{slug}: something is left"
