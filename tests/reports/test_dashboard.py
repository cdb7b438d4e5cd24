"""The dashboard: every figure against an independent count, the scope of each role, what is
hidden, and a query count that does not grow with the practitioners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from courses.api import CoursePage, LessonPage
from learners.api import enrollment_create
from learners.models import Profile
from reports.facts import facts_rebuild
from reports.filters import Filters, scope_for
from reports.selectors import dashboard, export_table
from tests.conftest import assert_max_queries
from tests.factories.certification import TrackFactory
from tests.reports.helpers import person

pytestmark = pytest.mark.django_db


def board_for(user: Any, query: str = "") -> Any:
    scope = scope_for(user)
    assert scope is not None
    return dashboard(scope=scope, filters=Filters.from_query(query, scope=scope))


def independent_counts(today: Any) -> dict[tuple[str, str], dict[str, int]]:
    """The status table counted from the records themselves, not from the summary tables."""
    from certification.models import Certificate
    from learners.api import course_standings
    from learners.models import Enrollment

    courses = list(CoursePage.objects.filter(locale__language_code="en"))
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for profile in Profile.objects.all():
        cell = counts.setdefault((profile.region, profile.specialty), dict.fromkeys(
            ["practitioners", "enrolled", "in_progress", "completed", "certified", "expiring",
             "expired", "revoked", "overdue"], 0))  # fmt: skip
        user_id = profile.user_id
        cell["practitioners"] += 1
        standings = course_standings(user_ids=[user_id], courses=courses)
        enrolled = Enrollment.objects.filter(user_id=user_id, left_at=None).exists()
        cell["enrolled"] += enrolled
        cell["completed"] += any(s.completion.complete for s in standings.values())
        cell["in_progress"] += any(
            s.enrolled and s.last_activity and not s.completion.complete for s in standings.values()
        )
        certificates = list(Certificate.objects.filter(user_id=user_id))
        valid = [
            c.expires_on for c in certificates if c.status != "revoked" and c.expires_on >= today
        ]
        cell["certified"] += bool(valid)
        cell["expiring"] += bool(valid) and max(valid) <= today + timedelta(days=90)
        latest_revoked = any(
            c.status == "revoked"
            and c.sequence == max(x.sequence for x in certificates if x.track_id == c.track_id)
            for c in certificates
        )
        cell["revoked"] += not valid and latest_revoked
        cell["expired"] += not valid and not latest_revoked and bool(certificates)
    return counts


def test_figures_match_independent_counts(country: dict[str, Any], settings: Any) -> None:
    settings.REPORTS_MIN_CELL = 1  # nothing hidden: every figure compared
    board = board_for(country["ministry"])
    assert len(board.regions) == 20  # every region, zeros included
    expected = independent_counts(board.today)
    for (region, specialty), figures in board.grid.items():
        want = expected.get((region, specialty), {})
        got = {key: f.count.value for key, f in figures.items()}
        assert got == {key: want.get(key, 0) for key in got}, (region, specialty)
    almaty = next(line for line in board.regions if line.key == "KZ-75")
    assert almaty.figures["practitioners"].count.value == 13
    assert almaty.figures["certified"].count.value == 4
    assert board.grid[("KZ-75", "psychologist")]["certified"].rate.value == pytest.approx(4 / 7)
    assert board.totals["practitioners"].count.value == Profile.objects.count() == 15
    abai = next(line for line in board.regions if line.key == "KZ-10")
    assert abai.figures["practitioners"].count.value == 0


def test_small_figures_are_hidden(country: dict[str, Any]) -> None:
    board = board_for(country["ministry"])
    astana = next(line for line in board.regions if line.key == "KZ-71")
    assert astana.figures["practitioners"].count.hidden  # 2 people
    assert astana.figures["certified"].count.hidden
    almaty = board.grid[("KZ-75", "psychologist")]
    assert almaty["completed"].count.hidden  # 2 completed


def test_coordinator_sees_only_their_regions(client: Client, country: dict[str, Any]) -> None:
    board = board_for(country["coordinator"])
    assert [line.key for line in board.regions] == ["KZ-75"]
    crafted = board_for(country["coordinator"], "region=KZ-71")
    assert [line.key for line in crafted.regions] == ["KZ-75"]
    assert "region" in crafted.filters.errors
    client.force_login(country["coordinator"])
    page = client.get("/en/dashboard/?region=KZ-71").content.decode().split('id="summary"')[1]
    assert "region=KZ-75" in page
    assert 'href="?region=KZ-71' not in page  # no row of Astana
    assert "Astana" not in page.split('id="regions-heading"')[1].split("</table>")[0]
    for view in ("regions", "specialties"):
        table = export_table(view=view, scope=scope_for(country["coordinator"]),
                             filters=Filters.from_query("region=KZ-71", scope=scope_for(country["coordinator"])))  # fmt: skip
        assert "Astana" not in str(list(table.rows))


def test_dashboard_page_renders(client: Client, country: dict[str, Any]) -> None:
    client.force_login(country["ministry"])
    response = client.get("/en/dashboard/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<svg" in text and "Almaty" in text and "Aliya" not in text


def test_query_count_does_not_grow(
    client: Client, country: dict[str, Any], sample_course: Any
) -> None:
    client.force_login(country["ministry"])
    client.get("/en/dashboard/")
    with assert_max_queries(40) as few:
        client.get("/en/dashboard/")
    for _ in range(30):
        enrollment_create(user=person("KZ-79"), course=sample_course)
    facts_rebuild()
    with assert_max_queries(40) as many:
        client.get("/en/dashboard/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_completion_follows_the_course_as_published(country: dict[str, Any], settings: Any) -> None:
    """Withdrawing the lessons the third learner has not done completes them, as everywhere
    else: the unpublishing marks everyone in the course for the refresh (no rebuild needed)."""
    from reports.models import StalePerson
    from reports.tasks import refresh_stale

    settings.REPORTS_MIN_CELL = 1
    before = board_for(country["ministry"]).grid[("KZ-75", "psychologist")]["completed"]
    assert before.count.value == 2
    StalePerson.objects.all().delete()
    LessonPage.objects.get(slug="second-lesson").unpublish()
    LessonPage.objects.get(slug="third-lesson").unpublish()
    assert set(StalePerson.objects.values_list("user_id", flat=True)) == {
        user.pk for user in country["almaty"][:5]
    }
    refresh_stale.delay()
    after = board_for(country["ministry"]).grid[("KZ-75", "psychologist")]["completed"]
    assert after.count.value == 3


@pytest.mark.parametrize(
    "query", ["course={course}", "track={track}", "course={course}&track={track}"]
)
def test_a_course_or_a_certification_counts_its_own_figures(
    country: dict[str, Any], sample_course: CoursePage, settings: Any, query: str
) -> None:
    settings.REPORTS_MIN_CELL = 1
    board = board_for(
        country["ministry"], query.format(course=sample_course.pk, track=country["track"].pk)
    )
    cell = board.grid[("KZ-75", "psychologist")]
    if "course" in query:
        assert cell["enrolled"].count.value == 5
        assert cell["in_progress"].count.value == 1  # started, not completed
        assert cell["completed"].count.value == 2
    if "track" in query:
        assert cell["certified"].count.value == 4
        assert cell["expiring"].count.value == 1
    other = TrackFactory(name="Another track")
    board = board_for(country["ministry"], f"track={other.pk}")
    assert board.grid[("KZ-75", "psychologist")]["certified"].count.value == 0


def test_the_period_figures_are_kept_a_few_minutes_and_say_when_counted(
    country: dict[str, Any], sample_course: CoursePage, settings: Any
) -> None:
    """The status table is live; the period's figures are counted once per few minutes (the
    page says when), per scope, filters and language."""
    from django.core.cache import cache

    cache.clear()
    settings.REPORTS_PERIOD_CACHE_SECONDS = 300
    settings.REPORTS_MIN_CELL = 1
    first = board_for(country["ministry"])
    for _ in range(3):
        enrollment_create(user=person("KZ-75"), course=sample_course)
    facts_rebuild()
    again = board_for(country["ministry"])
    assert again.period_as_of == first.period_as_of
    assert again.courses[0].enrolments == first.courses[0].enrolments  # kept
    assert again.totals["enrolled"].count.value == first.totals["enrolled"].count.value + 3  # live
    coordinator = board_for(country["coordinator"])  # another scope: counted afresh
    assert coordinator.period_as_of != first.period_as_of
    cache.clear()
    fresh = board_for(country["ministry"])
    assert fresh.courses[0].enrolments.value == first.courses[0].enrolments.value + 3
