"""Issue #12, finding 4: trainers reach only practitioners, and only through invitations.

Adding an address never attaches an account of another role, nor enrols an existing
practitioner (another trainer's learner, say): they are asked by email and join themselves. The
message reads the same for every usable address, so the form does not tell whether an address
has an account. The table and its CSV show only practitioners.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from learners.api import Cohort, cohort_add_member, cohort_assign_course
from learners.cohort_joining import join_token
from tests.factories import CoursePageFactory, UserFactory, practitioner

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["Trainer", "Course reviewer", "Regional coordinator", "Ministry", "admin", "staff"]


def account_of(role: str, email: str) -> User:
    if role == "admin":
        return UserFactory(email=email, is_superuser=True, is_staff=True)
    if role == "staff":
        return UserFactory(email=email, is_staff=True)
    return UserFactory(email=email, groups=[role])


@pytest.fixture
def trainer() -> User:
    return UserFactory(groups=["Trainer"], first_name="Gulnara", last_name="Trainer")


@pytest.fixture
def cohort(trainer: User) -> Cohort:
    cohort = Cohort.objects.create(name="Atyrau psychologists")
    cohort.trainers.add(trainer)
    return cohort


def add(client: Client, cohort: Cohort, text: str, callbacks: Any) -> str:
    with callbacks(execute=True):
        response = client.post(
            f"/en/learn/cohorts/{cohort.pk}/members/", {"emails": text}, follow=True
        )
    return str(response.content.decode())


def messages_of(page: str, address: str) -> str:
    """The page's messages with ``address`` made neutral, to compare two additions."""
    found = re.findall(r'<li class="message[^"]*"[^>]*>(.*?)</li>', page, re.S)
    found = found or re.findall(r'class="message[^"]*"[^>]*>(.*?)<', page, re.S)
    return " ".join(found).replace(address, "ADDRESS")


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_an_account_of_another_role_is_never_added_nor_told_apart(
    client: Client,
    cohort: Cohort,
    trainer: User,
    role: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = account_of(role, "someone.else@example.org")
    client.force_login(trainer)
    page = add(client, cohort, "someone.else@example.org", django_capture_on_commit_callbacks)
    assert not cohort.members.exists()
    assert not other.enrollments.exists()
    assert mail.outbox == []  # nothing sent: nobody of another role is asked to join
    known = messages_of(page, "someone.else@example.org")
    unknown = messages_of(
        add(client, cohort, "nobody.yet@example.org", django_capture_on_commit_callbacks),
        "nobody.yet@example.org",
    )
    assert "1 address taken: ADDRESS." in known
    assert known == unknown  # the same words, whether the address has an account or not


def test_another_trainers_learner_is_asked_to_join_not_enrolled(
    client: Client, cohort: Cohort, trainer: User, django_capture_on_commit_callbacks: Any
) -> None:
    theirs = Cohort.objects.create(name="Another trainer's cohort")
    learner = practitioner(email="their.learner@example.org")
    learner.profile.preferred_language = "ru"
    learner.profile.save()
    cohort_add_member(cohort=theirs, user=learner)
    client.force_login(trainer)
    page = add(client, cohort, "their.learner@example.org", django_capture_on_commit_callbacks)
    assert "1 address taken: their.learner@example.org." in page
    assert not cohort.members.exists()  # nothing of theirs is shown before they agree
    [message] = mail.outbox
    assert message.to == ["their.learner@example.org"]
    # In the learner's language (their profile prefers Russian), not the trainer's.
    assert "Gulnara Trainer приглашает вас вступить в группу «Atyrau psychologists»" in message.body
    # Pasting the list again sends nothing twice.
    add(client, cohort, "their.learner@example.org", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_the_practitioner_joins_through_the_link_and_only_they_can(
    client: Client, cohort: Cohort, trainer: User, django_capture_on_commit_callbacks: Any
) -> None:
    learner = practitioner(email="joins@example.org")
    client.force_login(trainer)
    add(client, cohort, "joins@example.org", django_capture_on_commit_callbacks)
    [token] = re.findall(r"/cohorts/join/([^/\s]+)/", mail.outbox[0].body)
    path = f"/en/learn/cohorts/join/{token}/"

    # Someone else with the link, the trainer included, and a forged link: 404.
    assert client.get(path).status_code == 404
    client.force_login(practitioner())
    assert client.post(path).status_code == 404
    client.force_login(learner)
    assert client.get(path.replace("/join/", "/join/x")).status_code == 404

    page = client.get(path)
    assert page.status_code == 200
    assert "Join “Atyrau psychologists”?" in page.content.decode()
    assert not cohort.members.exists()  # a GET changes nothing
    response = client.post(path)
    assert response.status_code == 302
    assert list(cohort.members.all()) == [learner]


def test_a_link_for_an_account_that_is_no_practitioner_does_not_work(
    client: Client, cohort: Cohort
) -> None:
    ministry = UserFactory(groups=["Ministry"])
    client.force_login(ministry)
    token = join_token(cohort=cohort, user=ministry)
    assert client.post(f"/en/learn/cohorts/join/{token}/").status_code == 404
    assert not cohort.members.exists()


def test_the_table_and_csv_show_only_practitioners(
    client: Client, cohort: Cohort, trainer: User
) -> None:
    """Accounts of other roles added before the fix stay in the database but out of sight."""
    learner = practitioner(email="shown@example.org")
    cohort_add_member(cohort=cohort, user=learner)
    for role in OTHER_ROLES:
        cohort_add_member(cohort=cohort, user=account_of(role, f"{role[:5]}@example.org".lower()))
    cohort_assign_course(cohort=cohort, course=CoursePageFactory())  # a CSV row per course
    client.force_login(trainer)

    page = client.get(f"/en/learn/cohorts/{cohort.pk}/").content.decode()
    csv_text = client.get(f"/en/learn/cohorts/{cohort.pk}/export.csv").content.decode("utf-8-sig")
    emails = {row["email"] for row in csv.DictReader(io.StringIO(csv_text))}
    assert emails == {"shown@example.org"}
    for role in OTHER_ROLES:
        hidden = f"{role[:5]}@example.org".lower()
        assert hidden not in page and hidden not in csv_text
        other = cohort.members.get(email=hidden)
        member_url = f"/en/learn/cohorts/{cohort.pk}/members/{other.pk}/"
        assert client.get(member_url).status_code == 404
    assert client.get(f"/en/learn/cohorts/{cohort.pk}/members/{learner.pk}/").status_code == 200
