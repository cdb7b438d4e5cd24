"""CMS > Translations, the quizzes' part (panel ``courses.translation_status``): each quiz and the
questions it lists per locale, missing, up to date or out of date against the source's latest
revision; links to the snippet editor; the same queries whatever the number of quizzes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale

from courses.api import TranslationStatus
from quizzes.models import Question, Quiz
from quizzes.translation_status import quiz_translation_status
from tests.conftest import assert_max_queries
from tests.factories import UserFactory
from tests.factories.quizzes import QuestionFactory, make_quiz

pytestmark = pytest.mark.django_db

URL = "/admin/translations/"
MISSING, UP, OUT, SOURCE = (
    TranslationStatus.MISSING,
    TranslationStatus.UP_TO_DATE,
    TranslationStatus.OUT_OF_DATE,
    TranslationStatus.SOURCE,
)


def saved(obj: Any) -> Any:
    """``obj`` with a new revision (its latest)."""
    obj.save_revision()
    obj.refresh_from_db()
    return obj


def translation(obj: Quiz | Question, language: str, **fields: Any) -> Any:
    """A row in ``language`` sharing ``obj``'s translation key, with a revision."""
    locale = Locale.objects.get(language_code=language)
    if isinstance(obj, Quiz):
        copy = Quiz.objects.create(
            title=fields.get("title", f"{obj.title} ({language})"),
            slug=obj.slug,
            locale=locale,
            translation_key=obj.translation_key,
        )
    else:
        copy = Question.objects.create(
            category=obj.category,
            kind=obj.kind,
            title=fields.get("title", f"{obj.title} ({language})"),
            text=obj.text,
            locale=locale,
            translation_key=obj.translation_key,
        )
    return saved(copy)


def make(questions: int = 2, title: str = "Module 1 quiz") -> tuple[Quiz, list[Question]]:
    listed = [saved(QuestionFactory(title=f"{title}: question {n + 1}")) for n in range(questions)]
    return saved(make_quiz(listed, title=title)), listed


def states(rows: list[Any]) -> dict[str, dict[str, TranslationStatus]]:
    return {row.title: {c.locale.language_code: c.status for c in row.cells} for row in rows}


def test_quizzes_and_their_questions_get_each_status() -> None:
    quiz, questions = make()
    quiz_ru = translation(quiz, "ru")
    translation(questions[0], "ru")
    translation(questions[0], "kk")
    saved(questions[0])  # the source question changes after both translations
    translation(questions[1], "kk")

    status = quiz_translation_status()
    assert [row.title for row in status["quiz_rows"]] == [
        "Module 1 quiz",
        "Module 1 quiz: question 1",
        "Module 1 quiz: question 2",
    ]
    assert [row.kind for row in status["quiz_rows"]] == ["quiz", "question", "question"]
    assert states(status["quiz_rows"]) == {
        "Module 1 quiz": {"en": SOURCE, "ru": UP, "kk": MISSING},
        "Module 1 quiz: question 1": {"en": SOURCE, "ru": OUT, "kk": OUT},
        "Module 1 quiz: question 2": {"en": SOURCE, "ru": MISSING, "kk": UP},
    }
    assert status["quiz_rows"][0].cells[1].object_id == quiz_ru.pk

    saved(quiz)  # out of date until the Russian quiz is saved again
    assert states(quiz_translation_status()["quiz_rows"])["Module 1 quiz"]["ru"] == OUT
    saved(quiz_ru)
    assert states(quiz_translation_status()["quiz_rows"])["Module 1 quiz"]["ru"] == UP

    ru, kk = quiz_translation_status()["quiz_summaries"]  # English holds only sources: no line
    assert (ru.locale.language_code, ru.up_to_date, ru.out_of_date, ru.missing) == ("ru", 1, 1, 1)
    assert (kk.locale.language_code, kk.up_to_date, kk.out_of_date, kk.missing) == ("kk", 1, 1, 1)


def test_questions_no_quiz_lists_come_in_their_own_table() -> None:
    make(questions=1)
    drawn = saved(QuestionFactory(title="Drawn at random"))
    status = quiz_translation_status()
    assert [row.title for row in status["other_question_rows"]] == ["Drawn at random"]
    assert status["other_question_rows"][0].source_id == drawn.pk
    assert "Drawn at random" not in [row.title for row in status["quiz_rows"]]


def test_a_translation_is_not_a_quiz_of_its_own() -> None:
    quiz, _questions = make(questions=0)
    translation(quiz, "kk", title="Модуль 1 тесті")
    assert [row.title for row in quiz_translation_status()["quiz_rows"]] == ["Module 1 quiz"]


def test_the_screen_shows_the_quizzes_with_links_to_the_snippet_editor(client: Client) -> None:
    quiz, questions = make(questions=1)
    quiz_kk = translation(quiz, "kk")
    client.force_login(UserFactory(groups=["Trainer"]))
    html = client.get(URL).content.decode()
    assert "Quizzes and questions" in html
    assert reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz_kk.pk]) in html
    assert reverse("wagtailsnippets_quizzes_question:edit", args=[questions[0].pk]) in html
    translate = reverse(
        "simple_translation:submit_snippet_translation", args=["quizzes", "quiz", quiz.pk]
    )
    assert translate in html  # trainers may start a translation (migration courses.0005)

    # Without simple_translation.submit_translation: the state, but no "Translate" link.
    Group.objects.get(name="Trainer").permissions.remove(
        Permission.objects.get(content_type__app_label="simple_translation")
    )
    client.force_login(UserFactory(groups=["Trainer"]))
    html = client.get(URL).content.decode()
    assert reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz_kk.pk]) in html
    assert translate not in html


def test_translate_needs_the_permission_to_change_quizzes_too(client: Client) -> None:
    quiz, _questions = make(questions=0)
    user = UserFactory(groups=["Course reviewer"])
    user.user_permissions.add(Permission.objects.get(codename="submit_translation"))
    client.force_login(user)
    translate = reverse(
        "simple_translation:submit_snippet_translation", args=["quizzes", "quiz", quiz.pk]
    )
    from quizzes.permissions import can_translate_quizzes

    fresh = type(user).objects.get(pk=user.pk)
    assert can_translate_quizzes(fresh) is fresh.has_perm("quizzes.change_question")
    assert (translate in client.get(URL).content.decode()) is can_translate_quizzes(fresh)


def test_the_screen_says_so_when_there_is_no_quiz(client: Client) -> None:
    client.force_login(UserFactory(groups=["Trainer"]))
    assert "There are no quizzes or questions yet." in client.get(URL).content.decode()


def test_refused_users_see_no_quiz(client: Client) -> None:
    make(questions=1, title="A secret quiz")
    client.force_login(UserFactory(groups=["Ministry"]))
    response = client.get(URL)
    assert response.status_code == 403
    assert "A secret quiz" not in response.content.decode()


def test_the_quizzes_cost_the_same_whatever_their_number(client: Client) -> None:
    quiz, questions = make(questions=2, title="Small")
    translation(quiz, "ru")
    client.force_login(UserFactory(groups=["Trainer"]))
    client.get(URL)  # warm the content type cache
    with assert_max_queries(1000) as few:
        client.get(URL)

    for n in range(3):
        quiz, questions = make(questions=6, title=f"Large {n}")
        translation(quiz, "kk")
        for question in questions:
            translation(question, "ru")
    saved(QuestionFactory(title="Unlisted"))
    with assert_max_queries(1000) as many:
        client.get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)
    with assert_max_queries(4):
        quiz_translation_status()
