"""Issue #13, the screens a practitioner meets, in Kazakh and Russian on a phone (375 px), and once
in Kazakh on a desktop: the catalogue, a lesson, a quiz attempt (one question answered), My
learning and /verify/ with a real certificate code.

Each screen is checked by ``check_page`` (axe, no sideways scrolling, a screenshot in
test-artifacts/screenshots/languages-<language>-<width>-<screen>.png), and must show none of the
English labels of our templates (``tests.courses.test_languages.ENGLISH_LABELS``). The
screenshots are for a person to look at too: long Kazakh words, leftover English.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, settled, sign_in
from tests.courses.test_languages import english_left

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "trauma-informed-care"
MODULE = "understanding-trauma-and-return"
LESSON = "coming-home"

#: What a reader sees or hears on the page: its text, and the labels a screen reader reads.
READ = """() => [document.title, document.body.innerText,
    ...[...document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')].flatMap(
        (e) => ['aria-label', 'title', 'alt', 'placeholder'].map((a) => e.getAttribute(a) || ''))
].join(' ')"""


def practitioner_in(language: str) -> Any:
    """A practitioner whose profile's language is ``language``, holding a valid certificate of the
    shipped track; returns the certificate."""
    from certification.models import CertificationTrack
    from certification.tracks_file import tracks_import
    from learners.models import Profile
    from tests.conftest import FLAGSHIP, shipped_tracks_for
    from tests.factories import practitioner
    from tests.factories.certification import CertificateFactory

    tracks_import(path=shipped_tracks_for({FLAGSHIP}, Path(tempfile.mkdtemp())))
    user = practitioner(
        username=f"reader-{language}", first_name="Гүлнара", last_name="Сейітқызы-Әбдірахманова"
    )
    Profile.objects.filter(user=user).update(preferred_language=language)
    return CertificateFactory(
        user=user,
        track=CertificationTrack.objects.get(slug="psychosocial-support-for-returnee-families"),
        holder_name=user.get_full_name(),
    )


def screen(page: Any, axe_source: str, screenshot_dir: Path, name: str) -> list[str]:
    """Check the screen (axe, width) and save its screenshot; returns the English labels on it
    (the walk goes on, so that every screen is saved, and fails at its end)."""
    settled(page)
    # Saved first as well, so that a screen that fails a check can still be looked at.
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
    check_page(page, axe_source, name, screenshot_dir)
    left = english_left(page.evaluate(READ))
    return [f"{name}: English left: {left}"] if left else []


def walk(page: Any, site: str, language: str, tag: str, axe_source: str, folder: Path) -> None:
    from courses.api import CoursePage, LessonPage
    from quizzes.models import Attempt

    certificate = practitioner_in(language)
    course = CoursePage.objects.get(slug=COURSE, locale__language_code=language)
    lesson = LessonPage.objects.descendant_of(course).get(slug=LESSON)
    name = f"languages-{language}-{tag}"
    sign_in(page, site, certificate.user.username, lands_on=f"**/{language}/**")
    english: list[str] = []

    page.goto(f"{site}/{language}/courses/")
    assert course.title in page.locator("main").inner_text()
    english += screen(page, axe_source, folder, f"{name}-1-catalogue")

    page.goto(f"{site}{lesson.url}")
    assert lesson.title in page.locator("h1").inner_text()
    english += screen(page, axe_source, folder, f"{name}-2-lesson")

    page.goto(f"{site}/{language}/courses/{COURSE}/{MODULE}/")
    page.locator("main a[href*='/learn/quizzes/']").first.click()
    page.wait_for_url("**/learn/quizzes/*/**")
    page.locator("form[action*='/start/'] button[type=submit]").click()
    page.wait_for_url("**/attempts/*/**")
    revision = page.locator("form.quiz-form input[name=revision]").input_value()
    first = page.locator("#question-1")  # questions are shuffled: any type may come first
    choice = first.locator("input[type=radio], input[type=checkbox]")
    if choice.count():
        choice.first.check()
    elif first.locator("select").count():
        first.locator("select").first.select_option(index=1)
    else:
        first.locator("input[type=text], input[type=number], input:not([type])").first.fill("1")
    # quiz.js autosaves the answer: the form's revision moves on.
    page.wait_for_function(
        "(old) => document.querySelector('form.quiz-form input[name=revision]').value !== old",
        arg=revision,
    )
    answer = Attempt.objects.get(user=certificate.user).answers.get(position=1)
    assert answer.question is not None
    assert answer.question.locale.language_code == language  # asked in the page's language
    assert answer.response not in (None, "", [], {})
    english += screen(page, axe_source, folder, f"{name}-3-quiz-attempt")

    page.goto(f"{site}/{language}/learn/")
    main = page.locator("main").inner_text()
    assert certificate.track.text_in("name", language) in main
    english += screen(page, axe_source, folder, f"{name}-4-my-learning")

    page.goto(f"{site}/verify/{certificate.code}/")
    assert page.locator("html").get_attribute("lang") == language
    assert certificate.holder_name in page.locator("main").inner_text()
    english += screen(page, axe_source, folder, f"{name}-5-verify")
    assert not english, "\n".join(english)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_screens_on_a_phone(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path, language: str
) -> None:
    walk(page_for(PHONE), site, language, "phone", axe_source, screenshot_dir)


def test_the_screens_on_a_desktop_in_kazakh(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    walk(page_for(DESKTOP), site, "kk", "desktop", axe_source, screenshot_dir)
