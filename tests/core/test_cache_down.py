"""Degrade, don't die (#12, finding 3): with Redis down or hanging, the site works without it.

The cache is configured as production configures it (``redis_cache`` in the base settings) and
pointed at a Redis that is not there: a closed port (refused at once), or a socket that accepts
connections and never answers (a stopped or overloaded Redis, the worse case). These run on
SQLite without any Redis. The last tests use a real ``redis-server`` that is killed or paused
mid-run, and skip where it is not installed.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from core.cache import FailOpenRedisCache, forget_outages
from courses.api import CoursePage, LessonPage
from curriculum.settings.base import redis_cache
from learners.models import LessonProgress
from tests.factories import UserFactory, practitioner
from tests.factories.certification import CertificateFactory

pytestmark = pytest.mark.django_db

LESSON = "/en/courses/sample-course/first-module/second-lesson/"
#: A request may wait for one socket timeout (0.25 s) for the cache, then no more: the circuit
#: breaker answers the other calls at once. The margin is for a loaded machine.
CACHE_WAIT = 0.6
#: The whole request: far below what a hanging Redis costs without timeouts (until
#: ``_hanging_redis`` gives up).
FAST = 5.0
#: How long the hanging Redis holds connections before resetting them, so a test without
#: timeouts fails instead of hanging the suite.
HANG_LIMIT = 20.0


@pytest.fixture
def _hanging_redis() -> Iterator[str]:
    """A Redis URL whose server accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    watchdog = threading.Timer(HANG_LIMIT, listener.close)
    watchdog.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    watchdog.cancel()
    listener.close()


#: Seconds each cache call took, in the current test (``_cache_waits``).
WAITS: list[float] = []


@pytest.fixture
def _cache_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Time every call the cache makes (or skips), for ``_timed``."""
    guard = FailOpenRedisCache._guard

    def timed(self: FailOpenRedisCache, *args: Any) -> Any:
        started = time.monotonic()
        try:
            return guard(self, *args)
        finally:
            WAITS.append(time.monotonic() - started)

    WAITS.clear()
    monkeypatch.setattr(FailOpenRedisCache, "_guard", timed)
    yield
    WAITS.clear()


@pytest.fixture(params=["refused", "hanging"])
def redis_down(request: pytest.FixtureRequest, settings: Any, _cache_waits: None) -> Iterator[str]:
    """The cache, as configured in production, pointing at a Redis that is down."""
    if request.param == "refused":
        url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    else:
        url = request.getfixturevalue("_hanging_redis")
    forget_outages()
    settings.CACHES = {"default": redis_cache(url)}  # Django resets its cache handler
    yield request.param
    forget_outages()


def _timed(call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, checking that it spent at most one socket timeout (0.25 s) on
    the cache in all, however many calls it made, and that it did not take long overall."""
    WAITS.clear()
    started = time.monotonic()
    response = call(*args, **kwargs)
    seconds = time.monotonic() - started
    assert sum(WAITS) < CACHE_WAIT, f"{sum(WAITS):.2f} s waiting for the cache ({len(WAITS)} calls)"
    assert seconds < FAST, f"took {seconds:.1f} s"
    return response


# --- the backend ---------------------------------------------------------------------------------


def test_reads_miss_and_writes_do_nothing(redis_down: str) -> None:
    started = time.monotonic()
    assert cache.get("k", "default") == "default"
    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.add("k", "v") is True  # as though stored and evicted at once
    assert cache.get_or_set("k", lambda: "computed") == "computed"
    assert cache.get_many(["k", "l"]) == {}
    assert cache.set_many({"k": 1}) == []
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.touch("k") is False
    cache.delete_many(["k"])
    cache.clear()
    with pytest.raises(ValueError, match="missing"):  # a missing key, as after an eviction
        cache.incr("counter")
    # One socket timeout at most (the first call); the circuit breaker answers the rest.
    assert time.monotonic() - started < 1.0


def test_a_hanging_redis_costs_one_timeout_then_nothing(
    redis_down: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="core.cache")
    started = time.monotonic()
    cache.get("first")
    first = time.monotonic() - started
    assert first < 1.0  # the socket timeout, 0.25 s, not the operating system's minutes
    started = time.monotonic()
    for n in range(200):
        cache.get(f"key-{n}")
    assert time.monotonic() - started < 0.2  # Redis is left alone while the circuit is open
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1, "logged once per outage, not once per call"
    assert "failed" in warnings[0].getMessage()


def test_the_circuit_tries_again_after_its_cooldown(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="core.cache")
    forget_outages()
    config = redis_cache("redis://127.0.0.1:1/0")
    config["OPTIONS"] = {**config["OPTIONS"], "circuit_breaker_seconds": 0.2}  # type: ignore[dict-item]
    settings.CACHES = {"default": config}
    calls = 0
    client = cache._cache.get_client  # type: ignore[attr-defined]

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return client(*args, **kwargs)

    cache._cache.get_client = counting  # type: ignore[attr-defined]
    for _ in range(20):
        cache.get("k")
    assert calls == 1
    time.sleep(0.25)
    for _ in range(20):
        cache.get("k")
    assert calls == 2  # one probe per cooldown
    assert len([r for r in caplog.records if r.name == "core.cache"]) == 1
    forget_outages()


# --- the site ------------------------------------------------------------------------------------


def test_anonymous_lesson_page(
    client: Client, sample_course: CoursePage, redis_down: str, settings: Any
) -> None:
    for seconds in (600, 0):  # with the whole-page cache on and off
        settings.PAGE_CACHE_SECONDS = seconds
        response = _timed(client.get, LESSON)
        assert response.status_code == 200
        assert response.get("X-Page-Cache") != "hit"  # nothing stored, nothing served stale


def test_signed_in_lesson_page_and_my_learning(
    client: Client, sample_course: CoursePage, redis_down: str
) -> None:
    client.force_login(practitioner(first_name="Aida"))
    page = _timed(client.get, LESSON)
    assert page.status_code == 200
    assert "Log out" in page.content.decode()
    assert _timed(client.get, "/en/learn/").status_code == 200


def test_signing_in(client: Client, redis_down: str) -> None:
    user = practitioner()
    response = _timed(
        client.post,
        "/en/accounts/login/",
        {"username": user.username, "password": "a-long-test-password-1"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_completing_a_lesson_lands(
    client: Client, sample_course: CoursePage, redis_down: str
) -> None:
    user = practitioner()
    client.force_login(user)
    lesson = LessonPage.objects.get(slug="second-lesson")
    response = _timed(client.post, f"/en/learn/lessons/{lesson.pk}/complete/", {"next": LESSON})
    assert response.status_code == 302
    assert LessonProgress.objects.filter(user=user, lesson=lesson).count() == 1


def test_verifying_a_certificate(client: Client, redis_down: str) -> None:
    """The per-address limit counts in the cache: with the cache down it lets checks through."""
    certificate: Any = CertificateFactory(holder_name="Анна Петрова")
    for _ in range(3):
        response = _timed(client.get, f"/verify/{certificate.code}/")
        assert response.status_code == 200
        assert "Анна Петрова" in response.content.decode()
    assert _timed(client.get, "/verify/NOSUCHCODE/").status_code == 404


def test_cms_dashboard(client: Client, sample_course: CoursePage, redis_down: str) -> None:
    trainer: Any = UserFactory(groups=["Trainer"])
    client.force_login(trainer)
    assert _timed(client.get, "/admin/").status_code == 200
    assert _timed(client.get, f"/admin/pages/{sample_course.pk}/").status_code == 200


# --- a real Redis, killed and paused mid-run -----------------------------------------------------

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture
def real_redis(settings: Any, _cache_waits: None) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A throwaway ``redis-server`` on a free port (never the shared one), as the cache."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _start_redis(port)
    forget_outages()
    config = redis_cache(f"redis://127.0.0.1:{port}/0")
    config["OPTIONS"] = {**config["OPTIONS"], "circuit_breaker_seconds": 0.5}  # type: ignore[dict-item]
    settings.CACHES = {"default": config}
    settings.PAGE_CACHE_SECONDS = 600
    yield server, port
    if server.poll() is None:
        os.kill(server.pid, signal.SIGCONT)
        server.kill()
    server.wait(timeout=10)
    forget_outages()


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    assert REDIS_SERVER is not None
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    pytest.fail("redis-server did not start")


def test_redis_killed_mid_run(
    client: Client, sample_course: CoursePage, real_redis: tuple[subprocess.Popen[bytes], int]
) -> None:
    server, port = real_redis
    assert client.get(LESSON)["X-Page-Cache"] == "miss"
    assert client.get(LESSON)["X-Page-Cache"] == "hit"
    server.kill()
    server.wait(timeout=10)
    response = _timed(client.get, LESSON)
    assert response.status_code == 200
    assert response.get("X-Page-Cache") != "hit"
    signed_in = Client()
    signed_in.force_login(practitioner())
    assert _timed(signed_in.get, LESSON).status_code == 200
    # Redis comes back (empty): the cache is used again once the circuit's cooldown is over.
    restarted = _start_redis(port)
    try:
        time.sleep(0.6)
        assert client.get(LESSON)["X-Page-Cache"] == "miss"
        assert client.get(LESSON)["X-Page-Cache"] == "hit"
    finally:
        restarted.kill()
        restarted.wait(timeout=10)


def test_a_page_published_while_redis_hung_is_not_served_stale(
    client: Client, sample_course: CoursePage, real_redis: tuple[subprocess.Popen[bytes], int]
) -> None:
    """Redis paused (it keeps its data) while a lesson is published: the generation could not
    move on then, so it moves on when Redis answers again, before any page is read."""
    server, _port = real_redis
    client.get(LESSON)
    assert client.get(LESSON)["X-Page-Cache"] == "hit"
    os.kill(server.pid, signal.SIGSTOP)
    try:
        lesson = LessonPage.objects.get(slug="second-lesson")
        lesson.body = [("markdown", "Published while Redis was paused.")]
        _timed(lesson.save_revision().publish)
    finally:
        os.kill(server.pid, signal.SIGCONT)
    time.sleep(0.6)  # the circuit's cooldown
    response = client.get(LESSON)
    assert "Published while Redis was paused." in response.content.decode()
