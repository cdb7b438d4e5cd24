"""The page memo (``core.page_cache.page_memo``): what every reader's request works out again from
published pages, kept in the process until the page cache's generation moves."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.test import RequestFactory, override_settings

from core import page_cache
from core.api import invalidate_page_cache, page_memo

pytestmark = pytest.mark.django_db


class Counter:
    """A computation that says how often it ran."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> int:
        self.runs += 1
        return self.runs


@pytest.fixture
def in_request() -> Iterator[None]:
    """Inside a request, as Django signals it (the generation is read once per request)."""
    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


def test_a_value_is_kept_until_the_generation_moves() -> None:
    compute = Counter()
    assert page_memo(None, ("k",), compute) == 1
    assert page_memo(None, ("k",), compute) == 1
    invalidate_page_cache()
    assert page_memo(None, ("k",), compute) == 2
    assert page_memo(None, ("other",), compute) == 3


def test_a_request_that_began_before_a_publish_never_serves_its_value_after_it() -> None:
    """A request that started under the old generation may work a value out after a publish
    (from the old rows, in another process); it is kept under the old generation only."""
    before = RequestFactory().get("/")
    page_cache.request_generation(before)
    invalidate_page_cache()  # the publish, while ``before`` is still being served
    assert page_memo(before, ("k",), lambda: "old rows") == "old rows"
    after = RequestFactory().get("/")
    assert page_memo(after, ("k",), lambda: "new rows") == "new rows"
    assert page_memo(RequestFactory().get("/"), ("k",), lambda: "never") == "new rows"


def test_code_without_the_request_shares_the_requests_reading(in_request: None) -> None:
    with mock.patch.object(page_cache, "_generation", wraps=page_cache._generation) as read:
        page_memo(None, ("a",), Counter())
        page_memo(None, ("b",), Counter())
        page_memo(RequestFactory().get("/"), ("c",), Counter())
    assert read.call_count == 1


def test_outside_a_request_the_generation_is_read_every_time() -> None:
    """A task or a command after a publish sees it at once."""
    compute = Counter()
    page_memo(None, ("k",), compute)
    invalidate_page_cache()
    page_memo(None, ("k",), compute)
    assert compute.runs == 2


@override_settings(PAGE_MEMO=False)
def test_off_computes_every_time() -> None:
    compute = Counter()
    page_memo(None, ("k",), compute)
    page_memo(None, ("k",), compute)
    assert compute.runs == 2


def test_a_cache_outage_computes_every_time() -> None:
    compute = Counter()
    with mock.patch.object(page_cache, "_generation", side_effect=ConnectionError("down")):
        assert page_memo(None, ("k",), compute) == 1
        assert page_memo(None, ("k",), compute) == 2


def test_the_memo_is_bounded() -> None:
    with mock.patch.object(page_cache, "MEMO_MAX_ENTRIES", 3):
        for i in range(10):
            page_memo(None, (i,), Counter())
        assert len(page_cache._memo["entries"]) <= 3


def test_a_change_to_a_quiz_or_a_track_moves_the_generation() -> None:
    """Models pages show, or memo values are built from, move the generation when saved or
    deleted (``invalidate_page_cache_on``)."""
    from certification.models import CertificationTrack
    from tests.factories.quizzes import make_quiz

    quiz = make_quiz([])
    before = page_cache.current_generation()
    quiz.title = "Renamed"
    quiz.save()
    assert page_cache.current_generation() != before
    before = page_cache.current_generation()
    CertificationTrack.objects.create(name="Foundation", slug="foundation")
    assert page_cache.current_generation() != before
