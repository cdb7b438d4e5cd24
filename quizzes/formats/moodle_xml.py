"""Read and write Moodle XML question files, with their embedded images.

``parse_moodle_xml`` reads a file object as a stream: each ``<question>`` is turned into a
``ParsedQuestion`` (or an error naming its line) as soon as it closes and is then dropped, and
the base64 of each embedded ``<file>`` is decoded piece by piece into a temporary directory, so
memory follows the largest question, not the file. ``write_moodle_xml`` writes questions back,
embedding the images their text shows. See docs/question-formats.md ("Moodle XML").

The XML goes through defusedxml's expat parser with DTDs, entities and external references
forbidden: a ``<!DOCTYPE>`` (the carrier of "billion laughs" and external-entity attacks) is
refused before anything is expanded. Nothing here touches the database; the importer decides
where images go through ``image_src``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from PIL import Image as PillowImage

from quizzes.formats.model import (
    Choice,
    FormatError,
    MatchPair,
    NumericAnswer,
    NumericValue,
    ParsedQuestion,
    QuestionKind,
    TextAnswer,
    TextFormat,
    UnsupportedConstruct,
)

__all__ = ["EmbeddedImage", "MoodleXmlResult", "parse_moodle_xml", "write_moodle_xml"]

PLUGINFILE = "@@PLUGINFILE@@/"
#: Bytes read from the stream at a time.
CHUNK = 64 * 1024
#: The largest embedded image accepted (Wagtail's own upload limit is usually 10 MB).
MAX_IMAGE_BYTES = 10 * 1024 * 1024

#: Moodle's text formats and ours. ``moodle_auto_format`` is Moodle's own (HTML where a line
#: break is a ``<br>``).
FORMATS = {
    "html": TextFormat.HTML,
    "moodle_auto_format": TextFormat.MOODLE,
    "plain_text": TextFormat.PLAIN,
    "markdown": TextFormat.MARKDOWN,
}
_FORMAT_NAMES = {value: key for key, value in FORMATS.items()}

#: Image types by their first bytes, with the extension they are stored under.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)

#: Moodle question types the quiz engine cannot hold; named in the message.
UNSUPPORTED_TYPES = {
    "calculated": "calculated questions",
    "calculatedsimple": "simple calculated questions",
    "calculatedmulti": "calculated multichoice questions",
    "multianswer": "embedded answers (Cloze) questions",
    "ddwtos": "drag and drop into text questions",
    "ddimageortext": "drag and drop onto image questions",
    "ddmarker": "drag and drop markers questions",
    "gapselect": "select missing words questions",
    "randomsamatch": "random short-answer matching questions",
    "random": "random questions (a draw from a category)",
    "ordering": "ordering questions",
}

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")


@dataclass(frozen=True)
class EmbeddedImage:
    """An image embedded in the file, decoded to ``path``; ``sha1`` is of its bytes (what
    Wagtail stores as ``file_hash``), ``alt`` the first alt text the questions give it."""

    name: str
    sha1: str
    path: Path
    size: int
    extension: str
    alt: str
    line: int


@dataclass
class MoodleXmlResult:
    """What ``parse_moodle_xml`` found: as ``GiftResult``, plus the images the questions show.

    The images' bytes live in a temporary directory until ``close`` (or the end of a ``with``).
    """

    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)
    unsupported: list[UnsupportedConstruct] = field(default_factory=list)
    images: dict[str, EmbeddedImage] = field(default_factory=dict)
    directory: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the file has no errors."""
        return not self.errors

    def close(self) -> None:
        """Remove the decoded images."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> MoodleXmlResult:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class _Problem(Exception):
    """Abandons one question; becomes a ``FormatError`` at ``line``."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _File:
    """A ``<file>`` being decoded: base64 arrives in pieces and goes to disk as it comes."""

    def __init__(self, directory: Path, number: int, limit: int) -> None:
        self.path = directory / f"part-{number}"
        self.handle: IO[bytes] | None = self.path.open("wb")
        self.hash = hashlib.sha1(usedforsecurity=False)
        self.rest = b""
        self.size = 0
        self.limit = limit
        self.error = ""

    def feed(self, text: str) -> None:
        if self.error or self.handle is None:
            return
        data = self.rest + "".join(text.split()).encode("ascii", "replace")
        usable = len(data) - len(data) % 4
        self.rest = data[usable:]
        self._write(data[:usable])

    def _write(self, data: bytes) -> None:
        if not data or self.handle is None:
            return
        try:
            chunk = binascii.a2b_base64(data, strict_mode=True)
        except binascii.Error:
            self.error = "its base64 content is damaged"
            return
        self.size += len(chunk)
        if self.size > self.limit:
            self.error = f"it is larger than {self.limit // (1024 * 1024)} MB"
            return
        self.hash.update(chunk)
        self.handle.write(chunk)

    def finish(self) -> None:
        if self.rest and not self.error:
            self._write(self.rest)
            if self.rest and not self.error and len(self.rest) % 4:
                self.error = "its base64 content is cut short"
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class _Node:
    """An element of the question being read (lighter than an ElementTree element, and with the
    line it starts on)."""

    __slots__ = ("attrib", "children", "file", "line", "parts", "tag")

    def __init__(self, tag: str, attrib: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrib = attrib
        self.line = line
        self.children: list[_Node] = []
        self.parts: list[str] = []
        self.file: _File | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str) -> _Node | None:
        return next((child for child in self.children if child.tag == tag), None)

    def findall(self, tag: str) -> list[_Node]:
        return [child for child in self.children if child.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """The text of child ``tag``, or of its ``<text>`` when it has one."""
        child = self.find(tag)
        if child is None:
            return default
        inner = child.find("text")
        return (inner.text if inner is not None else child.text).strip()


class _Builder:
    """The expat target: builds one ``<question>`` at a time and hands it on when it closes."""

    def __init__(self, on_question: Callable[[_Node], None], directory: Path, limit: int) -> None:
        self.on_question = on_question
        self.directory = directory
        self.limit = limit
        self.stack: list[_Node] = []
        self.files = 0
        self.line = lambda: 0
        self.root = ""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        node = _Node(tag, dict(attrib), self.line())
        if not self.stack:
            self.root = tag
        if tag == "file" and len(self.stack) > 1:
            self.files += 1
            node.file = _File(self.directory, self.files, self.limit)
        if len(self.stack) > 1:  # the root keeps no children: questions go as they close
            self.stack[-1].children.append(node)
        self.stack.append(node)

    def end(self, tag: str) -> None:
        node = self.stack.pop()
        if node.file is not None:
            node.file.finish()
        if len(self.stack) == 1 and tag == "question":
            self.on_question(node)

    def data(self, text: str) -> None:
        if len(self.stack) < 2:
            return
        node = self.stack[-1]
        if node.file is not None:
            node.file.feed(text)
        else:
            node.parts.append(text)

    def close(self) -> None:
        return None


def parse_moodle_xml(
    stream: IO[bytes],
    *,
    skip_unsupported: bool = False,
    image_src: Callable[[EmbeddedImage], str] | None = None,
    max_image_bytes: int = MAX_IMAGE_BYTES,
) -> MoodleXmlResult:
    """Parse a Moodle XML file object (bytes) into questions, errors and embedded images.

    ``image_src`` says what an ``@@PLUGINFILE@@`` image's ``src`` becomes in the stored text
    (by default it stays as it is). Types the quiz engine cannot hold are listed in
    ``unsupported``, and are errors too unless ``skip_unsupported``. Use the result in a
    ``with`` block, or ``close`` it, to remove the decoded images.
    """
    directory = Path(tempfile.mkdtemp(prefix="moodle-xml-"))
    result = MoodleXmlResult(directory=directory)
    # The images go with the result even when nobody closes it.
    weakref.finalize(result, shutil.rmtree, directory, True)
    state = _State(result, skip_unsupported, image_src or (lambda image: PLUGINFILE + image.name))
    builder = _Builder(state.question, directory, max_image_bytes)
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser
    builder.line = lambda: int(expat.CurrentLineNumber)
    try:
        while chunk := stream.read(CHUNK):
            parser.feed(chunk)
        parser.close()
    except ParseError as error:
        line, column = error.position
        message = str(error).split(":")[0]
        result.errors.append(
            FormatError(line, f"the file is not well-formed XML: {message} (column {column + 1})")
        )
    except DefusedXmlException:
        result.errors.append(
            FormatError(
                int(expat.CurrentLineNumber),
                "the file declares a DOCTYPE or entities, which are refused (they can make a "
                "file expand without limit or read other files); export it from Moodle again",
            )
        )
    if not result.errors and builder.root != "quiz":
        result.errors.append(
            FormatError(1, f"a Moodle XML file starts with <quiz>, not <{builder.root or '?'}>")
        )
    if result.errors:  # nothing of a broken file may be stored
        result.questions.clear()
    for stray in directory.glob("part-*"):
        stray.unlink()
    return result


class _State:
    """The category in force and where the questions and problems go."""

    def __init__(
        self,
        result: MoodleXmlResult,
        skip_unsupported: bool,
        image_src: Callable[[EmbeddedImage], str],
    ) -> None:
        self.result = result
        self.skip_unsupported = skip_unsupported
        self.image_src = image_src
        self.category: str | None = None

    def question(self, node: _Node) -> None:
        kind = node.attrib.get("type", "")
        try:
            if kind == "category":
                path = node.value("category")
                if not path:
                    raise _Problem("a category question needs a <category><text>", node.line)
                self.category = path
                return
            if kind in UNSUPPORTED_TYPES or kind not in _READERS:
                name = UNSUPPORTED_TYPES.get(kind, f"questions of type '{kind}'")
                self.result.unsupported.append(UnsupportedConstruct(node.line, kind))
                if not self.skip_unsupported:
                    raise _Problem(
                        f"{name} cannot be stored by the quiz engine; remove the question, or "
                        "skip unsupported questions",
                        node.line,
                    )
                return
            question = _Question(node, self)
            self.result.questions.append(question.parsed(kind))
        except _Problem as problem:
            where = problem.line if problem.line != node.line else None
            self.result.errors.append(FormatError(node.line, problem.message, where))
        finally:
            _discard_files(node)


def _discard_files(node: _Node) -> None:
    if node.file is not None and node.file.path.exists():
        node.file.path.unlink()
    for child in node.children:
        _discard_files(child)


class _Question:
    """One ``<question>`` element being turned into a ``ParsedQuestion``."""

    def __init__(self, node: _Node, state: _State) -> None:
        self.node = node
        self.state = state
        self.files = self._all_files(node)
        text = node.find("questiontext")
        if text is None:
            raise _Problem("the question has no <questiontext>", node.line)
        self.format = self._format(text)

    def parsed(self, kind: str) -> ParsedQuestion:
        node = self.node
        common: dict[str, Any] = {
            "text": self.text("questiontext"),
            "title": " ".join(node.value("name").split()),
            "text_format": self.format,
            "general_feedback": self.text("generalfeedback"),
            "general_feedback_format": self.format_of(node.find("generalfeedback"))
            if self.node.value("generalfeedback")
            else None,
            "category": self.state.category,
            "line": node.line,
        }
        answers: dict[str, Any] = _READERS[kind](self)
        self._check_unused_files(node)
        try:
            return ParsedQuestion(**common, **answers)
        except ValueError as error:
            raise _Problem(f"the question is incomplete ({error})", node.line) from error

    # Text, formats and images

    def _check_unused_files(self, node: _Node) -> None:
        """A file no text shows is not stored, but it must still be an image: a file of another
        kind (a PDF, a sound) is refused rather than left out unnoticed."""
        for child in node.children:
            self._check_unused_files(child)
            file = child.file
            if file is None or not file.path.exists():  # used, and moved among the images
                continue
            name = child.attrib.get("name", "")
            if file.error:
                raise _Problem(f"the file '{name}' cannot be read: {file.error}", child.line)
            if _image_type(file.path) is None:
                raise _Problem(
                    f"the file '{name}' is not an image; only images can be imported",
                    child.line,
                )

    def _format(self, node: _Node) -> TextFormat:
        name = node.attrib.get("format", "html")
        if name not in FORMATS:
            raise _Problem(
                f"unknown text format '{name}'; expected html, moodle_auto_format, plain_text "
                "or markdown",
                node.line,
            )
        return FORMATS[name]

    def text(self, tag: str, parent: _Node | None = None) -> str:
        """The text of child ``tag`` of ``parent`` (the question), with images resolved."""
        node = (parent or self.node).find(tag)
        if node is None:
            return ""
        return self.resolved(node)

    def resolved(self, node: _Node) -> str:
        inner = node.find("text")
        text = (inner.text if inner is not None else node.text).strip()
        if PLUGINFILE not in text:
            return text
        own = {f.attrib.get("name", ""): f for f in node.findall("file") if f.attrib.get("name")}
        return self._images(text, (inner or node).line, own)

    def _images(self, text: str, line: int, own: dict[str, _Node]) -> str:
        pieces: list[str] = []
        end = 0
        for tag in _IMG.finditer(text):
            attributes = {
                m.group(1).lower(): m for m in _ATTRIBUTE.finditer(tag.group(0), len("<img"))
            }
            src = attributes.get("src")
            if src is None or PLUGINFILE not in src.group(2):
                continue
            where = line + text.count("\n", 0, tag.start())
            name = unquote(html.unescape(src.group(2).strip("\"'"))[len(PLUGINFILE) :])
            alt_match = attributes.get("alt")
            alt = html.unescape(alt_match.group(2).strip("\"'")).strip() if alt_match else ""
            if not alt:
                raise _Problem(
                    f"the image '{name}' has no alt text; describe it in the <img> tag's alt "
                    "attribute (learners using screen readers rely on it)",
                    where,
                )
            image = self._image(name, own, alt, where)
            new_src = quoteattr(self.state.image_src(image))
            start, stop = tag.start() + src.start(2), tag.start() + src.end(2)
            pieces.extend([text[end:start], new_src])
            end = stop
        pieces.append(text[end:])
        resolved = "".join(pieces)
        handled = sum(1 for piece in pieces[1::2] if piece)
        if text.count(PLUGINFILE) > handled:
            where = line
            raise _Problem(
                "a file is used other than as an image (<img src=...>); only images can be "
                "imported",
                where,
            )
        return resolved

    def _all_files(self, node: _Node) -> dict[str, _Node]:
        found: dict[str, _Node] = {}
        for child in node.children:
            if child.tag == "file":
                found.setdefault(child.attrib.get("name", ""), child)
            else:
                for name, file in self._all_files(child).items():
                    found.setdefault(name, file)
        return found

    def _image(self, name: str, own: dict[str, _Node], alt: str, line: int) -> EmbeddedImage:
        node = own.get(name) or self.files.get(name)
        if node is None or node.file is None:
            raise _Problem(f"the image '{name}' is not in the file (no <file name=...>)", line)
        if node.attrib.get("encoding", "base64") != "base64":
            raise _Problem(f"the file '{name}' is not base64-encoded", node.line)
        if node.file.error:
            raise _Problem(f"the file '{name}' cannot be read: {node.file.error}", node.line)
        sha1 = node.file.hash.hexdigest()
        known = self.state.result.images.get(sha1)
        if known is not None:
            return known
        extension = _image_type(node.file.path)
        if extension is None or not _readable(node.file.path):
            raise _Problem(
                f"the file '{name}' is not a readable PNG, JPEG, GIF or WebP image; only images "
                "can be imported",
                node.line,
            )
        directory = self.state.result.directory
        assert directory is not None
        path = directory / f"{sha1}.{extension}"
        node.file.path.replace(path)
        image = EmbeddedImage(
            name=name,
            sha1=sha1,
            path=path,
            size=node.file.size,
            extension=extension,
            alt=alt,
            line=node.line,
        )
        self.state.result.images[sha1] = image
        return image

    # Answers

    def answers(self) -> list[_Node]:
        found = self.node.findall("answer")
        if not found:
            raise _Problem("the question has no <answer>", self.node.line)
        return found

    def fraction(self, answer: _Node) -> Decimal:
        raw = answer.attrib.get("fraction", "0")
        try:
            weight = Decimal(raw)
        except InvalidOperation:
            raise _Problem(f"the fraction '{raw}' is not a number", answer.line) from None
        if not Decimal(-100) <= weight <= Decimal(100):
            raise _Problem(f"the fraction {raw} is outside -100..100", answer.line)
        return Decimal(int(weight)) if weight == weight.to_integral() else weight

    def feedback(self, answer: _Node) -> str:
        return self.text("feedback", answer)

    def format_of(self, node: _Node | None) -> TextFormat | None:
        """The format of ``node``'s text when it differs from the question's, else None (as
        the model keeps it)."""
        if node is None or "format" not in node.attrib:
            return None
        found = self._format(node)
        return None if found is self.format else found

    def feedback_format(self, answer: _Node) -> TextFormat | None:
        return self.format_of(answer.find("feedback"))

    def number(self, raw: str, line: int, what: str) -> Decimal:
        try:
            return Decimal(raw.strip())
        except InvalidOperation:
            raise _Problem(f"the {what} '{raw}' is not a number", line) from None

    def whole(self, tag: str) -> int | None:
        raw = self.node.value(tag)
        if not raw or raw == "0":
            return None
        if not raw.isdigit():
            child = self.node.find(tag)
            raise _Problem(f"<{tag}> must be a whole number", child.line if child else 0)
        return int(raw)


def _image_type(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(16)
    for signature, extension in _SIGNATURES:
        if head.startswith(signature):
            return extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _readable(path: Path) -> bool:
    """Whether Pillow can read the image (a damaged one would fail when stored). An image whose
    pixels would not fit in memory (a decompression bomb: Pillow's limit) is not readable."""
    try:
        with PillowImage.open(path) as image:
            image.verify()
    except (OSError, SyntaxError, ValueError, PillowImage.DecompressionBombError):
        return False
    return True


def _multichoice(question: _Question) -> dict[str, Any]:
    single = question.node.value("single", "true").lower() in ("true", "1")
    choices = tuple(
        Choice(
            question.resolved(answer),
            question.fraction(answer),
            question.feedback(answer),
            text_format=question.format_of(answer),
            feedback_format=question.feedback_format(answer),
        )
        for answer in question.answers()
    )
    kind = QuestionKind.SINGLE_CHOICE if single else QuestionKind.MULTIPLE_RESPONSE
    return {"kind": kind, "choices": choices}


def _truefalse(question: _Question) -> dict[str, Any]:
    found: dict[str, tuple[Decimal, str, TextFormat | None]] = {}
    for answer in question.answers():
        word = answer.value("text").lower()
        if word not in ("true", "false"):
            raise _Problem(f"a true/false answer is 'true' or 'false', not '{word}'", answer.line)
        found[word] = (
            question.fraction(answer),
            question.feedback(answer),
            question.feedback_format(answer),
        )
    if set(found) != {"true", "false"}:
        raise _Problem(
            "a true/false question needs a 'true' and a 'false' answer", question.node.line
        )
    return {
        "kind": QuestionKind.TRUE_FALSE,
        "correct": found["true"][0] > 0,
        "feedback_true": found["true"][1],
        "feedback_false": found["false"][1],
        "feedback_true_format": found["true"][2],
        "feedback_false_format": found["false"][2],
    }


def _shortanswer(question: _Question) -> dict[str, Any]:
    answers = tuple(
        TextAnswer(
            answer.value("text"),
            question.fraction(answer),
            question.feedback(answer),
            feedback_format=question.feedback_format(answer),
        )
        for answer in question.answers()
    )
    usecase = question.node.value("usecase")
    case_sensitive = None if usecase == "" else usecase not in ("0", "false")
    return {"kind": QuestionKind.SHORT_ANSWER, "answers": answers, "case_sensitive": case_sensitive}


def _numerical(question: _Question) -> dict[str, Any]:
    answers: list[NumericAnswer] = []
    for answer in question.answers():
        raw = answer.value("text")
        feedback_format = question.feedback_format(answer)
        if raw == "*":  # any other number: what it earns and its feedback, if any
            weight = question.fraction(answer)
            if weight:
                raise _Problem(
                    "the answer '*' (any other number) must earn 0%: the quiz engine gives "
                    "no credit for a number no answer accepts",
                    answer.line,
                )
            feedback = question.feedback(answer)
            answers.append(NumericAnswer(None, weight, feedback, feedback_format))
            continue
        value = question.number(raw, answer.line, "answer")
        tolerance = abs(
            question.number(answer.value("tolerance", "0") or "0", answer.line, "tolerance")
        )
        answers.append(
            NumericAnswer(
                NumericValue(value, tolerance),
                question.fraction(answer),
                question.feedback(answer),
                feedback_format,
            )
        )
    return {"kind": QuestionKind.NUMERIC, "numeric_answers": tuple(answers)}


def _matching(question: _Question) -> dict[str, Any]:
    pairs: list[MatchPair] = []
    for sub in question.node.findall("subquestion"):
        answer = sub.find("answer")
        match = answer.value("text") if answer is not None else ""
        if not match:
            raise _Problem("a matching subquestion needs an <answer>", sub.line)
        pairs.append(MatchPair(question.resolved(sub), match, question.format_of(sub)))
    if not pairs:
        raise _Problem("a matching question needs <subquestion> elements", question.node.line)
    return {"kind": QuestionKind.MATCHING, "pairs": tuple(pairs)}


def _essay(question: _Question) -> dict[str, Any]:
    return {
        "kind": QuestionKind.ESSAY,
        "grader_info": question.text("graderinfo"),
        "response_template": question.text("responsetemplate"),
        "min_words": question.whole("minwordlimit"),
        "max_words": question.whole("maxwordlimit"),
    }


def _description(question: _Question) -> dict[str, Any]:
    return {"kind": QuestionKind.DESCRIPTION}


_READERS: dict[str, Callable[[_Question], dict[str, Any]]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "match": _matching,
    "essay": _essay,
    "description": _description,
}


# Writing

#: Reads an image the text shows (its ``src``): its file name and bytes, or None to leave it.
ImageReader = Callable[[str], tuple[str, bytes] | None]


def write_moodle_xml(
    questions: Iterable[ParsedQuestion], *, read_image: ImageReader | None = None
) -> str:
    """Moodle XML for ``questions``; a ``<question type="category">`` goes before each change of
    category. With ``read_image``, every ``<img src>`` it can read is embedded as a base64
    ``<file>`` and its ``src`` becomes ``@@PLUGINFILE@@/name``, as Moodle writes it."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category: str | None = None
    for question in questions:
        if question.category is not None and question.category != category:
            category = question.category
            lines.append('  <question type="category">')
            lines.append(f"    <category><text>{escape(category)}</text></category>")
            lines.append("  </question>")
        lines.extend(_Writer(question, read_image).lines())
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


class _Writer:
    """One question as XML lines."""

    def __init__(self, question: ParsedQuestion, read_image: ImageReader | None) -> None:
        self.question = question
        self.read_image = read_image

    def text(self, tag: str, text: str, fmt: TextFormat | None = None, inner: str = "") -> str:
        """``<tag format="..."><text>...</text><file>...</file>inner</tag>``, with the images of
        ``text`` embedded."""
        files: list[str] = []
        if self.read_image is not None and "<img" in text:
            text = self._embed(text, files)
        name = _FORMAT_NAMES[fmt or self.question.text_format]
        return f'<{tag} format="{name}"><text>{escape(text)}</text>{"".join(files)}{inner}</{tag}>'

    def _embed(self, text: str, files: list[str]) -> str:
        read_image = self.read_image
        assert read_image is not None
        used: dict[str, str] = {}

        def replace(tag: re.Match[str]) -> str:
            whole = tag.group(0)
            src = next(
                (m for m in _ATTRIBUTE.finditer(whole, 4) if m.group(1).lower() == "src"), None
            )
            if src is None:
                return whole
            read = read_image(html.unescape(src.group(2).strip("\"'")))
            if read is None:
                return whole
            name, data = read
            if name not in used:
                used[name] = base64.b64encode(data).decode("ascii")
            return whole[: src.start(2)] + quoteattr(PLUGINFILE + quote(name)) + whole[src.end(2) :]

        text = _IMG.sub(replace, text)
        files.extend(
            f'<file name={quoteattr(name)} path="/" encoding="base64">{data}</file>'
            for name, data in used.items()
        )
        return text

    def lines(self) -> list[str]:
        q = self.question
        out = [
            f'  <question type="{_WRITE_TYPES[q.kind]}">',
            f"    <name><text>{escape(q.title)}</text></name>",
            "    " + self.text("questiontext", q.text),
            "    " + self.text("generalfeedback", q.general_feedback, q.general_feedback_format),
        ]
        if q.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_RESPONSE):
            single = "true" if q.kind is QuestionKind.SINGLE_CHOICE else "false"
            out.append(f"    <single>{single}</single>")
            for choice in q.choices:
                feedback = self.text("feedback", choice.feedback, choice.feedback_format)
                out.append(
                    "    "
                    + self.text("answer", choice.text, choice.text_format, feedback).replace(
                        "<answer ", f'<answer fraction="{_number(choice.weight)}" ', 1
                    )
                )
        elif q.kind is QuestionKind.TRUE_FALSE:
            right, wrong = (Decimal(100), Decimal(0)) if q.correct else (Decimal(0), Decimal(100))
            out.append(self.answer(right, "true", q.feedback_true, q.feedback_true_format))
            out.append(self.answer(wrong, "false", q.feedback_false, q.feedback_false_format))
        elif q.kind is QuestionKind.SHORT_ANSWER:
            if q.case_sensitive is not None:
                out.append(f"    <usecase>{int(q.case_sensitive)}</usecase>")
            out.extend(
                self.answer(a.weight, a.text, a.feedback, a.feedback_format) for a in q.answers
            )
        elif q.kind is QuestionKind.NUMERIC:
            for numeric in q.numeric_answers:
                value, tolerance = _value_and_tolerance(numeric)
                out.append(
                    self.answer(
                        numeric.weight,
                        value,
                        numeric.feedback,
                        numeric.feedback_format,
                        f"<tolerance>{tolerance}</tolerance>",
                    )
                )
        elif q.kind is QuestionKind.MATCHING:
            for pair in q.pairs:
                answer = f"<answer><text>{escape(pair.answer)}</text></answer>"
                out.append(
                    "    " + self.text("subquestion", pair.prompt, pair.prompt_format, answer)
                )
        elif q.kind is QuestionKind.ESSAY:
            out.append("    " + self.text("graderinfo", q.grader_info))
            out.append("    " + self.text("responsetemplate", q.response_template))
            out.append(f"    <minwordlimit>{q.min_words or ''}</minwordlimit>")
            out.append(f"    <maxwordlimit>{q.max_words or ''}</maxwordlimit>")
        out.append("  </question>")
        return out

    def answer(
        self,
        weight: Decimal,
        text: str,
        feedback: str,
        feedback_format: TextFormat | None,
        extra: str = "",
    ) -> str:
        """An answer compared with what the learner gives (never rendered), with its feedback."""
        feedback_xml = self.text("feedback", feedback, feedback_format)
        return (
            f'    <answer fraction="{_number(weight)}" format="moodle_auto_format">'
            f"<text>{escape(text)}</text>{feedback_xml}{extra}</answer>"
        )


def _value_and_tolerance(answer: NumericAnswer) -> tuple[str, str]:
    """Moodle's answer text and tolerance: ``*`` for any other number; a range as its middle
    ± half its width (exact for decimals)."""
    accepted = answer.accepted
    if accepted is None:
        return "*", "0"
    if isinstance(accepted, NumericValue):
        return _number(accepted.value), _number(accepted.tolerance)
    middle = (accepted.minimum + accepted.maximum) / 2
    return _number(middle), _number((accepted.maximum - accepted.minimum) / 2)


def _number(number: Decimal) -> str:
    return format(number.normalize(), "f")


_WRITE_TYPES = {
    QuestionKind.SINGLE_CHOICE: "multichoice",
    QuestionKind.MULTIPLE_RESPONSE: "multichoice",
    QuestionKind.TRUE_FALSE: "truefalse",
    QuestionKind.SHORT_ANSWER: "shortanswer",
    QuestionKind.NUMERIC: "numerical",
    QuestionKind.MATCHING: "match",
    QuestionKind.ESSAY: "essay",
    QuestionKind.DESCRIPTION: "description",
}
