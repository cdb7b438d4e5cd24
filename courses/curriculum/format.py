"""The curriculum file format (see ``docs/curriculum-format.md``): parsing and writing.

Nothing here touches the database. Parsing collects every error in every file, each naming the
file, the line and the field, so a trainer can fix a whole folder in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from core.api import Specialty

from .extensions import ModelRef, extensions

__all__ = [
    "AssetRef",
    "BlockSpec",
    "CourseSpec",
    "CurriculumError",
    "CurriculumInvalid",
    "FileReader",
    "LessonSpec",
    "ModuleSpec",
    "dump_directive",
    "dump_front_matter",
    "parse_tree",
]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^\d+\.\d+$")
OPEN_RE = re.compile(r"^:::\s*([A-Za-z][\w-]*)\s*(.*?)\s*$")
CLOSE_RE = re.compile(r"^:::\s*$")
ATTR_RE = re.compile(r'\s*([a-z][a-z_-]*)="((?:[^"\\]|\\.)*)"')
MAX_TITLE = 255
MAX_SUMMARY = 500


def _compose_and_load(raw: str) -> tuple[yaml.Node | None, Any]:
    """The YAML ``raw`` as a node (its marks give each field's line) and as data, parsed once
    with libyaml when PyYAML has it. A document libyaml refuses is parsed again in Python, whose
    error messages are the ones the importer has always shown."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        loader = fast(raw)
        try:
            node = loader.get_single_node()
            return node, None if node is None else loader.construct_document(node)
        except yaml.YAMLError:
            pass
        finally:
            loader.dispose()
    return yaml.compose(raw, Loader=yaml.SafeLoader), yaml.safe_load(raw)


@dataclass(frozen=True)
class CurriculumError:
    """One problem in one file, at one line, in one field (or directive)."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class CurriculumInvalid(Exception):
    """The files have errors; nothing was written."""

    def __init__(self, errors: list[CurriculumError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class AssetRef:
    """A file a page refers to (an image or a document), as an absolute path."""

    kind: str  # "image" or "document"
    path: Path
    title: str


@dataclass
class BlockSpec:
    """A lesson body block: its type and a raw value in which files are ``AssetRef``s."""

    type: str
    value: Any
    line: int


@dataclass
class LessonSpec:
    path: Path
    slug: str
    title: str
    summary: str
    estimated_minutes: int
    blocks: list[BlockSpec]


@dataclass
class ModuleSpec:
    path: Path
    slug: str
    title: str
    summary: str
    introduction: str
    lessons: list[LessonSpec] = field(default_factory=list)
    assessment: ModelRef | None = None


@dataclass
class CourseSpec:
    path: Path
    slug: str
    title: str
    summary: str
    description: str
    specialties: list[str]
    estimated_hours: Decimal
    version: str
    outcomes: list[str]
    cover: AssetRef | None
    cover_alt: str
    completion: str = "mark"
    #: The language of the tree; a course in another language than the site's default is a
    #: translation of the default-language course with the same slug.
    locale: str = ""
    modules: list[ModuleSpec] = field(default_factory=list)
    #: What each extension's ``parse`` returned for this course, by extension folder name.
    extensions: dict[str, Any] = field(default_factory=dict)


# --- field validators: each returns the clean value or raises ValueError with the reason -------


def _text(max_length: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be non-empty text")
        value = value.strip()
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters, got {len(value)}")
        return value

    return check


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValueError(f"must be lowercase letters, digits and hyphens, got {value!r}")
    return value


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"must be a whole number greater than 0, got {value!r}")
    if value > 32767:
        raise ValueError(f"must be at most 32767, got {value}")
    return value


def _hours(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"must be a number greater than 0, got {value!r}")
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ValueError(f"must be a number greater than 0, got {value!r}") from None
    if hours <= 0 or hours >= 10000:
        raise ValueError(f"must be a number greater than 0 and below 10000, got {value!r}")
    return hours


def _version(value: Any) -> str:
    if not isinstance(value, str) or not VERSION_RE.match(value):
        raise ValueError(f'must be MAJOR.MINOR in quotes, e.g. "1.0", got {value!r}')
    return value


def _specialties(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty list")
    unknown = [v for v in value if v not in Specialty.values]
    if unknown:
        allowed = ", ".join(Specialty.values)
        raise ValueError(f"unknown {', '.join(map(repr, unknown))}; allowed: {allowed}")
    if len(set(value)) != len(value):
        raise ValueError("lists a specialty twice")
    return list(value)


def _outcomes(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty list of sentences")
    outcomes = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"item {i} must be non-empty text")
        if len(item.strip()) > 300:
            raise ValueError(f"item {i} must be at most 300 characters")
        outcomes.append(item.strip())
    return outcomes


COMPLETION_MODES = {"mark": "mark", "reach-end": "reach_end"}


def _completion(value: Any) -> str:
    if value not in COMPLETION_MODES:
        raise ValueError(f"must be 'mark' or 'reach-end', got {value!r}")
    return COMPLETION_MODES[value]


def _optional_text(max_length: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError("must be text")
        if len(value.strip()) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return value.strip()

    return check


Schema = dict[str, tuple[bool, Callable[[Any], Any]]]


def _locale(value: Any) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if value not in codes:
        raise ValueError(f"must be one of: {', '.join(codes)}")
    return str(value)


COURSE_SCHEMA: Schema = {
    "slug": (True, _slug),
    "locale": (False, _locale),
    "title": (True, _text(MAX_TITLE)),
    "summary": (True, _text(MAX_SUMMARY)),
    "specialties": (True, _specialties),
    "estimated_hours": (True, _hours),
    "version": (True, _version),
    "outcomes": (True, _outcomes),
    "cover": (False, _optional_text(500)),
    "cover_alt": (False, _optional_text(250)),
    "completion": (False, lambda value: _completion(value)),
}
MODULE_SCHEMA: Schema = {
    "slug": (True, _slug),
    "title": (True, _text(MAX_TITLE)),
    "summary": (True, _text(MAX_SUMMARY)),
    "assessment": (False, _slug),
}
LESSON_SCHEMA: Schema = {
    "slug": (True, _slug),
    "title": (True, _text(MAX_TITLE)),
    "summary": (True, _text(MAX_SUMMARY)),
    "estimated_minutes": (True, _positive_int),
}


class _FileReader:
    """Reads one file, collecting its errors with their line numbers."""

    def __init__(self, path: Path, root: Path, errors: list[CurriculumError]) -> None:
        self.path = path
        self.root = root
        self.errors = errors
        self.display = _display(path, root)
        self.field_lines: dict[str, int] = {}

    def line_of(self, field_name: str) -> int:
        """The line a front-matter field is on (the first line when unknown)."""
        return self.field_lines.get(field_name, 2)

    def error(self, line: int, field_name: str, message: str) -> None:
        self.errors.append(CurriculumError(self.display, line, field_name, message))

    def read(self, schema: Schema) -> tuple[dict[str, Any] | None, str, int]:
        """Return (clean front matter or None if invalid, body, line where the body starts)."""
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            self.error(0, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
            return None, "", 0
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if not lines or lines[0].strip() != "---":
            self.error(1, "front matter", "the file must start with a line '---'")
            return None, "", 0
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            self.error(1, "front matter", "no closing '---' line after the front matter")
            return None, "", 0
        raw = "\n".join(lines[1:end])
        body = "\n".join(lines[end + 1 :])
        return self._fields(raw, schema), body, end + 2

    def read_yaml(self, schema: Schema) -> dict[str, Any] | None:
        """A whole file of YAML ``field: value`` lines (no front matter), checked by ``schema``."""
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            self.error(0, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
            return None
        return self._fields(text, schema, first_line=1, what="the file")

    def _fields(
        self, raw: str, schema: Schema, *, first_line: int = 2, what: str = "front matter"
    ) -> dict[str, Any] | None:
        try:
            node, data = _compose_and_load(raw)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + first_line if mark else 1
            self.error(line, what, f"is not valid YAML: {exc.problem or exc}")
            return None
        if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
            self.error(first_line, what, "must be a set of 'field: value' lines")
            return None
        lines = {
            k.value: k.start_mark.line + first_line
            for k, _ in node.value
            if isinstance(k, yaml.ScalarNode)
        }
        self.field_lines = lines
        clean: dict[str, Any] = {}
        ok = True
        for name in data:
            if name not in schema:
                allowed = ", ".join(schema)
                self.error(
                    lines.get(name, first_line),
                    f"field '{name}'",
                    f"is unknown; allowed: {allowed}",
                )
                ok = False
        for name, (required, check) in schema.items():
            if name not in data or data[name] is None:
                if required:
                    self.error(first_line, f"field '{name}'", "is required")
                    ok = False
                continue
            try:
                clean[name] = check(data[name])
            except ValueError as exc:
                self.error(lines.get(name, first_line), f"field '{name}'", str(exc))
                ok = False
        return clean if ok else None

    def asset(
        self, line: int, field_name: str, value: str, kind: str, title: str
    ) -> AssetRef | None:
        target = (self.path.parent / value).resolve()
        if not target.is_relative_to(self.root.resolve()):
            self.error(line, field_name, f"'{value}' must be inside the curriculum folder")
            return None
        if not target.is_file():
            self.error(line, field_name, f"file not found: '{value}'")
            return None
        if kind == "image" and target.suffix.lower() not in {
            ".jpg",
            ".jpeg",
            ".png",
            ".gif",
            ".webp",
        }:
            self.error(line, field_name, f"'{value}' is not an image (jpg, png, gif or webp)")
            return None
        return AssetRef(kind, target, title or target.stem)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


# --- directives ---------------------------------------------------------------------------------

DIRECTIVE_ATTRIBUTES: dict[str, tuple[set[str], set[str]]] = {
    # name: (required attributes, optional attributes)
    "markdown": (set(), set()),
    "rich-text": (set(), set()),
    "content-note": (set(), set()),
    "reflection": (set(), set()),
    "scenario": ({"title"}, set()),
    "takeaways": (set(), set()),
    "image": ({"src", "alt"}, {"caption"}),
    "video": (set(), {"src", "embed", "captions"}),
    "resource": ({"src", "title"}, set()),
    "quiz": ({"slug"}, {"required"}),
    "h5p": ({"file"}, {"required"}),
}


#: The lesson block a directive makes, where it is not the directive's name.
BLOCK_OF_DIRECTIVE = {"h5p": "activity"}


def _parse_attributes(text: str) -> dict[str, str] | str:
    """``key="value" ...`` → dict, or an error message."""
    attrs: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = ATTR_RE.match(text, pos)
        if not match:
            return f'cannot read attributes at {text[pos:].strip()!r}; write key="value"'
        key, value = match.group(1), re.sub(r"\\(.)", r"\1", match.group(2))
        if key in attrs:
            return f"attribute '{key}' is given twice"
        attrs[key] = value
        pos = match.end()
    return attrs


def _directive_value(
    reader: _FileReader, name: str, attrs: dict[str, str], content: str, line: int
) -> Any:
    """Turn one directive into a raw block value, or record an error and return None."""
    where = f"directive '{name}'"
    required, optional = DIRECTIVE_ATTRIBUTES[name]
    for missing in sorted(required - attrs.keys()):
        reader.error(line, where, f"missing attribute '{missing}'")
    for unknown in sorted(attrs.keys() - required - optional):
        allowed = ", ".join(sorted(required | optional)) or "none"
        reader.error(line, where, f"unknown attribute '{unknown}'; allowed: {allowed}")
    if required - attrs.keys() or attrs.keys() - required - optional:
        return None
    needs_content = name in {"markdown", "rich-text", "content-note", "reflection", "scenario",
                             "takeaways", "video"}  # fmt: skip
    if needs_content and not content:
        what = "the transcript" if name == "video" else "some content"
        reader.error(line, where, f"needs {what} between its opening and closing lines")
        return None
    if name in {"markdown", "rich-text"}:
        return content
    if name == "content-note":
        return {"note": content}
    if name == "reflection":
        return {"prompt": content}
    if name == "scenario":
        title = attrs["title"].strip()
        if not title or len(title) > 200:
            reader.error(line, where, "attribute 'title' must be 1 to 200 characters")
            return None
        return {"title": title, "body": content}
    if name == "takeaways":
        items = []
        for offset, text in enumerate(content.split("\n"), 1):
            if not text.strip():
                continue
            match = re.match(r"^\s*[-*]\s+(.+)$", text)
            if not match:
                reader.error(line + offset, where, "each takeaway is a line starting with '- '")
                return None
            items.append(match.group(1).strip())
        return {"items": items}
    if name == "image":
        image = reader.asset(line, where, attrs["src"], "image", attrs.get("alt", ""))
        alt = attrs["alt"].strip()
        if not alt:
            reader.error(line, where, "attribute 'alt' must describe the image")
            return None
        return image and {"image": image, "alt_text": alt, "caption": attrs.get("caption", "")}
    if name == "video":
        if ("src" in attrs) == ("embed" in attrs):
            reader.error(line, where, "give exactly one of 'src' (a video file) or 'embed' (a URL)")
            return None
        if "src" in attrs and "captions" not in attrs:
            reader.error(line, where, "a video file needs a 'captions' (.vtt) file")
            return None
        if "embed" in attrs and not re.match(r"^https?://", attrs["embed"]):
            reader.error(line, where, "attribute 'embed' must be an http(s) URL")
            return None
        video = attrs.get("src") and reader.asset(line, where, attrs["src"], "document", "")
        captions = attrs.get("captions") and reader.asset(
            line, where, attrs["captions"], "document", ""
        )
        if captions and captions.path.suffix.lower() != ".vtt":
            reader.error(line, where, "attribute 'captions' must be a .vtt file")
            return None
        return {
            "video": video or None,
            "embed": attrs.get("embed") or None,
            "captions": captions or None,
            "transcript": content,
        }
    if name == "h5p":
        return _h5p_value(reader, attrs, line, where)
    if name == "quiz":
        required_text = attrs.get("required", "true").strip().lower()
        if required_text not in {"true", "false"}:
            reader.error(line, where, 'attribute \'required\' must be "true" or "false"')
            return None
        if not SLUG_RE.match(attrs["slug"]):
            reader.error(line, where, "attribute 'slug' must be a quiz slug (a-z, 0-9, -)")
            return None
        return {
            "quiz": ModelRef("quizzes.Quiz", attrs["slug"], (reader.display, line, where)),
            "required": required_text == "true",
        }
    # resource
    document = reader.asset(line, where, attrs["src"], "document", attrs["title"])
    return document and {"document": document, "title": attrs["title"], "description": content}


#: Files an ``h5p`` directive may name: an activity's source (built into a package on import)
#: or a ready-made package, in the course's ``activities/`` folder.
ACTIVITY_SUFFIXES = {".yaml", ".h5p"}


def _h5p_value(reader: _FileReader, attrs: dict[str, str], line: int, where: str) -> Any:
    """``::: h5p file="activities/<slug>.yaml"``: an interactive activity, by its file (relative
    to the course folder); the ``activities`` extension stores it under the file's name."""
    required_text = attrs.get("required", "true").strip().lower()
    if required_text not in {"true", "false"}:
        reader.error(line, where, 'attribute \'required\' must be "true" or "false"')
        return None
    value = attrs["file"].strip()
    relative = Path(value)
    course_dir = reader.path.parent.parent
    if (
        relative.is_absolute()
        or len(relative.parts) != 2
        or relative.parts[0] != "activities"
        or relative.suffix.lower() not in ACTIVITY_SUFFIXES
    ):
        reader.error(
            line,
            where,
            f"attribute 'file' must name a .yaml or .h5p file in the course's activities/ "
            f"folder, like \"activities/first-visit.yaml\" (got '{value}')",
        )
        return None
    if not SLUG_RE.match(relative.stem):
        reader.error(line, where, f"the file name '{relative.name}' must be a slug (a-z, 0-9, -)")
        return None
    if not (course_dir / relative).is_file():
        reader.error(line, where, f"file not found: '{value}' (in {course_dir.name}/)")
        return None
    return {
        "activity": ModelRef("activities.Activity", relative.stem, (reader.display, line, where)),
        "required": required_text == "true",
    }


#: Public name for other apps' curriculum extensions (``read_yaml``, ``error``).
FileReader = _FileReader


def parse_body(reader: _FileReader, body: str, first_line: int) -> list[BlockSpec]:
    """Split a lesson body into Markdown blocks and directive blocks."""
    blocks: list[BlockSpec] = []
    markdown: list[str] = []
    markdown_start = first_line
    open_name: str | None = None
    open_attrs: dict[str, str] = {}
    open_line = 0
    content: list[str] = []

    def flush_markdown() -> None:
        text = "\n".join(markdown).strip()
        if text:
            blocks.append(BlockSpec("markdown", text, markdown_start))
        markdown.clear()

    for number, line in enumerate(body.split("\n"), first_line):
        opened = OPEN_RE.match(line)
        if open_name is None:
            if CLOSE_RE.match(line):
                reader.error(number, "directive", "':::' closes nothing: no directive is open")
            elif opened:
                name = opened.group(1)
                if name not in DIRECTIVE_ATTRIBUTES:
                    known = ", ".join(DIRECTIVE_ATTRIBUTES)
                    reader.error(number, f"directive '{name}'", f"is unknown; known: {known}")
                attrs = _parse_attributes(opened.group(2))
                if isinstance(attrs, str):
                    reader.error(number, f"directive '{name}'", attrs)
                    attrs = {}
                flush_markdown()
                open_name, open_attrs, open_line, content = name, attrs, number, []
            else:
                if not markdown:
                    markdown_start = number
                markdown.append(line)
        elif CLOSE_RE.match(line):
            if open_name in DIRECTIVE_ATTRIBUTES:
                value = _directive_value(
                    reader, open_name, open_attrs, "\n".join(content).strip(), open_line
                )
                if value is not None:
                    block_type = BLOCK_OF_DIRECTIVE.get(open_name, open_name.replace("-", "_"))
                    blocks.append(BlockSpec(block_type, value, open_line))
            open_name = None
        elif opened:
            reader.error(
                number,
                f"directive '{opened.group(1)}'",
                f"directives do not nest: close '{open_name}' (opened at line {open_line}) first",
            )
        else:
            content.append(line)
    if open_name is not None:
        reader.error(open_line, f"directive '{open_name}'", "is not closed: add a line ':::'")
    flush_markdown()
    return blocks


# --- the tree -----------------------------------------------------------------------------------


def _visible(path: Path) -> bool:
    return not path.name.startswith((".", "_")) and path.name.lower() != "readme.md"


def _translation_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _course_dirs(root: Path) -> list[tuple[Path, str]]:
    """Each course folder and the language its folder implies ("" for none): a folder named
    after a language (``ru/``, ``kk/``) holds that language's courses."""
    if (root / "course.md").is_file():
        return [(root, "")]
    found = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and _visible(p)):
        if path.name in _translation_languages() and not (path / "course.md").is_file():
            found += [(p, path.name) for p in sorted(path.iterdir()) if p.is_dir() and _visible(p)]
        else:
            found.append((path, ""))
    return found


def _check_unique(
    errors: list[CurriculumError], root: Path, items: Iterable[tuple[str, Path]], what: str
) -> None:
    seen: dict[str, Path] = {}
    for slug, path in items:
        if slug in seen:
            first = _display(seen[slug], root)
            errors.append(
                CurriculumError(_display(path, root), 2, "field 'slug'",
                                f"'{slug}' is already used by another {what} ({first})")
            )  # fmt: skip
        else:
            seen[slug] = path


def parse_tree(root: Path) -> list[CourseSpec]:
    """Parse a curriculum folder (or one course folder). Raises ``CurriculumInvalid`` listing
    every error found in every file."""
    root = root.resolve()
    errors: list[CurriculumError] = []
    if not root.is_dir():
        raise CurriculumInvalid([CurriculumError(str(root), 0, "", "is not a folder")])
    courses: list[CourseSpec] = []
    course_dirs = _course_dirs(root)
    if not course_dirs:
        errors.append(
            CurriculumError(str(root), 0, "", "contains no course folder (with course.md)")
        )
    for course_dir, folder_language in course_dirs:
        course = _parse_course(course_dir, root, errors, folder_language)
        if course is not None:
            courses.append(course)
    for language in {c.locale for c in courses}:
        _check_unique(
            errors,
            root,
            ((c.slug, c.path) for c in courses if c.locale == language),
            "course" if language == settings.LANGUAGE_CODE else f"course in '{language}'",
        )
    # Sources before their translations: a translation is linked to its source course.
    courses.sort(key=lambda c: c.locale != settings.LANGUAGE_CODE)
    for course in courses:
        _check_unique(errors, root, ((m.slug, m.path) for m in course.modules), "module")
        for module in course.modules:
            _check_unique(errors, root, ((le.slug, le.path) for le in module.lessons), "lesson")
    if errors:
        raise CurriculumInvalid(errors)
    return courses


def _parse_course(
    course_dir: Path, root: Path, errors: list[CurriculumError], folder_language: str = ""
) -> CourseSpec | None:
    course_file = course_dir / "course.md"
    if not course_file.is_file():
        errors.append(CurriculumError(_display(course_dir, root), 0, "", "has no course.md"))
        return None
    reader = _FileReader(course_file, root, errors)
    meta, body, _ = reader.read(COURSE_SCHEMA)
    locale = (meta or {}).get("locale") or folder_language or settings.LANGUAGE_CODE
    if meta and folder_language and meta.get("locale", folder_language) != folder_language:
        reader.error(
            reader.line_of("locale"),
            "field 'locale'",
            f"says '{meta['locale']}' but the course is in the '{folder_language}/' folder",
        )
    cover = None
    if meta and meta.get("cover"):
        if not meta.get("cover_alt"):
            reader.error(2, "field 'cover_alt'", "is required with 'cover'")
        cover = reader.asset(2, "field 'cover'", meta["cover"], "image", meta.get("cover_alt", ""))
    owned = {extension.folder: extension for extension in extensions()}
    parsed_extensions: dict[str, Any] = {}
    modules = []
    for module_dir in sorted(p for p in course_dir.iterdir() if p.is_dir() and _visible(p)):
        if module_dir.name in owned:
            if meta is not None:
                parsed_extensions[module_dir.name] = owned[module_dir.name].parse(
                    module_dir, meta["slug"], root, errors, locale
                )
            continue
        has_markdown = any(p.suffix == ".md" for p in module_dir.iterdir())
        if not has_markdown:
            continue  # a folder of files (images, handouts), not a module
        module = _parse_module(module_dir, root, errors)
        if module is not None:
            modules.append(module)
    if meta is None:
        return None
    if not modules:
        reader.error(0, "", "the course has no modules (folders with a module.md)")
    return CourseSpec(
        path=course_file,
        slug=meta["slug"],
        title=meta["title"],
        summary=meta["summary"],
        description=body.strip(),
        specialties=meta["specialties"],
        estimated_hours=meta["estimated_hours"],
        version=meta["version"],
        outcomes=meta["outcomes"],
        cover=cover,
        cover_alt=meta.get("cover_alt", ""),
        completion=meta.get("completion", "mark"),
        locale=locale,
        modules=modules,
        extensions=parsed_extensions,
    )


def _parse_module(module_dir: Path, root: Path, errors: list[CurriculumError]) -> ModuleSpec | None:
    module_file = module_dir / "module.md"
    if not module_file.is_file():
        errors.append(
            CurriculumError(_display(module_dir, root), 0, "", "has lessons but no module.md")
        )
        return None
    reader = _FileReader(module_file, root, errors)
    meta, body, _ = reader.read(MODULE_SCHEMA)
    lessons = []
    lesson_files = sorted(
        p for p in module_dir.iterdir()
        if p.is_file() and p.suffix == ".md" and p.name != "module.md" and _visible(p)
    )  # fmt: skip
    for lesson_file in lesson_files:
        lesson = _parse_lesson(lesson_file, root, errors)
        if lesson is not None:
            lessons.append(lesson)
    if meta is None:
        return None
    if not lesson_files:
        reader.error(0, "", "the module has no lessons")
    assessment = None
    if meta.get("assessment"):
        line = reader.line_of("assessment")
        where = (reader.display, line, "field 'assessment'")
        assessment = ModelRef("quizzes.Quiz", meta["assessment"], where)
    return ModuleSpec(
        module_file, meta["slug"], meta["title"], meta["summary"], body.strip(), lessons, assessment
    )


def _parse_lesson(path: Path, root: Path, errors: list[CurriculumError]) -> LessonSpec | None:
    reader = _FileReader(path, root, errors)
    before = len(errors)
    meta, body, body_line = reader.read(LESSON_SCHEMA)
    blocks = parse_body(reader, body, body_line) if body_line else []
    if meta is None or len(errors) > before:
        return None
    if not blocks:
        reader.error(body_line, "body", "the lesson has no content")
        return None
    return LessonSpec(
        path, meta["slug"], meta["title"], meta["summary"], meta["estimated_minutes"], blocks
    )


# --- writing ------------------------------------------------------------------------------------


def dump_front_matter(data: dict[str, Any], body: str = "") -> str:
    """Front matter and body as file text."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100000)
    body = body.strip()
    return f"---\n{text}---\n" + (f"{body}\n" if body else "")


def dump_directive(name: str, attrs: dict[str, str], content: str = "") -> str:
    """One directive as text."""
    parts = [f":::{' ' + name}"]
    for key, value in attrs.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'{key}="{escaped}"')
    head = " ".join(parts)
    content = content.strip()
    return f"{head}\n{content}\n:::" if content else f"{head}\n:::"
