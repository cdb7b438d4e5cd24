"""CMS > Translations: which translations of each course exist and which are out of date against
the source's latest revision; who may see the screen; its query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale, Page

from courses.api import CourseIndexPage, CoursePage, LessonPage, ModulePage, TranslationStatus
from courses.permissions import can_see_translations, can_translate_pages
from courses.translation_status import course_translation_status
from tests.accounts.test_permissions import ROLES, sign_in
from tests.conftest import assert_max_queries
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/translations/"
MISSING, UP, OUT, SOURCE = (
    TranslationStatus.MISSING,
    TranslationStatus.UP_TO_DATE,
    TranslationStatus.OUT_OF_DATE,
    TranslationStatus.SOURCE,
)


def published(page: Page) -> Page:
    """``page`` with a new revision, published."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def build_course(lessons: int = 2, title: str = "Working with families") -> dict[str, Any]:
    # The English catalogue (translating with copy_parents makes a Russian or Kazakh one too).
    catalogue = CourseIndexPage.objects.get(slug="courses", locale__language_code="en")
    course = published(CoursePageFactory(title=title, parent=catalogue))
    module = published(ModulePageFactory(parent=course, title="First steps"))
    lesson_pages = [
        published(LessonPageFactory(parent=module, title=f"Lesson {n + 1}")) for n in range(lessons)
    ]
    return {"course": course, "module": module, "lessons": lesson_pages}


def translate(page: Page, language: str) -> Page:
    """A translation of ``page`` as Wagtail's simple translation makes it, published."""
    copy = page.copy_for_translation(Locale.objects.get(language_code=language), copy_parents=True)
    return published(copy)


def states(course: CoursePage) -> dict[str, dict[str, TranslationStatus]]:
    """{row title: {language: status}} for ``course``'s table."""
    [table] = [t for t in course_translation_status() if t.course.source_id == course.pk]
    return {
        row.title: {cell.locale.language_code: cell.status for cell in row.cells}
        for row in table.all_rows
    }


# --- statuses ------------------------------------------------------------------------------------


def test_nothing_translated_is_missing_everywhere() -> None:
    tree = build_course()
    [table] = course_translation_status()
    assert [locale.language_code for locale in table.locales] == ["ru", "kk"]
    assert [(row.title, row.kind) for row in table.all_rows] == [
        ("Working with families", "course"),
        ("First steps", "module"),
        ("Lesson 1", "lesson"),
        ("Lesson 2", "lesson"),
    ]
    assert states(tree["course"])["Lesson 1"] == {"ru": MISSING, "kk": MISSING}
    ru, kk = table.summaries
    assert (ru.up_to_date, ru.out_of_date, ru.missing, ru.total) == (0, 0, 4, 4)
    assert (kk.up_to_date, kk.out_of_date, kk.missing, kk.total) == (0, 0, 4, 4)


def test_a_fresh_translation_is_up_to_date_and_goes_out_of_date_when_the_source_changes() -> None:
    tree = build_course()
    lesson = tree["lessons"][0]
    translation = translate(lesson, "ru")
    assert states(tree["course"])["Lesson 1"] == {"ru": UP, "kk": MISSING}
    # Its parents were made as aliases of theirs (Wagtail's copy_parents): not translations yet.
    assert states(tree["course"])["First steps"]["ru"] == MISSING

    published(lesson)  # the source changes
    assert states(tree["course"])["Lesson 1"] == {"ru": OUT, "kk": MISSING}
    [table] = course_translation_status()
    assert table.all_rows[1].cells[0].alias
    cell = table.all_rows[2].cells[0]
    assert not cell.alias
    assert cell.object_id == translation.pk
    assert cell.source_changed_at == LessonPage.objects.get(pk=lesson.pk).latest_revision.created_at

    published(translation)  # the translator brings it in line
    assert states(tree["course"])["Lesson 1"] == {"ru": UP, "kk": MISSING}


def test_a_draft_of_the_translation_counts_and_a_draft_of_the_source_too() -> None:
    tree = build_course(lessons=1)
    lesson = tree["lessons"][0]
    translation = translate(lesson, "kk")
    lesson.save_revision()  # a draft of the source: its latest revision is newer
    assert states(tree["course"])["Lesson 1"]["kk"] == OUT
    translation.save_revision()  # the translator saves a draft
    assert states(tree["course"])["Lesson 1"]["kk"] == UP


def test_the_summary_counts_each_language() -> None:
    tree = build_course(lessons=3)
    translate(tree["course"], "ru")
    translate(tree["module"], "ru")
    for page in tree["lessons"]:
        translate(page, "ru")
    published(tree["lessons"][2])
    [table] = course_translation_status()
    ru, kk = table.summaries
    # course, module and three lessons: four up to date, one out of date, none missing.
    assert (ru.up_to_date, ru.out_of_date, ru.missing, ru.total) == (4, 1, 0, 5)
    assert (kk.up_to_date, kk.out_of_date, kk.missing) == (0, 0, 5)


def test_only_sources_get_a_table_and_their_rows_stay_in_tree_order() -> None:
    first = build_course(lessons=2, title="First course")
    second = build_course(lessons=1, title="Second course")
    translate(first["lessons"][1], "ru")
    translate(second["lessons"][0], "kk")
    tables = course_translation_status()
    # The Russian and Kazakh copies of the courses are translations, not courses of their own.
    assert [t.course.title for t in tables] == ["First course", "Second course"]
    assert [row.title for row in tables[0].rows] == ["First steps", "Lesson 1", "Lesson 2"]
    assert [row.source_id for row in tables[1].rows] == [
        second["module"].pk,
        second["lessons"][0].pk,
    ]


def test_a_page_first_written_in_another_language_is_the_source_of_its_row() -> None:
    tree = build_course(lessons=1)
    russian_module = translate(tree["module"], "ru")
    # A lesson a Russian-speaking trainer wrote first: it has no English page yet.
    russian_lesson = published(LessonPageFactory(parent=russian_module, title="Урок"))
    rows = states(tree["course"])
    assert rows["Урок"] == {"ru": SOURCE, "kk": MISSING}
    assert ModulePage.objects.filter(translation_key=tree["module"].translation_key).count() == 2
    assert russian_lesson.locale.language_code == "ru"


# --- the screen ----------------------------------------------------------------------------------


def test_the_screen_links_each_state_and_says_what_out_of_date_means(client: Client) -> None:
    tree = build_course(lessons=2)
    translation = translate(tree["lessons"][0], "ru")
    published(tree["lessons"][0])
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(URL).content.decode()
    assert "Working with families" in html
    # The course and module are aliases in Russian (made with the lesson), so missing.
    assert "Russian: 0 of 4 up to date, 1 out of date, 3 missing" in html
    assert "Kazakh: 0 of 4 up to date, 0 out of date, 4 missing" in html
    assert "latest revision is newer than the translation" in html
    assert reverse("wagtailadmin_pages:edit", args=[translation.pk]) in html
    assert "source changed" in html
    lesson_2 = tree["lessons"][1]
    assert reverse("simple_translation:submit_page_translation", args=[lesson_2.pk]) in html
    alias = ModulePage.objects.get(alias_of=tree["module"])
    assert reverse("wagtailadmin_pages:convert_alias", args=[alias.pk]) in html


def test_translate_links_only_for_those_who_may_start_a_translation(client: Client) -> None:
    tree = build_course(lessons=1)
    trainer = UserFactory(groups=["Trainer"])
    link = reverse("simple_translation:submit_page_translation", args=[tree["lessons"][0].pk])
    # Trainers have simple_translation.submit_translation (migration courses.0005) …
    client.force_login(trainer)
    html = client.get(URL).content.decode()
    assert "Missing" in html
    assert link in html
    # … and without it the screen shows the state but no "Translate" link.
    Group.objects.get(name="Trainer").permissions.remove(
        Permission.objects.get(content_type__app_label="simple_translation")
    )
    trainer = type(trainer).objects.get(pk=trainer.pk)  # forget the cached permissions
    client.force_login(trainer)
    html = client.get(URL).content.decode()
    assert "Missing" in html
    assert link not in html


def test_the_screen_says_so_when_there_is_no_course(client: Client) -> None:
    client.force_login(UserFactory(groups=["Course reviewer"]))
    assert "There are no courses yet." in client.get(URL).content.decode()


def test_the_screen_reads_in_russian(client: Client) -> None:
    build_course(lessons=1)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(URL, headers={"accept-language": "ru"})
    assert response.status_code == 200


# --- who may see it --------------------------------------------------------------------------------

SEE = {"Trainer", "Course reviewer", "admin"}
CMS_USERS = SEE | {"Ministry"}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_role_against_the_screen(client: Client, role: str | None) -> None:
    build_course(lessons=1)
    sign_in(client, role)
    response = client.get(URL)
    if role in SEE:
        assert response.status_code == 200
        assert "Working with families" in response.content.decode()
    elif role in CMS_USERS:  # the ministry uses the CMS, but not for courses
        assert response.status_code == 403
        html = response.content.decode()
        assert "You do not have permission to see the state of translations" in html
        assert "Working with families" not in html
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_the_menu_shows_the_screen_to_those_who_may_see_it(
    client: Client, role: str | None
) -> None:
    if role not in CMS_USERS:
        return  # no CMS, no menu
    sign_in(client, role)
    html = client.get("/admin/").content.decode()
    assert (URL in html) is (role in SEE)


@pytest.mark.parametrize(
    ("capability", "allowed"),
    [(can_see_translations, SEE), (can_translate_pages, SEE)],
    ids=["can_see_translations", "can_translate_pages"],
)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_capability(client: Client, capability: Any, allowed: set[str], role: str | None) -> None:
    from django.contrib.auth.models import AnonymousUser

    sign_in(client, role)
    user = client.get("/en/").wsgi_request.user if role else AnonymousUser()
    assert capability(user) is (role in allowed)


# --- queries ---------------------------------------------------------------------------------------


def page_queries(client: Client) -> int:
    with assert_max_queries(1000) as context:
        response = client.get(URL)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_screen_costs_the_same_whatever_the_number_of_pages(client: Client) -> None:
    small = build_course(lessons=2, title="Small")
    for page in small["lessons"]:
        translate(page, "ru")
    client.force_login(UserFactory(groups=["Trainer"]))
    page_queries(client)  # warm the content type cache
    few = page_queries(client)

    large = build_course(lessons=6, title="Large")
    for page in large["lessons"]:
        translate(page, "kk")
    published(large["lessons"][3])
    build_course(lessons=6, title="Another")
    many = page_queries(client)
    assert many == few
    with assert_max_queries(2):
        course_translation_status()
