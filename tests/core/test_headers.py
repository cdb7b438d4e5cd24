"""Response headers (issue #12): Content-Security-Policy everywhere, and ``Cache-Control: private,
no-store`` on everything personal, while anonymous pages keep their public caching."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django.views.decorators.cache import never_cache

from certification.codes import new_code
from certification.models import Certificate, CertificationTrack
from core.csp import SiteCSPMiddleware, current_nonce
from core.middleware import PrivateCacheMiddleware
from courses.api import CoursePage, LessonPage
from learners.api import Cohort, cohort_add_member, cohort_assign_course
from tests.factories import UserFactory, practitioner
from tests.factories.quizzes import make_quiz, place_on_module

pytestmark = pytest.mark.django_db


def cache_control(response: Any) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def is_private(response: Any) -> bool:
    return {"private", "no-store"} <= cache_control(response) and "public" not in cache_control(
        response
    )


def policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def lesson(sample_course: CoursePage) -> LessonPage:
    return LessonPage.objects.get(slug="every-block")


@pytest.fixture
def admin() -> Any:
    return UserFactory(is_superuser=True, is_staff=True)


# --- Cache-Control: private, no-store ------------------------------------------------------------


def test_anonymous_lesson_page_keeps_its_public_caching(client: Client, lesson: LessonPage) -> None:
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert not {"private", "no-store"} & cache_control(response)


def test_signed_in_lesson_page_is_private(client: Client, lesson: LessonPage) -> None:
    client.force_login(practitioner())
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert is_private(response)


@pytest.mark.parametrize("path", ["/en/learn/", "/en/learn/profile/"])
def test_my_learning_and_profile_are_private(client: Client, db: None, path: str) -> None:
    client.force_login(practitioner())
    response = client.get(path)
    assert response.status_code == 200
    assert is_private(response)


def test_quiz_pages_are_private(client: Client, lesson: LessonPage) -> None:
    quiz = make_quiz()
    place_on_module(quiz, lesson.get_parent().specific)
    client.force_login(practitioner())
    response = client.get(f"/en/learn/quizzes/{quiz.pk}/")
    assert response.status_code == 200
    assert is_private(response)


def test_certificate_pdf_is_private(client: Client, db: None) -> None:
    user = practitioner()
    track = CertificationTrack.objects.create(name="Track", slug="track")
    today = timezone.localdate()
    certificate = Certificate.objects.create(
        track=track,
        user=user,
        code=new_code(),
        holder_name="Holder",
        issued_on=today,
        expires_on=today + timedelta(days=30),
        course_versions={},
    )
    client.force_login(user)
    response = client.get(f"/en/learn/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    assert is_private(response)


def test_cohort_csv_and_the_dashboard_are_private(
    client: Client, sample_course: CoursePage
) -> None:
    trainer: Any = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Cohort")
    cohort.trainers.add(trainer)
    cohort_assign_course(cohort=cohort, course=sample_course, due_date=None)
    cohort_add_member(cohort=cohort, user=practitioner())
    client.force_login(trainer)
    response = client.get(f"/en/learn/cohorts/{cohort.pk}/export.csv")
    assert response.status_code == 200
    assert is_private(response)
    ministry: Any = UserFactory(groups=["Ministry"])
    client.force_login(ministry)
    report = client.get(f"/en/dashboard/?course={sample_course.pk}")
    assert report.status_code == 200
    assert is_private(report)


def test_csv_download_is_private_without_the_middleware() -> None:
    """Files say so themselves: the header does not depend on the middleware's place."""
    from core.api import csv_download

    response, _writer = csv_download("x.csv")
    assert is_private(response)


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/snippets/"])
def test_the_cms_is_private(client: Client, admin: Any, path: str) -> None:
    client.force_login(admin)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert is_private(response)


def test_a_public_header_gives_way_and_a_stricter_one_is_kept(rf: RequestFactory) -> None:
    request = rf.get("/x/")
    request.user = practitioner()

    def public(request: Any) -> HttpResponse:
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=600"
        return response

    assert cache_control(PrivateCacheMiddleware(public)(request)) >= {"private", "no-store"}
    assert "public" not in cache_control(PrivateCacheMiddleware(public)(request))

    strict = never_cache(lambda request: HttpResponse("x"))
    kept = cache_control(PrivateCacheMiddleware(strict)(request))
    assert kept >= {"private", "no-store", "no-cache", "must-revalidate", "max-age=0"}


def test_anonymous_responses_are_left_alone(rf: RequestFactory) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/x/")
    request.user = AnonymousUser()

    def public(request: Any) -> HttpResponse:
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=600"
        return response

    assert PrivateCacheMiddleware(public)(request)["Cache-Control"] == "public, max-age=600"


# --- Content-Security-Policy ---------------------------------------------------------------------


def assert_strict(response: Any) -> dict[str, list[str]]:
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    return directives


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)


def assert_inline_scripts_carry_the_nonce(response: Any) -> int:
    """Every inline script that would run carries the nonce of this response's policy."""
    html = response.content.decode()
    nonces = [
        value[len("'nonce-") : -1]
        for value in policy(response)["script-src"]
        if value.startswith("'nonce-")
    ]
    inline = 0
    for attributes in INLINE_SCRIPT.findall(html):
        kind = re.search(r'type="([^"]+)"', attributes)
        if kind and kind[1] not in ("text/javascript", "module"):
            continue  # data (json_script), never run
        inline += 1
        found = re.search(r'nonce="([^"]*)"', attributes)
        assert found and nonces and found[1] == nonces[0], attributes
    assert not re.search(r"\son[a-z]+\s*=", re.sub(r"<script.*?</script>", "", html, flags=re.S))
    return inline


def test_site_pages_have_a_strict_policy(client: Client, lesson: LessonPage) -> None:
    response = client.get(lesson.url)
    assert_strict(response)
    assert assert_inline_scripts_carry_the_nonce(response) == 0
    client.force_login(practitioner())
    assert_strict(client.get("/en/learn/"))
    assert_strict(client.get("/en/accounts/login/"))


def test_cms_pages_have_the_policy_and_nonces_on_their_inline_scripts(
    client: Client, admin: Any, lesson: LessonPage
) -> None:
    quiz = make_quiz()
    client.force_login(admin)
    inline = 0
    for path in (
        "/admin/",
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict(response)
        inline += assert_inline_scripts_carry_the_nonce(response)
    assert inline > 0  # the quiz editor's inline panels and date pickers did get a nonce


def test_wagtail_preview_may_be_framed_by_the_site_only(rf: RequestFactory) -> None:
    request = rf.get("/admin/pages/1/edit/preview/")

    def preview(request: Any) -> HttpResponse:
        response = HttpResponse("x")
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    middleware = SiteCSPMiddleware(preview)
    response = middleware(request)
    assert policy(response)["frame-ancestors"] == ["'self'"]
    plain = SiteCSPMiddleware(lambda request: HttpResponse("x"))(rf.get("/"))
    assert policy(plain)["frame-ancestors"] == ["'none'"]


def test_the_nonce_reaches_templates_rendered_without_the_request(rf: RequestFactory) -> None:
    """Form widgets render without the request; ``{% csp_nonce %}`` still finds it."""
    from django.template import engines

    seen: list[str] = []

    def view(request: Any) -> HttpResponse:
        template = engines["django"].from_string("{% load zhusan_csp %}{% csp_nonce %}")
        seen.append(template.render({}))
        return HttpResponse("x")

    response = SiteCSPMiddleware(view)(rf.get("/"))
    assert seen[0] and f"'nonce-{seen[0]}'" in policy(response)["script-src"]
    assert current_nonce() == ""  # not after the request


def test_report_only_switch() -> None:
    """CSP_REPORT_ONLY=true sends the same policy as report-only, for a rollout."""
    code = (
        "import json; from curriculum.settings import test as s; "
        "print(json.dumps([s.CONTENT_SECURITY_POLICY is None, "
        "bool(s.CONTENT_SECURITY_POLICY_REPORT_ONLY)]))"
    )

    def run(value: str) -> list[bool]:
        env = {**os.environ, "CSP_REPORT_ONLY": value}
        output = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return list(json.loads(output.strip().splitlines()[-1]))

    assert run("true") == [True, True]
    assert run("false") == [False, False]


def test_report_only_header(client: Client, settings: Any, lesson: LessonPage) -> None:
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    response = client.get(lesson.url)
    assert "Content-Security-Policy" not in response
    assert "'self'" in response["Content-Security-Policy-Report-Only"]
