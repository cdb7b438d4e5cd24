# ruff: noqa: RUF001  (Russian and Kazakh words are the point of the patterns)
"""The content lint: what every shipped course file must be, beyond being valid.

The importer checks that files are well formed (fields, directives, quiz rules, the item-writing
lint). This checks the rules of ``docs/content-guidelines.md`` that a program can check:

- ``banned-term``: no stigmatising label, in any language, except struck through (``~~…~~``) where
  a lesson shows a label in order to teach what to say instead;
- ``content-note``: a lesson that touches on hard material (violence, abuse, death, suicide…:
  two mentions or more) has a content note before the first one;
- ``alt-text``: every image, in Markdown or HTML, has alternative text;
- ``composite``: every quiz says in its description that its cases are composites, and a question
  that presents "this … case" calls it composite (lesson cases are ``::: scenario`` blocks, which
  the site always labels as composites);
- ``link``: links to files in the curriculum, and to pages of the site, lead somewhere;
- ``pool``: a quiz that draws questions draws from at least three times as many, a module's check
  draws at random, and a fixed quiz with several attempts keeps its answers until the last;
- ``translation``: every source file has its Russian and Kazakh counterpart, and none is older
  than its source (``curriculum.translation_sources``).

``lint_content(root)`` returns every problem with its file and line; ``manage.py lint_content``
prints them, and ``tests/content/`` fails on any.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

from quizzes.api import QuestionKind, parse_gift

from .translation_sources import stale_translations

__all__ = [
    "BANNED_TERMS",
    "COMPOSITE_WORDS",
    "DRAW_POOL_FACTOR",
    "SENSITIVE_WORDS",
    "ContentProblem",
    "lint_content",
]

#: A module check draws from a pool at least this many times the questions it shows.
DRAW_POOL_FACTOR = 3
#: A lesson that mentions hard material this many times touches on it, and needs a content note
#: before the first mention.
SENSITIVE_MENTIONS = 2


@dataclass(frozen=True, order=True)
class ContentProblem:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: [{self.rule}] {self.message}"


# Each list is a set of regular expressions matched case-insensitively, with word stems, so that
# "жён террористов" and "жёнам террористов" are both found. ``docs/content-guidelines.md`` lists
# the same labels for people (a test keeps the two in step).
BANNED_TERMS: dict[str, list[str]] = {
    "en": [
        r"radicali[sz]ed (?:children|kids|youth|women|families)",
        r"terrorists?['’]? (?:wives|widows|children|kids|families)",
        r"children of terrorists",
        r"jihadi brides?",
        r"isis (?:brides?|wives|children|kids)",
        r"jihadist famil(?:y|ies)",
    ],
    "ru": [
        r"ж[её]н\w* (?:террорист|боевик)\w*",
        r"вдов\w* (?:террорист|боевик|шахид)\w*",
        r"дет(?:и|ей|ям|ьми|ях) (?:террорист|боевик)\w*",
        r"радикализ\w+ дет\w*",
        r"невест\w* (?:джихад|игил)\w*",
        r"джихадистск\w* невест\w*",
        r"возвращенц\w*",
    ],
    "kk": [
        r"террористерд\w* (?:әйел|бала|жесір)\w*",
        r"содырлард\w* (?:әйел|бала|жесір)\w*",
        r"радикалд\w* бала\w*",
        r"жиһадшы қалыңдық\w*",
    ],
}

#: Words that make a lesson touch on hard material: it needs a content note before the first.
SENSITIVE_WORDS: dict[str, list[str]] = {
    "en": [
        r"suicid\w*",
        r"self-harm\w*",
        r"sexual\w*",
        r"rape\w*",
        r"(?<!substance )abus(?:e|ed|es|ive)",
        r"violen(?:ce|t)",
        r"tortur\w*",
        r"kill(?:ed|ing|s)?",
        r"died",
        r"deaths?",
        r"bomb(?:s|ing|ed|ings)?",
        r"shelling",
    ],
    "ru": [
        r"суицид\w*",
        r"самоубийств\w*",
        r"самоповрежд\w*",
        r"сексуальн\w*",
        r"изнасил\w*",
        r"насили\w*",
        r"пыт(?:ка|ки|ок|кам|ками)",
        r"убит\w*",
        r"убий\w*",
        r"погиб\w*",
        r"умер(?:ла|ли|ло)?",
        r"смерт\w*",
        r"бомб\w*",
        r"обстрел\w*",
    ],
    "kk": [
        r"суицид\w*",
        r"өз(?:-өзіне|іне) қол жұмса\w*",
        r"өзін-өзі өлтір\w*",
        r"жыныстық",
        r"зорла\w*",
        r"зорлық\w*",
        r"азапта\w*",
        r"өлтір\w*",
        r"қаза(?:сы|сын|дан)?",
        r"өлім\w*",
        r"қайтыс бол\w*",
        r"бомба\w*",
        r"атқыла\w*",
    ],
}

#: How each language says "composite" of a case.
COMPOSITE_WORDS = {"en": r"composite", "ru": r"собирательн\w*", "kk": r"жинақталған"}
#: "In this … case" (up to two words between), which must say composite.
CASE_PHRASES = {
    "en": r"\bin this (?:\w+ ){0,2}case\b",
    "ru": r"\bв этом (?:\w+ ){0,2}случае\b",
    "kk": r"\bбұл (?:\w+ ){0,2}жағдайда\b",
}

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_STRUCK = re.compile(r"~~.+?~~")
_DIRECTIVE = re.compile(r"^:::\s*([a-z-]+)")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.I)
_HTML_ALT = re.compile(r"""\balt\s*=\s*(["'])\s*\S""", re.I)
_MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)", re.I)


def _compile(words: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    return {
        language: re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.I)
        for language, patterns in words.items()
    }


#: Every language's labels, looked for in every file: a Russian label in an English lesson (a
#: quotation, a table of words) is as harmful as in a Russian one.
_BANNED = re.compile(
    r"(?<!\w)(?:" + "|".join(p for ps in BANNED_TERMS.values() for p in ps) + r")(?!\w)", re.I
)
_SENSITIVE = _compile(SENSITIVE_WORDS)


@dataclass
class _Tree:
    """One course in one language: its folder, language, and (for a translation) its source."""

    path: Path
    language: str
    source: Path | None


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "_")) and path.name.lower() != "readme.md"


def _translation_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _trees(root: Path) -> list[_Tree]:
    languages = _translation_languages()
    trees = [
        _Tree(p, settings.LANGUAGE_CODE, None)
        for p in sorted(root.iterdir())
        if p.is_dir() and _visible(p) and (p / "course.md").is_file()
    ]
    for language in languages:
        folder = root / language
        if folder.is_dir():
            trees += [
                _Tree(p, language, root / p.name)
                for p in sorted(folder.iterdir())
                if p.is_dir() and _visible(p)
            ]
    return trees


def _files(tree: Path) -> Iterator[Path]:
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree).parts
        if path.is_file() and all(not part.startswith((".", "_")) for part in relative):
            yield path


def _lines_after_front_matter(text: str) -> Iterator[tuple[int, str]]:
    """Each line of a Markdown file's body with its line number in the file."""
    match = _FRONT_MATTER.match(text)
    skip = match.group(0).count("\n") if match else 0
    for number, line in enumerate(text.splitlines(), start=1):
        if number > skip:
            yield number, line


class _Linter:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[ContentProblem] = []
        self.trees = _trees(root)
        self.pages = self._page_paths()

    def add(self, path: Path, line: int, rule: str, message: str) -> None:
        self.problems.append(
            ContentProblem(str(path.relative_to(self.root.parent)), line, rule, message)
        )

    def run(self) -> list[ContentProblem]:
        for tree in self.trees:
            for path in _files(tree.path):
                self.banned_terms(path)
                if path.suffix == ".md":
                    self.markdown(path, tree)
            self.quizzes(tree)
            if tree.source is not None:
                self.translation(tree)
        self.missing_translations()
        return sorted(self.problems)

    # --- every text file -----------------------------------------------------------------------

    def banned_terms(self, path: Path) -> None:
        if path.suffix not in {".md", ".gift", ".yaml", ".txt"}:
            return
        pattern = _BANNED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in pattern.finditer(_STRUCK.sub("", line)):
                self.add(
                    path,
                    number,
                    "banned-term",
                    f"'{match.group(0)}' is a stigmatising label (docs/content-guidelines.md); "
                    "to show it as a word not to use, strike it through: ~~…~~",
                )

    # --- lessons, modules, courses -------------------------------------------------------------

    def markdown(self, path: Path, tree: _Tree) -> None:
        text = path.read_text(encoding="utf-8")
        is_lesson = path.name not in {"course.md", "module.md"}
        noted = False
        first_unnoted: tuple[int, str] | None = None
        mentions = 0
        for number, line in _lines_after_front_matter(text):
            directive = _DIRECTIVE.match(line)
            if directive and directive.group(1) == "content-note":
                noted = True
            elif is_lesson:
                found = list(_SENSITIVE[tree.language].finditer(_STRUCK.sub("", line)))
                mentions += len(found)
                if found and not noted and first_unnoted is None:
                    first_unnoted = (number, found[0].group(0))
            self.images(path, number, line)
            self.links(path, number, line, tree)
        # One passing mention ("children who moved, or whose grandparents died") is not hard
        # material; a lesson that comes back to it is, and needs its note before the first.
        if first_unnoted is not None and mentions >= SENSITIVE_MENTIONS:
            number, word = first_unnoted
            self.add(
                path,
                number,
                "content-note",
                f"touches on hard material ('{word}', and {mentions - 1} more) before any "
                "content note: put a '::: content-note' block before it",
            )

    def images(self, path: Path, number: int, line: str) -> None:
        for match in _MD_IMAGE.finditer(line):
            if not match.group(1).strip():
                self.add(path, number, "alt-text", f"image '{match.group(2)}' has no alt text")
        for tag in _HTML_IMAGE.findall(line):
            if not _HTML_ALT.search(tag):
                self.add(path, number, "alt-text", f"HTML image {tag[:60]} has no alt text")

    def links(self, path: Path, number: int, line: str, tree: _Tree) -> None:
        for match in _MD_LINK.finditer(line):
            target = match.group(1)
            if _EXTERNAL.match(target):
                continue
            bare = target.split("#", 1)[0]
            if bare.startswith("/"):
                if bare.rstrip("/") + "/" not in self.pages:
                    self.add(path, number, "link", f"'{target}' is not a page of the curriculum")
            elif not (path.parent / bare).resolve().exists():
                self.add(path, number, "link", f"'{target}' is not a file next to this one")
            elif not (path.parent / bare).resolve().is_relative_to(tree.path.resolve()):
                self.add(path, number, "link", f"'{target}' is outside the course folder")

    def _page_paths(self) -> set[str]:
        """Every page the curriculum makes, as the site's path: /<lang>/courses/<course>/…/."""
        pages = set()
        for tree in self.trees:
            course = _slug(tree.path / "course.md")
            if not course:
                continue
            base = f"/{tree.language}/courses/{course}/"
            pages.add(base)
            for module in sorted(p for p in tree.path.iterdir() if (p / "module.md").is_file()):
                module_base = f"{base}{_slug(module / 'module.md')}/"
                pages.add(module_base)
                for lesson in module.glob("*.md"):
                    if lesson.name != "module.md" and _visible(lesson):
                        pages.add(f"{module_base}{_slug(lesson)}/")
        return pages

    # --- quizzes -------------------------------------------------------------------------------

    def quizzes(self, tree: _Tree) -> None:
        folder = tree.path / "quizzes"
        if not folder.is_dir():
            return
        checks = self._module_checks(tree.path)
        for rules_file in sorted(folder.glob("*.yaml")):
            rules = _yaml(rules_file.read_text(encoding="utf-8"))
            gift_file = folder / str(rules.get("questions", ""))
            if not gift_file.is_file():
                continue  # the importer names it
            questions = parse_gift(gift_file.read_text(encoding="utf-8")).questions
            composite = re.compile(COMPOSITE_WORDS[tree.language], re.I)
            if not composite.search(str(rules.get("description", ""))):
                self.add(
                    rules_file,
                    _line_of(rules_file, "description"),
                    "composite",
                    "the description must say that the quiz's cases are composites",
                )
            case = re.compile(CASE_PHRASES[tree.language], re.I)
            for question in questions:
                for match in case.finditer(question.text):
                    if not composite.search(match.group(0)):
                        self.add(
                            gift_file,
                            question.line,
                            "composite",
                            f"'{match.group(0)}' must call the case composite",
                        )
            if tree.source is None:
                self.pool(rules_file, rules, questions, rules_file.stem in checks)

    def pool(self, path: Path, rules: dict, questions: list, module_check: bool) -> None:
        asked = [
            q for q in questions if q.kind not in {QuestionKind.ESSAY, QuestionKind.DESCRIPTION}
        ]
        draw = rules.get("draw")
        if draw:
            if len(asked) < DRAW_POOL_FACTOR * int(draw):
                self.add(
                    path,
                    _line_of(path, "draw"),
                    "pool",
                    f"draws {draw} questions from a pool of {len(asked)}: the pool needs at "
                    f"least {DRAW_POOL_FACTOR * int(draw)} ({DRAW_POOL_FACTOR} times the "
                    "questions shown)",
                )
            return
        if module_check:
            self.add(
                path,
                _line_of(path, "questions"),
                "pool",
                "a module's check draws its questions at random from a pool (draw: N) so that "
                "a second attempt is not a memory test",
            )
        answers = (rules.get("review") or {}).get("answers", "after_submit")
        if int(rules.get("attempts", 0)) != 1 and answers == "after_submit":
            self.add(
                path,
                _line_of(path, "review"),
                "pool",
                "a fixed set of questions with several attempts must not show the right answers "
                "after each attempt: set review answers to after_last",
            )

    def _module_checks(self, course: Path) -> set[str]:
        """The quizzes named as module assessments, but the last module's (the final one)."""
        modules = sorted(p for p in course.iterdir() if (p / "module.md").is_file())
        slugs = [_front_matter(m / "module.md").get("assessment") for m in modules[:-1]]
        return {str(s) for s in slugs if s}

    # --- translations --------------------------------------------------------------------------

    def missing_translations(self) -> None:
        for tree in self.trees:
            if tree.source is not None:
                continue
            for language in _translation_languages():
                target = self.root / language / tree.path.name
                for path in _files(tree.path):
                    if not (target / path.relative_to(tree.path)).is_file():
                        self.add(path, 0, "translation", f"has no '{language}' translation")

    def translation(self, tree: _Tree) -> None:
        assert tree.source is not None
        if not tree.source.is_dir():
            self.add(tree.path, 0, "translation", "has no source course of the same folder name")
            return
        for relative, reason in stale_translations(tree.source, tree.path):
            self.add(tree.path / relative, 0, "translation", reason)


def _yaml(text: str) -> dict:
    """A YAML mapping, or {} for anything else: a file that is not valid YAML is the importer's
    to report, with its line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _front_matter(path: Path) -> dict:
    if not path.is_file():
        return {}  # the importer names the missing file
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    return _yaml(match.group(0).strip("-\n")) if match else {}


def _slug(path: Path) -> str:
    return str(_front_matter(path).get("slug") or "")


def _line_of(path: Path, field: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{field}:"):
            return number
    return 0


def lint_content(root: Path) -> list[ContentProblem]:
    """Every problem in the curriculum folder ``root`` (``content/``), sorted by file and line."""
    return _Linter(root.resolve()).run()
