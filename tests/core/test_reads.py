"""Reads shared within a block (``core.api.shared_reads``), and fragments kept in the page memo
(``{% memo %}``): each is kept exactly as long as it may be, and no longer."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import timezone

from core.api import invalidate_page_cache, read_once, rows_where, shared_reads

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> int:
        self.runs += 1
        return self.runs


def test_inside_a_block_each_read_runs_once_per_key() -> None:
    compute = Counter()
    with shared_reads():
        assert read_once(("records", 1), compute) == 1
        assert read_once(("records", 1), compute) == 1
        assert read_once(("records", 2), compute) == 2
        with shared_reads():  # a nested block shares the outer one
            assert read_once(("records", 1), compute) == 1
    assert compute.runs == 2


def test_outside_a_block_every_read_runs_so_a_write_is_never_missed() -> None:
    compute = Counter()
    assert read_once(("records", 1), compute) == 1
    assert read_once(("records", 1), compute) == 2
    with shared_reads():
        assert read_once(("records", 1), compute) == 3
    with shared_reads():  # a new block starts afresh
        assert read_once(("records", 1), compute) == 4


MEMO = Template("{% load zhusan %}{% memo 'part' key %}{{ counter }}{% endmemo %}|{{ counter }}")


def render(key: str, counter: Counter, *, preview: bool = False) -> str:
    request = RequestFactory().get("/")
    request.is_preview = preview
    return MEMO.render(Context({"key": key, "counter": counter, "request": request}))


def test_a_memo_fragment_is_rendered_once_per_key_until_a_publish() -> None:
    counter = Counter()
    assert render("a", counter) == "1|2"  # the part inside memo is kept; outside is not
    assert render("a", counter) == "1|3"
    assert render("b", counter) == "4|5"
    invalidate_page_cache()
    assert render("a", counter) == "6|7"


def test_a_preview_is_never_served_from_nor_kept_in_the_memo() -> None:
    counter = Counter()
    assert render("a", counter) == "1|2"
    assert render("a", counter, preview=True) == "3|4"  # the draft, rendered
    assert render("a", counter) == "1|5"  # the live part as it was, not the draft


def test_a_memo_needs_a_key() -> None:
    with pytest.raises(TemplateSyntaxError, match="needs a key"):
        Template("{% load zhusan %}{% memo %}x{% endmemo %}")


def _fields(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_rows_where_reads_what_the_queryset_reads_converted_and_in_order() -> None:
    from certification.models import Certificate
    from tests.factories import practitioner
    from tests.factories.certification import CertificateFactory, TrackFactory

    user, other = practitioner(), practitioner()
    first, second = TrackFactory(), TrackFactory()
    earlier = CertificateFactory(user=user, track=second, revoked_at=timezone.now())
    CertificateFactory(user=user, track=second, sequence=2, previous=earlier)
    CertificateFactory(user=user, track=first, course_versions={"7": {"version": "2.1"}})
    CertificateFactory(user=other, track=first)

    rows = rows_where(Certificate, {"user_id": user.pk}, order_by=("track_id", "-sequence"))
    expected = Certificate.objects.filter(user=user).order_by("track_id", "-sequence")
    assert [_fields(r) for r in rows] == [_fields(c) for c in expected]
    assert len(rows) == 3
    # Converted as the ORM converts: aware times, dates, JSON.
    assert timezone.is_aware(rows[2].revoked_at) and rows[2].revoked_at == earlier.revoked_at
    assert rows[0].course_versions == {"7": {"version": "2.1"}}


def test_rows_where_tests_none_as_null() -> None:
    from certification.models import Certificate
    from tests.factories.certification import CertificateFactory

    kept = CertificateFactory()
    CertificateFactory(user=kept.user, track=kept.track, sequence=2, revoked_at=timezone.now())
    rows = rows_where(Certificate, {"user_id": kept.user_id, "revoked_at": None})
    assert [r.pk for r in rows] == [kept.pk]


def test_rows_where_refuses_a_name_the_model_does_not_have() -> None:
    from django.core.exceptions import FieldDoesNotExist

    from certification.models import Certificate

    with pytest.raises(FieldDoesNotExist):
        rows_where(Certificate, {"user_id": 1, "nonsense": 2})
