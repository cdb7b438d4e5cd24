"""Sign-in defences (issue #12, findings 6 and 9): lockout after wrong passwords on every sign-in
form, limits on password-reset and invitation emails, and Argon2 hashing that upgrades old
hashes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from accounts.hashers import ZhusanArgon2PasswordHasher
from accounts.models import Invitation
from accounts.services import invitations_create
from accounts.throttling import client_address
from curriculum.settings import base as base_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"
LOGIN = "/en/accounts/login/"


def sign_in(client: Client, username: str, password: str, path: str = LOGIN, **extra: Any) -> Any:
    return client.post(path, {"username": username, "password": password}, **extra)


# --- lockout ---------------------------------------------------------------------------------------


# Ours, the CMS's, and Wagtail's sign-in for pages restricted to signed-in people.
@pytest.mark.parametrize("path", [LOGIN, "/admin/login/", "/en/_util/login/"])
def test_sixty_wrong_passwords_lock_the_account_until_the_cool_off_ends(path: str) -> None:
    user: Any = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        statuses = [sign_in(client, user.username, "wrong", path).status_code for _ in range(60)]
        # Four wrong passwords show the form again; the fifth and every one after are refused.
        assert statuses[:4] == [200] * 4
        assert set(statuses[4:]) == {429}
        # The right password is refused too, during the cool-off, and nobody is signed in.
        refused = sign_in(client, user.username, PASSWORD, path)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session
        traveller.shift(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
        assert sign_in(client, user.username, PASSWORD, path).status_code == 429
        traveller.shift(timedelta(minutes=2))
        allowed = sign_in(client, user.username, PASSWORD, path)
    assert allowed.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lockout_page_is_translated_and_says_how_long() -> None:
    user: Any = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, user.username, "wrong", "/ru/accounts/login/")
    assert response.status_code == 429
    assert response["Content-Language"] == "ru"
    text = response.content.decode()
    assert '<html lang="ru"' in text
    assert "Слишком много попыток входа" in text
    assert "15 минут" in text
    # An account that does not exist gets the same page, so it tells nothing.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        unknown = sign_in(client, "nobody@example.org", "wrong", "/ru/accounts/login/")
    assert unknown.status_code == 429
    assert unknown.content.decode().replace("nobody@example.org", user.username) == text.replace(
        "nobody@example.org", user.username
    )


DEAD_REDIS = {
    "default": {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
    }
}


@override_settings(CACHES=DEAD_REDIS)
def test_lockout_and_sign_in_work_with_the_cache_down() -> None:
    """Axes counts in the database: with Redis down, people still sign in, and guessing is
    still locked out."""
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "FailOpenRedisCache"
    user: Any = UserFactory()
    other: Any = UserFactory()
    client = Client()
    statuses = [
        sign_in(client, user.username, "wrong").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert sign_in(client, user.username, PASSWORD).status_code == 429
    response = sign_in(Client(), other.username, PASSWORD)
    assert response.status_code == 302


def test_a_classmate_behind_the_same_address_still_signs_in() -> None:
    """Lockout follows the account, not the classroom's shared NAT address."""
    careless: Any = UserFactory()
    classmate: Any = UserFactory()
    client = Client()
    for _ in range(10):
        sign_in(client, careless.username, "wrong", REMOTE_ADDR="10.0.0.1")
    other = Client()
    response = sign_in(other, classmate.username, PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(classmate.pk)


def test_guessing_from_many_addresses_still_locks_the_account() -> None:
    user: Any = UserFactory()
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), user.username, "wrong", REMOTE_ADDR=f"198.51.100.{number}")
    assert sign_in(Client(), user.username, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429


def test_a_successful_sign_in_clears_earlier_failures() -> None:
    user: Any = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.post("/en/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user.username, "wrong")
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_failures_are_counted_in_the_database_with_the_address_behind_the_proxy(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    user: Any = UserFactory()
    sign_in(
        Client(),
        user.username,
        "wrong",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.ip_address == "203.0.113.7"
    assert attempt.failures_since_start == 1


def test_client_address_takes_only_what_our_proxies_added(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: the header is not ours
    assert client_address(request) == "10.0.0.2"


def test_wrong_sign_in_says_the_same_for_a_known_and_an_unknown_account() -> None:
    user: Any = UserFactory()
    known = sign_in(Client(), user.username, "wrong").content.decode()
    unknown = sign_in(Client(), "nobody-here", "wrong").content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert "Please enter a correct username and password" in known
    assert token.sub("", known.replace(user.username, "X")) == token.sub(
        "", unknown.replace("nobody-here", "X")
    )


# --- password reset and invitation emails ----------------------------------------------------------


def ask_reset(client: Client, email: str, **extra: Any) -> Any:
    return client.post("/en/accounts/password/reset/", {"email": email}, **extra)


def test_password_reset_emails_are_limited_per_account_and_the_page_does_not_change() -> None:
    user: Any = UserFactory()
    client = Client()
    responses = [ask_reset(client, user.email.upper()) for _ in range(5)]
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR == 3
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {"/en/accounts/password/reset/sent/"}
    # Another account is not affected by the first one's limit.
    other: Any = UserFactory()
    ask_reset(client, other.email)
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].to == [other.email]
    # An hour later the first account can ask again.
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        ask_reset(client, user.email)
    assert len(mail.outbox) == 5


def test_password_reset_emails_are_limited_per_client_address() -> None:
    user: Any = UserFactory()
    for number in range(settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
        ask_reset(Client(), f"someone{number}@example.org", REMOTE_ADDR="198.51.100.1")
    assert ask_reset(Client(), user.email, REMOTE_ADDR="198.51.100.1").status_code == 302
    assert mail.outbox == []
    ask_reset(Client(), user.email, REMOTE_ADDR="198.51.100.2")
    assert len(mail.outbox) == 1


def test_password_reset_still_sends_when_the_cache_is_down() -> None:
    user: Any = UserFactory()
    with mock.patch("accounts.throttling.cache.add", side_effect=ConnectionError("down")):
        assert ask_reset(Client(), user.email).status_code == 302
    assert len(mail.outbox) == 1


def test_invitation_resends_are_limited_per_person() -> None:
    user: Any = UserFactory(last_login=None)
    first = invitations_create(user_ids=[user.pk])
    assert len(first) == 1
    assert invitations_create(user_ids=[user.pk], resend=True) == []
    with time_machine.travel(timezone.now() + timedelta(minutes=21)):
        assert invitations_create(user_ids=[user.pk], resend=True) == first
        assert invitations_create(user_ids=[user.pk], resend=True) == []
    assert Invitation.objects.get().pending


# --- Argon2 ----------------------------------------------------------------------------------------


PRODUCTION_HASHERS = base_settings.PASSWORD_HASHERS


def test_production_hashers_put_the_tuned_argon2_first() -> None:
    assert PRODUCTION_HASHERS[0] == "accounts.hashers.ZhusanArgon2PasswordHasher"
    hasher = ZhusanArgon2PasswordHasher()
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19 * 1024, 2, 1)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
@pytest.mark.parametrize(
    "old_hash",
    [
        lambda: PBKDF2PasswordHasher().encode(PASSWORD, "pbkdf2salt1234"),
        lambda: make_password(PASSWORD, hasher="argon2"),  # Django's own Argon2 parameters
    ],
    ids=["pbkdf2", "argon2-django-defaults"],
)
def test_an_old_hash_is_upgraded_to_argon2_when_its_owner_signs_in(old_hash: Any) -> None:
    user: Any = UserFactory()
    get_user_model().objects.filter(pk=user.pk).update(password=old_hash())
    client = Client()
    assert sign_in(client, user.username, "wrong").status_code == 200
    user.refresh_from_db()
    assert not user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)
