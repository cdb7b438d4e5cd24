"""Activity source files: every rule of the format, translations, and the packages built from
them (layout, h5p.json, content, Markdown, the players' words, the same bytes every time)."""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import pgettext

from activities.building import (
    CONTENT_TYPES,
    L10N,
    LIBRARIES,
    ActivitySourceError,
    build_package,
    library_files,
    read_source,
    source_problems,
    translation_problems,
)

# -- sample sources (also played by test_content_types.py) ------------------------------------


def scenario_source() -> dict[str, Any]:
    """A good decision scenario: 4 steps; the best choice is the second at each step."""
    steps = []
    for number in range(1, 5):
        steps.append(
            {
                "situation": f"Situation {number}: *Dana* waits at the door.\n\nShe looks tired.",
                "question": f"What do you do at step {number}?",
                "choices": [
                    {
                        "text": f"Step {number}, choice A: ask about the past.",
                        "points": 0,
                        "feedback": f"Feedback {number}A: it **probes** too early.",
                    },
                    {
                        "text": f"Step {number}, choice B: say who you are and why you came.",
                        "points": 2,
                        "feedback": f"Feedback {number}B: open and clear.",
                    },
                    {
                        "text": f"Step {number}, choice C: talk about the weather.",
                        "points": 1,
                        "feedback": f"Feedback {number}C: kind, but it avoids the purpose.",
                    },
                ],
            }
        )
    return {
        "type": "decision-scenario",
        "title": "A first conversation with a mother",
        "description": "Practise opening a first conversation.",
        "composite": "This case is a composite of situations practitioners describe.",
        "introduction": "You are a **social worker**.\n\nAt each step, choose what you would do.",
        "pass_percentage": 70,
        "steps": steps,
        "closing": "- Say who you are.\n- Ask, do not announce.",
    }


def statements_source() -> dict[str, Any]:
    """A good myth-or-fact activity: 5 statements, facts at the odd ones."""
    return {
        "type": "myth-or-fact",
        "title": "Myths about returnee children",
        "description": "Tell what people say from what is known.",
        "introduction": "Decide whether each statement is a *myth* or a *fact*.",
        "pass_percentage": 75,
        "statements": [
            {
                "text": f"Statement {number}: something people say.",
                "fact": number % 2 == 1,
                "explanation": f"Explanation {number}: what is **known**.",
            }
            for number in range(1, 6)
        ],
    }


def write(folder: Path, data: Any, name: str = "activity.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def unzip(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def content(package: bytes) -> dict[str, Any]:
    return json.loads(unzip(package)["content/content.json"])


# -- the format's rules --------------------------------------------------------------------------


def test_good_sources_have_no_problems() -> None:
    assert source_problems(scenario_source()) == []
    assert source_problems(statements_source()) == []


def _without_closing(source: dict[str, Any]) -> None:
    del source["closing"]


def _six_steps_four_choices(source: dict[str, Any]) -> None:
    step = source["steps"][0]
    step["choices"].append({"text": "D", "points": 0, "feedback": "Why D."})
    source["steps"] = [copy.deepcopy(step) for _ in range(6)]


def _ten_statements(source: dict[str, Any]) -> None:
    source["statements"] = [copy.deepcopy(source["statements"][0]) for _ in range(10)]


@pytest.mark.parametrize(
    ("make", "change"),
    [
        (scenario_source, _without_closing),
        (scenario_source, lambda s: s.update(title="t" * 120)),
        (scenario_source, lambda s: s.update(description="d" * 300)),
        (scenario_source, lambda s: s.update(pass_percentage=1)),
        (scenario_source, lambda s: s.update(pass_percentage=100)),
        (scenario_source, lambda s: s.update(steps=s["steps"][:3])),
        (scenario_source, _six_steps_four_choices),
        (scenario_source, lambda s: s["steps"][0].update(question="q" * 200)),
        (scenario_source, lambda s: s["steps"][0]["choices"][0].update(text="c" * 300)),
        (statements_source, lambda s: s.update(statements=s["statements"][:4])),
        (statements_source, _ten_statements),
        (statements_source, lambda s: s["statements"][0].update(text="s" * 300)),
    ],
    ids=[
        "closing is optional",
        "title of 120",
        "description of 300",
        "pass 1",
        "pass 100",
        "3 steps",
        "6 steps of 4 choices",
        "question of 200",
        "choice of 300",
        "4 statements",
        "10 statements",
        "statement of 300",
    ],
)
def test_good_at_the_limits(make: Any, change: Any) -> None:
    source = make()
    change(source)
    assert source_problems(source) == []


def _scenario(change: Any) -> dict[str, Any]:
    source = scenario_source()
    change(source)
    return source


def _statements(change: Any) -> dict[str, Any]:
    source = statements_source()
    change(source)
    return source


def _choice(step: int, choice: int, **fields: Any) -> Any:
    def change(source: dict[str, Any]) -> None:
        target = source["steps"][step - 1]["choices"][choice - 1]
        for name, value in fields.items():
            if value is _DELETE:
                del target[name]
            else:
                target[name] = value

    return change


def _step(step: int, **fields: Any) -> Any:
    def change(source: dict[str, Any]) -> None:
        target = source["steps"][step - 1]
        for name, value in fields.items():
            if value is _DELETE:
                del target[name]
            else:
                target[name] = value

    return change


def _statement(number: int, **fields: Any) -> Any:
    def change(source: dict[str, Any]) -> None:
        target = source["statements"][number - 1]
        for name, value in fields.items():
            if value is _DELETE:
                del target[name]
            else:
                target[name] = value

    return change


def _top(**fields: Any) -> Any:
    def change(source: dict[str, Any]) -> None:
        for name, value in fields.items():
            if value is _DELETE:
                del source[name]
            else:
                source[name] = value

    return change


_DELETE = object()

BAD_SCENARIOS = [
    (_top(type=_DELETE), "type: is required; it must be one of decision-scenario, myth-or-fact"),
    (_top(type="quiz"), "type: is 'quiz'; it must be one of"),
    (_top(title=_DELETE), "title: is required"),
    (_top(title=2024), "title: must be text"),
    (_top(title="   "), "title: must not be empty"),
    (_top(title="t" * 121), "title: is 121 characters long; at most 120"),
    (_top(description=_DELETE), "description: is required"),
    (_top(description="d" * 301), "description: is 301 characters long; at most 300"),
    (_top(composite=_DELETE), "composite: is required"),
    (_top(introduction=_DELETE), "introduction: is required"),
    (_top(introduction=["a list"]), "introduction: must be text"),
    (_top(pass_percentage=_DELETE), "pass_percentage: is required"),
    (_top(pass_percentage=0), "pass_percentage: must be a whole number from 1 to 100, not 0"),
    (_top(pass_percentage=101), "pass_percentage: must be a whole number from 1 to 100"),
    (_top(pass_percentage=70.5), "pass_percentage: must be a whole number from 1 to 100"),
    (_top(pass_percentage="70"), "pass_percentage: must be a whole number from 1 to 100"),
    (_top(pass_percentage=True), "pass_percentage: must be a whole number from 1 to 100"),
    (_top(closing=3), "closing: must be text"),
    (_top(steps=_DELETE), "steps: is required"),
    (_top(steps="three"), "steps: must be a list of 3 to 6 steps"),
    (lambda s: s.update(steps=s["steps"][:2]), "steps: has 2 steps; it needs 3 to 6"),
    (lambda s: s.update(steps=s["steps"] * 2), "steps: has 8 steps; it needs 3 to 6"),
    (lambda s: s["steps"].__setitem__(1, "a step"), "steps[2]: must be a set of 'field: value'"),
    (_top(statements=[]), "statements: is not a field of a decision-scenario; allowed: type,"),
    (_step(2, situation=_DELETE), "steps[2].situation: is required"),
    (_step(2, question=_DELETE), "steps[2].question: is required"),
    (_step(2, question="q" * 201), "steps[2].question: is 201 characters long; at most 200"),
    (_step(3, hint="x"), "steps[3].hint: is not a field of a step; allowed: situation,"),
    (_step(2, choices=_DELETE), "steps[2].choices: is required"),
    (
        lambda s: s["steps"][0].update(choices=s["steps"][0]["choices"][:2]),
        "steps[1].choices: has 2 choices; it needs 3 or 4",
    ),
    (
        lambda s: s["steps"][0]["choices"].extend(copy.deepcopy(s["steps"][0]["choices"][::2])),
        "steps[1].choices: has 5 choices; it needs 3 or 4",
    ),
    (_choice(2, 1, text=_DELETE), "steps[2].choices[1].text: is required"),
    (_choice(2, 1, text="c" * 301), "steps[2].choices[1].text: is 301 characters long"),
    (_choice(2, 1, feedback=_DELETE), "steps[2].choices[1].feedback: is required"),
    (_choice(2, 1, feedback=5), "steps[2].choices[1].feedback: must be text"),
    (_choice(2, 1, feedback=""), "steps[2].choices[1].feedback: must not be empty"),
    (_choice(2, 1, points=_DELETE), "steps[2].choices[1].points: is required"),
    (_choice(2, 1, points=3), "steps[2].choices[1].points: must be 0, 1 or 2, not 3"),
    (_choice(2, 1, points="1"), "steps[2].choices[1].points: must be 0, 1 or 2, not '1'"),
    (_choice(2, 1, points=True), "steps[2].choices[1].points: must be 0, 1 or 2, not True"),
    (_choice(2, 1, points=-1), "steps[2].choices[1].points: must be 0, 1 or 2"),
    (_choice(2, 3, why="x"), "steps[2].choices[3].why: is not a field of a choice; allowed:"),
    (
        _choice(2, 1, points=2),
        "steps[2].choices: exactly one choice must have 2 points (the best choice); 2 do",
    ),
    (
        _choice(2, 2, points=1),
        "steps[2].choices: exactly one choice must have 2 points (the best choice); 0 do",
    ),
]

BAD_STATEMENTS = [
    (_top(statements=_DELETE), "statements: is required"),
    (
        lambda s: s.update(statements=s["statements"][:3]),
        "statements: has 3 statements; it needs 4 to 10",
    ),
    (
        lambda s: s.update(statements=s["statements"] * 3),
        "statements: has 15 statements; it needs 4 to 10",
    ),
    (_top(composite="x"), "composite: is not a field of a myth-or-fact; allowed:"),
    (_top(steps=[]), "steps: is not a field of a myth-or-fact"),
    (_top(pass_percentage=0), "pass_percentage: must be a whole number from 1 to 100"),
    (_top(introduction=_DELETE), "introduction: is required"),
    (_statement(3, text=_DELETE), "statements[3].text: is required"),
    (_statement(3, text="s" * 301), "statements[3].text: is 301 characters long; at most 300"),
    (_statement(3, fact=_DELETE), "statements[3].fact: is required (true: a fact; false: a myth)"),
    (_statement(3, fact="yes"), "statements[3].fact: must be true (a fact) or false (a myth)"),
    (_statement(3, fact=1), "statements[3].fact: must be true (a fact) or false (a myth), not 1"),
    (_statement(3, explanation=_DELETE), "statements[3].explanation: is required"),
    (_statement(3, explanation=["x"]), "statements[3].explanation: must be text"),
    (_statement(3, source="x"), "statements[3].source: is not a field of a statement"),
]


@pytest.mark.parametrize(("change", "problem"), BAD_SCENARIOS, ids=[p for _c, p in BAD_SCENARIOS])
def test_each_rule_of_a_decision_scenario(change: Any, problem: str) -> None:
    problems = source_problems(_scenario(change))
    assert any(found.startswith(problem) for found in problems), problems
    assert len(problems) == 1, problems


@pytest.mark.parametrize(("change", "problem"), BAD_STATEMENTS, ids=[p for _c, p in BAD_STATEMENTS])
def test_each_rule_of_a_myth_or_fact(change: Any, problem: str) -> None:
    problems = source_problems(_statements(change))
    assert any(found.startswith(problem) for found in problems), problems
    assert len(problems) == 1, problems


def test_every_problem_is_listed_at_once() -> None:
    source = scenario_source()
    del source["title"]
    source["steps"][0]["choices"][1]["points"] = 1
    source["steps"][2]["choices"][0]["feedback"] = None
    assert source_problems(source) == [
        "title: is required",
        "steps[1].choices: exactly one choice must have 2 points (the best choice); 0 do",
        "steps[3].choices[1].feedback: is required",
    ]


# -- reading files: lines and errors -----------------------------------------------------------


def test_problems_name_the_line_of_the_field(tmp_path: Path) -> None:
    source = scenario_source()
    source["steps"][1]["choices"][0]["feedback"] = 5
    del source["steps"][2]["choices"][1]["text"]
    path = write(tmp_path, source)
    lines = path.read_text(encoding="utf-8").splitlines()
    problems = source_problems(read_source(path))

    feedback, missing = problems
    assert feedback.startswith("steps[2].choices[1].feedback: must be text (line ")
    line = int(re.search(r"\(line (\d+)\)$", feedback)[1])  # type: ignore[index]
    assert lines[line - 1].strip() == "feedback: 5"
    # A missing field is placed at the item that lacks it.
    assert missing.startswith("steps[3].choices[2].text: is required (line ")
    line = int(re.search(r"\(line (\d+)\)$", missing)[1])  # type: ignore[index]
    assert lines[line - 1].strip() == "- points: 2"


def test_read_source_refuses_what_is_not_yaml_fields(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("type: decision-scenario\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(ActivitySourceError) as caught:
        read_source(broken)
    assert str(caught.value).startswith(f"{broken}: line ")
    assert "is not valid YAML" in str(caught.value)

    listed = tmp_path / "list.yaml"
    listed.write_text("- type: decision-scenario\n", encoding="utf-8")
    with pytest.raises(ActivitySourceError, match="must be a set of 'field: value' lines"):
        read_source(listed)

    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Café".encode("latin-1"))
    with pytest.raises(ActivitySourceError, match="is not UTF-8 text"):
        read_source(latin)

    with pytest.raises(ActivitySourceError, match="cannot be read"):
        read_source(tmp_path / "missing.yaml")


def test_read_source_keeps_the_data(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, statements_source()))
    assert source == statements_source()
    assert source.path == tmp_path / "activity.yaml"


# -- translations ----------------------------------------------------------------------------


def _translated(source: dict[str, Any]) -> dict[str, Any]:
    """``source`` with every text changed, as a translation changes it."""

    def change(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: change(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [change(v) for v in value]
        if isinstance(value, str) and key != "type":
            return "Перевод: " + value
        return value

    return change(source)


def test_a_translation_may_change_only_text() -> None:
    for make in (scenario_source, statements_source):
        source = make()
        translated = _translated(source)
        assert translated["title"] != source["title"]
        assert translation_problems(source, translated) == []


def _points(source: dict[str, Any]) -> None:
    choices = source["steps"][1]["choices"]
    choices[0]["points"], choices[2]["points"] = choices[2]["points"], choices[0]["points"]


TRANSLATION_RULES = [
    (
        scenario_source,
        lambda s: s.update(type="myth-or-fact"),
        ["type: is 'myth-or-fact' here but 'decision-scenario' in the original"],
    ),
    (
        scenario_source,
        lambda s: s.update(pass_percentage=80),
        ["pass_percentage: is 80 here but 70 in the original"],
    ),
    (
        scenario_source,
        lambda s: s["steps"].pop(),
        ["steps: has 3 steps here but 4 in the original"],
    ),
    (
        scenario_source,
        lambda s: s["steps"][2]["choices"].pop(),
        ["steps[3].choices: has 2 choices here but 3 in the original"],
    ),
    (
        scenario_source,
        _points,
        [
            "steps[2].choices[1].points: is 1 here but 0 in the original",
            "steps[2].choices[3].points: is 0 here but 1 in the original",
        ],
    ),
    (
        statements_source,
        lambda s: s["statements"].pop(),
        ["statements: has 4 statements here but 5 in the original"],
    ),
    (
        statements_source,
        lambda s: s["statements"][3].update(fact=True),
        ["statements[4].fact: is True here but False in the original"],
    ),
    (
        statements_source,
        lambda s: s.update(pass_percentage=50),
        ["pass_percentage: is 50 here but 75 in the original"],
    ),
]


@pytest.mark.parametrize(("make", "change", "expected"), TRANSLATION_RULES)
def test_translation_rules(make: Any, change: Any, expected: list[str]) -> None:
    source = make()
    translated = _translated(source)
    change(translated)
    assert translation_problems(source, translated) == expected


def test_translation_problems_name_the_translations_lines(tmp_path: Path) -> None:
    source = scenario_source()
    translated = _translated(source)
    translated["steps"][3]["choices"][0]["points"] = 1
    path = write(tmp_path / "ru", translated)
    (problem,) = translation_problems(source, read_source(path))
    line = int(re.search(r"\(line (\d+)\)$", problem)[1])  # type: ignore[index]
    assert problem.startswith("steps[4].choices[1].points: is 1 here but 0 in the original")
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].strip() == "points: 1"


def test_a_malformed_translation_is_left_to_source_problems() -> None:
    source = scenario_source()
    translated = _translated(source)
    translated["steps"] = "not a list"
    assert translation_problems(source, translated) == []
    assert source_problems(translated) == ["steps: must be a list of 3 to 6 steps"]


# -- packages --------------------------------------------------------------------------------


def test_the_package_layout_and_h5p_json() -> None:
    files = unzip(build_package(scenario_source(), language="en"))
    assert sorted(files) == [
        "Zhusan.DecisionScenario-1.0/decision-scenario.css",
        "Zhusan.DecisionScenario-1.0/decision-scenario.js",
        "Zhusan.DecisionScenario-1.0/library.json",
        "Zhusan.DecisionScenario-1.0/semantics.json",
        "content/content.json",
        "h5p.json",
    ]
    assert json.loads(files["h5p.json"]) == {
        "title": "A first conversation with a mother",
        "language": "en",
        "mainLibrary": "Zhusan.DecisionScenario",
        "embedTypes": ["iframe"],
        "license": "CC BY-SA",
        "licenseVersion": "4.0",
        "authors": [{"name": "Zhusan Academy", "role": "Author"}],
        "preloadedDependencies": [
            {"machineName": "Zhusan.DecisionScenario", "majorVersion": 1, "minorVersion": 0}
        ],
    }
    assert (
        files["Zhusan.DecisionScenario-1.0/decision-scenario.js"]
        == (LIBRARIES / "Zhusan.DecisionScenario-1.0" / "decision-scenario.js").read_bytes()
    )

    myth = unzip(build_package(statements_source(), language="kk"))
    assert json.loads(myth["h5p.json"])["mainLibrary"] == "Zhusan.MythOrFact"
    assert json.loads(myth["h5p.json"])["language"] == "kk"
    assert {name.split("/")[0] for name in myth} == {
        "Zhusan.MythOrFact-1.0",
        "content",
        "h5p.json",
    }


def test_the_content_params() -> None:
    scenario = content(build_package(scenario_source(), language="en"))
    assert scenario["passPercentage"] == 70
    assert scenario["language"] == "en"
    assert scenario["composite"] == scenario_source()["composite"]
    assert len(scenario["steps"]) == 4
    first = scenario["steps"][0]
    assert first["question"] == "What do you do at step 1?"
    assert [c["points"] for c in first["choices"]] == [0, 2, 1]
    assert first["choices"][1]["text"] == "Step 1, choice B: say who you are and why you came."
    assert (
        first["choices"][0]["feedback"]
        == "<p>Feedback 1A: it <strong>probes</strong> too early.</p>"
    )
    assert (
        scenario["closing"]
        == "<ul>\n<li>Say who you are.</li>\n<li>Ask, do not announce.</li>\n</ul>"
    )

    without_closing = scenario_source()
    del without_closing["closing"]
    assert content(build_package(without_closing, language="en"))["closing"] == ""

    myth = content(build_package(statements_source(), language="en"))
    assert myth["passPercentage"] == 75
    assert [s["fact"] for s in myth["statements"]] == [True, False, True, False, True]
    assert (
        myth["statements"][1]["explanation"]
        == "<p>Explanation 2: what is <strong>known</strong>.</p>"
    )
    assert (
        myth["introduction"]
        == "<p>Decide whether each statement is a <em>myth</em> or a <em>fact</em>.</p>"
    )


def test_markdown_is_rendered_and_sanitised() -> None:
    source = scenario_source()
    source["introduction"] = (
        "# Setting\n\nSafe **text**.\n\n<script>alert('x')</script>\n\n"
        '<img src="https://tracker.example/p.gif" onerror="alert(1)">\n\n'
        "[a link](javascript:alert(1))"
    )
    source["steps"][0]["choices"][0]["feedback"] = 'Why <a href="#" onclick="steal()">this</a>.'
    params = content(build_package(source, language="en"))
    introduction = params["introduction"]
    assert "<h2>Setting</h2>" in introduction
    assert "<strong>text</strong>" in introduction
    for gone in ("<script", "alert('x')", "tracker.example", "onerror", 'href="javascript'):
        assert gone not in introduction
    assert "onclick" not in params["steps"][0]["choices"][0]["feedback"]
    # Plain-text fields stay text: the player sets them as text, never as HTML.
    source["steps"][0]["choices"][0]["text"] = "Say <b>hello</b>"
    params = content(build_package(source, language="en"))
    assert params["steps"][0]["choices"][0]["text"] == "Say <b>hello</b>"


def test_the_same_source_gives_the_same_bytes(tmp_path: Path) -> None:
    first = build_package(scenario_source(), language="ru")
    again = build_package(read_source(write(tmp_path, scenario_source())), language="ru")
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    # What changes the package: the text, and the language of the player's words.
    changed = scenario_source()
    changed["title"] += "!"
    assert build_package(changed, language="ru") != first
    assert build_package(scenario_source(), language="en") != first


def test_an_invalid_source_or_language_is_refused() -> None:
    source = scenario_source()
    source["pass_percentage"] = 0
    with pytest.raises(ActivitySourceError, match="pass_percentage: must be a whole number"):
        build_package(source, language="en")
    with pytest.raises(ValueError, match="language 'de' is not one of en, ru, kk"):
        build_package(scenario_source(), language="de")


# -- the players' words ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_players_words_are_in_the_packages_language(language: str) -> None:
    for make in (scenario_source, statements_source):
        source = make()
        l10n = content(build_package(source, language=language))["l10n"]
        expected = L10N[source["type"]]
        assert set(l10n) == set(expected)
        for key, lazy in expected.items():
            with translation.override("en"):
                msgid = str(lazy)  # the English is the msgid
            with translation.override(language):
                assert l10n[key] == pgettext("activity player", msgid)
                assert l10n[key].count("%s") == msgid.count("%s"), (language, key)


def test_the_semantics_describe_every_word() -> None:
    """semantics.json is a reader's description of the params: it lists each word the builder
    fills in, with the English as its default."""
    for kind, content_type in CONTENT_TYPES.items():
        semantics = json.loads((LIBRARIES / content_type.folder / "semantics.json").read_text())
        (group,) = [field for field in semantics if field["name"] == "l10n"]
        with translation.override("en"):
            assert {f["name"]: f["default"] for f in group["fields"]} == {
                key: str(value) for key, value in L10N[kind].items()
            }


# -- the libraries -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(CONTENT_TYPES))
def test_the_library_json(kind: str) -> None:
    content_type = CONTENT_TYPES[kind]
    files = library_files(content_type)
    library = json.loads(files[f"{content_type.folder}/library.json"])
    assert library["machineName"] == content_type.machine_name
    assert (library["majorVersion"], library["minorVersion"], library["patchVersion"]) == (1, 0, 0)
    assert library["runnable"] == 1
    assert library["license"] == "MIT"
    assert library["author"] == "Zhusan Academy"
    assert library["title"]
    assert "preloadedDependencies" not in library
    assets = [item["path"] for item in library["preloadedJs"] + library["preloadedCss"]]
    assert sorted(f"{content_type.folder}/{path}" for path in assets) == sorted(
        name for name in files if name.endswith((".js", ".css"))
    )
    json.loads(files[f"{content_type.folder}/semantics.json"])


@pytest.mark.parametrize("kind", sorted(CONTENT_TYPES))
def test_the_libraries_load_nothing_from_elsewhere(kind: str) -> None:
    content_type = CONTENT_TYPES[kind]
    for name, data in library_files(content_type).items():
        text = data.decode("utf-8")
        if name.endswith(".css"):
            assert "url(" not in text and "@import" not in text, name
        if name.endswith(".js"):
            for call in ("fetch(", "XMLHttpRequest", "import(", "jQuery", "$("):
                assert call not in text, (name, call)
            # Its one URL is the xAPI interaction type, an identifier nothing loads.
            urls = set(re.findall(r"https?://[^'\"\s)]+", text))
            assert urls == {"http://adlnet.gov/expapi/activities/cmi.interaction"}, urls


# -- manage.py build_h5p -------------------------------------------------------------------------


def test_build_h5p_writes_the_package_and_prints_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "course" / "activities", scenario_source(), "visit.yaml")
    out = tmp_path / "out.h5p"
    call_command("build_h5p", str(source), "-o", str(out))
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_bytes() == build_package(scenario_source(), language="en")


def test_build_h5p_takes_the_language_from_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    source = write(tmp_path / "content" / "kk" / "course" / "activities", statements_source())
    call_command("build_h5p", str(source))
    written = Path(capsys.readouterr().out.strip())
    assert written == Path("activity-kk.h5p")
    files = unzip((tmp_path / written).read_bytes())
    assert json.loads(files["h5p.json"])["language"] == "kk"

    call_command("build_h5p", str(source), "--language", "ru", "-o", "x.h5p")
    assert json.loads(unzip((tmp_path / "x.h5p").read_bytes())["h5p.json"])["language"] == "ru"


def test_build_h5p_lists_the_problems_with_the_file_name(tmp_path: Path) -> None:
    source = scenario_source()
    source["steps"][1]["choices"][0]["feedback"] = 5
    source["title"] = ""
    path = write(tmp_path, source)
    with pytest.raises(CommandError) as caught:
        call_command("build_h5p", str(path), "-o", str(tmp_path / "out.h5p"))
    message = str(caught.value)
    assert message.startswith(f"{path} has 2 problem(s):")
    assert f"{path}: title: must not be empty (line " in message
    assert f"{path}: steps[2].choices[1].feedback: must be text (line " in message
    assert not (tmp_path / "out.h5p").exists()

    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken.yaml: line \d+: is not valid YAML"):
        call_command("build_h5p", str(broken))
