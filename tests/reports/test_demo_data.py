"""Synthetic demo people (``reports.demo_data`` and ``manage.py generate_demo_people``): clearly
synthetic, spread over every region and specialty, deterministic, consistent with the models'
rules, and removable without touching anyone real."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count

from certification.models import Certificate, CertificateStatus, CertificationTrack
from courses.api import CoursePage, curriculum_import
from learners.api import REGION_CODES
from learners.models import Enrollment, LessonProgress, Profile
from quizzes.models import Attempt, AttemptState, QuizResult
from reports.demo_data import (
    DemoDataError,
    demo_people_count,
    demo_people_delete,
    demo_people_generate,
)
from reports.models import PersonFact
from tests.conftest import FLAGSHIP, SHIPPED_CURRICULUM, shipped_tracks_for
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(db: None, tmp_path: Path) -> CoursePage:
    """The flagship course (English only: its identity) and the shipped certification tracks
    as far as they ask for it."""
    curriculum_import(path=SHIPPED_CURRICULUM / FLAGSHIP)
    call_command(
        "import_tracks",
        str(shipped_tracks_for({FLAGSHIP}, tmp_path)),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    return CoursePage.objects.get(slug="trauma-informed-care")


def _people(**kwargs: Any) -> Any:
    return demo_people_generate(rebuild=False, **kwargs)


def test_counts_regions_specialties_and_marks(shipped: CoursePage) -> None:
    summary = _people(practitioners=60, seed=3)
    synthetic = User.objects.filter(username__startswith="demo-")
    assert summary.practitioners == synthetic.count() == 60
    profiles = Profile.objects.filter(user__in=synthetic)
    assert set(profiles.values_list("region", flat=True)) == set(REGION_CODES)
    assert len(set(profiles.values_list("specialty", flat=True))) == 10
    assert LessonProgress.objects.count() == summary.lessons_completed > 0
    assert Enrollment.objects.count() == summary.enrollments > 0
    assert Certificate.objects.count() == summary.certificates > 0
    assert Attempt.objects.count() == summary.quiz_attempts > 0
    for user in synthetic:
        assert user.email == f"{user.username}@example.invalid"
        assert user.last_name == f"Demo-{user.username.removeprefix('demo-')}"
        assert not user.has_usable_password()
        assert user.groups.filter(name="Practitioner").exists()
    assert all("synthetic" in o for o in profiles.values_list("organisation", flat=True))
    # Enrolments span months, not the moment of the run.
    dates = {e.enrolled_at.date() for e in Enrollment.objects.all()}
    assert len(dates) > 20


def test_same_seed_same_people_other_seed_others(shipped: CoursePage) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        return list(
            Profile.objects.order_by("user__username").values_list(
                "user__username", "user__first_name", "region", "specialty", "organisation"
            )
        ) + sorted(
            LessonProgress.objects.values_list("user__username", "lesson_id", "completed_at")
        )

    _people(practitioners=40, seed=7)
    first = snapshot()
    demo_people_delete()
    _people(practitioners=40, seed=7)
    assert snapshot() == first
    demo_people_delete()
    _people(practitioners=40, seed=8)
    assert snapshot() != first


def test_progress_and_attempts_are_consistent(shipped: CoursePage) -> None:
    _people(practitioners=80)
    assert not (
        LessonProgress.objects.values("user", "lesson").annotate(n=Count("pk")).filter(n__gt=1)
    )
    # Stored against the course's identity and its lessons, and only for enrolled people.
    assert set(LessonProgress.objects.values_list("course_id", flat=True)) == {shipped.pk}
    enrolled = set(Enrollment.objects.values_list("user_id", "course_id"))
    assert set(LessonProgress.objects.values_list("user_id", "course_id")) <= enrolled
    for attempt in Attempt.objects.all():
        assert attempt.state == AttemptState.FINISHED
        assert attempt.finished_at and attempt.started_at < attempt.finished_at
        assert attempt.score is not None
        assert attempt.passed == (attempt.score >= attempt.pass_mark)
    for result in QuizResult.objects.all():
        attempts = Attempt.objects.filter(quiz=result.quiz, user=result.user)
        assert result.attempts == attempts.count()
        assert result.passed == (result.grade >= result.quiz.pass_mark)


def test_certificates_are_consistent(shipped: CoursePage) -> None:
    _people(practitioners=200)
    # Both shipped tracks (cut down to the flagship) issue certificates.
    tracks = set(CertificationTrack.objects.values_list("pk", flat=True))
    certificates = list(Certificate.objects.select_related("previous"))
    statuses = Counter(c.status for c in certificates)
    assert statuses[CertificateStatus.VALID] and statuses[CertificateStatus.EXPIRED]
    assert len({c.code for c in certificates}) == len(certificates)
    lessons = len(set(LessonProgress.objects.values_list("lesson_id", flat=True)))
    renewals = 0
    assert {c.track_id for c in certificates} == tracks
    for certificate in certificates:
        assert certificate.expires_on > certificate.issued_on
        assert certificate.holder_name.split()[-1].startswith("Demo-")
        assert str(shipped.pk) in certificate.course_versions
        # Only a holder who completed every lesson has one.
        done = LessonProgress.objects.filter(user=certificate.user).count()
        assert done == lessons
        if certificate.sequence > 1:
            renewals += 1
            previous = certificate.previous
            assert previous is not None and previous.sequence == certificate.sequence - 1
            assert previous.user_id == certificate.user_id
            assert previous.track_id == certificate.track_id
            assert certificate.issued_on > previous.issued_on
            assert previous.status != CertificateStatus.REVOKED
        else:
            assert certificate.previous is None
        if certificate.status == CertificateStatus.REVOKED:
            assert certificate.revoked_at is not None
    assert renewals > 0


def test_delete_removes_only_synthetic_people(shipped: CoursePage) -> None:
    real: Any = ProfileFactory()
    lookalike = User.objects.create_user("demo-real", email="someone@example.org")
    _people(practitioners=30)
    assert demo_people_count() == 30
    out = StringIO()
    call_command("generate_demo_people", "--delete", stdout=out, stderr=StringIO())
    assert "Deleted 30" in out.getvalue()
    assert demo_people_count() == 0
    assert not Certificate.objects.exists()
    assert not LessonProgress.objects.exists()
    assert User.objects.filter(pk__in=[real.user_id, lookalike.pk]).count() == 2


def test_second_run_numbers_on(shipped: CoursePage) -> None:
    _people(practitioners=5)
    _people(practitioners=5)
    assert sorted(User.objects.values_list("username", flat=True))[-1] == "demo-000010"


def test_command_prints_counts_and_rebuilds_the_facts(shipped: CoursePage) -> None:
    out = StringIO()
    call_command("generate_demo_people", "--practitioners", "25", stdout=out, stderr=StringIO())
    assert "Made 25 synthetic practitioners" in out.getvalue()
    assert "report facts rebuilt" in out.getvalue()
    assert PersonFact.objects.count() == 25
    call_command(
        "generate_demo_people", "--practitioners", "5", "--no-rebuild",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    assert PersonFact.objects.count() == 25


def test_bad_input(db: None) -> None:
    with pytest.raises(CommandError, match="0 or more"):
        call_command("generate_demo_people", "--practitioners", "-1", stderr=StringIO())
    with pytest.raises(CommandError, match="No live course"):
        call_command("generate_demo_people", "--practitioners", "5", stderr=StringIO())
    with pytest.raises(DemoDataError):
        demo_people_generate(practitioners=-3)
    assert not User.objects.exists()
