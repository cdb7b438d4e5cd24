"""A home for each role (issue #11, 6): the ministry signs in on a phone and on a desktop, lands
on the dashboard (issue #14) and reaches the certificates in the CMS from the header; the CMS home shows the
ministry and a trainer panels they can use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_ministry_lands_on_the_dashboard_and_reaches_the_certificates_on_a_phone(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from tests.factories import UserFactory
    from tests.factories.certification import CertificateFactory

    CertificateFactory(holder_name="Айгүл Серікқызы (fictional)")
    UserFactory(username="ministry-a", first_name="Dana", last_name="Official", groups=["Ministry"])

    page = page_for(PHONE)
    sign_in(page, site, "ministry-a")
    page.wait_for_url("**/en/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Who is trained and certified"
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.is_visible()  # folded behind "Menu" on a phone
    check_page(page, axe_source, "60-ministry-lands-on-dashboard-phone", screenshot_dir)

    page.locator(".site-menu__toggle").click()
    assert nav.is_visible()
    links = [name.strip() for name in nav.get_by_role("link").all_inner_texts()]
    assert links == ["Courses", "My learning", "Dashboard", "Certificates", "CMS", "Password"]
    assert nav.get_by_role("button", name="Log out").is_visible()
    check_page(page, axe_source, "61-ministry-header-menu-open-phone", screenshot_dir)

    nav.get_by_role("link", name="Certificates").click()
    page.wait_for_url("**/admin/certificates/")
    assert "Айгүл Серікқызы (fictional)" in page.locator("table.listing").inner_text()
    check_page(page, axe_source, "62-ministry-certificates-from-header-phone", screenshot_dir)

    page.goto(f"{site}/admin/")
    main = page.locator("main")
    assert main.get_by_role("link", name="Certificates", exact=True).is_visible()
    assert main.get_by_role("search").count() == 0  # no page search that would refuse them
    check_page(page, axe_source, "63-ministry-cms-home-phone", screenshot_dir)
    main.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/en/dashboard/")


def test_the_ministry_on_a_desktop(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from tests.factories import UserFactory

    UserFactory(username="ministry-b", groups=["Ministry"])
    page = page_for(DESKTOP)
    sign_in(page, site, "ministry-b")
    page.wait_for_url("**/en/dashboard/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.is_visible()  # no menu to open on a desktop
    assert not page.locator(".site-menu__toggle").is_visible()
    check_page(page, axe_source, "64-ministry-lands-on-dashboard-desktop", screenshot_dir)
    nav.get_by_role("link", name="Certificates").click()
    page.wait_for_url("**/admin/certificates/")
    page.goto(f"{site}/admin/")
    check_page(page, axe_source, "65-ministry-cms-home-desktop", screenshot_dir)


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_trainer_lands_on_cohorts_and_has_a_useful_cms_home(
    page_for: Any,
    site: str,
    axe_source: str,
    screenshot_dir: Path,
    viewport: dict[str, int],
    size: str,
) -> None:
    from tests.factories import UserFactory

    UserFactory(username=f"trainer-{size}", groups=["Trainer"])
    page = page_for(viewport)
    sign_in(page, site, f"trainer-{size}")
    page.wait_for_url("**/en/learn/cohorts/")
    check_page(page, axe_source, f"66-trainer-lands-on-cohorts-{size}", screenshot_dir)
    if size == "phone":
        page.locator(".site-menu__toggle").click()
        check_page(page, axe_source, "67-trainer-header-menu-open-phone", screenshot_dir)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="CMS").click()
    page.wait_for_url("**/admin/")
    main = page.locator("main")
    for name in ("Cohorts", "Quizzes and their statistics", "Import questions"):
        assert main.get_by_role("link", name=name).is_visible(), name
    check_page(page, axe_source, f"68-trainer-cms-home-{size}", screenshot_dir)


def test_error_pages_keep_the_site_layout_and_language(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    from tests.factories import practitioner

    practitioner(username="reader-a")
    page = page_for(PHONE)
    response = page.goto(f"{site}/ru/no-such-page/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Мы не можем найти эту страницу"
    check_page(page, axe_source, "69-not-found-ru-phone", screenshot_dir)

    sign_in(page, site, "reader-a")
    page.wait_for_url("**/en/learn/")
    response = page.goto(f"{site}/kk/dashboard/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Бұл бет сізге қолжетімсіз"
    check_page(page, axe_source, "70-forbidden-kk-phone", screenshot_dir)
