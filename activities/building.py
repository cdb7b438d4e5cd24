"""Activity source files (YAML) into H5P packages of our own content types.

A trainer writes an activity as a short YAML file (``content/<course>/activities/<slug>.yaml``,
translations in ``content/<lang>/<course>/activities/<slug>.yaml``). This module reads one,
checks every rule of the format (:func:`source_problems`, :func:`translation_problems`), naming
each problem by its field, and builds an ``.h5p`` package from it: ``h5p.json``,
``content/content.json`` (the params, Markdown rendered to sanitised HTML) and the content type's
library, copied from ``activities/h5p_libraries/``. The same source always gives the same
bytes, so re-importing an unchanged file changes nothing.

Field paths in problems number list items from 1, as a trainer counts (``steps[2]`` is the
second step), and end with the line of the file when the source came from :func:`read_source`.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from core.api import render_markdown

__all__ = [
    "CONTENT_TYPES",
    "ActivitySource",
    "ActivitySourceError",
    "ContentType",
    "build_package",
    "read_source",
    "source_problems",
    "translation_problems",
]

#: Where the libraries' source lives, one folder per ``<machineName>-<major>.<minor>``.
LIBRARIES = Path(__file__).resolve().parent / "h5p_libraries"


@dataclass(frozen=True)
class ContentType:
    """One of our H5P content types, and the ``type:`` of the source files it plays."""

    source_type: str
    machine_name: str
    major: int
    minor: int

    @property
    def folder(self) -> str:
        """The library's folder, in the package as in ``activities/h5p_libraries/``."""
        return f"{self.machine_name}-{self.major}.{self.minor}"

    @property
    def versioned_name(self) -> str:
        """``Machine.Name major.minor``, as H5P names a library."""
        return f"{self.machine_name} {self.major}.{self.minor}"


CONTENT_TYPES: dict[str, ContentType] = {
    "decision-scenario": ContentType("decision-scenario", "Zhusan.DecisionScenario", 1, 0),
    "myth-or-fact": ContentType("myth-or-fact", "Zhusan.MythOrFact", 1, 0),
}

# Limits from the source format.
TITLE_MAX = 120
DESCRIPTION_MAX = 300
QUESTION_MAX = 200
TEXT_MAX = 300
STEPS = (3, 6)
CHOICES = (3, 4)
STATEMENTS = (4, 10)
POINTS = (0, 1, 2)
BEST = 2

COMMON_FIELDS = ("type", "title", "description", "introduction", "pass_percentage")
FIELDS: dict[str, tuple[str, ...]] = {
    "decision-scenario": (*COMMON_FIELDS, "composite", "steps", "closing"),
    "myth-or-fact": (*COMMON_FIELDS, "statements"),
}
STEP_FIELDS = ("situation", "question", "choices")
CHOICE_FIELDS = ("text", "points", "feedback")
STATEMENT_FIELDS = ("text", "fact", "explanation")


#: The players' visible words, translated into the package's language when it is built. The
#: ``%s`` are filled in by the player, in order. A context of their own: the player's "Next" is
#: "Далее", the site's pager "Следующая".
COMMON_L10N: dict[str, Promise] = {
    "start": pgettext_lazy("activity player", "Start"),
    "tryAgain": pgettext_lazy("activity player", "Try again"),
    "seeResult": pgettext_lazy("activity player", "See your result"),
    "result": pgettext_lazy("activity player", "Your result"),
    "score": pgettext_lazy("activity player", "Your score: %s of %s"),
    "passMark": pgettext_lazy("activity player", "Pass mark: %s of %s"),
    "passed": pgettext_lazy("activity player", "You reached the pass mark."),
    "notPassed": pgettext_lazy(
        "activity player", "You have not reached the pass mark yet. You can try again."
    ),
}
L10N: dict[str, dict[str, Promise]] = {
    "decision-scenario": {
        **COMMON_L10N,
        "continue": pgettext_lazy("activity player", "Continue"),
        "stepOf": pgettext_lazy("activity player", "Step %s of %s"),
        "yourChoice": pgettext_lazy("activity player", "Your choice"),
        "yourChoices": pgettext_lazy("activity player", "Your choices"),
        "best": pgettext_lazy("activity player", "Best choice"),
        "partly": pgettext_lazy("activity player", "Partly helpful"),
        "notHelpful": pgettext_lazy("activity player", "Not helpful"),
        "otherChoices": pgettext_lazy("activity player", "See the other choices"),
    },
    "myth-or-fact": {
        **COMMON_L10N,
        "next": pgettext_lazy("activity player", "Next"),
        "statementOf": pgettext_lazy("activity player", "Statement %s of %s"),
        "question": pgettext_lazy("activity player", "Myth or fact?"),
        "fact": pgettext_lazy("activity player", "Fact"),
        "myth": pgettext_lazy("activity player", "Myth"),
        "correct": pgettext_lazy("activity player", "Correct"),
        "incorrect": pgettext_lazy("activity player", "Not quite"),
        "isFact": pgettext_lazy("activity player", "This is a fact."),
        "isMyth": pgettext_lazy("activity player", "This is a myth."),
        "yourAnswer": pgettext_lazy("activity player", "Your answer: %s"),
        "yourAnswers": pgettext_lazy("activity player", "Your answers"),
    },
}

#: Fixed for every entry, so that the same source gives the same bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


class ActivitySource(dict[str, Any]):
    """A source file's data, with the file it came from and the line of each field
    (``steps[2].choices[1].feedback`` → 14) for the problems to name."""

    def __init__(self, data: Mapping[str, Any], *, path: Path, lines: dict[str, int]) -> None:
        super().__init__(data)
        self.path = path
        self.lines = lines


class ActivitySourceError(ValueError):
    """A source file cannot be read, is invalid, or a translation differs from its original;
    ``problems`` lists why, each naming the field."""

    def __init__(self, problems: list[str], *, path: Path | str | None = None) -> None:
        self.problems = problems
        self.path = path
        prefix = f"{path}: " if path else ""
        super().__init__("\n".join(prefix + problem for problem in problems))


# -- reading -----------------------------------------------------------------------------------


def read_source(path: Path) -> ActivitySource:
    """The YAML file at ``path``, with the line of each field. Raises
    :class:`ActivitySourceError` if it cannot be read, is not YAML or is not a set of fields;
    the rules of the format are checked by :func:`source_problems`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ActivitySourceError(
            [f"is not UTF-8 text ({exc.reason} at byte {exc.start})"], path=path
        ) from exc
    except OSError as exc:
        raise ActivitySourceError([f"cannot be read ({exc.strerror})"], path=path) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise ActivitySourceError(
            [f"{where}is not valid YAML: {exc.problem or exc}"], path=path
        ) from exc
    except yaml.YAMLError as exc:
        raise ActivitySourceError([f"is not valid YAML: {exc}"], path=path) from exc
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ActivitySourceError(["must be a set of 'field: value' lines"], path=path)
    return ActivitySource(data, path=path, lines=dict(_lines(node, "")))


def _lines(node: yaml.Node, prefix: str) -> Iterator[tuple[str, int]]:
    """Each field path under ``node`` with its (1-based) line."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                yield path, key.start_mark.line + 1
                yield from _lines(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, 1):
            path = f"{prefix}[{number}]"
            yield path, item.start_mark.line + 1
            yield from _lines(item, path)


# -- checking ----------------------------------------------------------------------------------


class _Problems:
    """Collects problems, each as ``field: message``, with the field's line when it is known
    (or its parent's, for a missing field)."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        self.lines: dict[str, int] = getattr(source, "lines", {})
        self.found: list[str] = []

    def add(self, path: str, message: str) -> None:
        line = self._line(path)
        self.found.append(f"{path}: {message}" + (f" (line {line})" if line else ""))

    def _line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def fields(
        self, path: str, value: Mapping[str, Any], allowed: tuple[str, ...], what: str
    ) -> None:
        for name in value:
            if name not in allowed:
                where = f"{path}.{name}" if path else str(name)
                self.add(where, f"is not a field of {what}; allowed: {', '.join(allowed)}")

    def text(
        self,
        path: str,
        value: Any,
        *,
        limit: int | None = None,
        required: bool = True,
    ) -> None:
        if value is None:
            if required:
                self.add(path, "is required")
            return
        if not isinstance(value, str):
            self.add(path, "must be text")
            return
        length = len(value.strip())
        if length == 0:
            if required:
                self.add(path, "must not be empty")
        elif limit is not None and length > limit:
            self.add(path, f"is {length} characters long; at most {limit}")

    def items(
        self, path: str, value: Any, bounds: tuple[int, int], noun: str
    ) -> list[tuple[int, dict[str, Any]]]:
        """The mappings in the list ``value``, numbered from 1 (problems named for the rest)."""
        low, high = bounds
        span = f"{low} or {high}" if high == low + 1 else f"{low} to {high}"
        if value is None:
            self.add(path, "is required")
            return []
        if not isinstance(value, list):
            self.add(path, f"must be a list of {span} {noun}")
            return []
        if not low <= len(value) <= high:
            self.add(path, f"has {len(value)} {noun}; it needs {span}")
        good = []
        for number, item in enumerate(value, 1):
            if isinstance(item, dict):
                good.append((number, item))
            else:
                self.add(f"{path}[{number}]", "must be a set of 'field: value' lines")
        return good


def _whole(value: Any) -> bool:
    # YAML reads ``yes`` as True, and True is an int in Python: not a number of points.
    return isinstance(value, int) and not isinstance(value, bool)


def source_problems(source: Mapping[str, Any]) -> list[str]:
    """Every way ``source`` breaks the rules of the activity source format, each naming its
    field (``steps[2].choices[1].feedback: must be text (line 31)``); empty if it is good."""
    problems = _Problems(source)
    kind = source.get("type")
    if kind not in CONTENT_TYPES:
        shown = "is required" if kind is None else f"is {kind!r}"
        problems.add("type", f"{shown}; it must be one of {', '.join(CONTENT_TYPES)}")
        return problems.found
    problems.fields("", source, FIELDS[kind], f"a {kind}")
    problems.text("title", source.get("title"), limit=TITLE_MAX)
    problems.text("description", source.get("description"), limit=DESCRIPTION_MAX)
    problems.text("introduction", source.get("introduction"))
    percentage = source.get("pass_percentage")
    if percentage is None:
        problems.add("pass_percentage", "is required")
    elif not _whole(percentage) or not 1 <= percentage <= 100:
        problems.add("pass_percentage", f"must be a whole number from 1 to 100, not {percentage!r}")
    if kind == "decision-scenario":
        _scenario_problems(problems, source)
    else:
        _statement_problems(problems, source)
    return problems.found


def _scenario_problems(problems: _Problems, source: Mapping[str, Any]) -> None:
    problems.text("composite", source.get("composite"))
    problems.text("closing", source.get("closing"), required=False)
    for number, step in problems.items("steps", source.get("steps"), STEPS, "steps"):
        where = f"steps[{number}]"
        problems.fields(where, step, STEP_FIELDS, "a step")
        problems.text(f"{where}.situation", step.get("situation"))
        problems.text(f"{where}.question", step.get("question"), limit=QUESTION_MAX)
        choices = problems.items(f"{where}.choices", step.get("choices"), CHOICES, "choices")
        best = 0
        for choice_number, choice in choices:
            at = f"{where}.choices[{choice_number}]"
            problems.fields(at, choice, CHOICE_FIELDS, "a choice")
            problems.text(f"{at}.text", choice.get("text"), limit=TEXT_MAX)
            problems.text(f"{at}.feedback", choice.get("feedback"))
            points = choice.get("points")
            if points is None:
                problems.add(f"{at}.points", "is required")
            elif not _whole(points) or points not in POINTS:
                problems.add(f"{at}.points", f"must be 0, 1 or 2, not {points!r}")
            elif points == BEST:
                best += 1
        if choices and best != 1:
            problems.add(
                f"{where}.choices",
                f"exactly one choice must have {BEST} points (the best choice); {best} do",
            )


def _statement_problems(problems: _Problems, source: Mapping[str, Any]) -> None:
    statements = problems.items("statements", source.get("statements"), STATEMENTS, "statements")
    for number, statement in statements:
        where = f"statements[{number}]"
        problems.fields(where, statement, STATEMENT_FIELDS, "a statement")
        problems.text(f"{where}.text", statement.get("text"), limit=TEXT_MAX)
        problems.text(f"{where}.explanation", statement.get("explanation"))
        fact = statement.get("fact")
        if fact is None:
            problems.add(f"{where}.fact", "is required (true: a fact; false: a myth)")
        elif not isinstance(fact, bool):
            problems.add(f"{where}.fact", f"must be true (a fact) or false (a myth), not {fact!r}")


def translation_problems(source: Mapping[str, Any], translated: Mapping[str, Any]) -> list[str]:
    """How ``translated`` differs from its original ``source`` in what a translation must keep:
    ``type``, ``pass_percentage``, the number and order of steps, choices and statements, each
    choice's ``points`` and each statement's ``fact``. Only text may change. Fields are named as
    in the translation (with its lines). Other rules are :func:`source_problems`' to check."""
    problems = _Problems(translated)

    def differs(path: str, mine: Any, original: Any) -> None:
        if mine != original:
            problems.add(path, f"is {mine!r} here but {original!r} in the original")

    differs("type", translated.get("type"), source.get("type"))
    if problems.found:
        return problems.found
    differs("pass_percentage", translated.get("pass_percentage"), source.get("pass_percentage"))
    if source.get("type") == "decision-scenario":
        for where, mine, original in _pairs(problems, "steps", translated, source, "steps"):
            for at, choice, original_choice in _pairs(
                problems, f"{where}.choices", mine, original, "choices"
            ):
                differs(f"{at}.points", choice.get("points"), original_choice.get("points"))
    else:
        for where, mine, original in _pairs(
            problems, "statements", translated, source, "statements"
        ):
            differs(f"{where}.fact", mine.get("fact"), original.get("fact"))
    return problems.found


def _pairs(
    problems: _Problems,
    path: str,
    translated: Mapping[str, Any],
    source: Mapping[str, Any],
    noun: str,
) -> Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """The items of the list ``noun`` in both files, side by side, once their numbers match."""
    mine, original = translated.get(noun), source.get(noun)
    if not isinstance(mine, list) or not isinstance(original, list):
        return  # a missing or malformed list is source_problems' to name
    if len(mine) != len(original):
        problems.add(path, f"has {len(mine)} {noun} here but {len(original)} in the original")
        return
    for number, (item, original_item) in enumerate(zip(mine, original, strict=True), 1):
        if isinstance(item, dict) and isinstance(original_item, dict):
            yield f"{path}[{number}]", item, original_item


# -- building ----------------------------------------------------------------------------------


def build_package(source: Mapping[str, Any], *, language: str) -> bytes:
    """The ``.h5p`` package (zip bytes) for ``source``, its words in ``language``.

    Raises :class:`ActivitySourceError` if the source breaks the format's rules, and
    ``ValueError`` for a language the site does not offer.
    """
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        raise ValueError(f"language {language!r} is not one of {', '.join(languages)}")
    problems = source_problems(source)
    if problems:
        raise ActivitySourceError(problems, path=getattr(source, "path", None))
    content_type = CONTENT_TYPES[source["type"]]
    with translation.override(language):
        l10n = {key: str(value) for key, value in L10N[content_type.source_type].items()}
    params = _params(source, language=language, l10n=l10n)
    h5p_json = {
        "title": _plain(source["title"]),
        "language": language,
        "mainLibrary": content_type.machine_name,
        "embedTypes": ["iframe"],
        "license": "CC BY-SA",
        "licenseVersion": "4.0",
        "authors": [{"name": "Zhusan Academy", "role": "Author"}],
        "preloadedDependencies": [
            {
                "machineName": content_type.machine_name,
                "majorVersion": content_type.major,
                "minorVersion": content_type.minor,
            }
        ],
    }
    files = {"h5p.json": _json(h5p_json), "content/content.json": _json(params)}
    files.update(library_files(content_type))
    return _zip(files)


def library_files(content_type: ContentType) -> dict[str, bytes]:
    """The library's files, by their name in a package (``Zhusan.MythOrFact-1.0/…``)."""
    folder = LIBRARIES / content_type.folder
    return {
        f"{content_type.folder}/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.parts)
    }


def _plain(text: str) -> str:
    return text.strip()


def _html(text: str | None) -> str:
    return render_markdown(text).strip() if text else ""


def _params(source: Mapping[str, Any], *, language: str, l10n: dict[str, str]) -> dict[str, Any]:
    """``content/content.json``: the source's fields, camelCase as H5P has them, Markdown as
    sanitised HTML."""
    params: dict[str, Any] = {
        "title": _plain(source["title"]),
        "description": _plain(source["description"]),
        "language": language,
        "introduction": _html(source["introduction"]),
        "passPercentage": source["pass_percentage"],
    }
    if source["type"] == "decision-scenario":
        params["composite"] = _plain(source["composite"])
        params["steps"] = [
            {
                "situation": _html(step["situation"]),
                "question": _plain(step["question"]),
                "choices": [
                    {
                        "text": _plain(choice["text"]),
                        "points": choice["points"],
                        "feedback": _html(choice["feedback"]),
                    }
                    for choice in step["choices"]
                ],
            }
            for step in source["steps"]
        ]
        params["closing"] = _html(source.get("closing"))
    else:
        params["statements"] = [
            {
                "text": _plain(statement["text"]),
                "fact": statement["fact"],
                "explanation": _html(statement["explanation"]),
            }
            for statement in source["statements"]
        ]
    params["l10n"] = l10n
    return params


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _zip(files: Mapping[str, bytes]) -> bytes:
    """A zip of ``files`` that depends on nothing but their names and bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whichever system builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
