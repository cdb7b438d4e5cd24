"""Issue #13, guards: every page type renders in each language from the shipped curriculum.

The home page, the catalogue, a course, a module and a lesson are served in English, Russian and
Kazakh to an anonymous reader and to a signed-in practitioner. A Russian or Kazakh page shows its
translated title and none of the English labels of our templates (``ENGLISH_LABELS``, also read by
the browser walk ``tests/browser/test_languages_screens.py``); the quiz page shows the quiz's
translated title.
"""

from __future__ import annotations

import html as html_module
import re

import pytest
from django.test import Client
from wagtail.models import Page

from courses.api import CourseIndexPage, CoursePage, LessonPage, ModulePage, curriculum_import
from courses.models import HomePage
from quizzes.models import Quiz
from tests.conftest import FLAGSHIP_CURRICULUM
from tests.factories import practitioner

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "ru", "kk")
COURSE = "trauma-informed-care"
MODULE = "understanding-trauma-and-return"
LESSON = "coming-home"
QUIZ = "understanding-trauma-and-return-check"

#: English labels of our templates (base.html, the course pages, their panels, the quiz pages and
#: My learning). None of them may show on a Russian or Kazakh page: each is a whole phrase, matched
#: as words, in the visible text and in the labels a screen reader reads (aria-label, title, alt).
ENGLISH_LABELS = (
    "Skip to main content",
    "Menu",
    "Courses",
    "My learning",
    "Log in",
    "Log out",
    "Profile",
    "Browse the courses",
    "Start the course",
    "Enrol to track your progress",
    "Continue",
    "What is left",
    "Leave this course",
    "Modules and lessons",
    "Lessons",
    "Estimated time",
    "Written for",
    "What you will be able to do",
    "Next lesson",
    "Previous lesson",
    "Back to the course overview",
    "Mark this lesson as complete",
    "Mark as complete",
    "Not completed yet",
    "to keep track of your progress",
    "Your progress",
    "Not started",
    "In progress",
    "Completed",
    "Module assessment",
    "Go to the assessment",
    "Start the quiz",
    "Your attempts",
    "Save and continue later",
    "Finish attempt",
    "Your courses",
    "Your certificates",
    "Download the certificate",
    "Certificate check",
    "Holder",
    "Issued by",
    "Issued on",
    "Valid until",
    "Zhusan Academy",
)


def visible_text(page_html: str) -> str:
    """What a reader sees or hears: the text outside tags, scripts and styles, and the values of
    aria-label, title, alt and placeholder attributes; entities decoded, whitespace squeezed."""
    page_html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page_html)
    page_html = re.sub(r"(?s)<!--.*?-->", " ", page_html)
    spoken = re.findall(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', page_html)
    text = re.sub(r"(?s)<[^>]+>", " ", page_html)
    return " ".join(html_module.unescape(" ".join([text, *spoken])).split())


def english_left(text: str) -> list[str]:
    """The known English labels in ``text`` (whole words, case as written)."""
    return [label for label in ENGLISH_LABELS if re.search(rf"\b{re.escape(label)}\b", text)]


@pytest.fixture
def shipped() -> None:
    curriculum_import(path=FLAGSHIP_CURRICULUM)


def pages_in(language: str) -> dict[str, Page]:
    """One page of each type in ``language`` from the shipped curriculum."""
    course = CoursePage.objects.get(slug=COURSE, locale__language_code=language)
    module = ModulePage.objects.child_of(course).get(slug=MODULE)
    return {
        "HomePage": HomePage.objects.get(locale__language_code=language),
        "CourseIndexPage": CourseIndexPage.objects.get(locale__language_code=language),
        "CoursePage": course,
        "ModulePage": module,
        "LessonPage": LessonPage.objects.child_of(module).get(slug=LESSON),
    }


def client_for(reader: str) -> Client:
    client = Client()
    if reader == "practitioner":
        client.force_login(practitioner())
    return client


@pytest.mark.parametrize("reader", ["anonymous", "practitioner"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_renders_in_each_language(
    shipped: None, language: str, reader: str
) -> None:
    client = client_for(reader)
    english = pages_in("en")
    problems = []  # every page is checked, then every problem reported at once
    for kind, page in pages_in(language).items():
        url = page.get_url()
        assert url == english[kind].get_url().replace("/en/", f"/{language}/", 1), kind
        response = client.get(url)
        assert response.status_code == 200, f"{kind} {url}: {response.status_code}"
        body = response.content.decode()
        assert f'<html lang="{language}">' in body, url
        text = visible_text(body)
        if page.title not in text:
            problems.append(f"{kind} {url}: its title {page.title!r} is not shown")
        if language == "en":
            continue
        if page.title == english[kind].title:
            problems.append(f"{kind} {url}: the title {page.title!r} is the English one")
        if left := english_left(text):
            problems.append(f"{kind} {url}: English left: {left}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_quiz_page_shows_the_translated_title(shipped: None, language: str) -> None:
    source = Quiz.objects.get(slug=QUIZ, locale__language_code="en")
    translated = Quiz.objects.get(slug=QUIZ, locale__language_code=language)
    assert translated.title != source.title
    client = client_for("practitioner")
    for quiz in (source, translated):  # either id leads to the reader's language
        response = client.get(f"/{language}/learn/quizzes/{quiz.pk}/")
        assert response.status_code == 200
        text = visible_text(response.content.decode())
        assert translated.title in text
        assert source.title not in text
        assert english_left(text) == [], f"quiz {quiz.pk} in {language}: English left"


def test_the_checks_find_english_labels_and_the_english_title() -> None:
    """The guard itself: a page with an English label or an aria-label in English is caught."""
    page = (
        '<main><h1>Курс</h1><a class="button" href="/">Start the course</a>'  # noqa: RUF001
        '<section aria-label="Your progress"><p>Прогресс</p></section>'
        "<script>var s = 'Log in';</script></main>"
    )
    assert english_left(visible_text(page)) == ["Start the course", "Your progress"]
    assert english_left("Уроки «Lessonsы»") == []  # a word inside another word is not a label
