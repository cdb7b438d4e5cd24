"""The course page says what the course leads to before any certificate is issued (slot
``courses.course_award``, ``certification.panels_course``)."""

from __future__ import annotations

import pytest
from django.test import Client

from certification.models import TrackRequirement
from tests.conftest import assert_max_queries
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, practitioner
from tests.factories.certification import TrackFactory

pytestmark = pytest.mark.django_db


def course_url(**kwargs: object) -> tuple[object, str]:
    course = CoursePageFactory(**kwargs)
    LessonPageFactory(parent=ModulePageFactory(parent=course))
    return course, str(course.url)


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_course_that_alone_earns_a_certificate_says_so(client: Client) -> None:
    course, url = course_url()
    track = TrackFactory(name="Psychosocial support", validity_months=24)
    TrackRequirement.objects.create(track=track, course=course)
    page = html(client, url)
    assert "Completing this course earns the certificate “Psychosocial support”." in page
    assert "It is valid for 24 months." in page


def test_a_course_among_several_counts_towards_the_certificate(client: Client) -> None:
    course, url = course_url()
    other, _ = course_url()
    track = TrackFactory(name="Working with families", validity_months=1)
    TrackRequirement.objects.create(track=track, course=course, specialty="psychologist")
    TrackRequirement.objects.create(track=track, course=other)
    page = html(client, url)
    assert (
        "This course counts towards the certificate “Working with families”, with 1 other course."
        in page
    )
    assert "It is valid for 1 month." in page
    assert "Required for: Psychologist." in page


def test_no_line_without_an_active_track(client: Client) -> None:
    course, url = course_url()
    TrackRequirement.objects.create(track=TrackFactory(active=False), course=course)
    page = html(client, url)
    assert "certificate" not in page.split("<main")[1].split("</main>")[0].lower()


def test_the_award_costs_one_query_whatever_the_tracks(client: Client) -> None:
    client.force_login(practitioner())  # rendered, not from the anonymous page cache
    course, url = course_url()
    html(client, url)
    with assert_max_queries(100) as none:
        html(client, url)
    for _ in range(3):
        TrackRequirement.objects.create(track=TrackFactory(), course=course)
    html(client, url)
    with assert_max_queries(100) as three:
        html(client, url)
    assert len(three.captured_queries) == len(none.captured_queries) > 0
    assert html(client, url).count("earns the certificate") == 3
