"""Invitations (issue #11): the email, its link, sending that survives a lost task, and
"Forgotten your password?" for accounts that never had a password."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from accounts.api import AccountTaken, Role, account_create, invitations_queue, invitations_retry
from accounts.models import Invitation
from accounts.services import invitation_send, invitations_create
from accounts.tasks import send_invitations, send_pending_invitations
from accounts.tokens import TokenState, invitation_token_generator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-password-7"
LINK = re.compile(r"http://testserver(/(en|ru|kk)/accounts/invitation/\S+/)")


def invited(email: str = "new.person@example.org", **kwargs: Any) -> User:
    """An account made for someone: no usable password, never signed in."""
    user = UserFactory(email=email, username=email, **kwargs)
    user.set_unusable_password()
    user.save()
    return user


def send(callbacks: Any, user: User, language: str = "en", **kwargs: Any) -> list[int]:
    with callbacks(execute=True):
        return invitations_queue(user_ids=[user.pk], languages={user.pk: language}, **kwargs)


def link_in(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


# --- accounts made for someone ----------------------------------------------------------------


def test_account_create_makes_a_practitioner_without_a_password() -> None:
    user = account_create(email="  New.Person@Example.org ", role=Role.PRACTITIONER)
    assert (user.username, user.email) == ("new.person@example.org", "new.person@example.org")
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Practitioner"]


def test_account_create_refuses_an_address_that_is_another_username() -> None:
    UserFactory(username="taken@example.org", email="someone.else@example.org")
    with pytest.raises(AccountTaken):
        account_create(email="taken@example.org", role=Role.PRACTITIONER)
    assert get_user_model().objects.count() == 1


# --- the email ---------------------------------------------------------------------------------


def test_the_invitation_is_sent_after_commit_and_recorded(
    django_capture_on_commit_callbacks: Any,
) -> None:
    trainer = UserFactory(groups=["Trainer"])
    user = invited(first_name="Aigerim", last_name="Example")
    with django_capture_on_commit_callbacks() as callbacks:
        ids = invitations_queue(user_ids=[user.pk], by=trainer)
        assert mail.outbox == []  # nothing leaves before the work is committed
    assert len(callbacks) == 1
    callbacks[0]()
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    assert message.subject == "Your invitation to Zhusan Academy"
    assert "Hello, Aigerim Example." in message.body
    assert "for 14 days" in message.body
    assert "new.person@example.org" in message.body
    invitation = Invitation.objects.get(pk=ids[0])
    assert invitation.sent_by == trainer and invitation.send_count == 1
    assert invitation.sent_at is not None and not invitation.pending


@pytest.mark.parametrize(
    ("language", "subject", "prefix"),
    [
        ("ru", "Ваше приглашение в Академию «Жусан»", "/ru/"),
        ("kk", "«Жусан» академиясына шақыру", "/kk/"),
        ("de", "Your invitation to Zhusan Academy", "/en/"),  # not offered: the site default
    ],
)
def test_the_email_is_in_the_persons_language(
    django_capture_on_commit_callbacks: Any, language: str, subject: str, prefix: str
) -> None:
    send(django_capture_on_commit_callbacks, invited(), language)
    [message] = mail.outbox
    assert message.subject.startswith(subject)
    assert link_in(message).startswith(prefix)


@override_settings(INVITATION_VALID_DAYS=3)
def test_the_validity_is_a_setting(django_capture_on_commit_callbacks: Any) -> None:
    send(django_capture_on_commit_callbacks, invited())
    assert "for 3 days" in mail.outbox[0].body


def test_people_who_signed_in_or_cannot_receive_are_not_invited(
    django_capture_on_commit_callbacks: Any,
) -> None:
    signed_in = invited("in@example.org", last_login=timezone.now())
    inactive = invited("off@example.org", is_active=False)
    no_address = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        ids = invitations_queue(user_ids=[signed_in.pk, inactive.pk, no_address.pk])
    assert ids == [] and mail.outbox == []


def test_an_import_never_invites_twice_but_a_resend_does(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = invited()
    send(django_capture_on_commit_callbacks, user)
    assert send(django_capture_on_commit_callbacks, user) == []
    assert len(mail.outbox) == 1
    # A resend is refused within 20 minutes of the last (accounts.services.RESEND_INTERVAL).
    assert send(django_capture_on_commit_callbacks, user, "ru", resend=True) == []
    with time_machine.travel(timezone.now() + timedelta(minutes=21)):
        assert len(send(django_capture_on_commit_callbacks, user, "ru", resend=True)) == 1
    assert len(mail.outbox) == 2
    invitation = Invitation.objects.get()
    assert invitation.send_count == 2 and invitation.language == "ru"


# --- nothing lost: a lost task, a failed send, two senders ----------------------------------------


def test_a_lost_task_is_sent_by_the_sweep() -> None:
    user = invited()
    ids = invitations_create(user_ids=[user.pk])  # recorded; the task never arrived
    assert send_pending_invitations() == 0  # too recent: left to its task for a few minutes
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert send_pending_invitations() == 1
        assert send_pending_invitations() == 0  # sent once
    assert len(mail.outbox) == 1
    assert not Invitation.objects.get(pk=ids[0]).pending


def test_a_failed_send_stays_pending_and_the_others_still_go() -> None:
    first, second = invited("a@example.org"), invited("b@example.org")
    ids = invitations_create(user_ids=[first.pk, second.pk])
    real_send = mail.EmailMessage.send
    calls = {"n": 0}

    def flaky(message: Any, *args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("SMTP server went away")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMessage, "send", flaky):
        assert send_invitations(ids) == 1
    states = dict(Invitation.objects.values_list("pk", "pending"))
    assert sorted(states.values()) == [False, True]
    failed = next(pk for pk, pending in states.items() if pending)
    assert Invitation.objects.get(pk=failed).claimed_at is None  # released for the next try
    assert send_invitations([failed]) == 1
    assert len(mail.outbox) == 2


def test_a_claimed_invitation_is_not_sent_twice_until_its_claim_is_stale() -> None:
    user = invited()
    [pk] = invitations_create(user_ids=[user.pk])
    Invitation.objects.filter(pk=pk).update(claimed_at=timezone.now())  # a worker is sending
    assert invitation_send(invitation_id=pk) is False
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):  # that worker died
        assert invitation_send(invitation_id=pk) is True
    assert len(mail.outbox) == 1


def test_someone_who_signed_in_meanwhile_gets_no_email() -> None:
    user = invited()
    [pk] = invitations_create(user_ids=[user.pk])
    user.last_login = timezone.now()
    user.save()
    assert invitation_send(invitation_id=pk) is False
    invitation = Invitation.objects.get()
    assert mail.outbox == [] and not invitation.pending and invitation.accepted_at is not None


def test_retry_sends_only_what_is_waiting(django_capture_on_commit_callbacks: Any) -> None:
    sent, waiting = invited("a@example.org"), invited("b@example.org")
    ids = send(django_capture_on_commit_callbacks, sent)
    ids += invitations_create(user_ids=[waiting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_retry(invitation_ids=ids) == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]


# --- the link ----------------------------------------------------------------------------------


def test_the_link_sets_a_password_signs_in_and_accepts(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = invited()
    send(django_capture_on_commit_callbacks, user)
    form = client.get(link_in(mail.outbox[0]), follow=True)
    page = form.content.decode()
    assert "Welcome to Zhusan Academy" in page and "new.person@example.org" in page
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.wsgi_request.user == user  # signed in
    assert "Your password is set and you are signed in." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Invitation.objects.get().accepted_at is not None
    # Used: the same link now explains itself and offers a new one.
    client.logout()
    again = client.get(link_in(mail.outbox[0]), follow=True).content.decode()
    assert "This link no longer works" in again
    assert "has been used already or has expired" in again
    assert 'action="/en/accounts/password/reset/"' in again


def test_a_weak_password_is_refused_on_the_invitation_page(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = invited()
    send(django_capture_on_commit_callbacks, user)
    form = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_an_expired_invitation_says_so_and_offers_a_new_link(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = invited()
    send(django_capture_on_commit_callbacks, user, "ru")
    link = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert invitation_token_generator.state(user, token) is TokenState.EXPIRED
        response = client.get(link, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru"' in page
    assert 'action="/ru/accounts/password/reset/"' in page
    # The new link goes out although the account never had a password, and the page that
    # follows is the same whether or not the address is known.
    sent = client.post("/ru/accounts/password/reset/", {"email": "NEW.person@example.org"})
    unknown = client.post("/ru/accounts/password/reset/", {"email": "nobody@example.org"})
    assert sent["Location"] == unknown["Location"] == "/ru/accounts/password/reset/sent/"
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["new.person@example.org"]


def test_a_tampered_or_foreign_token_is_a_dead_link(client: Client) -> None:
    user = invited()
    good = invitation_token_generator.make_token(user)
    assert invitation_token_generator.state(user, good) is TokenState.VALID
    assert invitation_token_generator.state(user, good[:-1] + "x") is TokenState.INVALID
    assert invitation_token_generator.state(user, "nonsense") is TokenState.INVALID
    assert invitation_token_generator.state(None, good) is TokenState.INVALID
    page = client.get("/en/accounts/invitation/Mg/nonsense-token/").content.decode()
    assert "This link no longer works" in page


# --- "Forgotten your password?" ------------------------------------------------------------------


def test_password_reset_works_for_an_account_that_never_had_a_password(client: Client) -> None:
    user = invited()
    client.post("/en/accounts/password/reset/", {"email": "New.Person@example.org"})
    [message] = mail.outbox
    link = re.search(r"http://testserver(/en/accounts/password/reset/\S+/)", message.body)
    assert link, message.body
    form = client.get(link.group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_sends_nothing_to_an_inactive_account(client: Client) -> None:
    invited(is_active=False)
    UserFactory(email="off@example.org", is_active=False)
    for address in ("new.person@example.org", "off@example.org"):
        response = client.post("/en/accounts/password/reset/", {"email": address})
        assert response["Location"] == "/en/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_a_used_reset_link_offers_a_new_one(client: Client) -> None:
    user = UserFactory(email="learner@example.org")
    client.post("/en/accounts/password/reset/", {"email": "learner@example.org"})
    link = re.search(r"http://testserver(/en/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    page = client.get(link.group(1), follow=True).content.decode()
    assert "This link no longer works" in page
    assert "The reset link was used already or has expired." in page
    assert 'name="email"' in page
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_signing_in_any_way_accepts_the_invitation(client: Client) -> None:
    user = invited()
    invitations_create(user_ids=[user.pk])
    user.set_password(NEW_PASSWORD)
    user.save()
    client.post("/en/accounts/login/", {"username": user.username, "password": NEW_PASSWORD})
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None and not invitation.pending
