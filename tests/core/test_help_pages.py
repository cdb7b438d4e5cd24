"""Help pages served by the site from allow-listed docs, in the site's layout."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_allow_listed_help_page_renders_in_the_site_layout(client: Client) -> None:
    response = client.get("/en/help/importing-specialists/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Importing specialists from a CSV file</h1>" in page
    assert "site-header" in page and "<table>" in page
    assert client.get("/ru/help/question-formats/").status_code == 200


@pytest.mark.parametrize("slug", ["architecture", "..", "secret"])
def test_other_pages_are_not_served(client: Client, slug: str) -> None:
    assert client.get(f"/en/help/{slug}/").status_code == 404


def test_no_help_text_names_a_repository_path() -> None:
    from learners.admin_views import UploadForm

    assert "docs/" not in str(UploadForm.base_fields["file"].help_text)
