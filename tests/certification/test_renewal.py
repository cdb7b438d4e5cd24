"""Renewal: a new certificate linked to the previous one, once the renewal requirements are met
inside the window; the history is kept.

Dates are explicit: the first certificate is issued on ``ISSUED``, valid 24 months, and its
renewal window opens 90 days before it expires (``OPENS``). Quiz attempts are taken at chosen
moments (``attempt_start(now=...)``), so nothing depends on today's date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from certification.dates import add_months
from certification.models import (
    Certificate,
    CertificateReminder,
    CertificateStatus,
    CertificationTrack,
    RenewalRule,
    TrackRequirement,
)
from certification.reminders import reminders_due
from certification.selectors import RenewalProgress, renewal_progress
from certification.services import certificate_issue, certificate_revoke, renewals_issue
from courses.api import CoursePage, LessonPage
from learners.api import lesson_progress_complete
from learners.models import LessonProgress
from quizzes.models import QuestionType, Quiz
from quizzes.services import attempt_availability, attempt_start, attempt_submit
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    practitioner,
)
from tests.factories.quizzes import make_question, make_quiz, place_on_module
from tests.quizzes.helpers import responses, right, wrong

pytestmark = pytest.mark.django_db

ISSUED = date(2026, 1, 15)
EXPIRES = add_months(ISSUED, 24)  # 2028-01-15
OPENS = EXPIRES - timedelta(days=90)


def moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def fresh(page: Any) -> Any:
    return type(page).objects.get(pk=page.pk)


def course_with_assessment(title: str, attempts: int = 0) -> tuple[CoursePage, LessonPage, Quiz]:
    course = CoursePageFactory(title=title)
    module = ModulePageFactory(parent=course)
    lesson = LessonPageFactory(parent=module)
    quiz = make_quiz(
        [make_question(QuestionType.TRUE_FALSE)], title=f"{title}: check", attempts_allowed=attempts
    )
    place_on_module(quiz, fresh(module))
    return fresh(course), fresh(lesson), quiz


def take(quiz: Quiz, user: Any, when: datetime, *, passing: bool = True) -> None:
    attempt = attempt_start(user=user, quiz=quiz, now=when)
    attempt_submit(
        attempt=attempt, responses=responses(attempt, right if passing else wrong), now=when
    )


def issue(*, user: Any, track: CertificationTrack, today: date | None = None) -> Certificate:
    certificate = certificate_issue(user=user, track=track, today=today)
    assert certificate is not None
    return certificate


def make_track(course: CoursePage, **fields: Any) -> CertificationTrack:
    track = CertificationTrack.objects.create(
        name="Psychosocial support for returnee families",
        slug="psychosocial",
        validity_months=24,
        renewal_window_days=90,
        **fields,
    )
    TrackRequirement.objects.create(track=track, course=course)
    return track


@pytest.fixture
def earned() -> tuple[Any, CertificationTrack, Quiz, Certificate]:
    """A practitioner who earned the first certificate on ISSUED (lesson done, quiz passed)."""
    course, lesson, quiz = course_with_assessment("Trauma-informed care", attempts=2)
    track = make_track(course)
    user = practitioner(first_name="Айгерім", last_name="Нұрланова")
    lesson_progress_complete(user=user, lesson=lesson)
    take(quiz, user, moment(ISSUED))
    certificate = certificate_issue(user=user, track=track, today=ISSUED)
    assert certificate is not None and certificate.sequence == 1
    return user, track, quiz, certificate


# --- re-passing the final assessments ------------------------------------------------------------


def test_passing_again_inside_the_window_issues_a_linked_certificate(earned: Any) -> None:
    user, track, quiz, first = earned
    take(quiz, user, moment(OPENS))

    renewal = issue(user=user, track=track, today=OPENS)

    assert renewal is not None and renewal.pk != first.pk
    assert (renewal.sequence, renewal.previous_id) == (2, first.pk)
    assert renewal.issued_on == OPENS
    # Renewed early: the new validity runs on from the old expiry, nothing is lost.
    assert renewal.expires_on == add_months(EXPIRES, 24)
    assert renewal.code != first.code
    first.refresh_from_db()
    assert first.status == CertificateStatus.VALID  # the history is kept as it was
    assert list(Certificate.objects.filter(user=user).order_by("sequence")) == [first, renewal]
    # Issuing again returns the renewal and issues nothing more.
    assert certificate_issue(user=user, track=track, today=OPENS) == renewal
    assert Certificate.objects.filter(user=user).count() == 2


def test_a_pass_before_the_window_opens_does_not_renew(earned: Any) -> None:
    user, track, quiz, first = earned
    take(quiz, user, moment(OPENS - timedelta(days=1)))
    assert certificate_issue(user=user, track=track, today=OPENS) == first
    progress = renewal_progress(certificate=first, today=OPENS)
    assert progress.is_open and not progress.met
    assert [title for title, _url in progress.missing] == [f"pass “{quiz.title}” again"]


def test_nothing_is_open_before_the_window(earned: Any) -> None:
    user, track, quiz, first = earned
    progress = renewal_progress(certificate=first, today=OPENS - timedelta(days=1))
    assert not progress.is_open and not progress.met
    assert progress.opens_on == OPENS
    take(quiz, user, moment(OPENS - timedelta(days=1)))
    assert certificate_issue(user=user, track=track, today=OPENS - timedelta(days=1)) == first


def test_a_failed_attempt_in_the_window_does_not_renew(earned: Any) -> None:
    user, track, quiz, first = earned
    take(quiz, user, moment(OPENS), passing=False)
    assert certificate_issue(user=user, track=track, today=OPENS) == first


def test_used_up_attempts_count_afresh_when_the_window_opens(earned: Any) -> None:
    """The quiz allows 2 attempts; the holder used both to earn the certificate. Before the
    window they may not start another; inside it they may, twice."""
    user, track, quiz, _first = earned
    take(quiz, user, moment(ISSUED + timedelta(days=1)), passing=False)  # attempt 2 of 2
    before = attempt_availability(user=user, quiz=quiz, now=moment(OPENS - timedelta(days=1)))
    assert not before.can_start
    assert "used all the attempts" in before.reason

    assert attempt_availability(user=user, quiz=quiz, now=moment(OPENS)).can_start
    take(quiz, user, moment(OPENS), passing=False)
    assert attempt_availability(user=user, quiz=quiz, now=moment(OPENS, 11)).can_start
    take(quiz, user, moment(OPENS, 11))
    assert not attempt_availability(user=user, quiz=quiz, now=moment(OPENS, 12)).can_start
    assert issue(user=user, track=track, today=OPENS).sequence == 2


def test_attempts_at_other_quizzes_are_not_refreshed(earned: Any) -> None:
    user, _track, _quiz, _first = earned
    other = make_quiz([make_question(QuestionType.TRUE_FALSE)], attempts_allowed=1)
    take(other, user, moment(ISSUED))
    assert not attempt_availability(user=user, quiz=other, now=moment(OPENS)).can_start


def test_renewing_after_a_lapse_runs_from_the_renewal_day(earned: Any) -> None:
    user, track, quiz, _first = earned
    late = EXPIRES + timedelta(days=40)
    take(quiz, user, moment(late))
    renewal = issue(user=user, track=track, today=late)
    assert renewal.sequence == 2
    assert (renewal.issued_on, renewal.expires_on) == (late, add_months(late, 24))


def test_a_second_renewal_links_to_the_first_renewal(earned: Any) -> None:
    user, track, quiz, first = earned
    take(quiz, user, moment(OPENS))
    second = issue(user=user, track=track, today=OPENS)
    opens_again = second.expires_on - timedelta(days=90)
    take(quiz, user, moment(opens_again))
    third = issue(user=user, track=track, today=opens_again)
    assert (third.sequence, third.previous_id) == (3, second.pk)
    assert Certificate.objects.get(pk=first.pk).renewal == second


def test_a_revoked_certificate_is_not_renewed(earned: Any) -> None:
    user, track, quiz, first = earned
    certificate_revoke(
        certificate=first, by=UserFactory(is_superuser=True), reason="Issued in error."
    )
    take(quiz, user, moment(OPENS))
    assert certificate_issue(user=user, track=track, today=OPENS) is None
    assert Certificate.objects.filter(user=user).count() == 1
    assert not renewal_progress(certificate=first, today=OPENS).is_open


def test_an_inactive_track_renews_nothing(earned: Any) -> None:
    user, track, quiz, first = earned
    CertificationTrack.objects.filter(pk=track.pk).update(active=False)
    take(quiz, user, moment(OPENS))
    assert certificate_issue(user=user, track=fresh_track(track), today=OPENS) == first


def fresh_track(track: CertificationTrack) -> CertificationTrack:
    return CertificationTrack.objects.get(pk=track.pk)


def test_the_renewal_records_the_current_course_versions(earned: Any) -> None:
    user, track, quiz, first = earned
    course = CoursePage.objects.get(pk=track.requirements.get().course_id)
    assert first.course_versions[str(course.pk)]["version"] == "1.0"
    course.version = "2.0"
    course.save_revision().publish()
    take(quiz, user, moment(OPENS))
    renewal = issue(user=user, track=track, today=OPENS)
    assert renewal.course_versions[str(course.pk)]["version"] == "2.0"


def test_a_race_between_two_renewals_ends_with_one(earned: Any) -> None:
    """The second worker's insert hits the unique cycle and returns the first one's renewal."""
    user, track, quiz, first = earned
    take(quiz, user, moment(OPENS))
    winner = issue(user=user, track=track, today=OPENS)
    # A worker that read the first certificate as current before the winner committed.
    from certification import services

    real = Certificate.objects.filter
    stale = Certificate.objects.filter(pk=first.pk)

    def filter_as_before(*args: Any, **kwargs: Any) -> Any:
        if kwargs == {"track": track, "user": user}:
            return stale
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.Certificate.objects, "filter", filter_as_before)
        # ... and saw no renewal yet, so found the requirements met.
        patch.setattr(
            services,
            "renewal_progress",
            lambda **kwargs: RenewalProgress(first, OPENS, is_open=True, met=True),
        )
        again = certificate_issue(user=user, track=track, today=OPENS)
    assert again == winner
    assert Certificate.objects.filter(user=user).count() == 2


# --- the refresher course ------------------------------------------------------------------------


@pytest.fixture
def refresher_track() -> tuple[Any, CertificationTrack, LessonPage, Certificate]:
    course = CoursePageFactory(title="Trauma-informed care")
    lesson = LessonPageFactory(parent=ModulePageFactory(parent=course))
    refresher = CoursePageFactory(title="Refresher: what changed in practice")
    refresher_lesson = LessonPageFactory(parent=ModulePageFactory(parent=refresher))
    track = make_track(
        fresh(course), renewal_rule=RenewalRule.REFRESHER, refresher_course=fresh(refresher)
    )
    user = practitioner()
    lesson_progress_complete(user=user, lesson=fresh(lesson))
    certificate = certificate_issue(user=user, track=track, today=ISSUED)
    assert certificate is not None
    return user, track, fresh(refresher_lesson), certificate


def test_completing_the_refresher_inside_the_window_renews(refresher_track: Any) -> None:
    user, track, refresher_lesson, first = refresher_track
    progress = renewal_progress(certificate=first, today=OPENS)
    assert progress.is_open and not progress.met
    assert (
        progress.missing[0][0]
        == "complete the refresher course “Refresher: what changed in practice”"
    )
    assert progress.missing[0][1]  # a link to the course

    lesson_progress_complete(user=user, lesson=refresher_lesson)
    renewal = issue(user=user, track=track, today=OPENS)
    assert (renewal.sequence, renewal.previous_id) == (2, first.pk)
    assert str(track.refresher_course_id) in renewal.course_versions


def test_a_refresher_finished_before_the_certificate_does_not_count(refresher_track: Any) -> None:
    user, track, refresher_lesson, first = refresher_track
    lesson_progress_complete(user=user, lesson=refresher_lesson)
    LessonProgress.objects.filter(user=user, lesson=refresher_lesson).update(
        completed_at=first.created_at - timedelta(days=1)
    )
    assert certificate_issue(user=user, track=track, today=OPENS) == first
    assert renewals_issue(today=OPENS) == 0


def test_a_refresher_finished_early_renews_on_the_night_the_window_opens(
    refresher_track: Any,
) -> None:
    """Assigned after a new course version, say: finished a year before the window opens."""
    user, track, refresher_lesson, first = refresher_track
    lesson_progress_complete(user=user, lesson=refresher_lesson)
    assert certificate_issue(user=user, track=track, today=OPENS - timedelta(days=1)) == first
    assert renewals_issue(today=OPENS - timedelta(days=1)) == 0

    assert renewals_issue(today=OPENS) == 1
    assert renewals_issue(today=OPENS) == 0  # a second run renews nothing twice
    assert Certificate.objects.get(user=user, sequence=2).previous_id == first.pk


def test_a_refresher_track_needs_its_refresher_course() -> None:
    track = CertificationTrack(name="T", slug="t", renewal_rule=RenewalRule.REFRESHER)
    with pytest.raises(ValidationError) as error:
        track.full_clean()
    assert "refresher_course" in error.value.message_dict


def test_a_missing_refresher_course_is_explained(refresher_track: Any) -> None:
    _user, track, _lesson, first = refresher_track
    refresher = CoursePage.objects.get(pk=track.refresher_course_id)
    refresher.unpublish()
    progress = renewal_progress(certificate=Certificate.objects.get(pk=first.pk), today=OPENS)
    assert not progress.met
    assert progress.missing == (
        ("the refresher course is not available yet: ask your trainer", ""),
    )


# --- what holders and checkers see ---------------------------------------------------------------


def test_a_renewed_certificate_gets_no_more_reminders(earned: Any) -> None:
    user, track, quiz, first = earned
    take(quiz, user, moment(OPENS))
    renewal = issue(user=user, track=track, today=OPENS)
    due = reminders_due(today=EXPIRES - timedelta(days=7))
    assert first.pk not in {c.pk for c, _kind in due}
    assert renewal.pk not in {c.pk for c, _kind in due}
    assert not CertificateReminder.objects.exists()


def test_the_reminder_says_what_renewal_asks(earned: Any, mailoutbox: list) -> None:
    from certification.reminders import reminders_send

    user = earned[0]
    user.profile.preferred_language = "en"  # reminders are in the holder's language
    user.profile.save()
    reminders_send(today=EXPIRES - timedelta(days=30))
    (email,) = mailoutbox
    assert "pass the final assessments of the certification's courses again" in email.body
    assert "/learn/" in email.body


def test_the_old_code_says_it_was_renewed(earned: Any, client: Client) -> None:
    user, track, quiz, first = earned
    take(quiz, user, moment(OPENS))
    renewal = issue(user=user, track=track, today=OPENS)
    page = client.get(f"/verify/{first.code}/").content.decode()
    assert "This certificate was renewed on" in page
    assert renewal.code not in page  # the renewal's code is the holder's to share


def test_my_learning_shows_when_renewal_opens_what_is_left_and_the_history(
    earned: Any, client: Client
) -> None:
    user, track, quiz, first = earned
    client.force_login(user)
    today = timezone.localdate()
    # Move the certificate so that its window opens in ten days.
    Certificate.objects.filter(pk=first.pk).update(expires_on=today + timedelta(days=100))
    page = client.get("/en/learn/").content.decode()
    assert "Renewal opens on" in page

    Certificate.objects.filter(pk=first.pk).update(expires_on=today + timedelta(days=30))
    page = client.get("/en/learn/").content.decode()
    assert "Renewal is open." in page
    assert f"pass “{quiz.title}” again" in page
    assert f"/en/learn/quizzes/{quiz.pk}/" in page

    take(quiz, user, timezone.now())
    certificate_issue(user=user, track=track)
    page = client.get("/en/learn/").content.decode()
    assert "Earlier certificates" in page
    assert page.count("Download the certificate (PDF)") == 1  # the current one
    assert page.count("certificate.pdf") == 2  # and the earlier one's PDF


@pytest.mark.parametrize(
    ("field", "value"),
    [("validity_months", 0), ("validity_months", 121), ("renewal_window_days", 366)],
)
def test_a_track_refuses_validity_and_windows_out_of_range(field: str, value: int) -> None:
    track = CertificationTrack(name="T", slug="t", **{field: value})
    with pytest.raises(ValidationError) as error:
        track.full_clean()
    assert field in error.value.message_dict
