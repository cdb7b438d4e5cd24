"""My learning, certification panel: each certificate reads as it truly is today (certified,
expiring soon, expired on, revoked on with whom to contact), and the certifications the learner is
working towards show how many of their courses are done and which are left; the queries do not
grow with the number of tracks and certificates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from certification.models import Certificate, CertificationTrack, TrackRequirement
from certification.selectors import my_certifications
from certification.services import certificate_revoke
from learners.api import enrollment_create, lesson_progress_complete
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    practitioner,
)
from tests.factories.certification import CertificateFactory, TrackFactory

pytestmark = pytest.mark.django_db


def day(value: Any) -> str:
    return date_format(value, "j F Y")


def course(title: str, lessons: int = 2) -> Any:
    page = CoursePageFactory(title=title)
    module = ModulePageFactory(parent=page)
    made = [LessonPageFactory(parent=module) for _ in range(lessons)]
    return type(page).objects.get(pk=page.pk), made


def track_of(name: str, *courses: Any, **fields: Any) -> CertificationTrack:
    track = TrackFactory(name=name, **fields)
    for page in courses:
        TrackRequirement.objects.create(track=track, course=page)
    return track


def my_learning(client: Client, user: Any) -> str:
    client.force_login(user)
    response = client.get("/en/learn/")
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.fixture
def learner() -> Any:
    return practitioner(first_name="Айгерім", last_name="Нұрланова")


def test_a_revoked_certificate_says_revoked_on_its_date_and_whom_to_contact(
    client: Client, learner: Any, settings: Any
) -> None:
    settings.CERTIFICATE_CONTACT_EMAIL = "certificates@academy.example.kz"
    certificate = CertificateFactory(user=learner)
    certificate_revoke(
        certificate=certificate, by=UserFactory(groups=["Ministry"]), reason="Issued in error"
    )
    html = my_learning(client, learner)
    assert f"Revoked on {day(timezone.localdate())}</strong>" in html
    assert "This certificate is no longer valid." in html
    assert 'href="mailto:certificates@academy.example.kz"' in html
    assert "Issued in error" not in html  # the reason is not shown
    assert "valid until" not in html.lower()  # never "Revoked · valid until …"
    assert "Download the certificate (PDF)" not in html
    assert "Download a copy marked “Revoked” (PDF)" in html


def test_without_a_contact_address_the_issuing_body_is_named(
    client: Client, learner: Any, settings: Any
) -> None:
    settings.CERTIFICATE_CONTACT_EMAIL = ""
    certificate = CertificateFactory(user=learner, track__issuing_body="Zhusan Academy")
    certificate_revoke(certificate=certificate, by=UserFactory(groups=["Ministry"]), reason="x")
    html = my_learning(client, learner)
    assert "To ask about it, contact Zhusan Academy, which issued it." in html


def test_certified_expiring_and_expired_read_truthfully(client: Client, learner: Any) -> None:
    today = timezone.localdate()
    certified = CertificateFactory(user=learner, track__name="Track certified")
    expiring = CertificateFactory(
        user=learner, track__name="Track expiring", expires_on=today + timedelta(days=20)
    )
    expired = CertificateFactory(
        user=learner, track__name="Track expired", expires_on=today - timedelta(days=2)
    )
    html = my_learning(client, learner)
    assert f"Certified</span> Valid until {day(certified.expires_on)}." in html
    assert f"Expiring soon</span> Certified, valid until {day(expiring.expires_on)}." in html
    assert f"Expired on {day(expired.expires_on)}</strong>" in html
    assert "Download a copy marked “Expired” (PDF)" in html
    assert html.count("Renewal is open.") == 2  # the expiring and the expired one


def test_working_towards_shows_what_is_left_for_each_track(client: Client, learner: Any) -> None:
    care, care_lessons = course("Trauma-informed care")
    children, _ = course("Talking with children")
    stigma, _ = course("Stigma reduction")
    track_of("Psychosocial support", care, children)
    track_of("Community preparation", stigma)  # not started: not shown
    enrollment_create(user=learner, course=care)
    lesson_progress_complete(user=learner, lesson=care_lessons[0])
    html = my_learning(client, learner)
    assert "Certifications you are working towards" in html
    assert "Psychosocial support" in html
    assert "0 of 2 courses done" in html
    assert 'Trauma-informed care</a> <span class="muted">(50% done' in html
    assert 'Talking with children</a> <span class="muted">(not started)' in html
    assert "Community preparation" not in html

    lesson_progress_complete(user=learner, lesson=care_lessons[1])
    html = my_learning(client, learner)
    assert "1 of 2 courses done" in html
    assert "Trauma-informed care</a>" not in html.split("Left to do:")[1].split("</ul>")[0]


def test_a_track_whose_courses_are_done_says_the_certificate_is_coming(
    client: Client, learner: Any
) -> None:
    care, lessons = course("Trauma-informed care", lessons=1)
    track = track_of("Psychosocial support", care, active=False)  # issues nothing
    enrollment_create(user=learner, course=care)
    lesson_progress_complete(user=learner, lesson=lessons[0])
    assert "Psychosocial support" not in my_learning(client, learner)  # inactive: not offered
    track.active = True  # as the admin saves it (a signal moves the page memo on)
    track.save()
    html = my_learning(client, learner)
    assert "1 of 1 course done" in html
    assert "Your certificate is being issued" in html


def test_a_held_track_is_not_also_worked_towards(client: Client, learner: Any) -> None:
    care, _ = course("Trauma-informed care")
    track = track_of("Psychosocial support", care)
    enrollment_create(user=learner, course=care)
    CertificateFactory(user=learner, track=track)
    html = my_learning(client, learner)
    assert "Certifications you are working towards" not in html
    assert "Your certificates" in html


def test_specialty_courses_count_only_for_that_specialty(learner: Any) -> None:
    care, _ = course("Trauma-informed care")
    school, _ = course("Working with schools")
    track = track_of("Psychosocial support", care)
    TrackRequirement.objects.create(track=track, course=school, specialty="school_staff")
    enrollment_create(user=learner, course=care)  # a psychologist
    (progress,) = my_certifications(user=learner).working_towards
    assert [c.course.title for c in progress.courses] == ["Trauma-informed care"]


def test_nothing_is_shown_to_a_learner_with_neither(client: Client, learner: Any) -> None:
    html = my_learning(client, learner)
    assert "Your certificates" not in html
    assert "Certifications you are working towards" not in html


def _queries(user: Any) -> int:
    """Cold: with the page memo (tracks' required courses, course structures) emptied."""
    from core.api import invalidate_page_cache

    invalidate_page_cache()
    with CaptureQueriesContext(connection) as captured:
        overview = my_certifications(user=user)
        # What the template reads, too.
        for card in overview.certificates:
            _ = (card.certificate.track.name, card.state, card.ended_on)
        for progress in overview.working_towards:
            _ = [(c.course.title, c.completion.percent) for c in progress.courses]
    return len(captured.captured_queries)


def _add(user: Any, n: int, offset: int) -> None:
    """``n`` tracks worked towards (one course each, enrolled) and ``n`` certificates held
    (certified and revoked, none in its renewal window)."""
    for i in range(n):
        page, _ = course(f"Course {offset + i}")
        track_of(f"Working {offset + i}", page)
        enrollment_create(user=user, course=page)
        certificate = CertificateFactory(user=user)
        if i % 3 == 1:
            Certificate.objects.filter(pk=certificate.pk).update(
                status="revoked", revoked_at=timezone.now()
            )


def test_the_queries_do_not_grow_with_tracks_and_certificates(learner: Any) -> None:
    _add(learner, 2, 0)
    few = _queries(learner)
    _add(learner, 6, 100)
    overview = my_certifications(user=learner)
    assert (len(overview.certificates), len(overview.working_towards)) == (8, 8)
    assert _queries(learner) == few
