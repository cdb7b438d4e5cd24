"""A practitioner signs in on a phone, completes a lesson, and finds it on My learning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import PHONE, check_page, shows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_complete_a_lesson_and_see_progress(
    page_for: Any,
    site: str,
    axe_source: str,
    screenshot_dir: Path,
) -> None:
    from tests.factories import UserFactory

    UserFactory(username="aigerim", first_name="Aigerim", groups=["Practitioner"])
    page = page_for(PHONE)
    page.goto(f"{site}/en/accounts/login/")
    page.get_by_label("Username").fill("aigerim")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Log in").click()
    # First sign-in: the profile comes first.
    page.wait_for_url("**/en/learn/profile/**")
    check_page(page, axe_source, "09-profile-first-time-phone", screenshot_dir)
    page.get_by_label("Specialty").select_option("school_staff")
    page.get_by_label("Region").select_option("KZ-79")
    page.get_by_label("Organisation").fill("A school (fictional)")
    page.get_by_label("Preferred language").select_option("kk")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/en/learn/")
    assert "You are not taking a course yet." in page.locator("main").inner_text()

    page.goto(f"{site}/en/courses/trauma-informed-care/")
    page.get_by_role("button", name="Enrol to track your progress").click()
    # 20 lessons and 5 assessments (four module checks and the final)
    assert "0 of 25 done" in page.locator("main").inner_text()
    check_page(page, axe_source, "10-course-enrolled-phone", screenshot_dir)

    page.get_by_role("link", name="Continue", exact=True).click()
    page.wait_for_url("**/coming-home/")
    page.get_by_role("button", name="Mark this lesson as complete").click()
    # Confirmed in place (static/js/lesson.js).
    page.locator("#progress").get_by_text("Lesson completed.").wait_for()
    check_page(page, axe_source, "11-lesson-completed-phone", screenshot_dir)

    page.goto(f"{site}/en/learn/")
    text = page.locator("main").inner_text()
    assert "1 of 25 done (4%)" in text
    assert "What long danger, loss and displacement do" in text  # where to continue
    check_page(page, axe_source, "12-my-learning-phone", screenshot_dir)


def test_trainer_reads_the_cohort_table(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from courses.api import CoursePage, LessonPage
    from learners.api import (
        Cohort,
        cohort_add_member,
        cohort_assign_course,
        lesson_progress_complete,
    )
    from tests.factories import UserFactory, practitioner

    trainer = UserFactory(username="trainer-a", groups=["Trainer"])
    cohort = Cohort.objects.create(name="Almaty social workers (demo)")
    cohort.trainers.add(trainer)
    for slug, days in (("trauma-informed-care", 30), ("sample-course", -2)):
        due = timezone.localdate() + timedelta(days=days)
        cohort_assign_course(
            cohort=cohort,
            course=CoursePage.objects.get(slug=slug, locale__language_code="en"),
            due_date=due,
        )
    for name in ("Aigerim", "Bota", "Dinara"):
        user = practitioner(first_name=name, last_name="Example")
        cohort_add_member(cohort=cohort, user=user)
    first = cohort.members.get(first_name="Aigerim")
    lesson_progress_complete(
        user=first, lesson=LessonPage.objects.get(slug="coming-home", locale__language_code="en")
    )

    page = page_for(PHONE)
    page.goto(f"{site}/en/accounts/login/")
    page.get_by_label("Username").fill("trainer-a")
    page.get_by_label("Password").fill("a-long-test-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/learn/cohorts/")  # a trainer lands on their cohorts
    page.get_by_role("link", name="Almaty social workers (demo)").click()
    shows(page.locator("table"), "Aigerim Example")
    table = page.locator("table").inner_text()
    assert "Aigerim Example" in table
    assert "4%" in table  # 1 of 20 lessons and 5 assessments
    assert "overdue" in table
    check_page(page, axe_source, "13-cohort-table-phone", screenshot_dir)
    page.get_by_role("link", name="Aigerim Example").click()
    shows(page.locator("main"), "1 of 25 done (4%)")
    check_page(page, axe_source, "14-cohort-member-phone", screenshot_dir)
