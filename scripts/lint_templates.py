#!/usr/bin/env python3
"""Find literal text in our templates that is not marked for translation.

Usage: ``.venv/bin/python scripts/lint_templates.py [TEMPLATE_OR_FOLDER ...]`` (default: every
``*.html`` and ``*.txt`` under ``templates/`` and our apps' ``*/templates/``). It prints
``file:line: text`` for each finding and exits 1 if there is any.
``tests/core/test_translations.py`` runs it on every template.

Each template is split with Django's own template ``Lexer``. Text inside ``{% blocktranslate %}``
(``blocktrans``) and ``{% comment %}``, and every ``{{ … }}``, ``{% … %}`` and ``{# … #}``, is
replaced by a placeholder; what remains is read as HTML. A finding is any letter in:

- the text between tags (not inside ``<script>``/``<style>``; HTML comments are ignored);
- the values of the attributes a person reads or hears (``VISIBLE_ATTRIBUTES``; ``value`` of
  submit, reset and button inputs; ``content`` of ``<meta name="description">``; ``data-*``
  attributes ending in ``label``, ``text`` or ``message``, which scripts show);
- string literals given to visible keywords of a tag (``{% include … with title="…" %}``) or to
  the filters ``default``, ``default_if_none`` and ``yesno``.

Entities are decoded first and punctuation, digits and symbols are not letters, so ``&nbsp;``,
``—`` or ``·`` pass. Tag and attribute names are never text. ``ALLOWED`` lists the literal text
that is not language (and why); keep it short.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = ("core", "accounts", "courses", "learners", "quizzes", "certification", "curriculum")
SUFFIXES = (".html", ".txt")

#: Literal text that is not language, allowed anywhere, with why. Compared after whitespace is
#: collapsed. Add here only what must read the same in every language.
ALLOWED: dict[str, str] = {
    "#main": "an anchor, not words: {{ course_url|default:'#main' }} (courses/blocks/content_note)",
    "en": "a language code: {{ LANGUAGE_CODE|default:'en' }} (courses/blocks/video)",
}

#: Attributes whose values are read (alt, title) or spoken (aria-*) to the visitor.
VISIBLE_ATTRIBUTES = frozenset(
    {
        "alt",
        "title",
        "placeholder",
        "label",
        "aria-label",
        "aria-description",
        "aria-placeholder",
        "aria-roledescription",
        "aria-valuetext",
    }
)
#: Keyword arguments of template tags that carry visible text (``{% include … with title=… %}``).
VISIBLE_KEYWORDS = frozenset(
    {"title", "subtitle", "label", "text", "help_text", "heading", "description", "message"}
)
VISIBLE_FILTERS = ("default", "default_if_none", "yesno")

PLACEHOLDER = "\ue000"  # a private-use character: not a letter, not markup
IGNORED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}
_KEYWORD_LITERAL = re.compile(r"""\b(\w+)=(?:_\()?("[^"]*"|'[^']*')""")
_FILTER_LITERAL = re.compile(r"""\|\s*(\w+)\s*:\s*(?:_\()?("[^"]*"|'[^']*')""")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, order=True)
class Finding:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.text}"


def _is_text(text: str) -> bool:
    cleaned = _WHITESPACE.sub(" ", text.replace(PLACEHOLDER, " ")).strip()
    return any(ch.isalpha() for ch in cleaned) and cleaned not in ALLOWED


def _clean(text: str) -> str:
    cleaned = _WHITESPACE.sub(" ", text.strip(PLACEHOLDER + " \t\r\n").replace(PLACEHOLDER, "…"))
    return cleaned if len(cleaned) <= 80 else cleaned[:77] + "..."


def _tag_literals(contents: str) -> Iterator[str]:
    """Visible string literals in a ``{{ … }}`` or ``{% … %}`` (not those inside ``_( )``)."""
    for match in _KEYWORD_LITERAL.finditer(contents):
        prefix = contents[match.start() : match.start(2)]
        if match.group(1) in VISIBLE_KEYWORDS and "_(" not in prefix:
            yield match.group(2)[1:-1]
    for match in _FILTER_LITERAL.finditer(contents):
        prefix = contents[match.start() : match.start(2)]
        if match.group(1) in VISIBLE_FILTERS and "_(" not in prefix:
            yield match.group(2)[1:-1]


def _skeleton(source: str, path: Path, findings: list[Finding]) -> str:
    """The template with its tags, variables, comments and translated blocks as placeholders."""
    from django.template.base import Lexer, TokenType

    parts: list[str] = []
    closing: str | None = None  # inside an ignored block until this tag
    for token in Lexer(source).tokenize():
        lines = token.contents.count("\n")
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents if closing is None else PLACEHOLDER + "\n" * lines)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(" ", 1)[0] if token.contents else ""
            if closing is None and name in IGNORED_BLOCKS:
                closing = IGNORED_BLOCKS[name]
            elif closing is not None and name == closing:
                closing = None
        if closing is None and token.token_type in (TokenType.BLOCK, TokenType.VAR):
            for literal in _tag_literals(token.contents):
                if _is_text(literal):
                    findings.append(Finding(path, token.lineno or 1, _clean(literal)))
        parts.append(PLACEHOLDER + "\n" * lines)
    return "".join(parts)


class _TextFinder(HTMLParser):
    def __init__(self, path: Path, findings: list[Finding]) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.findings = findings
        self.raw_depth = 0  # inside <script> or <style>

    def _report(self, text: str, line: int) -> None:
        if _is_text(text):
            self.findings.append(Finding(self.path, line, _clean(text)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.raw_depth += 1
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            visible = (
                name in VISIBLE_ATTRIBUTES
                or (name.startswith("data-") and name.endswith(("label", "text", "message")))
                or (
                    name == "value"
                    and tag == "input"
                    and values.get("type", "").lower() in ("submit", "reset", "button")
                )
                or (
                    name == "content"
                    and tag == "meta"
                    and values.get("name", "").lower() == "description"
                )
            )
            if visible:
                self._report(value, line)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.raw_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.raw_depth:
            self.raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.raw_depth:
            return
        leading = data[: len(data) - len(data.lstrip())]
        self._report(data, self.getpos()[0] + leading.count("\n"))


def lint_source(source: str, path: Path) -> list[Finding]:
    """Every unmarked text in one template's source."""
    findings: list[Finding] = []
    skeleton = _skeleton(source, path, findings)
    if path.suffix == ".txt":
        # Plain text (emails): every line is text, there is no markup.
        for number, line in enumerate(skeleton.splitlines(), start=1):
            if _is_text(line):
                findings.append(Finding(path, number, _clean(line)))
    else:
        finder = _TextFinder(path, findings)
        finder.feed(skeleton)
        finder.close()
    return sorted(set(findings))


def our_templates(root: Path = ROOT) -> list[Path]:
    """The templates of the project (``templates/``) and of our apps (``<app>/templates/``)."""
    folders = [root / "templates", *(root / app / "templates" for app in OUR_APPS)]
    return sorted(
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.suffix in SUFFIXES and path.is_file()
    )


def lint(paths: Iterable[Path]) -> list[Finding]:
    findings: list[Finding] = []
    for path in paths:
        findings.extend(lint_source(path.read_text(encoding="utf-8"), path))
    return findings


def _expand(arguments: list[str]) -> list[Path]:
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument).resolve()
        if path.is_dir():
            paths.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES))
        else:
            paths.append(path)
    return paths


def main(arguments: list[str]) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    findings = lint(_expand(arguments) if arguments else our_templates())
    for finding in findings:
        print(finding)
    if findings:
        print(
            f"{len(findings)} unmarked text(s): wrap them in {{% translate %}} or "
            "{% blocktranslate %}, or add true non-text to ALLOWED in scripts/lint_templates.py.",
            file=sys.stderr,
        )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
