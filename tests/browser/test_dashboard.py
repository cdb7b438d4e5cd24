"""The oversight dashboard in a browser (issue #14): the ministry on a desktop and a phone, in
English, Russian and Kazakh, filtering and drilling down; a regional coordinator confined to
their region, reading lists of names and exporting them (the progress bar moved by
static/js/report_exports.js, then the download)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HIDDEN = "Fewer than 5 people: hidden to protect privacy"


def _person(region: str, specialty: str, first_name: str) -> Any:
    from learners.models import Profile
    from tests.factories import practitioner

    user = practitioner(first_name=first_name, last_name="(fictional)")
    Profile.objects.filter(user=user).update(region=region, specialty=specialty)
    return user


@pytest.fixture
def country(site: str, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """Synthetic practitioners in three regions (figures in Almaty and Astana, hidden ones in
    small cells), with certificates issued over the last months, and the readers.

    - Almaty (KZ-75): 8 psychologists, 6 certified (one expiring in 30 days), 5 enrolled in the
      sample course, 2 of them completed it; 6 social workers, none certified.
    - Astana (KZ-71): 6 psychologists, 5 certified; 2 social workers.
    - Karaganda Region (KZ-35): 5 school staff and 2 legal advisers (a hidden cell), none
      certified.
    """
    from django.utils import timezone

    from courses.api import CoursePage, LessonPage
    from learners.api import enrollment_create, lesson_progress_complete
    from learners.models import CoordinatorRegion
    from reports.facts import facts_rebuild
    from tests.factories import UserFactory
    from tests.factories.certification import CertificateFactory, TrackFactory

    settings.REPORTS_EXPORT_ROOT = tmp_path / "exports"
    settings.REPORTS_MIN_CELL = 5
    today = timezone.localdate()
    track = TrackFactory(name="Psychosocial support (fictional track)")
    course = CoursePage.objects.get(slug="sample-course")
    lessons = list(LessonPage.objects.descendant_of(course).live())
    almaty = [_person("KZ-75", "psychologist", f"Almaty{n}") for n in range(8)]
    almaty_social = [_person("KZ-75", "social_worker", f"AlmatySocial{n}") for n in range(6)]
    astana = [_person("KZ-71", "psychologist", f"Astana{n}") for n in range(6)]
    astana_social = [_person("KZ-71", "social_worker", f"AstanaSocial{n}") for n in range(2)]
    karaganda = [_person("KZ-35", "school_staff", f"Karaganda{n}") for n in range(5)]
    karaganda += [_person("KZ-35", "legal_adviser", f"KaragandaLaw{n}") for n in range(2)]
    for user in almaty[:5]:
        enrollment_create(user=user, course=course)
    for user in almaty[:2]:
        for lesson in lessons:
            lesson_progress_complete(user=user, lesson=lesson)
    for months, user in enumerate([*almaty[:5], *astana[:5]]):
        CertificateFactory(
            user=user, track=track, holder_name=user.get_full_name(),
            issued_on=today - timedelta(days=30 * (months % 2)),
        )  # fmt: skip
    expiring = CertificateFactory(
        user=almaty[5], track=track, holder_name=almaty[5].get_full_name(),
        issued_on=today - timedelta(days=700), expires_on=today + timedelta(days=30),
    )  # fmt: skip
    facts_rebuild()
    coordinator: Any = UserFactory(
        username="coordinator-almaty", first_name="Coordinator", last_name="(fictional)",
        groups=["Regional coordinator"],
    )  # fmt: skip
    CoordinatorRegion.objects.create(user=coordinator, region="KZ-75")
    UserFactory(username="ministry-d", groups=["Ministry"])
    return {
        "almaty": almaty + almaty_social,
        "astana": astana + astana_social,
        "karaganda": karaganda,
        "expiring": expiring,
        "track": track,
    }


def _row(page: Any, table: str, name: str) -> Any:
    """The row headed ``name`` of the table under the heading with id ``table``."""
    region = page.locator(f'[aria-labelledby="{table}"]')
    return region.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name=name, exact=True)
    )


def _cells(row: Any) -> list[str]:
    """The row's figures, as a sighted reader sees them (without the hidden explanations)."""
    return [
        cell.evaluate(
            """(td) => {
                const copy = td.cloneNode(true);
                copy.querySelectorAll('.visually-hidden').forEach((n) => n.remove());
                copy.querySelectorAll('br').forEach((n) => n.replaceWith(' '));
                return copy.textContent.replace(/\\s+/g, ' ').trim();
            }"""
        )
        for cell in row.locator("td").all()
    ]


@pytest.mark.parametrize(
    ("viewport", "name"),
    [(DESKTOP, "80-dashboard-ministry-desktop"), (PHONE, "81-dashboard-ministry-phone")],
)
def test_the_ministry_reads_filters_and_drills_into_the_dashboard(
    page_for: Any,
    site: str,
    country: dict[str, Any],
    axe_source: str,
    screenshot_dir: Path,
    viewport: dict[str, int],
    name: str,
) -> None:
    page = page_for(viewport)
    sign_in(page, site, "ministry-d", lands_on="**/en/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Who is trained and certified"
    assert "You see the whole country." in page.locator("main").inner_text()
    figures = page.locator(".report-figure svg")
    assert figures.count() == 3  # the map, the bars, the trend
    for index in range(3):
        figures.nth(index).scroll_into_view_if_needed()
        assert figures.nth(index).is_visible()
        assert figures.nth(index).bounding_box()["width"] > 200

    # The trend's table: five certificates this month, shown.
    trend = page.locator('[aria-labelledby="trend-heading"] tbody tr')
    assert _cells(trend.last)[1] == "5", _cells(trend.last)

    # Every region has its row; measures in order: practitioners, enrolled, in progress,
    # completed, certified (count and share), expiring, expired, revoked, overdue.
    assert page.locator('[aria-labelledby="regions-heading"] tbody tr').count() == 20
    almaty = _cells(_row(page, "regions-heading", "Almaty"))
    assert almaty[0] == "14" and almaty[4] == "6 43 %", almaty
    astana = _cells(_row(page, "regions-heading", "Astana"))
    assert astana[0] == "8" and astana[4] == "5 62 %", astana
    assert _cells(_row(page, "regions-heading", "Karaganda Region"))[0] == "7"
    assert _cells(_row(page, "regions-heading", "Abai Region"))[0] == "0"
    # Two legal advisers: a small cell, hidden, with its reason for screen readers.
    lawyers = _row(page, "specialties-heading", "Legal adviser")
    assert _cells(lawyers)[0] == "—"
    assert HIDDEN in lawyers.locator("td").first.inner_text()
    # Completed in Almaty: 2 people, hidden.
    assert _cells(_row(page, "regions-heading", "Almaty"))[3].startswith("—")
    check_page(page, axe_source, name, screenshot_dir)

    # A filter through the form: kept in the URL, and the figures are the psychologists'.
    form = page.locator("form.report-filters")
    form.get_by_label("Specialty").select_option(label="Psychologist")
    form.get_by_role("button", name="Show").click()
    page.wait_for_url("**/en/dashboard/?*specialty=psychologist*")
    assert form.get_by_label("Specialty").input_value() == "psychologist"
    almaty = _cells(_row(page, "regions-heading", "Almaty"))
    assert almaty[0] == "8" and almaty[4] == "6 75 %", almaty
    assert _cells(_row(page, "regions-heading", "Astana"))[0] == "6"
    assert _cells(_row(page, "regions-heading", "Karaganda Region"))[0] == "0"

    # Drilling into a region keeps the specialty and narrows the rows to that region.
    page.locator('[aria-labelledby="regions-heading"]').get_by_role(
        "link", name="Almaty", exact=True
    ).click()
    page.wait_for_url("**/en/dashboard/?*region=KZ-75*")
    assert "specialty=psychologist" in page.url
    assert page.locator("#specialties-heading").inner_text() == "By specialty in Almaty"
    assert form.get_by_label("Region").input_value() == "KZ-75"
    rows = page.locator('[aria-labelledby="regions-heading"] tbody tr')
    assert rows.all_inner_texts()[0].startswith("Almaty") and rows.count() == 1
    # No names for the ministry: no drill-down into lists.
    assert page.get_by_role("link", name="Practitioners by name").count() == 0


#: Interface text that is the same in every language.
LANGUAGE_NEUTRAL = {"CSV", "Excel (XLSX)", "English", "Русский", "Қазақ"}


def _interface(page: Any) -> list[str]:
    """The page's headings, column headers, labels, buttons and choices (not its data: course
    titles and track names are the curriculum's)."""
    return page.locator(
        "main :is(h1, h2, h3, caption, thead th, label, button, p.actions a, figcaption),"
        " main :is(#id_specialty, #export-view) option"
    ).evaluate_all("(nodes) => nodes.map((n) => n.textContent.replace(/\\s+/g, ' ').trim())")


@pytest.mark.parametrize(
    ("language", "names", "name"),
    [
        ("ru", ["Алматы", "Астана", "Карагандинская область"], "82-dashboard-ru-phone"),
        ("kk", ["Алматы", "Астана", "Қарағанды облысы"], "83-dashboard-kk-phone"),
    ],
)
def test_the_dashboard_in_russian_and_kazakh_on_a_phone(
    page_for: Any,
    site: str,
    country: dict[str, Any],
    axe_source: str,
    screenshot_dir: Path,
    language: str,
    names: list[str],
    name: str,
) -> None:
    page = page_for(PHONE)
    sign_in(page, site, "ministry-d", lands_on="**/en/dashboard/")
    english = set(_interface(page))
    assert len(english) > 30, english
    page.goto(f"{site}/{language}/dashboard/")
    assert english & set(_interface(page)) <= LANGUAGE_NEUTRAL, english & set(_interface(page))
    assert page.locator("html").get_attribute("lang") == language
    regions = page.locator('[aria-labelledby="regions-heading"]')
    headers = regions.locator("tbody th").all_inner_texts()
    for region in names:
        assert region in headers, (region, headers)
    assert "Almaty" not in headers and "Karaganda Region" not in headers
    region_label = {"ru": "Регион", "kk": "Өңір"}[language]
    assert regions.locator("thead th").first.inner_text() == region_label
    assert page.locator("form.report-filters").get_by_label(region_label).is_visible()
    almaty = _cells(_row(page, "regions-heading", "Алматы"))
    assert almaty[0] == "14", almaty
    check_page(page, axe_source, name, screenshot_dir)


def test_a_coordinator_reads_names_and_exports_their_region(
    page_for: Any, site: str, country: dict[str, Any], axe_source: str, screenshot_dir: Path
) -> None:
    from reports import export_jobs
    from reports.models import ExportJob

    page = page_for(PHONE)
    sign_in(page, site, "coordinator-almaty")
    page.goto(f"{site}/en/dashboard/")
    main = page.locator("main")
    assert "Your region: Almaty." in main.inner_text()
    rows = page.locator('[aria-labelledby="regions-heading"] tbody th')
    assert rows.all_inner_texts() == ["Almaty"]
    assert "Astana" not in page.locator('[aria-labelledby="specialties-heading"]').inner_text()
    assert _cells(_row(page, "regions-heading", "Almaty"))[0] == "14"

    # Practitioners by name, then only the certified ones.
    main.get_by_role("link", name="Practitioners by name").click()
    page.wait_for_url("**/en/dashboard/people/*")
    table = page.locator('[aria-labelledby="people-caption"]')
    names = table.locator("tbody th").all_inner_texts()
    assert sorted(names) == sorted(u.get_full_name() for u in country["almaty"])
    assert "14 practitioners." in main.inner_text()
    page.get_by_label("Status", exact=True).select_option(label="Certified")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/en/dashboard/people/?status=certified")
    names = table.locator("tbody th").all_inner_texts()
    assert sorted(names) == [f"Almaty{n} (fictional)" for n in range(6)]
    assert all(
        text.startswith("Valid until") for text in table.locator("td:last-child").all_inner_texts()
    )
    assert "6 practitioners." in main.inner_text()
    check_page(page, axe_source, "84-dashboard-people-coordinator", screenshot_dir)

    # The certificates expiring within 90 days: the one.
    main.locator(".eyebrow").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/en/dashboard/")
    main.get_by_role("link", name="Certificates expiring soon").click()
    page.wait_for_url("**/en/dashboard/expiring/*")
    table = page.locator('[aria-labelledby="expiring-caption"]')
    assert table.locator("tbody th").all_inner_texts() == [country["expiring"].holder_name]
    assert "Almaty" in table.locator("tbody td").first.inner_text()

    # An export built at once (Celery runs eagerly here): the page comes back with its link.
    page.goto(f"{site}/en/dashboard/")
    panel = page.locator(".export-panel")
    panel.get_by_label("Table to download, with the filters above").select_option(label="By region")
    with page.expect_navigation(url="**/en/dashboard/"):
        panel.get_by_role("button", name="CSV").click()
    assert "Your export is being prepared." in page.locator(".messages").inner_text()
    item = panel.locator(".export-panel__item").first
    assert item.locator(".export-panel__bar").get_attribute("value") == "100"
    with page.expect_download() as info:
        item.get_by_role("link", name="Download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "Almaty" in text and "Astana" not in text and "Karaganda" not in text

    # An export that waits for its worker: the bar starts empty, the script follows the job and
    # shows the link once it is built.
    with mock.patch.object(export_jobs, "_queue"):
        panel.get_by_label("Table to download, with the filters above").select_option(
            label="Practitioners"
        )
        with page.expect_navigation(url="**/en/dashboard/"):
            panel.get_by_role("button", name="CSV").click()
    item = panel.locator(".export-panel__item").first
    assert item.locator(".export-panel__bar").get_attribute("value") == "0"
    link = item.locator(".export-panel__download")
    assert link.is_hidden()
    assert item.get_by_role("link", name="Refresh").is_visible()
    assert item.locator(".export-panel__status").inner_text() == "Queued"
    job = ExportJob.objects.filter(view="people").get()
    assert job.status == ExportJob.Status.QUEUED
    export_jobs.export_job_run(job_id=job.pk)
    link.wait_for(state="visible", timeout=10_000)
    assert item.locator(".export-panel__bar").evaluate("(bar) => bar.value") == 100
    assert item.locator(".export-panel__status").inner_text() == "Ready"
    assert item.get_by_role("link", name="Refresh").is_hidden()
    check_page(page, axe_source, "85-dashboard-export-done", screenshot_dir)
    with page.expect_download() as info:
        link.click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    for user in country["almaty"]:
        assert user.get_full_name() in text
    for user in country["astana"] + country["karaganda"]:
        assert user.get_full_name() not in text
    assert "Astana" not in text


def test_a_crafted_region_is_refused_and_the_coordinator_keeps_their_region(
    page_for: Any, site: str, country: dict[str, Any], axe_source: str, screenshot_dir: Path
) -> None:
    page = page_for(DESKTOP)
    sign_in(page, site, "coordinator-almaty")
    page.goto(f"{site}/en/dashboard/?region=KZ-71")
    alert = page.get_by_role("alert")
    assert "Some filters could not be used and were left out:" in alert.inner_text()
    assert "KZ-71" in alert.inner_text()
    assert page.locator('[aria-labelledby="regions-heading"] tbody th').all_inner_texts() == [
        "Almaty"
    ]
    assert page.locator("form.report-filters").get_by_label("Region").input_value() == ""
    for table in page.locator(".table-scroll").all():
        assert "Astana" not in table.inner_text()
    options = page.locator("form.report-filters").get_by_label("Region").locator("option")
    assert options.all_inner_texts() == ["All", "Almaty"]
    # The map draws every region; Astana's tile has no figure.
    tile = page.locator('.chart-tile[data-region="KZ-71"]')
    assert tile.get_attribute("data-class") == "suppressed"
    assert tile.locator("title").text_content() == "Astana: not shown"
    assert _cells(_row(page, "regions-heading", "Almaty"))[0] == "14"
    check_page(page, axe_source, "86-dashboard-crafted-region-coordinator", screenshot_dir)
