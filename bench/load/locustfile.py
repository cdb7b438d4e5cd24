"""Locust: practitioners on their whole journey, against the stack ``run.py`` starts.

Each user takes the next seeded account (``$LOAD_SEED``), signs in, opens My learning, reads and
completes each lesson, starts the quiz, autosaves, submits and reviews; then keeps reading. A
request is not followed across a redirect, so a write counts only on its own answer. Every
acknowledged write and every request's time go to ``$LOAD_ACKS`` at the end, for ``run.py``.
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
TIMELINE: list[tuple[float, str, float]] = []  # (seconds since the start, name, ms)
START = time.monotonic()
ACCOUNTS = itertools.count()
QUESTION_INPUT = re.compile(r'name="(q\d+)"')
ATTEMPT_URL = re.compile(r"/learn/quizzes/attempts/(\d+)/")


@events.request.add_listener
def _record(name: str, response_time: float, **_kwargs: Any) -> None:
    TIMELINE.append((round(time.monotonic() - START, 3), name, round(response_time, 1)))


@events.quitting.add_listener
def _write(**_kwargs: Any) -> None:
    Path(os.environ["LOAD_ACKS"]).write_text(json.dumps({"acks": ACKS, "timeline": TIMELINE}))


class Practitioner(HttpUser):
    """One practitioner's browser behind the TLS-ending proxy."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        n = next(ACCOUNTS)
        self.username = SEED["learners"][n]
        referer = str(self.host).replace("http://", "https://") + "/"
        address = f"10.1.{n // 256 % 256}.{n % 256}"
        proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address, "Referer": referer}
        self.client.headers.update(proxy)
        self.attempt_id = 0
        self.journey_done = False

    def req(self, name: str, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        """One request: a failure unless it answers ``expect`` (not a redirect to sign in)."""
        if method == "POST":
            token = self.client.cookies.get("csrftoken", "")
            kwargs["data"] = {**kwargs.get("data", {}), "csrfmiddlewaretoken": token}
        with self.client.request(
            method, path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as resp:
            location = resp.headers.get("Location", "")
            ok = resp.status_code == expect and "/accounts/login/" not in location
            if ok:
                resp.success()
            else:
                resp.failure(f"{resp.status_code} {location}")
        for cookie in self.client.cookies:  # secure cookies on the plain-HTTP hop
            cookie.secure = False
        return resp if ok else None

    @task
    def practitioner(self) -> None:
        if not self.journey_done:
            self.journey()
            return
        self.req("my learning", "GET", "/en/learn/", 200)
        self.wait()
        lesson = SEED["lessons"][self.attempt_id % len(SEED["lessons"])]
        self.req("lesson page", "GET", lesson["url"], 200)
        if self.attempt_id:
            self.wait()
            self.req("review", "GET", f"/en/learn/quizzes/attempts/{self.attempt_id}/review/", 200)

    def journey(self) -> None:
        data = {"username": self.username, "password": SEED["password"]}
        if self.req("login page", "GET", "/en/accounts/login/", 200) is None or (
            self.req("sign in", "POST", "/en/accounts/login/", 302, data=data) is None
        ):
            return
        self.req("my learning", "GET", "/en/learn/", 200)
        for lesson in SEED["lessons"]:
            self.wait()
            self.req("lesson page", "GET", lesson["url"], 200)
            complete = f"/en/learn/lessons/{lesson['id']}/complete/"
            if self.req("complete lesson", "POST", complete, 302) is not None:
                ACKS["complete"].append([self.username, lesson["id"]])
        quiz, module = SEED["quiz_id"], SEED["module_id"]
        self.wait()
        self.req("quiz page", "GET", f"/en/learn/quizzes/{quiz}/?from={module}", 200)
        start = f"/en/learn/quizzes/{quiz}/start/"
        resp = self.req("start quiz", "POST", start, 302, data={"from": module})
        match = ATTEMPT_URL.search(resp.headers.get("Location", "")) if resp is not None else None
        if not match:
            return
        self.attempt_id = int(match.group(1))
        base = f"/en/learn/quizzes/attempts/{self.attempt_id}/"
        page = self.req("attempt page", "GET", base, 200)
        if page is None:
            return
        answers = dict.fromkeys(QUESTION_INPUT.findall(page.text), "false")
        self.wait()
        if self.req("autosave", "POST", base + "autosave/", 200, data=answers) is not None:
            ACKS["autosave"].append([self.username, self.attempt_id])
        self.wait()
        submitted = {**answers, "with_answers": "1"}
        resp = self.req("submit", "POST", base + "submit/", 302, data=submitted)
        if resp is not None and "review" in resp.headers.get("Location", ""):
            ACKS["submit"].append([self.username, self.attempt_id])
            ACKS["submit_quiz"].append([self.username, quiz])
        self.req("review", "GET", base + "review/", 200)
        self.journey_done = True
