"""An import job whose worker died: its page says why it stopped and offers to restart it; the
uploader restarts it and sees it done (issue #12, finding 7). On a desktop in English and on a
phone in Russian. Names are fictional."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, settled, sign_in_to_cms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPREADSHEET = (
    b"email;full_name;specialty;region;organisation;language\n"
    b"saule.restart@example.org;Saule Example;psychologist;KZ-75;;ru\n"
)


def lost_job() -> int:
    from django.utils import timezone

    from learners.models import SpecialistImportJob

    job = SpecialistImportJob.objects.create(
        filename="specialists.csv",
        data=SPREADSHEET,
        status=SpecialistImportJob.Status.FAILED,
        result={"error": "WorkerLost"},
        finished_at=timezone.now(),
    )
    return job.pk


@pytest.mark.parametrize(
    ("viewport", "language", "restart", "done"),
    [
        (DESKTOP, "en", "Restart the import", "Done"),
        (PHONE, "ru", "Перезапустить импорт", "Готово"),
    ],
)
def test_the_uploader_restarts_an_import_whose_worker_died(
    page_for: Any,
    site: str,
    axe_source: str,
    screenshot_dir: Path,
    viewport: dict[str, int],
    language: str,
    restart: str,
    done: str,
) -> None:
    from wagtail.users.models import UserProfile

    from tests.factories import UserFactory

    clerk: Any = UserFactory(username=f"clerk-{language}", is_superuser=True, is_staff=True)
    profile = UserProfile.get_for_user(clerk)
    profile.preferred_language = language
    profile.save()
    job_id = lost_job()
    status = f"/admin/specialists/import/{job_id}/"

    page = page_for(viewport)
    sign_in_to_cms(page, site, clerk.username, status)
    button = page.get_by_role("button", name=restart)
    assert button.count() == 1  # in the uploader's language
    assert page.get_by_role("alert").count() == 1
    size = "phone" if viewport == PHONE else "desktop"
    check_page(settled(page), axe_source, f"87-import-lost-{language}-{size}", screenshot_dir)

    button.click()
    page.wait_for_url(re.compile(rf".*{status}$"))
    page.get_by_text(done, exact=True).first.wait_for()
    assert page.get_by_role("button", name=restart).count() == 0
    check_page(settled(page), axe_source, f"88-import-restarted-{language}-{size}", screenshot_dir)
