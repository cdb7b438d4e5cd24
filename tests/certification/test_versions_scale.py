"""The report of certificates on older course versions at national scale (issue #14): paginated
by certificate (50 a page, filters kept in the links), rows decided in SQL, and a query count
that does not grow with the holders."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certification.selectors import (
    certificates_on_older_versions,
    holder_ids_on_older_versions,
    holders_on_older_versions,
)
from tests.certification.test_versions import (
    REPORT,
    certify,
    course,
    holder,
    make_track,
    ministry,
    publish_version,
)

pytestmark = pytest.mark.django_db


def _scenario(holders: int) -> dict[str, Any]:
    page = course("1.0")
    refresher = course("1.0", title="Refresher")
    track = make_track(page, refresher=refresher)
    older = [certify(holder(f"Synthetic{i:03}"), track, {page: "1.0"}) for i in range(holders)]
    page = publish_version(page, "2.0")
    return {"track": track, "course": page, "certificates": older}


def test_the_sql_choice_matches_the_rows() -> None:
    scenario = _scenario(3)
    page, track = scenario["course"], scenario["track"]
    current = certify(holder("Current"), track, {page: "2.0"})
    unreadable = certify(holder("Unreadable"), track, {page: "x.1"})
    missing = certify(holder("Missing"), track, {})
    chosen = set(certificates_on_older_versions().values_list("pk", flat=True))
    assert current.pk not in chosen
    assert {unreadable.pk, missing.pk} <= chosen
    assert chosen == {row.certificate.pk for row in holders_on_older_versions()}


def test_the_report_is_paginated_and_keeps_the_filters(client: Client) -> None:
    scenario = _scenario(55)
    client.force_login(ministry())
    params = {"track": scenario["track"].pk, "region": "KZ-75"}
    first = client.get(reverse(REPORT), params)
    assert first.status_code == 200
    html = first.content.decode()
    assert html.count('name="certificates"') == 50
    assert "Synthetic049" in html and "Synthetic050" not in html
    assert f"track={scenario['track'].pk}" in html and "p=2" in html
    second = client.get(reverse(REPORT), {**params, "p": 2}).content.decode()
    assert second.count('name="certificates"') == 5
    assert "Synthetic050" in second and "Synthetic049" not in second
    # The assign form can reach every holder the filters show, beyond this page.
    assert 'name="everyone"' in html and "All 55 holders" in html


def test_one_page_offers_no_everyone_choice(client: Client) -> None:
    scenario = _scenario(2)
    client.force_login(ministry())
    html = client.get(reverse(REPORT), {"track": scenario["track"].pk}).content.decode()
    assert 'name="everyone"' not in html


def test_holder_ids_keep_to_what_the_report_shows() -> None:
    scenario = _scenario(3)
    track = scenario["track"]
    up_to_date = certify(holder("UpToDate"), track, {scenario["course"]: "2.0"})
    everyone = holder_ids_on_older_versions(track=track)
    assert everyone == sorted(c.user_id for c in scenario["certificates"])
    first = scenario["certificates"][0]
    assert holder_ids_on_older_versions(track=track, certificate_ids=[first.pk, up_to_date.pk]) == [
        first.user_id
    ]
    assert holder_ids_on_older_versions(track=track, certificate_ids=[]) == []
    assert holder_ids_on_older_versions(track=track, region="KZ-79") == []


@pytest.mark.parametrize("params", [{}, {"track": "TRACK"}, {"track": "TRACK", "p": 2}])
def test_queries_do_not_grow_with_the_holders(
    client: Client, django_assert_max_num_queries: Any, params: dict[str, Any]
) -> None:
    scenario = _scenario(60)
    client.force_login(ministry())
    query = {k: (scenario["track"].pk if v == "TRACK" else v) for k, v in params.items()}
    client.get(reverse(REPORT), query)  # warm the caches (site, menus)
    # A constant budget: 60 holders is more than a page; 600 would take the same.
    with django_assert_max_num_queries(40) as captured:
        assert client.get(reverse(REPORT), query).status_code == 200
    few = len(captured)
    for i in range(60, 120):
        certify(holder(f"Synthetic{i:03}"), scenario["track"], {scenario["course"]: "1.0"})
    with django_assert_max_num_queries(few):
        assert client.get(reverse(REPORT), query).status_code == 200


def test_the_csv_download_has_every_row_across_pages(client: Client) -> None:
    _scenario(55)
    client.force_login(ministry())
    response = client.get(reverse(REPORT), {"export": "csv"})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 55
