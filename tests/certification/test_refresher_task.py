"""Assigning a refresher as one task (issue #14): the request is recorded and returns at once,
the task enrols everyone set-based and is idempotent, a lost task is found by the sweep, and
``core.api.people_changed`` tells listeners who was enrolled in bulk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from certification import tasks
from certification.models import RefresherRequest, RefresherRequestStatus
from certification.services import (
    RefresherRefused,
    refresher_request,
    refresher_request_run,
    refresher_requests_sweep,
)
from core.api import people_changed
from learners.api import Cohort, enrollment_create, enrollment_leave
from learners.models import CohortMembership, Enrollment
from tests.certification.test_versions import (
    ASSIGN,
    account,
    assign_data,
    certify,
    course,
    holder,
    make_track,
    ministry,
    publish_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario() -> dict[str, Any]:
    """Two synthetic holders on version 1 of a course now at version 2, and a refresher."""
    page = course("1.0")
    refresher = course("1.0", title="Trauma-informed care: what changed")
    track = make_track(page, refresher=refresher)
    certificates = [
        certify(holder("Айгерім", region="KZ-75"), track, {page: "1.0"}),
        certify(holder("Synthetic", region="KZ-79"), track, {page: "1.0"}),
    ]
    page = publish_version(page, "2.0")
    return {"course": page, "refresher": refresher, "track": track, "certificates": certificates}


def _ids(scenario: dict[str, Any]) -> list[int]:
    return [c.user_id for c in scenario["certificates"]]


def test_the_request_returns_at_once_and_the_task_runs_after_the_commit(
    client: Client, scenario: dict[str, Any]
) -> None:
    client.force_login(ministry())
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = client.post(reverse(ASSIGN), assign_data(scenario))
    assert response.status_code == 302
    request = RefresherRequest.objects.get()
    assert request.status == RefresherRequestStatus.QUEUED
    assert sorted(request.user_ids) == sorted(_ids(scenario))
    assert not Cohort.objects.exists()  # nothing done in the request itself
    html = client.get(response["Location"]).content.decode()
    assert "waiting to start" in html and "Reload the page" in html
    [callback] = callbacks
    callback()  # the task, as a worker would run it
    request.refresh_from_db()
    assert request.status == RefresherRequestStatus.DONE
    assert set(Cohort.objects.get().members.values_list("pk", flat=True)) == set(_ids(scenario))


def test_everyone_the_filters_show_is_assigned(client: Client, scenario: dict[str, Any]) -> None:
    client.force_login(ministry())
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse(ASSIGN), assign_data(scenario, certificates=[], everyone="1"))
    assert set(Cohort.objects.get().members.values_list("pk", flat=True)) == set(_ids(scenario))


def test_the_task_is_idempotent_and_runs_once_per_claim(scenario: dict[str, Any]) -> None:
    official = ministry()
    request = refresher_request(
        track=scenario["track"], course=scenario["refresher"], user_ids=_ids(scenario), by=official
    )
    assert tasks.assign_refresher(request.pk) == {"holders": 2, "added": 2}
    assert tasks.assign_refresher(request.pk) is None  # delivered twice: claimed once
    again = refresher_request(
        track=scenario["track"], course=scenario["refresher"], user_ids=_ids(scenario), by=official
    )
    assert tasks.assign_refresher(again.pk) == {"holders": 2, "added": 0}
    assert CohortMembership.objects.count() == 2
    assert Enrollment.objects.filter(course=scenario["refresher"]).count() == 2


def test_a_holder_who_left_is_enrolled_again(scenario: dict[str, Any]) -> None:
    user = scenario["certificates"][0].user
    enrollment_create(user=user, course=scenario["refresher"])
    enrollment_leave(user=user, course=scenario["refresher"])
    request = refresher_request(
        track=scenario["track"],
        course=scenario["refresher"],
        user_ids=_ids(scenario),
        by=ministry(),
    )
    refresher_request_run(request_id=request.pk)
    assert Enrollment.objects.filter(course=scenario["refresher"], left_at=None).count() == 2


def test_a_lost_task_is_recovered_by_the_sweep(scenario: dict[str, Any]) -> None:
    # The request commits but its task is never delivered (no on-commit callback runs here).
    request = refresher_request(
        track=scenario["track"],
        course=scenario["refresher"],
        user_ids=_ids(scenario),
        by=ministry(),
    )
    assert refresher_requests_sweep() == []  # too soon: the task may still arrive
    RefresherRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert tasks.refresher_requests_sweep() == [request.pk]
    request.refresh_from_db()
    assert request.status == RefresherRequestStatus.DONE
    assert set(Cohort.objects.get().members.values_list("pk", flat=True)) == set(_ids(scenario))
    assert refresher_requests_sweep() == []  # done: nothing left to redo


def test_a_worker_that_died_mid_run_is_recovered(scenario: dict[str, Any]) -> None:
    request = refresher_request(
        track=scenario["track"],
        course=scenario["refresher"],
        user_ids=_ids(scenario),
        by=ministry(),
    )
    RefresherRequest.objects.filter(pk=request.pk).update(
        status=RefresherRequestStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=30),
        attempts=1,
    )
    assert refresher_requests_sweep() == [request.pk]
    assert refresher_request_run(request_id=request.pk) is not None
    assert RefresherRequest.objects.get().status == RefresherRequestStatus.DONE


def test_the_sweep_gives_up_after_several_tries(scenario: dict[str, Any]) -> None:
    request = refresher_request(
        track=scenario["track"],
        course=scenario["refresher"],
        user_ids=_ids(scenario),
        by=ministry(),
    )
    RefresherRequest.objects.filter(pk=request.pk).update(
        status=RefresherRequestStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=30),
        attempts=5,
    )
    assert refresher_requests_sweep() == []
    request.refresh_from_db()
    assert request.status == RefresherRequestStatus.FAILED and request.error
    assert not Cohort.objects.exists()


def test_a_course_unpublished_before_the_task_runs_fails_with_the_reason(
    client: Client, scenario: dict[str, Any]
) -> None:
    official = ministry()
    request = refresher_request(
        track=scenario["track"], course=scenario["refresher"], user_ids=_ids(scenario), by=official
    )
    scenario["refresher"].unpublish()
    refresher_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RefresherRequestStatus.FAILED
    assert "is not published" in request.error
    assert not Cohort.objects.exists()
    client.force_login(official)
    html = client.get(reverse("certification_older_versions"), {"track": scenario["track"].pk})
    assert "failed: " in html.content.decode()


def test_refusals_record_nothing(scenario: dict[str, Any]) -> None:
    with pytest.raises(RefresherRefused) as refused:
        refresher_request(
            track=scenario["track"],
            course=scenario["refresher"],
            user_ids=_ids(scenario),
            by=account(groups=["Trainer"]),
        )
    assert refused.value.field == "permission"
    with pytest.raises(RefresherRefused) as refused:
        refresher_request(
            track=scenario["track"], course=scenario["refresher"], user_ids=[], by=ministry()
        )
    assert refused.value.field == "holders"
    assert not RefresherRequest.objects.exists()


def test_people_changed_names_everyone_enrolled_in_bulk(scenario: dict[str, Any]) -> None:
    received: list[list[int]] = []

    def listener(sender: Any, user_ids: list[int], **kwargs: Any) -> None:
        received.append(list(user_ids))

    people_changed.connect(listener)
    try:
        request = refresher_request(
            track=scenario["track"],
            course=scenario["refresher"],
            user_ids=_ids(scenario),
            by=ministry(),
        )
        refresher_request_run(request_id=request.pk)
    finally:
        people_changed.disconnect(listener)
    assert sorted(set().union(*received)) == sorted(_ids(scenario))


def test_queries_do_not_grow_with_the_holders(
    scenario: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    official = ministry()
    small = refresher_request(
        track=scenario["track"], course=scenario["refresher"], user_ids=_ids(scenario), by=official
    )
    with django_assert_max_num_queries(40) as captured:
        refresher_request_run(request_id=small.pk)
    few = len(captured)
    many = [
        certify(holder(f"Bulk{i}"), scenario["track"], {scenario["course"]: "1.0"}).user_id
        for i in range(30)
    ]
    big = refresher_request(
        track=scenario["track"], course=scenario["refresher"], user_ids=many, by=official
    )
    with django_assert_max_num_queries(few):
        refresher_request_run(request_id=big.pk)
    assert Cohort.objects.get().members.count() == 32
