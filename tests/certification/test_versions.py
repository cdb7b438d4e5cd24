"""Certificates on older course versions: the selector, the CMS report per role, its CSV, and
assigning a refresher (who may, idempotence, refusals that change nothing, query budgets)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.codes import new_code
from certification.models import (
    Certificate,
    CertificateStatus,
    CertificationTrack,
    RenewalRule,
    TrackRequirement,
)
from certification.selectors import RefresherStatus, holders_on_older_versions, major_of
from certification.services import RefresherRefused, refresher_assign
from courses.api import CoursePage, LessonPage
from learners.api import Cohort, enrollment_create, enrollment_leave, lesson_progress_complete
from learners.models import CohortMembership, Enrollment
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    ProfileFactory,
    UserFactory,
    practitioner,
)

pytestmark = pytest.mark.django_db

REPORT = "certification_older_versions"
ASSIGN = "certification_older_versions_assign"


# --- building blocks -----------------------------------------------------------------------------


def course(version: str = "1.0", lessons: int = 2, **fields: Any) -> CoursePage:
    page = CoursePageFactory(version=version, **fields)
    module = ModulePageFactory(parent=page)
    for _ in range(lessons):
        LessonPageFactory(parent=module)
    return page


def lessons_of(page: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.descendant_of(page).live().order_by("path"))


def publish_version(page: CoursePage, version: str) -> CoursePage:
    """Publish a new version of ``page`` as a trainer would (a revision, published)."""
    page.version = version
    page.save_revision().publish()
    return CoursePage.objects.get(pk=page.pk)


def make_track(
    *courses: CoursePage,
    name: str = "Psychosocial support for returnee families",
    refresher: CoursePage | None = None,
) -> CertificationTrack:
    track = CertificationTrack.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-")[:100],
        refresher_course=refresher,
        renewal_rule=RenewalRule.REFRESHER if refresher else RenewalRule.REPASS,
    )
    for order, page in enumerate(courses):
        TrackRequirement.objects.create(track=track, course=page, sort_order=order)
    return track


def certify(
    user: Any,
    track: CertificationTrack,
    versions: dict[CoursePage, str],
    *,
    status: str = CertificateStatus.VALID,
    sequence: int = 1,
    previous: Certificate | None = None,
    expires_on: date | None = None,
) -> Certificate:
    """A certificate as issuing records it: ``versions`` are the course versions it was earned on."""
    today = timezone.localdate()
    return Certificate.objects.create(
        track=track,
        user=user,
        sequence=sequence,
        previous=previous,
        code=new_code(),
        holder_name=user.get_full_name() or user.get_username(),
        issued_on=today - timedelta(days=30),
        expires_on=expires_on or today + timedelta(days=700),
        status=status,
        course_versions={
            str(page.pk): {"title": page.title, "version": version}
            for page, version in versions.items()
        },
    )


def holder(
    first_name: str = "Aigerim", region: str = "KZ-75", specialty: str = "psychologist"
) -> Any:
    user = UserFactory(first_name=first_name, last_name="Example", groups=["Practitioner"])
    ProfileFactory(user=user, region=region, specialty=specialty)
    return user


def account(**fields: Any) -> Any:
    """A user from the factory (typed as any user: the factory's type is not the model's)."""
    return UserFactory(**fields)


def ministry() -> Any:
    return account(groups=["Ministry"])


# --- the selector --------------------------------------------------------------------------------


def test_major_of() -> None:
    assert major_of("2.1") == 2
    assert major_of("10.0") == 10
    assert major_of("beta") is None
    assert major_of("") is None


def test_a_certificate_on_an_older_major_version_is_listed() -> None:
    page = course("1.3")
    track = make_track(page)
    aigerim = holder("Aigerim")
    certificate = certify(aigerim, track, {page: "1.3"})
    assert holders_on_older_versions() == []  # nothing changed yet
    page = publish_version(page, "2.0")

    rows = holders_on_older_versions()
    assert len(rows) == 1
    row = rows[0]
    assert row.certificate == certificate
    assert row.holder_name == "Aigerim Example"
    assert (row.course, row.trained_on, row.current_version) == (page, "1.3", "2.0")
    assert (row.region_name, row.specialty_label) == ("Almaty", "Psychologist")
    assert row.refresher.status == RefresherStatus.NO_COURSE


def test_a_newer_minor_version_of_the_same_major_is_not_listed() -> None:
    page = course("2.0")
    track = make_track(page)
    certify(holder(), track, {page: "2.0"})
    publish_version(page, "2.4")
    assert holders_on_older_versions() == []


def test_renewed_revoked_and_expired_certificates_are_not_listed() -> None:
    page = course("1.0")
    track = make_track(page)
    renewed = holder("Renewed")
    first = certify(renewed, track, {page: "1.0"})
    revoked = certify(holder("Revoked"), track, {page: "1.0"}, status=CertificateStatus.REVOKED)
    certify(holder("Expired"), track, {page: "1.0"}, status=CertificateStatus.EXPIRED)
    # Valid on paper, but past its date: the nightly task has not marked it yet.
    certify(
        holder("Lapsed"), track, {page: "1.0"}, expires_on=timezone.localdate() - timedelta(days=1)
    )
    current = certify(holder("Current"), track, {page: "1.0"})
    page = publish_version(page, "2.0")
    # The renewal records the course at its version when it was issued, so it drops off too.
    certify(renewed, track, {page: "2.0"}, sequence=2, previous=first)

    rows = holders_on_older_versions()
    assert [row.certificate for row in rows] == [current]
    assert revoked.pk not in {row.certificate.pk for row in rows}


def test_a_renewal_earned_before_the_new_version_is_still_listed() -> None:
    page = course("1.0")
    track = make_track(page)
    user = holder()
    first = certify(user, track, {page: "1.0"}, status=CertificateStatus.EXPIRED)
    renewal = certify(user, track, {page: "1.0"}, sequence=2, previous=first)
    publish_version(page, "2.0")
    assert [row.certificate for row in holders_on_older_versions()] == [renewal]


def test_courses_the_track_does_not_require_are_ignored() -> None:
    page = course("1.0")
    refresher = course("1.0")
    track = make_track(page, refresher=refresher)
    # A renewal under the refresher rule records the refresher course as well.
    certify(holder(), track, {page: "1.0", refresher: "1.0"})
    publish_version(refresher, "3.0")
    assert holders_on_older_versions() == []


def test_a_course_required_of_one_specialty_lists_only_that_specialtys_holders() -> None:
    everyone = course("1.0")
    police_only = course("1.0")
    track = make_track(everyone)
    TrackRequirement.objects.create(
        track=track, course=police_only, specialty="police_probation", sort_order=1
    )
    officer = holder("Officer", specialty="police_probation")
    officer_certificate = certify(officer, track, {everyone: "1.0", police_only: "1.0"})
    certify(holder("Psychologist"), track, {everyone: "1.0"})
    publish_version(police_only, "2.0")

    rows = holders_on_older_versions()
    assert [(row.certificate, row.course) for row in rows] == [
        (officer_certificate, CoursePage.objects.get(pk=police_only.pk))
    ]


def test_a_required_course_missing_from_the_certificate_is_listed_as_not_in_it() -> None:
    page = course("1.0")
    track = make_track(page)
    certificate = certify(holder(), track, {page: "1.0"})
    added_later = course("1.2")
    TrackRequirement.objects.create(track=track, course=added_later, sort_order=1)

    rows = holders_on_older_versions()
    assert len(rows) == 1
    assert rows[0].certificate == certificate
    assert rows[0].course == added_later
    assert rows[0].trained_on is None
    assert str(rows[0].trained_on_label) == "not in the certificate"
    assert rows[0].current_version == "1.2"


def test_an_unpublished_required_course_is_not_compared() -> None:
    page = course("1.0")
    track = make_track(page)
    certify(holder(), track, {page: "1.0"})
    page = publish_version(page, "2.0")
    page.unpublish()
    assert holders_on_older_versions() == []


def test_one_row_per_course_with_the_holders_checkbox_on_the_first() -> None:
    first, second = course("1.0"), course("1.0")
    track = make_track(first, second)
    certify(holder("Bota"), track, {first: "1.0", second: "1.0"})
    certify(holder("Asel"), track, {first: "1.0", second: "1.0"})
    publish_version(first, "2.0")
    publish_version(second, "2.0")
    rows = holders_on_older_versions()
    assert [(r.holder_name, r.course.pk, r.first_of_certificate) for r in rows] == [
        ("Asel Example", first.pk, True),
        ("Asel Example", second.pk, False),
        ("Bota Example", first.pk, True),
        ("Bota Example", second.pk, False),
    ]


def test_filters_by_track_course_region_and_specialty() -> None:
    a, b = course("1.0"), course("1.0")
    track_a = make_track(a, name="Track A")
    track_b = make_track(b, name="Track B")
    almaty = holder("Almaty", region="KZ-75", specialty="psychologist")
    shymkent = holder("Shymkent", region="KZ-79", specialty="social_worker")
    for user in (almaty, shymkent):
        certify(user, track_a, {a: "1.0"})
        certify(user, track_b, {b: "1.0"})
    a = publish_version(a, "2.0")
    publish_version(b, "2.0")

    def names(**filters: Any) -> list[tuple[str, str]]:
        return [
            (r.track.name, r.certificate.user.first_name)
            for r in holders_on_older_versions(**filters)
        ]

    assert len(names()) == 4
    assert names(track=track_b) == [("Track B", "Almaty"), ("Track B", "Shymkent")]
    assert names(course=a) == [("Track A", "Almaty"), ("Track A", "Shymkent")]
    assert names(region="KZ-79") == [("Track A", "Shymkent"), ("Track B", "Shymkent")]
    assert names(specialty="psychologist", track=track_a) == [("Track A", "Almaty")]


def test_refresher_state_not_assigned_enrolled_and_completed() -> None:
    page = course("1.0")
    refresher = course("1.0", lessons=2)
    track = make_track(page, refresher=refresher)
    waiting, learning, done, left, before = (
        holder(name) for name in ("Waiting", "Learning", "Done", "Left", "Before")
    )
    # Completed before the certificate was issued: it does not count toward renewal either.
    for lesson in lessons_of(refresher):
        lesson_progress_complete(user=before, lesson=lesson)
    for user in (waiting, learning, done, left, before):
        certify(user, track, {page: "1.0"})
    enrollment_create(user=learning, course=refresher)
    lesson_progress_complete(user=learning, lesson=lessons_of(refresher)[0])
    enrollment_create(user=done, course=refresher)
    for lesson in lessons_of(refresher):
        lesson_progress_complete(user=done, lesson=lesson)
    enrollment_create(user=left, course=refresher)
    enrollment_leave(user=left, course=refresher)
    publish_version(page, "2.0")

    states = {r.certificate.user.first_name: r.refresher for r in holders_on_older_versions()}
    assert {name: s.status for name, s in states.items()} == {
        "Waiting": RefresherStatus.NOT_ASSIGNED,
        "Learning": RefresherStatus.ENROLLED,
        "Done": RefresherStatus.COMPLETED,
        "Left": RefresherStatus.NOT_ASSIGNED,
        "Before": RefresherStatus.NOT_ASSIGNED,
    }
    assert str(states["Learning"].label) == "enrolled, 50% done"
    assert states["Done"].course == refresher


# --- the report page, per role -------------------------------------------------------------------


ROLES: dict[str, Callable[[], Any]] = {
    "practitioner": practitioner,
    "trainer": lambda: account(groups=["Trainer"]),
    "course reviewer": lambda: account(groups=["Course reviewer"]),
    "regional coordinator": lambda: account(groups=["Regional coordinator"]),
    "ministry": ministry,
    "superuser": lambda: account(is_superuser=True, is_staff=True),
}
SEES_THE_REPORT = {"ministry", "superuser"}


@pytest.fixture
def scenario() -> dict[str, Any]:
    """Two holders on version 1 of a course now at version 2, and a refresher course."""
    page = course("1.0")
    refresher = course("1.0", title="Trauma-informed care: what changed")
    track = make_track(page, refresher=refresher)
    certificates = [
        certify(holder("Айгерім", region="KZ-75"), track, {page: "1.0"}),
        certify(holder("=HYPERLINK(1)", region="KZ-79"), track, {page: "1.0"}),
    ]
    page = publish_version(page, "2.0")
    return {"course": page, "refresher": refresher, "track": track, "certificates": certificates}


def assign_data(scenario: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "track": scenario["track"].pk,
        "refresher_course": scenario["refresher"].pk,
        "due_date": "",
        "certificates": [c.pk for c in scenario["certificates"]],
    }
    data.update(overrides)
    return data


def assign(client: Client, data: dict[str, Any]) -> Any:
    """Post the assign form and run what it queues once the request commits, as a worker would
    (the assignment is a task since the report became paginated, issue #14)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse(ASSIGN), data)


def nothing_assigned() -> bool:
    return not Cohort.objects.exists() and not Enrollment.objects.exists()


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(
    client: Client, scenario: dict[str, Any]
) -> None:
    url = reverse(REPORT)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('wagtailadmin_login')}?next={url}"
    response = assign(client, assign_data(scenario))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert nothing_assigned()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_report_per_role(client: Client, scenario: dict[str, Any], role: str) -> None:
    user = ROLES[role]()
    client.force_login(user)
    response = client.get(reverse(REPORT))
    if role in SEES_THE_REPORT:
        assert response.status_code == 200
        html = response.content.decode()
        assert "Certificates on older course versions" in html
        assert "Айгерім Example" in html
        assert "=HYPERLINK(1) Example" in html
        assert "Raise MAJOR when practice changes enough" in html  # the version help text
        for certificate in scenario["certificates"]:  # each code opens the certificate's record
            assert reverse("certificate:inspect", args=[certificate.pk]) in html
    elif user.has_perm("wagtailadmin.access_admin"):  # trainers and course reviewers
        assert response.status_code == 403
        assert b"You do not have permission to see this report" in response.content
        assert "Айгерім".encode() not in response.content
    else:  # practitioners and regional coordinators have no CMS access
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("role", sorted(ROLES))
def test_assigning_per_role(client: Client, scenario: dict[str, Any], role: str) -> None:
    user = ROLES[role]()
    client.force_login(user)
    response = assign(client, assign_data(scenario))
    if role in SEES_THE_REPORT:
        assert response.status_code == 302
        cohort = Cohort.objects.get()
        assert cohort.trainers.filter(pk=user.pk).exists()
        return
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("wagtailadmin_login"))
    else:
        assert b"You do not have permission" in response.content
    assert nothing_assigned()


def test_the_results_fragment_follows_the_same_rule(
    client: Client, scenario: dict[str, Any]
) -> None:
    """Wagtail refreshes the listing from this URL when a filter changes."""
    url = reverse("certification_older_versions_results")
    client.force_login(account(groups=["Trainer"]))
    assert client.get(url).status_code == 403
    client.force_login(ministry())
    response = client.get(url, {"track": scenario["track"].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="refresher-assign"' in html
    assert "Айгерім Example" in html


def test_the_report_menu_item_is_shown_to_those_who_may_see_it(client: Client) -> None:
    client.force_login(ministry())
    assert reverse(REPORT) in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(account(groups=["Trainer"]))
    assert reverse(REPORT) not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_page_offers_to_assign_once_filtered_by_one_track(
    client: Client, scenario: dict[str, Any]
) -> None:
    client.force_login(ministry())
    html = client.get(reverse(REPORT)).content.decode()
    assert 'id="refresher-assign"' not in html
    assert "filter the report by one certification track" in html

    html = client.get(reverse(REPORT), {"track": scenario["track"].pk}).content.decode()
    assert 'id="refresher-assign"' in html
    for certificate in scenario["certificates"]:
        assert (
            f'name="certificates" value="{certificate.pk}" form="refresher-assign" checked' in html
        )
    # The track's refresher course is chosen already.
    assert f'<option value="{scenario["refresher"].pk}" selected>' in html
    assert f'<input type="hidden" name="track" value="{scenario["track"].pk}">' in html


def test_seeing_without_the_track_permission_does_not_offer_or_allow_assigning(
    client: Client, scenario: dict[str, Any]
) -> None:
    """The rule: the report needs ``view_certificate``; assigning also ``change_certificationtrack``."""
    viewer = account()
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_certificate"),
    )
    client.force_login(viewer)
    response = client.get(reverse(REPORT), {"track": scenario["track"].pk})
    assert response.status_code == 200
    assert 'id="refresher-assign"' not in response.content.decode()
    response = assign(client, assign_data(scenario))
    assert response.status_code == 403
    assert nothing_assigned()


def test_the_empty_state_says_so(client: Client) -> None:
    page = course("1.0")
    certify(holder(), make_track(page), {page: "1.0"})
    client.force_login(ministry())
    html = client.get(reverse(REPORT)).content.decode()
    assert "No current certificate was earned on an older major version" in html
    html = client.get(reverse(REPORT), {"region": "KZ-79"}).content.decode()
    assert "No current certificate matching these filters" in html


def test_the_filters_narrow_the_page(client: Client, scenario: dict[str, Any]) -> None:
    client.force_login(ministry())
    html = client.get(reverse(REPORT), {"region": "KZ-79"}).content.decode()
    assert "=HYPERLINK(1) Example" in html
    assert "Айгерім" not in html


# --- downloads -----------------------------------------------------------------------------------


def test_the_csv_download(client: Client, scenario: dict[str, Any]) -> None:
    client.force_login(ministry())
    response = client.get(reverse(REPORT), {"export": "csv", "track": scenario["track"].pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert (
        f'filename="certificates-on-older-course-versions-{today}.csv"'
        in response["Content-Disposition"]
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Cyrillic names
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "Certificate", "Certification track", "Holder", "Region", "Specialty", "Course",
        "Trained on version", "Current version", "Certificate expires", "Refresher course",
        "Refresher",
    ]  # fmt: skip
    first, second = scenario["certificates"]
    expires = first.expires_on.isoformat()
    title = scenario["course"].title
    refresher = scenario["refresher"].title
    assert rows[1:] == [
        [second.code, scenario["track"].name, "'=HYPERLINK(1) Example", "Shymkent", "Psychologist",
         title, "1.0", "2.0", expires, refresher, "not assigned"],
        [first.code, scenario["track"].name, "Айгерім Example", "Almaty", "Psychologist",
         title, "1.0", "2.0", expires, refresher, "not assigned"],
    ]  # fmt: skip


def test_the_xlsx_download(client: Client, scenario: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    client.force_login(ministry())
    response = client.get(reverse(REPORT), {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(cast(Any, response).streaming_content)))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][2] == "Holder"
    assert {row[2] for row in values[1:]} == {"Айгерім Example", "=HYPERLINK(1) Example"}
    formula = next(row for row in sheet.iter_rows() if row[2].value.startswith("="))
    assert formula[2].data_type == "s"  # text, not a formula


def test_downloads_are_refused_to_other_roles(client: Client, scenario: dict[str, Any]) -> None:
    client.force_login(account(groups=["Trainer"]))
    response = client.get(reverse(REPORT), {"export": "csv"})
    assert response.status_code == 403
    assert "text/csv" not in response["Content-Type"]


# --- assigning a refresher -----------------------------------------------------------------------


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_assigning_makes_one_cohort_enrols_the_holders_and_links_to_it(
    client: Client, scenario: dict[str, Any]
) -> None:
    official = ministry()
    client.force_login(official)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = assign(client, assign_data(scenario, due_date=due))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(REPORT)}?track={scenario['track'].pk}"

    cohort = Cohort.objects.get()
    assert cohort.name == (
        "Refresher: Trauma-informed care: what changed (Psychosocial support for returnee families)"
    )
    assert list(cohort.trainers.all()) == [official]
    holders = {c.user_id for c in scenario["certificates"]}
    assert set(cohort.members.values_list("pk", flat=True)) == holders
    assignment = cohort.assignments.get()
    assert assignment.due_date is not None
    assert (assignment.course_id, assignment.due_date.isoformat()) == (
        scenario["refresher"].pk,
        due,
    )
    assert (
        set(
            Enrollment.objects.filter(course=scenario["refresher"], left_at=None).values_list(
                "user_id", flat=True
            )
        )
        == holders
    )
    [message] = messages_of(response)
    assert "to 2 people; this page shows when it is done." in message
    # The report, filtered to the track, says it is done and links to the cohort.
    report = client.get(response["Location"]).content.decode()
    assert "is assigned to 2 holders in the cohort" in report
    assert reverse("learners:cohort_detail", args=[cohort.pk]) in report

    # The official follows progress on the cohort page, as one of its trainers.
    page = client.get(reverse("learners:cohort_detail", args=[cohort.pk]))
    assert page.status_code == 200
    # The report shows the holders as enrolled now.
    html = client.get(reverse(REPORT)).content.decode()
    assert "enrolled, 0% done" in html


def test_assigning_twice_adds_nobody_twice_and_makes_no_second_cohort(
    client: Client, scenario: dict[str, Any]
) -> None:
    client.force_login(ministry())
    first, _second = scenario["certificates"]
    assign(client, assign_data(scenario, certificates=[first.pk]))
    response = assign(client, assign_data(scenario))
    assert Cohort.objects.count() == 1
    assert CohortMembership.objects.count() == 2
    assert Enrollment.objects.filter(course=scenario["refresher"]).count() == 2
    first_message, message = messages_of(response)  # the first request's, then this one's
    assert "to 1 person;" in first_message
    assert "to 2 people;" in message
    report = client.get(response["Location"]).content.decode()
    assert "is assigned to 1 holder in the cohort" in report  # the first request
    assert "is assigned to 2 holders" in report
    assert "1 of them was in it already." in report

    # A second official reuses the cohort too, and becomes one of its trainers.
    other = ministry()
    client.force_login(other)
    assign(client, assign_data(scenario))
    cohort = Cohort.objects.get()
    assert cohort.trainers.count() == 2
    assert CohortMembership.objects.count() == 2


def test_a_cohort_of_the_same_name_in_another_case_is_reused(
    client: Client, scenario: dict[str, Any]
) -> None:
    """Trainers' cohort names are unique whatever the case (``learners.forms.CohortForm``)."""
    made_by_a_trainer = Cohort.objects.create(
        name="refresher: trauma-informed care: what changed "
        "(psychosocial support for returnee families)"
    )
    client.force_login(ministry())
    assign(client, assign_data(scenario))
    assert list(Cohort.objects.all()) == [made_by_a_trainer]
    assert made_by_a_trainer.members.count() == 2


def test_assigning_again_without_a_due_date_keeps_the_due_date(
    client: Client, scenario: dict[str, Any]
) -> None:
    client.force_login(ministry())
    due = timezone.localdate() + timedelta(days=10)
    assign(client, assign_data(scenario, due_date=due.isoformat()))
    assign(client, assign_data(scenario, due_date=""))
    assert Cohort.objects.get().assignments.get().due_date == due


def test_only_ticked_holders_still_shown_by_the_filters_are_assigned(
    client: Client, scenario: dict[str, Any]
) -> None:
    page = scenario["course"]
    outsider = certify(holder("Outsider"), scenario["track"], {page: "2.0"})  # up to date
    client.force_login(ministry())
    first, second = scenario["certificates"]
    assign(
        client,
        assign_data(scenario, region="KZ-79", certificates=[first.pk, second.pk, outsider.pk]),
    )
    # First is in Almaty (KZ-75): not shown with the Shymkent filter, so not assigned.
    assert list(Cohort.objects.get().members.values_list("pk", flat=True)) == [second.user_id]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"refresher_course": ""}, "Course to assign: choose the course to assign."),
        ({"refresher_course": "999999"}, "Course to assign: that course is not published"),
        ({"due_date": "2020-01-01"}, "Due date (optional): the date is in the past"),
        ({"due_date": "next week"}, "Due date (optional): give a date such as"),
        ({"certificates": []}, "Holders: tick at least one holder shown in the report."),
        ({"track": ""}, "Certification track: filter the report by one track"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    client: Client, scenario: dict[str, Any], overrides: dict[str, Any], expected: str
) -> None:
    client.force_login(ministry())
    response = assign(client, assign_data(scenario, **overrides))
    assert response.status_code == 302
    [message] = messages_of(response)
    assert expected in message
    assert nothing_assigned()


def test_an_unpublished_course_cannot_be_assigned(client: Client, scenario: dict[str, Any]) -> None:
    scenario["refresher"].unpublish()
    client.force_login(ministry())
    response = assign(client, assign_data(scenario))
    assert "Course to assign: that course is not published" in messages_of(response)[0]
    assert nothing_assigned()
    with pytest.raises(RefresherRefused) as refused:
        refresher_assign(
            track=scenario["track"],
            course=CoursePage.objects.get(pk=scenario["refresher"].pk),
            holders=[c.user for c in scenario["certificates"]],
            by=ministry(),
        )
    assert refused.value.field == "course"
    assert nothing_assigned()


def test_the_service_refuses_users_who_may_not_assign(scenario: dict[str, Any]) -> None:
    with pytest.raises(RefresherRefused) as refused:
        refresher_assign(
            track=scenario["track"],
            course=scenario["refresher"],
            holders=[c.user for c in scenario["certificates"]],
            by=account(groups=["Trainer"]),
        )
    assert refused.value.field == "permission"
    assert nothing_assigned()


def test_the_assign_action_needs_post_and_csrf(scenario: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ministry())
    assert client.get(reverse(ASSIGN)).status_code == 405
    assert assign(client, assign_data(scenario)).status_code == 403
    assert nothing_assigned()


# --- query budgets -------------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_holders(client: Client) -> None:
    page = course("1.0")
    refresher = course("1.0")
    track = make_track(page, refresher=refresher)
    client.force_login(ministry())

    def add_holders(n: int, start: int) -> None:
        for i in range(start, start + n):
            user = holder(f"Holder{i}", region=("KZ-75", "KZ-79")[i % 2])
            certify(user, track, {page: "1.0"})
            if i % 3 == 0:
                enrollment_create(user=user, course=refresher)
                lesson_progress_complete(user=user, lesson=lessons_of(refresher)[0])

    def queries(params: dict[str, Any]) -> int:
        client.get(reverse(REPORT), params)
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse(REPORT), params)
            assert response.status_code == 200
            if response.streaming:  # the XLSX file
                b"".join(cast(Any, response).streaming_content)
        return len(context.captured_queries)

    variants = [{}, {"track": track.pk}, {"export": "csv"}, {"export": "xlsx"}]
    add_holders(3, 0)
    publish_version(page, "2.0")
    few = [queries(params) for params in variants]
    assert len(holders_on_older_versions()) == 3
    add_holders(27, 3)
    assert len(holders_on_older_versions()) == 30
    assert [queries(params) for params in variants] == few
