"""A trainer who reads the CMS in Russian opens Translations on a phone and at a desk: the shipped
and sample courses with a lesson translated, one out of date, and a quiz changed after its translations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_trainer_sees_the_state_of_translations_in_russian(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from wagtail.models import Locale
    from wagtail.users.models import UserProfile

    from courses.api import LessonPage
    from quizzes.models import Quiz
    from tests.factories import UserFactory

    russian = Locale.objects.get(language_code="ru")
    english = LessonPage.objects.filter(locale__language_code="en").order_by("path")
    translated = LessonPage.objects.filter(locale=russian).values("translation_key")
    untranslated = list(english.exclude(translation_key__in=translated)[:2])
    for lesson in untranslated:
        lesson.copy_for_translation(russian, copy_parents=True).save_revision().publish()
    lessons = list(english.filter(translation_key__in=translated)[:2])
    lessons[1].save_revision().publish()  # the source changes after its translation
    quiz = Quiz.objects.filter(locale__language_code="en").order_by("pk").first()
    if quiz is not None:
        quiz.save_revision()  # its translations (shipped) are now out of date
    trainer = UserFactory(username="trainer-t", groups=["Trainer"])
    UserProfile.get_for_user(trainer).__class__.objects.filter(user=trainer).update(
        preferred_language="ru"
    )

    for viewport, name in ((PHONE, "60-translations-ru-phone"), (DESKTOP, "61-translations-ru")):
        page = page_for(viewport)
        sign_in_to_cms(page, site, "trainer-t", "/admin/translations/")
        main = page.locator("main")
        text = main.inner_text()
        assert lessons[0].title in text
        assert page.locator("html").get_attribute("lang") == "ru"
        check_page(page, axe_source, name, screenshot_dir)
    # The quizzes' table (the panel quizzes adds), below the courses.
    quizzes = page.locator("#quiz-translations")
    quizzes.scroll_into_view_if_needed()
    assert quizzes.is_visible()
    page.screenshot(path=str(screenshot_dir / "62-translations-quizzes-ru.png"))
