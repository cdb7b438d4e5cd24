"""Our two H5P content types, played to the end in h5p-standalone in Chromium, at a phone's width
and a desktop's: the xAPI statements and their scores, focus, saved state that resumes at the
same step, WCAG 2.1 AA (axe-core inside the player's frame), and nothing loaded from elsewhere.

The content types alone: a folder with h5p-standalone's ``dist/``, a page of ours and the two
packages, served by Python's ``http.server``. The site's own player page is tested elsewhere.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from activities.building import build_package
from tests.activities.test_building import scenario_source, statements_source
from tests.browser.conftest import ROOT, SCREENSHOTS
from tests.browser.helpers import DESKTOP, PHONE, WCAG

# Marked like the other browser tests: the session browser comes with the imported curricula,
# whose database set-up a test without the mark would leave half-done for the next test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIST = ROOT / "node_modules" / "h5p-standalone" / "dist"

#: The page that plays one package (``?h5p=<folder>&state=<saved state, JSON>``) and keeps the
#: xAPI statements in ``window.statements``.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Zhusan content types</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #1b1f24; }
  main { max-width: 60rem; margin: 0 auto; padding: 0.5rem; }
  h1 { font-size: 1.5rem; margin: 0.5rem 0; }
</style>
<script src="/dist/main.bundle.js"></script>
</head>
<body>
<main>
  <h1>An activity</h1>
  <div id="player"></div>
</main>
<script>
  window.statements = [];
  const query = new URLSearchParams(location.search);
  const name = query.get('h5p');
  const options = {
    id: name,
    h5pJsonPath: '/' + name,
    librariesPath: '/' + name,
    frameJs: '/dist/frame.bundle.js',
    frameCss: '/dist/styles/h5p.css',
    saveFreq: 1,
    xAPIObjectIRI: location.origin + '/activities/' + name,
    metadata: { defaultLanguage: 'en' },
  };
  if (query.get('state')) options.contentUserData = [{ state: query.get('state') }];
  new H5PStandalone.H5P(document.getElementById('player'), options).then(() => {
    H5P.externalDispatcher.on('xAPI', (event) => window.statements.push(event.data.statement));
    window.playerReady = true;
  });
</script>
</body>
</html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The folder, served on 127.0.0.1: ``dist/``, ``index.html``, ``scenario/`` and ``myth/``."""
    if not DIST.is_dir():
        pytest.skip(f"{DIST} not found (npm ci)")
    root = tmp_path_factory.mktemp("h5p-site")
    shutil.copytree(DIST, root / "dist")
    for name, source in (("scenario", scenario_source()), ("myth", statements_source())):
        with zipfile.ZipFile(io.BytesIO(build_package(source, language="en"))) as package:
            package.extractall(root / name)
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium(served: str, browser: Any) -> Any:
    """The session's browser (tests/browser/conftest.py): one Playwright per worker, since its
    sync API runs an event loop in the thread."""
    return browser


@dataclass
class Player:
    """A page playing one package, and its frame (where the content type runs)."""

    page: Any
    frame: Any
    name: str

    def button(self, name: str) -> Any:
        return self.frame.get_by_role("button", name=name, exact=True)

    def focused(self) -> str:
        return str(self.frame.evaluate("document.activeElement.className"))

    def statements(self, verb: str) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = self.page.evaluate("window.statements")
        return [s for s in statements if s["verb"]["id"].endswith("/" + verb)]

    def saved_state(self) -> str:
        """The state H5P core saved (every second, ``saveFreq``), as the site would store it."""
        self.frame.wait_for_function(
            f"() => (H5PIntegration.contents['cid-{self.name}'].contentUserData || {{}})[0]"
            f" && H5PIntegration.contents['cid-{self.name}'].contentUserData[0].state"
            " === JSON.stringify(H5P.instances[0].getCurrentState())"
        )
        return str(
            self.frame.evaluate(
                f"H5PIntegration.contents['cid-{self.name}'].contentUserData[0].state"
            )
        )

    def check(self, axe_source: str, shot: str) -> None:
        """axe-core finds no WCAG 2.1 A/AA violation in the frame; nothing scrolls sideways;
        the frame shows all of its content; a screenshot."""
        self.frame.evaluate(f"{axe_source}\n;undefined")
        # The frame's document is H5P core's (written into an about:blank frame), and has no
        # <title>: the page names the frame. Everything else in it is checked.
        result = self.frame.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " rules: {'document-title': {enabled: false}}})",
            WCAG,
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        ]
        assert violations == [], f"{shot}: {violations}"
        for where in (self.page, self.frame):
            width = where.evaluate("document.documentElement.scrollWidth")
            inner = where.evaluate("document.documentElement.clientWidth")
            assert width <= inner, f"{shot}: {width}px wide in {inner}px"
        # The player grows the frame to its content (the content type triggers resize).
        self.page.wait_for_function(
            "() => { const f = document.querySelector('iframe.h5p-iframe');"
            " return Math.abs(f.getBoundingClientRect().height"
            " - f.contentDocument.body.scrollHeight) <= 2; }"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)


@dataclass
class Watch:
    """What every page of a test asked for and said: requests leaving 127.0.0.1, failed
    requests, script errors."""

    host: str
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def play(chromium: Any, served: str) -> Iterator[Callable[..., Player]]:
    contexts = []
    watch = Watch(host=urlsplit(served).netloc)

    def open_player(name: str, viewport: dict[str, int], state: str | None = None) -> Player:
        context = chromium.new_context(viewport=viewport, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()

        def request(req: Any) -> None:
            parts = urlsplit(req.url)
            if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != watch.host:
                watch.outside.append(req.url)

        page.on("request", request)
        page.on(
            "response",
            lambda r: watch.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on("pageerror", lambda error: watch.errors.append(str(error)))
        page.on(
            "console",
            lambda m: watch.errors.append(m.text) if m.type == "error" else None,
        )
        url = f"{served}/index.html?h5p={name}" + (f"&state={quote(state)}" if state else "")
        page.goto(url)
        page.wait_for_function("window.playerReady === true")
        frame = page.wait_for_selector("iframe.h5p-iframe").content_frame()
        frame.wait_for_selector(".zds, .zmf")
        return Player(page=page, frame=frame, name=name)

    yield open_player
    for context in contexts:
        context.close()
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.failed == [], f"requests failed: {watch.failed}"
    assert watch.errors == [], f"script errors: {watch.errors}"


def _choice(step: int, letter: str) -> str:
    """The text of a choice in ``scenario_source`` (points: A 0, B 2, C 1)."""
    return {
        "A": f"Step {step}, choice A: ask about the past.",
        "B": f"Step {step}, choice B: say who you are and why you came.",
        "C": f"Step {step}, choice C: talk about the weather.",
    }[letter]


RATING = {"A": "Not helpful", "B": "Best choice", "C": "Partly helpful"}
POINTS = {"A": 0, "B": 2, "C": 1}


@pytest.mark.parametrize(
    ("viewport", "size", "letters"),
    [(PHONE, "phone", "BCBA"), (DESKTOP, "desktop", "BBBB")],
    ids=["phone", "desktop"],
)
def test_decision_scenario_played_to_the_end(
    play: Callable[..., Player], axe_source: str, viewport: dict[str, int], size: str, letters: str
) -> None:
    player = play("scenario", viewport)
    frame = player.frame
    assert frame.get_by_role("heading", name="A first conversation with a mother").is_visible()
    assert frame.get_by_text("This case is a composite").is_visible()
    assert frame.evaluate("document.querySelector('.zds').lang") == "en"
    player.check(axe_source, f"h5p-decision-scenario-{size}-start")
    player.button("Start").click()
    assert "zds-situation" in player.focused()

    for step, letter in enumerate(letters, 1):
        assert frame.get_by_role("heading", name=f"Step {step} of 4").is_visible()
        assert frame.get_by_text(f"Situation {step}:").is_visible()
        choices = frame.locator(".zds-choice")
        assert choices.count() == 3
        box = choices.first.bounding_box()
        assert box["height"] >= 44  # a touch target
        player.button(_choice(step, letter)).click()
        # Focus moves to the feedback, which says the rating in words.
        assert "zds-feedback" in player.focused()
        feedback = frame.locator(".zds-feedback")
        assert feedback.get_attribute("aria-live") == "polite"
        assert RATING[letter] in feedback.inner_text()
        assert f"Feedback {step}{letter}" in feedback.inner_text()
        assert frame.locator(".zds-choice").count() == 0  # the choice stands
        if step == 1:
            frame.get_by_text("See the other choices").click()
            others = frame.locator(".zds-other")
            assert others.count() == 2
            assert {RATING[x] for x in "ABC" if x != letter} == {
                others.nth(i).locator(".zds-rating").inner_text() for i in range(2)
            }
            player.check(axe_source, f"h5p-decision-scenario-{size}-feedback")
        if step < 4:
            player.button("Continue").click()
            assert "zds-situation" in player.focused()

    # The score is reported at the last choice, before the result is opened.
    answered = player.statements("answered")
    assert [s["result"]["response"] for s in answered] == [
        "1" if x == "B" else "0" if x == "A" else "2" for x in letters
    ]
    assert [s["result"]["score"]["raw"] for s in answered] == [POINTS[x] for x in letters]
    assert all(s["context"]["contextActivities"]["parent"] for s in answered)
    assert answered[0]["object"]["id"].endswith("/activities/scenario?subContentId=step-1")
    assert answered[0]["object"]["definition"]["interactionType"] == "choice"
    assert answered[0]["object"]["definition"]["correctResponsesPattern"] == ["1"]
    (completed,) = player.statements("completed")
    raw = sum(POINTS[x] for x in letters)
    assert completed["result"]["score"] == {
        "min": 0, "max": 8, "raw": raw, "scaled": raw / 8,
    }  # fmt: skip
    assert completed["result"]["success"] is (raw / 8 >= 0.7)
    assert completed["result"]["completion"] is True
    assert completed["object"]["id"].endswith("/activities/scenario")
    assert "parent" not in completed.get("context", {}).get("contextActivities", {})

    player.button("See your result").click()
    assert "zds-result" in player.focused()
    result = frame.locator(".zds-result").inner_text()
    assert f"Your score: {raw} of 8" in result
    assert "Pass mark: 6 of 8" in result
    assert ("You reached the pass mark." in result) is (raw >= 6)
    assert "Ask, do not announce." in result  # the closing
    assert frame.locator(".zds-review__item").count() == 4
    player.check(axe_source, f"h5p-decision-scenario-{size}-result")

    player.button("Try again").click()
    assert frame.get_by_role("heading", name="Step 1 of 4").is_visible()
    assert frame.evaluate("H5P.instances[0].getScore()") == 0


@pytest.mark.parametrize(
    ("viewport", "size", "answers"),
    [(PHONE, "phone", "FMFFM"), (DESKTOP, "desktop", "FMFMF")],
    ids=["phone", "desktop"],
)
def test_myth_or_fact_played_to_the_end(
    play: Callable[..., Player], axe_source: str, viewport: dict[str, int], size: str, answers: str
) -> None:
    # statements_source: the odd statements are facts, so FMFMF is all right.
    player = play("myth", viewport)
    frame = player.frame
    player.check(axe_source, f"h5p-myth-or-fact-{size}-start")
    player.button("Start").click()
    assert "zmf-statement" in player.focused()
    right = 0
    for number, answer in enumerate(answers, 1):
        fact = number % 2 == 1
        assert frame.get_by_role("heading", name=f"Statement {number} of 5").is_visible()
        assert frame.get_by_text(f"Statement {number}: something people say.").is_visible()
        player.button("Fact" if answer == "F" else "Myth").click()
        assert "zmf-feedback" in player.focused()
        feedback = frame.locator(".zmf-feedback").inner_text()
        is_right = (answer == "F") == fact
        right += is_right
        assert ("Correct" if is_right else "Not quite") in feedback
        assert ("This is a fact." if fact else "This is a myth.") in feedback
        assert f"Explanation {number}" in feedback
        assert frame.locator(".zmf-answer").count() == 0
        if number == 2:
            player.check(axe_source, f"h5p-myth-or-fact-{size}-feedback")
        if number < 5:
            player.button("Next").click()
            assert "zmf-statement" in player.focused()

    answered = player.statements("answered")
    assert [s["result"]["response"] for s in answered] == [
        "true" if a == "F" else "false" for a in answers
    ]
    assert answered[0]["object"]["definition"]["interactionType"] == "true-false"
    (completed,) = player.statements("completed")
    assert completed["result"]["score"] == {"min": 0, "max": 5, "raw": right, "scaled": right / 5}
    assert completed["result"]["success"] is (right / 5 >= 0.75)

    player.button("See your result").click()
    assert "zmf-result" in player.focused()
    assert f"Your score: {right} of 5" in frame.locator(".zmf-result").inner_text()
    assert "Pass mark: 4 of 5" in frame.locator(".zmf-result").inner_text()
    player.check(axe_source, f"h5p-myth-or-fact-{size}-result")


def test_a_saved_scenario_resumes_at_the_same_step(play: Callable[..., Player]) -> None:
    player = play("scenario", PHONE)
    player.button("Start").click()
    player.button(_choice(1, "C")).click()
    player.button("Continue").click()
    player.button(_choice(2, "B")).click()
    # Left with step 2's feedback open: it comes back with it open, the choice standing.
    state = player.saved_state()
    assert json.loads(state) == {"answers": [2, 1], "step": 1, "done": False}

    again = play("scenario", PHONE, state)
    frame = again.frame
    assert frame.get_by_role("heading", name="Step 2 of 4").is_visible()
    assert "Best choice" in frame.locator(".zds-feedback").inner_text()
    assert frame.locator(".zds-choice").count() == 0
    assert frame.evaluate("H5P.instances[0].getScore()") == 3
    again.button("Continue").click()
    # Left at step 3 before choosing: it comes back there, the choices open.
    state = again.saved_state()
    assert json.loads(state) == {"answers": [2, 1], "step": 2, "done": False}

    third = play("scenario", PHONE, state)
    assert third.frame.get_by_role("heading", name="Step 3 of 4").is_visible()
    assert third.frame.locator(".zds-choice").count() == 3
    third.button(_choice(3, "B")).click()
    third.button("Continue").click()
    third.button(_choice(4, "B")).click()
    (completed,) = third.statements("completed")
    # The choices made before leaving count: 1 + 2 + 2 + 2.
    assert completed["result"]["score"]["raw"] == 7


def test_a_saved_myth_or_fact_resumes_and_a_bad_state_starts_again(
    play: Callable[..., Player],
) -> None:
    player = play("myth", DESKTOP)
    player.button("Start").click()
    for answer in ("Fact", "Fact", "Fact"):
        player.button(answer).click()
        player.button("Next").click()
    state = player.saved_state()
    assert json.loads(state) == {"answers": [True, True, True], "index": 3, "done": False}

    again = play("myth", DESKTOP, state)
    assert again.frame.get_by_role("heading", name="Statement 4 of 5").is_visible()
    assert again.frame.evaluate("H5P.instances[0].getScore()") == 2

    # A state that does not fit this content (too many answers) is ignored: the start again.
    stale = json.dumps({"answers": [True] * 9, "index": 8, "done": False})
    fresh = play("myth", DESKTOP, stale)
    assert fresh.button("Start").is_visible()


def test_played_with_the_keyboard_focus_shows(play: Callable[..., Player], axe_source: str) -> None:
    player = play("scenario", PHONE)
    player.button("Start").focus()
    player.page.keyboard.press("Enter")
    assert "zds-situation" in player.focused()
    player.page.keyboard.press("Tab")
    assert player.frame.evaluate("document.activeElement.textContent") == _choice(1, "A")
    outline = "getComputedStyle(document.activeElement).outlineStyle"
    assert player.frame.evaluate(outline) == "solid"
    player.page.keyboard.press("Tab")
    player.page.keyboard.press("Enter")
    # The choice made with the keyboard: focus on the feedback, with a visible ring.
    assert "zds-feedback" in player.focused()
    assert "Best choice" in player.frame.locator(".zds-feedback").inner_text()
    assert player.frame.evaluate(outline) == "solid"
    player.check(axe_source, "h5p-decision-scenario-phone-keyboard")
    # Then: the other choices (a native disclosure), and Continue.
    player.page.keyboard.press("Tab")
    player.page.keyboard.press("Enter")
    assert player.frame.locator(".zds-other").first.is_visible()
    player.page.keyboard.press("Tab")
    player.page.keyboard.press("Enter")
    assert "zds-situation" in player.focused()
    assert player.frame.get_by_role("heading", name="Step 2 of 4").is_visible()
