"""Locust: practitioners on their full journey, against a stack started by ``bench/load/run.py``.

Each simulated practitioner takes the next seeded account (``$LOAD_SEED``, written by
``run.py``), signs in, opens My learning, reads and completes each lesson, starts the quiz,
autosaves, submits, reviews; then keeps reading (My learning, lessons, the review) until the run
ends. Requests are not followed across redirects, so a sign-in or a write counts as succeeded
only on the answer the site gives for it (302 to the right place, 200 for autosave). Every write
answered with success is recorded and written to ``$LOAD_ACKS`` at the end, for ``run.py`` to
check against the database.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

SEED: dict[str, Any] = json.loads(Path(os.environ["LOAD_SEED"]).read_text())
ACKS: dict[str, list[list[Any]]] = {"complete": [], "submit": [], "autosave": [], "submit_quiz": []}
_next_account = itertools.count()
QUESTION_INPUT = re.compile(r'name="(q\d+)"')
ATTEMPT_URL = re.compile(r"/learn/quizzes/attempts/(\d+)/")


#: Every request: (seconds since the first, name, milliseconds, failed), for the figures by phase.
TIMELINE: list[tuple[float, str, float, bool]] = []
_T0: list[float] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    now = time.monotonic()
    if not _T0:
        _T0.append(now)
    TIMELINE.append((round(now - _T0[0], 3), name, round(response_time, 1), exception is not None))


@events.quitting.add_listener
def _write_acks(**_kwargs: Any) -> None:
    Path(os.environ["LOAD_ACKS"]).write_text(json.dumps(ACKS))
    Path(os.environ["LOAD_ACKS"]).with_name("timeline.json").write_text(json.dumps(TIMELINE))


class Practitioner(HttpUser):
    """One practitioner's browser behind the TLS-ending proxy."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        n = next(_next_account)
        self.username = SEED["learners"][n]
        # As the reverse proxy: TLS ended there, the client's own address.
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.1.{n // 256 % 256}.{n % 256}",
                "Referer": self.host.replace("http://", "https://") + "/",
            }
        )
        self.attempt_id = 0
        self.journey_done = False

    def req(self, name: str, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        """One request; a failure unless it answers ``expect`` (and, for a redirect, not to
        the sign-in page)."""
        if method == "POST":
            kwargs["data"] = {
                **kwargs.get("data", {}),
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            }
        with self.client.request(
            method, path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as resp:
            location = resp.headers.get("Location", "")
            if resp.status_code != expect or "/accounts/login/" in location:
                resp.failure(f"{resp.status_code} {location}")
                ok = False
            else:
                resp.success()
                ok = True
        # Secure cookies travel on the plain-HTTP hop behind the proxy.
        for cookie in self.client.cookies:
            cookie.secure = False
        return resp if ok else None

    @task
    def practitioner(self) -> None:
        if not self.journey_done:
            self.journey()
        else:
            self.browse()

    def journey(self) -> None:
        if self.req("login page", "GET", "/en/accounts/login/", 200) is None:
            return
        data = {"username": self.username, "password": SEED["password"]}
        if self.req("sign in", "POST", "/en/accounts/login/", 302, data=data) is None:
            return
        self.req("my learning", "GET", "/en/learn/", 200)
        for lesson in SEED["lessons"]:
            self.wait()
            self.req("lesson page", "GET", lesson["url"], 200)
            path = f"/en/learn/lessons/{lesson['id']}/complete/"
            if self.req("complete lesson", "POST", path, 302) is not None:
                ACKS["complete"].append([self.username, lesson["id"]])
        quiz, module = SEED["quiz_id"], SEED["module_id"]
        self.wait()
        self.req("quiz page", "GET", f"/en/learn/quizzes/{quiz}/?from={module}", 200)
        resp = self.req(
            "start quiz", "POST", f"/en/learn/quizzes/{quiz}/start/", 302, data={"from": module}
        )
        match = ATTEMPT_URL.search(resp.headers.get("Location", "")) if resp else None
        if not match:
            return
        self.attempt_id = int(match.group(1))
        base = f"/en/learn/quizzes/attempts/{self.attempt_id}/"
        page = self.req("attempt page", "GET", base, 200)
        if page is None:
            return
        answers = dict.fromkeys(dict.fromkeys(QUESTION_INPUT.findall(page.text)), "false")
        self.wait()
        if self.req("autosave", "POST", base + "autosave/", 200, data=answers) is not None:
            ACKS["autosave"].append([self.username, self.attempt_id])
        self.wait()
        resp = self.req(
            "submit", "POST", base + "submit/", 302, data={**answers, "with_answers": "1"}
        )
        if resp is not None and "review" in resp.headers.get("Location", ""):
            ACKS["submit"].append([self.username, self.attempt_id])
            ACKS["submit_quiz"].append([self.username, quiz])
        self.req("review", "GET", base + "review/", 200)
        self.journey_done = True

    def browse(self) -> None:
        self.req("my learning", "GET", "/en/learn/", 200)
        self.wait()
        lesson = SEED["lessons"][self.attempt_id % len(SEED["lessons"])]
        self.req("lesson page", "GET", lesson["url"], 200)
        if self.attempt_id:
            self.wait()
            self.req("review", "GET", f"/en/learn/quizzes/attempts/{self.attempt_id}/review/", 200)
