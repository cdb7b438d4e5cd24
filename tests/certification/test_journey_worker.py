"""The whole way to a certificate, over HTTP as the learner takes it, with the issuing task run by
Celery: eagerly in-process (in every run, SQLite or PostgreSQL), and by a real worker on Redis
(``make test-postgres``, which starts one with ``scripts/with-worker.sh``; skipped without
``CELERY_BROKER_URL``).

A practitioner signs in, enrols in the courses an active track requires of their specialty,
follows "What is left?" to every required lesson and the required module quiz, and completes
them. Each completion queues ``certification.issue_for_user``; the test waits (at most a minute)
for the certificate, then for every queued task to finish, and checks there is exactly one. The
learner then finds it in My learning, downloads the PDF, reads their name, the certification and
the dates in it, decodes its QR code to exactly the verification URL and opens that page.

A worker has its own database connection and cannot see a test's uncommitted rows, so these
tests are transactional and build their data committed (``sample_course_committed``).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from celery.result import AsyncResult, EagerResult
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from certification.dates import add_months
from certification.models import Certificate, CertificationTrack, TrackRequirement
from certification.tasks import issue_for_user
from courses.api import CoursePage, LessonPage
from curriculum.celery import app
from learners.api import lesson_progress_complete
from quizzes.models import Attempt, QuestionType, Quiz
from tests.certification.helpers import pdf_text, qr_codes
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    ProfileFactory,
    UserFactory,
)
from tests.factories.quizzes import make_question, make_quiz, place_on_module
from tests.quizzes.helpers import form, right

pytestmark = pytest.mark.django_db(transaction=True)

#: The holder's name has all nine letters Kazakh adds to the Russian alphabet.
FIRST_NAME, LAST_NAME = "Әйгерім Шаһизада", "Құрманғалиқызы-Өтеңгүл"
HOLDER = f"{FIRST_NAME} {LAST_NAME}"
PASSWORD = "a-long-test-password-1"  # UserFactory's
TRACK = "Psychosocial support for returnee families"
WAIT_SECONDS = 60

needs_worker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL"
)


@dataclass
class Journey:
    learner: Any
    track: CertificationTrack
    required: list[CoursePage]  # what the track asks of the learner's specialty, in order
    quiz: Quiz


@pytest.fixture(params=["eager", pytest.param("worker", marks=[pytest.mark.worker, needs_worker])])
def celery_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """``eager``: tasks run in the request that queues them (on PostgreSQL runs too, where a
    broker is configured, by switching Celery to eager for the test). ``worker``: they go through
    Redis to the worker ``scripts/with-worker.sh`` started."""
    previous = app.conf.task_always_eager
    if request.param == "eager":
        app.conf.task_always_eager = True
    elif previous:
        pytest.fail("CELERY_BROKER_URL is set but Celery runs tasks eagerly")
    yield request.param
    app.conf.task_always_eager = previous


@pytest.fixture
def queued() -> Iterator[list[AsyncResult]]:
    """The results of every ``issue_for_user`` the test queues (through the signal or itself), to
    wait for and inspect."""
    results: list[AsyncResult] = []
    deliver = issue_for_user.delay

    def record(*args: Any, **kwargs: Any) -> AsyncResult:
        result = deliver(*args, **kwargs)
        results.append(result)
        return result

    with mock.patch.object(issue_for_user, "delay", side_effect=record):
        yield results


@pytest.fixture
def journey(sample_course_committed: CoursePage) -> Journey:
    """A social worker, and an active track requiring the sample course (three lessons, no quiz)
    and a course whose module ends with a required quiz; a third course is required of police
    and probation officers only, which this learner never opens."""
    families = CoursePageFactory(title="Working with families after return", version="1.3")
    module = ModulePageFactory(parent=families, title="First meetings")
    LessonPageFactory(parent=module, title="Before the first visit")
    quiz = make_quiz(
        [make_question(QuestionType.TRUE_FALSE), make_question(QuestionType.SINGLE_CHOICE)],
        title="First meetings: check",
    )
    place_on_module(quiz, module)
    probation = CoursePageFactory(title="Probation and return")
    LessonPageFactory(parent=ModulePageFactory(parent=probation))

    track = CertificationTrack.objects.create(name=TRACK, slug="psychosocial", validity_months=24)
    for order, (course, specialty) in enumerate(
        [(sample_course_committed, ""), (probation, "police_probation"), (families, "")]
    ):
        TrackRequirement.objects.create(
            track=track, course=course, specialty=specialty, sort_order=order
        )
    learner = UserFactory(
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        email="aigerim.k@example.org",
        groups=["Practitioner"],
    )
    ProfileFactory(user=learner, specialty="social_worker", region="KZ-71")
    return Journey(learner, track, [sample_course_committed, families], quiz)


# --- the learner's steps, over HTTP --------------------------------------------------------------


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def redirected(response: Any) -> str:
    assert response.status_code == 302, response.status_code
    return str(response["Location"])


def sign_in(client: Client, username: str) -> None:
    response = client.post("/en/accounts/login/", {"username": username, "password": PASSWORD})
    assert redirected(response) == "/en/home/"  # each role's home (curriculum.views.home)
    assert redirected(client.get("/en/home/")) == "/en/learn/"


def what_is_left(client: Client, course: CoursePage) -> list[str]:
    """The links "What is left?" gives to the items still missing in ``course``."""
    html = page(client, reverse("learners:what_is_left", args=[course.pk]))
    missing = html.split("What is left?</h1>", 1)[1]
    return [href.replace("&amp;", "&") for href in re.findall(r'<li><a href="([^"]+)"', missing)]


def complete_lesson(client: Client, url: str) -> None:
    """Open the lesson and press its complete button (a form posting to the complete URL)."""
    action = re.search(
        r'<form method="post" action="(/en/learn/lessons/\d+/complete/)"', page(client, url)
    )
    assert action, f"no complete button on {url}"
    assert redirected(client.post(action[1], {"next": url}))


def pass_quiz(client: Client, url: str) -> None:
    """Open the quiz, start an attempt, answer every question right and submit."""
    assert "Start the quiz" in page(client, url)
    quiz_path, _, query = url.partition("?")
    attempt_url = redirected(client.post(f"{quiz_path}start/?{query}"))
    found = re.search(r"/attempts/(\d+)/", attempt_url)
    assert found, attempt_url
    attempt = Attempt.objects.get(pk=int(found[1]))
    assert "Answered 0 of 2." in page(client, attempt_url)
    submit = attempt_url.replace(f"/{attempt.pk}/", f"/{attempt.pk}/submit/")
    review = redirected(client.post(submit, form(attempt, right, with_answers="1")))
    assert "passed" in page(client, review)


def complete_what_is_left(client: Client, course: CoursePage) -> None:
    """Enrol, then do every item "What is left?" lists, until nothing is left."""
    assert redirected(client.post(reverse("learners:enrol", args=[course.pk])))
    links = what_is_left(client, course)
    assert links, f"nothing to do in {course.title}"
    for url in links:
        if "/learn/quizzes/" in url:
            pass_quiz(client, url)
        else:
            complete_lesson(client, url)
    html = page(client, reverse("learners:what_is_left", args=[course.pk]))
    assert "You have completed everything this course asks for." in html


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {WAIT_SECONDS} s waiting for {what}")
        time.sleep(0.2)


def finished(results: list[AsyncResult]) -> list[Any]:
    """Wait for every queued task and return what each returned (failing on any error)."""
    wait_until(lambda: all(r.ready() for r in results), "the queued tasks to finish")
    return [r.get(timeout=1) for r in results]


def day(value: date) -> str:
    with translation.override("en"):
        return date_format(value, "j E Y")


# --- the journey ---------------------------------------------------------------------------------


def test_the_learner_earns_downloads_and_verifies_a_certificate(
    celery_mode: str, queued: list[AsyncResult], journey: Journey, tmp_path: Path
) -> None:
    """Completing what the track requires over HTTP issues exactly one certificate (though every
    completion queued the task), which My learning lists, the PDF shows with the holder's Kazakh
    name and the dates, and whose QR code opens a verification page saying it is valid."""
    learner, started_on = journey.learner, timezone.localdate()
    client = Client()
    sign_in(client, learner.username)
    for course in journey.required:
        complete_what_is_left(client, course)

    # Four lessons and one quiz passed: five tasks queued, each after its row was committed.
    assert len(queued) == 5
    assert all(isinstance(r, EagerResult) == (celery_mode == "eager") for r in queued)
    wait_until(
        lambda: Certificate.objects.filter(user=learner).exists(), "the certificate to be issued"
    )
    returned = finished(queued)
    assert Certificate.objects.count() == 1
    certificate = Certificate.objects.get(user=learner)
    # Tasks queued before the last completion may have run before or after it.
    assert set(map(tuple, returned)) <= {(), (certificate.pk,)}
    assert returned[-1] == [certificate.pk]
    assert (certificate.track, certificate.sequence, certificate.holder_name) == (
        journey.track,
        1,
        HOLDER,
    )
    assert started_on <= certificate.issued_on <= timezone.localdate()
    assert certificate.expires_on == add_months(certificate.issued_on, 24)
    assert set(certificate.course_versions) == {str(c.pk) for c in journey.required}

    # My learning lists it with its download link and its verification address.
    html = page(client, "/en/learn/")
    assert "Your certificates" in html and TRACK in html
    download = f"/en/learn/certificates/{certificate.pk}/certificate.pdf"
    verification = reverse("certification:verify", args=[certificate.code])
    assert f'href="{download}"' in html and f'href="{verification}"' in html

    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.content)
    text = pdf_text(pdf)
    for expected in (
        HOLDER,
        TRACK,
        f"Issued on {day(certificate.issued_on)}",
        f"Valid until {day(certificate.expires_on)}",
        certificate.code,
        "A sample course for tests (version 2.1)",
        "Working with families after return (version 1.3)",
    ):
        assert expected in text, expected
    assert "Probation and return" not in text

    codes = qr_codes(pdf, tmp_path)
    url = settings.SITE_URL.rstrip("/") + verification
    assert [code.text for code in codes] == [url]

    checked = page(Client(), urlsplit(url).path)  # anyone, signed in or not
    for expected in ("Valid", HOLDER, TRACK, day(certificate.expires_on)):
        assert expected in checked, expected
    assert learner.email not in checked


@pytest.mark.worker
@needs_worker
@pytest.mark.parametrize("celery_mode", ["worker"], indirect=True)
def test_tasks_racing_on_the_real_worker_issue_one_certificate(
    celery_mode: str, queued: list[AsyncResult], journey: Journey
) -> None:
    """Eight tasks queued at once for a learner who has just become eligible (the track was
    inactive while they completed everything) run on the worker's two processes side by side
    and still issue one certificate, which each of them returns.

    Whether two of them meet at the insert depends on timing; ``test_concurrency`` forces that
    race. This one checks the worker's processes: a task that is not idempotent fails here."""
    learner, track = journey.learner, journey.track
    CertificationTrack.objects.filter(pk=track.pk).update(active=False)
    for course in journey.required:
        for lesson in LessonPage.objects.live().descendant_of(course):
            lesson_progress_complete(user=learner, lesson=lesson)
    client = Client()
    client.force_login(learner)
    pass_quiz(client, reverse("quizzes:quiz", args=[journey.quiz.pk]))
    # Lessons of courses only an inactive track requires queue nothing; the quiz pass queues
    # one task, which issues nothing on an inactive track.
    assert finished(queued) == [[]]
    queued.clear()

    CertificationTrack.objects.filter(pk=track.pk).update(active=True)
    for _ in range(8):
        issue_for_user.delay(learner.pk)
    returned = finished(queued)
    assert Certificate.objects.count() == 1
    certificate = Certificate.objects.get(user=learner)
    assert returned == [[certificate.pk]] * 8
