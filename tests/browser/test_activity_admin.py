"""A trainer uploads an H5P package in the CMS (a phone and a desktop): a broken file is refused
with the rule and the file inside the package named, a good one shows its title, main library,
version and licence, and a new package becomes version 2 beside the first."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, settled, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD = "/admin/snippets/activities/activity/add/?locale=en"


def _listing(url: str) -> bool:
    """The list of activities (where a saved form returns), whatever its query string."""
    return url.split("?")[0].endswith("/admin/snippets/activities/activity/")


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_trainer_uploads_and_replaces_a_package(
    page_for: Any,
    site: str,
    axe_source: str,
    screenshot_dir: Path,
    tmp_path: Path,
    viewport: dict[str, int],
    size: str,
) -> None:
    from activities.models import Activity
    from tests.factories import UserFactory
    from tests.factories.activities import package_file, scenario_source

    UserFactory(username="trainer-a", groups=["Trainer"])
    broken = tmp_path / "broken.h5p"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("h5p.json", "{}")
        archive.writestr("content/content.json", "{}")
        archive.writestr("content/page.html", "<script>alert(1)</script>")
    broken.write_bytes(buffer.getvalue())
    good = package_file(scenario_source("A first conversation"), tmp_path)
    newer = package_file(scenario_source("A first conversation, revised"), tmp_path)

    page = page_for(viewport)
    sign_in_to_cms(page, site, "trainer-a", ADD)
    page.locator("#id_title").fill("A first conversation")
    page.locator("#id_slug").fill("first-conversation")
    page.locator("#id_package").set_input_files(str(broken))
    page.get_by_role("button", name="Save").click()
    main = page.locator("main")
    main.get_by_text("content/page.html").first.wait_for()
    assert "broken.h5p" in main.inner_text()
    assert not Activity.objects.filter(slug="first-conversation").exists()
    check_page(settled(page), axe_source, f"130-activity-upload-refused-{size}", screenshot_dir)

    page.locator("#id_package").set_input_files(str(good))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(_listing)
    # The list as a trainer opens it from the menu (after a save Wagtail adds a locale filter,
    # whose badge is Wagtail's own accessibility slip).
    page.goto(f"{site}/admin/snippets/activities/activity/")
    listing = page.locator("main")
    assert "Zhusan.DecisionScenario 1.0.0 · CC BY-SA" in listing.inner_text()
    check_page(settled(page), axe_source, f"131-activity-listing-{size}", screenshot_dir)

    listing.get_by_role("link", name="A first conversation", exact=True).click()
    page.locator("#id_package").set_input_files(str(newer))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(_listing)
    activity = Activity.objects.get(slug="first-conversation")
    assert activity.versions.count() == 2
    page.goto(f"{site}/admin/snippets/activities/activity/edit/{activity.pk}/")
    versions = page.locator("table.listing").inner_text()
    assert "A first conversation, revised" in versions and "(current)" in versions
    check_page(settled(page), axe_source, f"132-activity-versions-{size}", screenshot_dir)
