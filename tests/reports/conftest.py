"""Fixtures of the dashboard's tests: export files go to a temporary folder; a small country of
practitioners (``country``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from courses.api import CoursePage, LessonPage
from learners.api import enrollment_create, lesson_progress_complete
from learners.models import CoordinatorRegion
from reports.facts import facts_rebuild
from tests.factories import UserFactory
from tests.factories.certification import CertificateFactory, TrackFactory
from tests.reports.helpers import person


@pytest.fixture(autouse=True)
def _export_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Exports are written to a temporary folder, never to private/exports."""
    root = tmp_path_factory.mktemp("exports")
    settings.REPORTS_EXPORT_ROOT = root
    return root


@pytest.fixture
def country(sample_course: CoursePage) -> dict[str, Any]:
    """Almaty city (KZ-75): 7 psychologists, 4 of them certified (1 expiring), 5 enrolled,
    2 of them completed; 6 social workers, none enrolled. Astana (KZ-71): 2 psychologists, one
    certified. Abai region: nobody."""
    today = timezone.localdate()
    track = TrackFactory(name="Psychosocial support")
    lessons = list(
        LessonPage.objects.filter(slug__in=["every-block", "second-lesson", "third-lesson"])
    )
    almaty = [person("KZ-75", first_name=f"Aliya{n}", last_name="Example") for n in range(7)]
    social = [person("KZ-75", "social_worker") for _ in range(6)]
    astana = [person("KZ-71") for _ in range(2)]
    for user in almaty[:5]:
        enrollment_create(user=user, course=sample_course)
    for user in almaty[:2]:
        for lesson in lessons:
            lesson_progress_complete(user=user, lesson=lesson)
    lesson_progress_complete(user=almaty[2], lesson=LessonPage.objects.get(slug="every-block"))
    for user in almaty[:3]:
        CertificateFactory(user=user, track=track)
    CertificateFactory(user=almaty[3], track=track, issued_on=today - timedelta(days=700),
                       expires_on=today + timedelta(days=30))  # fmt: skip
    CertificateFactory(user=astana[0], track=track)
    facts_rebuild()
    coordinator = UserFactory(groups=["Regional coordinator"])
    CoordinatorRegion.objects.create(user=coordinator, region="KZ-75")
    return {
        "track": track,
        "almaty": almaty,
        "social": social,
        "astana": astana,
        "coordinator": coordinator,
        "ministry": UserFactory(groups=["Ministry"]),
    }
