"""The generated authorization matrix (issue #12): every URL pattern, every role.

Every pattern in the resolver (our apps, Wagtail's site and CMS, i18n) must be matched by a rule
in ``RULES``; a new URL without one fails ``test_every_url_pattern_has_a_rule`` with its name.
Each rule states what each role gets from a representative URL (the first rule that matches a
pattern owns it), and ``test_role_against_every_rule`` requests them all, one test per role.

Statuses are for a GET. In the columns: anonymous, practitioner, trainer, course reviewer,
regional coordinator, ministry, administrator. A 302 for anonymous must lead to a sign-in page
(``/accounts/login/`` or the CMS's); other refusals are 302 (the CMS sends a signed-in person
without the permission back to its dashboard or sign-in), 403, 404 (what is not theirs is not
confirmed to exist) or 405 (an action that is only a POST; its POST is checked per app).

Wagtail's CMS has hundreds of patterns; they are grouped by section, each with a representative
URL whose permission check is the section's (a list, a chooser, an edit view). The per-object
scoping of our views (a cohort one does not run, an attempt not one's own) has its own matrices
in the apps' tests; here the objects belong to the practitioner and the trainer of the table.

To write a new rule: ``URL_MATRIX_DISCOVER=1 pytest tests/curriculum/test_url_matrix.py`` writes
what each role gets to ``<tmp>/url-matrix-<role>.txt`` instead of checking; read it, decide
what each role *should* get, and write that down.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from wagtail.documents.models import Document

from activities.views import TICKET_SALT
from learners.api import Cohort, cohort_add_member
from learners.models import CoordinatorRegion
from quizzes.services import attempt_start
from reports.models import ExportJob
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    practitioner,
)
from tests.factories.activities import make_activity
from tests.factories.certification import CertificateFactory
from tests.factories.quizzes import QuestionCategoryFactory
from tests.quizzes.helpers import placed_quiz

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "practitioner", "trainer", "reviewer", "coordinator", "ministry", "admin"]


@dataclass(frozen=True)
class Rule:
    """Patterns matching ``pattern`` (a regex on the route, e.g. ``en/learn/cohorts/``), and
    what each role gets from a GET of ``urls`` (seven statuses, in ``ROLES`` order)."""

    pattern: str
    urls: tuple[str, ...]
    expected: str
    login: bool = True  # an anonymous 302 must lead to a sign-in page

    def statuses(self) -> dict[str, int]:
        codes = [int(code) for code in self.expected.split()]
        assert len(codes) == len(ROLES), self
        return dict(zip(ROLES, codes, strict=True))


def rule(pattern: str, url: str | tuple[str, ...], expected: str, *, login: bool = True) -> Rule:
    return Rule(pattern, (url,) if isinstance(url, str) else url, expected, login)


# The columns:                 anon prac trai revi coor mini admn
EVERYONE_ = "200  200  200  200  200  200  200"
SIGNED_IN = "302  200  200  200  200  200  200"
POST_ONLY = "302  405  405  405  405  405  405"  # signed in first, then a POST
CMS_ADMIN = "302  302  302  302  302  302  200"  # administrators only
CMS_ANY__ = "302  302  200  200  302  200  200"  # whoever may use the CMS
EDITORS__ = "302  302  200  200  302  302  200"  # trainers, course reviewers, administrators

RULES: list[Rule] = [
    # --- open to everyone --------------------------------------------------------------------
    rule(r"^healthz/$", "/healthz/", EVERYONE_),
    rule(r"^verify/", "/verify/{certificate_code}/", EVERYONE_),
    # Interactive activities play for whoever may read the lesson; only the signed in are
    # recorded (tests/activities/). The player page needs its launch's ticket.
    rule(r"^h5p/launch/", "/h5p/launch/{activity}/", EVERYONE_),
    rule(r"^h5p/embed/", "/h5p/embed/{activity_version}/?ticket={embed_ticket}", EVERYONE_),
    rule(r"^h5p/\^content/", "/h5p/content/{activity_version}/h5p.json", EVERYONE_),
    rule(
        r"^h5p/\^libraries/", "/h5p/libraries/Zhusan.DecisionScenario-1.0/library.json", EVERYONE_
    ),
    # The statement store answers the signed in (a GET without the version header is a 400).
    rule(
        r"^xapi/",
        ("/xapi/statements", "/xapi/activities/state"),
        "401  400  400  400  400  400  400",
        login=False,
    ),
    rule(r"^en/help/", "/en/help/question-formats/", EVERYONE_),
    rule(r"^en/jsi18n/$", "/en/jsi18n/", EVERYONE_),  # the djangojs catalogue
    rule(r"^en/\^", ("/en/", "/en/courses/{course_slug}/"), EVERYONE_),
    rule(r"^documents/\^", "/documents/{document}/{document_file}", EVERYONE_),
    # Back to where one was; a password form for a restriction that does not exist.
    rule(r"^i18n/setlang/$", "/i18n/setlang/", "302  302  302  302  302  302  302", login=False),
    # The language switcher: remembers the choice and goes back (core.languages).
    rule(r"^language/$", "/language/?language=ru&next=/en/", "302  " * 6 + "302", login=False),
    rule(
        r"^documents/authenticate_with_password/",
        "/documents/authenticate_with_password/1/",
        "302  302  302  302  302  302  302",
        login=False,
    ),
    rule(
        r"^en/_util/authenticate_with_password/",
        "/en/_util/authenticate_with_password/1/{course}/",
        "404  404  404  404  404  404  404",
    ),
    rule(r"^en/_util/login/$", "/en/_util/login/", EVERYONE_),
    # --- accounts ------------------------------------------------------------------------------
    rule(
        r"^en/accounts/login/$",
        "/en/accounts/login/",
        "200  302  302  302  302  302  302",
        login=False,
    ),
    rule(
        r"^en/accounts/password/reset/",
        (
            "/en/accounts/password/reset/",
            "/en/accounts/password/reset/sent/",
            "/en/accounts/password/reset/MQ/set-password/",
        ),
        EVERYONE_,
    ),
    rule(r"^en/accounts/invitation/", "/en/accounts/invitation/MQ/bad-token/", EVERYONE_),
    rule(
        r"^en/accounts/password/change/",
        ("/en/accounts/password/change/", "/en/accounts/password/change/done/"),
        SIGNED_IN,
    ),
    rule(
        r"^en/accounts/two-factor/", "/en/accounts/two-factor/", "302  403  403  403  403  200  200"
    ),
    rule(r"^en/home/$", "/en/home/", "302  302  302  302  302  302  302"),  # to one's home
    # --- learning ------------------------------------------------------------------------------
    rule(r"^en/learn/$", "/en/learn/", SIGNED_IN),
    rule(r"^en/learn/profile/$", "/en/learn/profile/", SIGNED_IN),
    rule(
        r"^en/learn/courses/<int:course_id>/(enrol|leave)/$",
        "/en/learn/courses/{course}/enrol/",
        POST_ONLY,
    ),
    rule(
        r"^en/learn/courses/<int:course_id>/what-is-left/$",
        "/en/learn/courses/{course}/what-is-left/",
        SIGNED_IN,
    ),
    rule(
        r"^en/learn/lessons/<int:lesson_id>/complete/$",
        "/en/learn/lessons/{lesson}/complete/",
        POST_ONLY,
    ),
    rule(r"^en/learn/quizzes/<int:quiz_id>/$", "/en/learn/quizzes/{quiz}/", SIGNED_IN),
    # require_POST before login_required: a GET is refused before asking anyone to sign in.
    rule(
        r"^en/learn/quizzes/<int:quiz_id>/start/$",
        "/en/learn/quizzes/{quiz}/start/",
        "405  405  405  405  405  405  405",
    ),
    rule(
        r"^en/learn/quizzes/attempts/<int:attempt_id>/(autosave|submit)/$",
        "/en/learn/quizzes/attempts/{attempt}/submit/",
        "405  405  405  405  405  405  405",
    ),
    # The practitioner's own attempt: nobody else learns it exists.
    rule(
        r"^en/learn/quizzes/attempts/<int:attempt_id>/(summary/)?$",
        ("/en/learn/quizzes/attempts/{attempt}/", "/en/learn/quizzes/attempts/{attempt}/summary/"),
        "302  200  404  404  404  404  404",
    ),
    rule(
        r"^en/learn/quizzes/attempts/<int:attempt_id>/review/$",  # in progress: to the attempt
        "/en/learn/quizzes/attempts/{attempt}/review/",
        "302  302  404  404  404  404  404",
    ),
    rule(
        r"^en/learn/certificates/",
        "/en/learn/certificates/{certificate}/certificate.pdf",
        "302  200  404  404  404  404  404",
    ),
    # --- cohorts (the trainer's own) and reports (aggregates) ----------------------------------
    rule(r"^en/learn/cohorts/$", "/en/learn/cohorts/", SIGNED_IN),  # lists only one's own
    rule(
        r"^en/learn/cohorts/<int:cohort_id>/(export\.csv)?$",
        ("/en/learn/cohorts/{cohort}/", "/en/learn/cohorts/{cohort}/export.csv"),
        "302  404  200  404  404  404  200",
    ),
    rule(
        r"^en/learn/cohorts/<int:cohort_id>/members/<int:user_id>/$",
        "/en/learn/cohorts/{cohort}/members/{member}/",
        "302  404  200  404  404  404  200",
    ),
    rule(
        r"^en/learn/cohorts/(new|<int:cohort_id>/(members|invitations|courses|members/<int:user_id>/invitation))/$",
        ("/en/learn/cohorts/new/", "/en/learn/cohorts/{cohort}/members/"),
        POST_ONLY,
    ),
    # Only the practitioner the invitation was sent to.
    rule(
        r"^en/learn/cohorts/join/",
        "/en/learn/cohorts/join/{join_token}/",
        "302  200  404  404  404  404  404",
    ),
    # The course reports the dashboard replaced: old links go to it (which then decides).
    rule(
        r"^en/learn/reports/",
        ("/en/learn/reports/", "/en/learn/reports/{course}/"),
        "302  302  302  302  302  302  302",
    ),
    # The dashboard: aggregates for coordinators, the ministry and administrators; names (and
    # their exports) for coordinators and administrators (``reports.view_names``).
    rule(
        r"^en/dashboard/$",
        "/en/dashboard/",
        "302  403  403  403  200  200  200",
    ),
    rule(
        r"^en/dashboard/(people|expiring|overdue)/",
        ("/en/dashboard/people/", "/en/dashboard/expiring/", "/en/dashboard/overdue/"),
        "302  403  403  403  200  403  200",
    ),
    rule(r"^en/dashboard/exports/$", "/en/dashboard/exports/", POST_ONLY),
    # An export is its requester's alone (here another coordinator's): a 404 for everyone else.
    rule(
        r"^en/dashboard/exports/<int:job_id>/",
        ("/en/dashboard/exports/{export}/status/", "/en/dashboard/exports/{export}/download/"),
        "302  404  404  404  404  404  404",
    ),
    # Written work to grade: trainers (their cohorts'), course reviewers, administrators. The
    # table's attempt is in progress, so nobody may grade it (404); the per-cohort matrix is in
    # tests/quizzes/test_grading.py.
    rule(
        r"^en/learn/quizzes/grading/$",
        "/en/learn/quizzes/grading/",
        "302  403  200  200  403  403  200",
    ),
    rule(
        r"^en/learn/quizzes/grading/<int:attempt_id>/$",
        "/en/learn/quizzes/grading/{attempt}/",
        "302  403  404  404  403  403  404",
    ),
    # Every grade given: course reviewers and administrators.
    rule(
        r"^admin/grading-log/",
        ("/admin/grading-log/", "/admin/grading-log/results/"),
        "302  302  403  200  302  403  200",
    ),
    # Who looked at names and who exported what: administrators only.
    rule(
        r"^admin/report-audit-log/",
        ("/admin/report-audit-log/", "/admin/report-audit-log/results/"),
        "302  302  403  403  302  403  200",
    ),
    # --- the CMS (a signed-in person without the permission is sent back: 302) -----------------
    rule(
        r"^admin/(login|password_reset)/",
        "/admin/login/",
        "200  200  302  302  200  302  302",
        login=False,
    ),
    rule(r"^admin/(jsi18n|sprite)", "/admin/jsi18n/", EVERYONE_),
    rule(r"^admin/$", "/admin/", CMS_ANY__),
    rule(r"^admin/pages/", "/admin/pages/{course}/edit/", EDITORS__),
    rule(r"^admin/pages/", ("/admin/pages/", "/admin/pages/{home}/edit/"), CMS_ADMIN),
    rule(r"^admin/(choose-|api/)", ("/admin/choose-page/", "/admin/api/main/pages/"), CMS_ANY__),
    rule(r"^admin/(users|groups)/", ("/admin/users/", "/admin/groups/"), CMS_ADMIN),
    rule(
        r"^admin/(sites|locales|collections|workflows|redirects|settings)/",
        ("/admin/sites/", "/admin/workflows/list/", "/admin/collections/"),
        CMS_ADMIN,
    ),
    rule(
        r"^admin/(images|documents|embeds|tag-autocomplete)/",
        ("/admin/images/", "/admin/documents/"),
        EDITORS__,
    ),
    # Issue #12: who coordinates where, for administrators only (the chooser too).
    rule(
        r"^admin/snippets/(choose/)?learners/coordinatorregion/",
        (
            "/admin/snippets/learners/coordinatorregion/",
            "/admin/snippets/choose/learners/coordinatorregion/",
            "/admin/snippets/learners/coordinatorregion/edit/{region}/",
        ),
        CMS_ADMIN,
    ),
    rule(
        r"^admin/snippets/(choose/)?quizzes/",
        (
            "/admin/snippets/quizzes/quiz/",
            "/admin/snippets/quizzes/questioncategory/edit/{category}/",
        ),
        EDITORS__,
    ),
    # Wagtail's choosers ask only for CMS access: the ministry can browse the question chooser.
    rule(r"^admin/snippets/choose/quizzes/", "/admin/snippets/choose/quizzes/question/", CMS_ANY__),
    rule(
        r"^admin/snippets/(choose/)?certification/",
        "/admin/snippets/certification/certificationtrack/",
        "302  302  200  302  302  200  200",
    ),
    rule(r"^admin/snippets/", "/admin/snippets/", CMS_ADMIN),
    # Which translations exist and which are out of date (courses.permissions).
    rule(r"^admin/translations/$", "/admin/translations/", "302  302  200  200  302  403  200"),
    # Wagtail's "Translate" (simple_translation.submit_translation: migration courses.0005).
    rule(
        r"^admin/translation/submit/",
        (
            "/admin/translation/submit/page/{course}/",
            "/admin/translation/submit/snippet/quizzes/quiz/{quiz}/",
        ),
        "302  302  200  200  302  302  200",
    ),
    rule(
        r"^admin/certificates/",
        ("/admin/certificates/", "/admin/certificates/inspect/{certificate}/"),
        "302  302  403  403  302  200  200",
    ),
    rule(
        r"^admin/reports/older-course-versions/",
        "/admin/reports/older-course-versions/",
        "302  302  403  403  302  200  200",
    ),
    rule(r"^admin/reports/", "/admin/reports/site-history/", CMS_ANY__),  # filtered by permission
    rule(r"^admin/reports/", "/admin/reports/locked/", "302  302  302  200  302  302  200"),
    rule(
        r"^admin/quizzes/",
        ("/admin/quizzes/import/", "/admin/quizzes/{quiz}/statistics/"),
        "302  302  200  200  302  403  200",
    ),
    rule(r"^admin/specialists/", "/admin/specialists/import/", CMS_ADMIN),
    rule(
        r"^admin/(account|bulk|dismissibles|editing-sessions|block-preview|forms|failwhale|test404)",
        "/admin/account/",
        CMS_ANY__,
    ),
    rule(r"^admin/\^", "/admin/no-such-page/", "302  302  302  302  302  302  302"),
    # Last: Wagtail's sign-out drops the session cookie even when it refuses a GET (405).
    rule(r"^en/accounts/logout/$", "/en/accounts/logout/", "405  405  405  405  405  405  405"),
    rule(r"^admin/logout/$", "/admin/logout/", "302  302  405  405  302  405  405"),
]


def routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (route, name) the resolver knows, nested includes and Wagtail's CMS included."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or ""


def owner(route: str) -> Rule | None:
    return next((r for r in RULES if re.search(r.pattern, route)), None)


def test_every_url_pattern_has_a_rule() -> None:
    with translation.override("en"):
        every = sorted(set(routes()))
    missing = [f"{route}  (name: {name})" for route, name in every if owner(route) is None]
    assert not missing, (
        "URL patterns without an entry in tests/curriculum/test_url_matrix.py RULES; say who "
        "may open each:\n" + "\n".join(missing)
    )
    stale = [r.pattern for r in RULES if not any(re.search(r.pattern, x) for x, _ in every)]
    assert not stale, f"rules that match no URL pattern any more: {stale}"


def test_a_url_without_a_rule_is_caught() -> None:
    """The check above cannot pass by a catch-all: a new page of ours or of the CMS has no rule."""
    assert owner("en/learn/something-new/") is None
    assert owner("admin/something-new/") is None
    assert owner("en/learn/cohorts/<int:cohort_id>/") is not None


def user_for(role: str) -> User | None:
    if role == "anonymous":
        return None
    if role == "admin":
        return UserFactory(is_superuser=True, is_staff=True)
    if role == "practitioner":
        return practitioner()
    group = {"trainer": "Trainer", "reviewer": "Course reviewer",
             "coordinator": "Regional coordinator", "ministry": "Ministry"}[role]  # fmt: skip
    user = UserFactory(groups=[group])
    if role == "coordinator":
        CoordinatorRegion.objects.create(user=user, region="KZ-75")
    return user


def world(role: str, user: User | None) -> dict[str, Any]:
    """The objects the representative URLs name. The practitioner of the table owns the attempt
    and the certificate and is the cohort's member; the trainer of the table runs the cohort."""
    from learners.cohort_joining import join_token

    learner = user if role == "practitioner" else practitioner()
    trainer = user if role == "trainer" else UserFactory(groups=["Trainer"])
    assert learner is not None and trainer is not None
    course = CoursePageFactory()
    module = ModulePageFactory(parent=course)
    lesson = LessonPageFactory(parent=module)
    quiz = placed_quiz(module)
    attempt = attempt_start(user=learner, quiz=quiz)
    cohort = Cohort.objects.create(name="Matrix cohort")
    cohort.trainers.add(trainer)
    cohort_add_member(cohort=cohort, user=learner)
    certificate = CertificateFactory(user=learner)
    document = Document.objects.create(title="Handout", file=ContentFile(b"text", name="h.txt"))
    region = CoordinatorRegion.objects.create(user=UserFactory(groups=["Regional coordinator"]),
                                              region="KZ-79")  # fmt: skip
    export = ExportJob.objects.create(
        user=UserFactory(groups=["Regional coordinator"]), view="regions", format="csv",
        status=ExportJob.Status.DONE,
    )  # fmt: skip
    activity = make_activity()
    assert activity.current_version is not None
    ticket = signing.dumps(
        {"u": None, "v": activity.current_version.pk, "a": activity.pk}, salt=TICKET_SALT
    )
    return {
        "activity": activity.pk,
        "activity_version": activity.current_version.pk,
        "embed_ticket": ticket,
        "export": export.pk,
        "course": course.pk,
        "course_slug": course.slug,
        "home": course.get_parent().get_parent().pk,
        "lesson": lesson.pk,
        "quiz": quiz.pk,
        "attempt": attempt.pk,
        "cohort": cohort.pk,
        "member": learner.pk,
        "certificate": certificate.pk,
        "certificate_code": certificate.code,
        "document": document.pk,
        "document_file": os.path.basename(document.file.name),
        "region": region.pk,
        "category": QuestionCategoryFactory().pk,
        "join_token": join_token(cohort=cohort, user=learner),
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_against_every_rule(client: Client, role: str) -> None:
    user = user_for(role)
    if user is not None:
        client.force_login(user)
    names = world(role, user)
    wrong = []
    actual_rows = []
    for entry in RULES:
        expected = entry.statuses()[role]
        for template in entry.urls:
            url = template.format(**names)
            response = client.get(url)
            actual_rows.append((entry.pattern, template, response.status_code))
            if response.status_code != expected:
                wrong.append(
                    f"{url}: {response.status_code}, expected {expected} ({entry.pattern})"
                )
            elif role == "anonymous" and expected == 302 and entry.login:
                location = response["Location"]
                if "login" not in location:
                    wrong.append(f"{url}: anonymous sent to {location}, not to a sign-in page")
    if os.environ.get("URL_MATRIX_DISCOVER"):
        with open(os.path.join(tempfile.gettempdir(), f"url-matrix-{role}.txt"), "w") as out:
            for pattern, template, status in actual_rows:
                out.write(f"{pattern}\t{template}\t{status}\n")
        return
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
