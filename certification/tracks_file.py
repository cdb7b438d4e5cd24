"""Certification tracks declared in a file: ``content/certification-tracks.yaml``.

The file is a YAML list of tracks (see docs/certification.md, "Tracks in files"). Reading it
checks everything before anything is written: the YAML, every field, the specialties, that each
course slug names a published course, the refresher rule, duplicate slugs. Every error names
the file, the line and the field, in the curriculum files' format (``courses.api``), and all of
them are reported at once.

``tracks_import`` then matches tracks by slug: it creates those that are new, updates the others
in place (their required courses are replaced to match the file) and leaves alone the tracks the
file does not name. It never deletes a track and never touches certificates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.log_actions import log

from core.api import Specialty
from courses.api import CurriculumError, CurriculumInvalid, FileReader, live_courses

from .models import TRANSLATED_FIELDS, CertificationTrack, RenewalRule, TrackRequirement

__all__ = [
    "TRACKS_FILE_NAME",
    "RequirementSpec",
    "TrackSpec",
    "TracksReport",
    "tracks_file_parse",
    "tracks_import",
]

#: The file's name in a content folder (``load_initial_data`` imports it from there).
TRACKS_FILE_NAME = "certification-tracks.yaml"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class RequirementSpec:
    """One required course: its slug, and the specialty it is for ('' for everyone)."""

    course: str
    specialty: str
    line: int


@dataclass
class TrackSpec:
    """One track as the file declares it, with the line of each field for later errors."""

    line: int
    lines: dict[str, int]
    slug: str
    name: str
    description: str
    issuing_body: str
    validity_months: int
    renewal_window_days: int
    renewal_rule: str
    refresher_course: str
    active: bool
    courses: list[RequirementSpec] = field(default_factory=list)
    #: ``{"ru": {"name": ..., "description": ..., "issuing_body": ...}, "kk": {...}}``
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class TracksReport:
    """What an import did (or, with ``dry_run``, would do), by track name."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        """``"1 created, 0 updated, 0 unchanged"``."""
        verb = "would be " if self.dry_run else ""
        return (
            f"{len(self.created)} {verb}created, {len(self.updated)} {verb}updated, "
            f"{len(self.unchanged)} unchanged"
        )


# --- field checks: each returns the clean value or raises ValueError with the reason ----------


def _text(max_length: int, *, required: bool = True) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or (required and not value.strip()):
            raise ValueError("must be non-empty text" if required else "must be text")
        if len(value.strip()) > max_length:
            raise ValueError(f"must be at most {max_length} characters, got {len(value.strip())}")
        return value.strip()

    return check


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise ValueError(f"must be lowercase letters, digits and hyphens, got {value!r}")
    if len(value) > 100:
        raise ValueError(f"must be at most 100 characters, got {len(value)}")
    return value


def _whole(minimum: int, maximum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise ValueError(f"must be a whole number from {minimum} to {maximum}, got {value!r}")
        return value

    return check


def _renewal_rule(value: Any) -> str:
    if value not in RenewalRule.values:
        allowed = ", ".join(sorted(RenewalRule.values))
        raise ValueError(f"unknown renewal rule {value!r}; allowed: {allowed}")
    return str(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return value


def _specialty(value: Any) -> str:
    if value not in Specialty.values:
        raise ValueError(f"unknown specialty {value!r}; allowed: {', '.join(Specialty.values)}")
    return str(value)


Schema = dict[str, tuple[bool, Callable[[Any], Any]]]

#: field: (required, check). ``courses`` is checked item by item (each item has its own line).
TRACK_SCHEMA: Schema = {
    "slug": (True, _slug),
    "name": (True, _text(255)),
    "description": (False, _text(2000, required=False)),
    "issuing_body": (True, _text(255)),
    "validity_months": (True, _whole(1, 120)),
    "renewal_window_days": (True, _whole(0, 365)),
    "renewal_rule": (True, _renewal_rule),
    "refresher_course": (False, _slug),
    "active": (False, _flag),
    "courses": (True, lambda value: value),
    "translations": (False, lambda value: value),
}
REQUIREMENT_SCHEMA: Schema = {"course": (True, _slug), "specialty": (False, _specialty)}


# --- reading ------------------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _pairs(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            yield str(key.value), key, value


class _Reader:
    """Walks the YAML nodes (for line numbers) beside the loaded data (for values)."""

    def __init__(self, path: Path, errors: list[CurriculumError]) -> None:
        self.file = FileReader(path, path.parent, errors)
        #: Every course slug the file names, with its line and field, looked up later (also in
        #: tracks with other errors, so that every error is reported at once).
        self.course_uses: list[tuple[str, int, str]] = []

    def error(self, line: int, field_name: str, message: str) -> None:
        self.file.error(line, f"field '{field_name}'" if field_name else "", message)

    def mapping(
        self, node: yaml.Node, data: Any, schema: Schema, what: str
    ) -> tuple[dict[str, Any], dict[str, int], bool] | None:
        """Check a ``field: value`` mapping by ``schema``: the clean values (None where a value
        is missing or wrong), the line of each field and whether all is well; None when it is
        not a mapping at all."""
        if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
            self.file.error(_line(node), what, "must be a set of 'field: value' lines")
            return None
        lines: dict[str, int] = {}
        ok = True
        for name, key, _ in _pairs(node):
            if name in lines:  # YAML would silently keep the last one
                self.error(_line(key), name, f"is given twice (first at line {lines[name]})")
                ok = False
            else:
                lines[name] = _line(key)
        clean: dict[str, Any] = {}
        for name in data:
            if str(name) not in schema:
                self.error(
                    lines.get(str(name), _line(node)),
                    str(name),
                    f"is unknown; allowed: {', '.join(schema)}",
                )
                ok = False
        for name, (required, check) in schema.items():
            clean[name] = None
            if data.get(name) is None:
                if required:
                    self.error(_line(node), name, "is required")
                    ok = False
                continue
            try:
                clean[name] = check(data[name])
            except ValueError as exc:
                self.error(lines.get(name, _line(node)), name, str(exc))
                ok = False
        return clean, lines, ok

    def courses(self, node: yaml.Node, data: Any) -> list[RequirementSpec] | None:
        """The ``courses`` list: each item a course slug (required of everyone) or
        ``{course: <slug>, specialty: <specialty>}`` (required only of that specialty)."""
        if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list) or not data:
            self.error(_line(node), "courses", "must be a non-empty list of course slugs")
            return None
        requirements: list[RequirementSpec] = []
        ok = True
        seen: dict[tuple[str, str], int] = {}
        for item_node, item in zip(node.value, data, strict=True):
            line = _line(item_node)
            if isinstance(item_node, yaml.ScalarNode):
                try:
                    requirement = RequirementSpec(_slug(item), "", line)
                except ValueError as exc:
                    self.error(line, "courses", str(exc))
                    ok = False
                    continue
            else:
                checked = self.mapping(item_node, item, REQUIREMENT_SCHEMA, "field 'courses'")
                if checked is None:
                    ok = False
                    continue
                clean, _, item_ok = checked
                if not item_ok:
                    if clean["course"]:
                        self.course_uses.append((clean["course"], line, "courses"))
                    ok = False
                    continue
                requirement = RequirementSpec(clean["course"], clean["specialty"] or "", line)
            self.course_uses.append((requirement.course, line, "courses"))
            ok = self._unique(requirement, seen) and ok
            requirements.append(requirement)
        return requirements if ok else None

    def translations(self, node: yaml.Node, data: Any) -> dict[str, dict[str, str]] | None:
        """The ``translations`` mapping: for each of the site's languages but the source one,
        some of ``name``, ``description`` and ``issuing_body``, each checked like the field."""
        from django.conf import settings

        languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
            self.error(_line(node), "translations", "must map a language (ru, kk) to its name, ...")
            return None
        ok = True
        clean: dict[str, dict[str, str]] = {}
        for language, key, value in _pairs(node):
            where = f"translations.{language}"
            if language not in languages:
                self.error(
                    _line(key),
                    "translations",
                    f"unknown language {language!r}; allowed: {', '.join(languages)}",
                )
                ok = False
                continue
            if not isinstance(value, yaml.MappingNode) or not isinstance(data[language], dict):
                self.error(
                    _line(value),
                    where,
                    f"must be 'field: text' lines ({', '.join(TRANSLATED_FIELDS)})",
                )
                ok = False
                continue
            texts: dict[str, str] = {}
            for name, name_key, _text_node in _pairs(value):
                if name not in TRANSLATED_FIELDS:
                    self.error(
                        _line(name_key),
                        f"{where}.{name}",
                        f"is unknown; allowed: {', '.join(TRANSLATED_FIELDS)}",
                    )
                    ok = False
                    continue
                try:
                    texts[name] = _text(TRANSLATED_FIELDS[name])(data[language][name])
                except ValueError as exc:
                    self.error(_line(name_key), f"{where}.{name}", str(exc))
                    ok = False
            clean[language] = texts
        return clean if ok else None

    def _unique(self, requirement: RequirementSpec, seen: dict[tuple[str, str], int]) -> bool:
        """A course is listed once: for everyone, or once per specialty."""
        course, specialty, line = requirement.course, requirement.specialty, requirement.line
        if (course, specialty) in seen:
            first = seen[(course, specialty)]
            self.error(line, "courses", f"lists '{course}' again (first at line {first})")
            return False
        if specialty and (course, "") in seen:
            first = seen[(course, "")]
            self.error(
                line, "specialty", f"'{course}' is already required of everyone (line {first})"
            )
            return False
        if not specialty and any(c == course for c, _ in seen):
            self.error(
                line,
                "courses",
                f"'{course}' is already listed for a specialty; to require it of everyone, "
                "list it once without a specialty",
            )
            return False
        seen[(course, specialty)] = line
        return True

    def track(self, node: yaml.Node, data: Any, number: int) -> TrackSpec | None:
        """One item of the file: a track, or None (with its errors recorded)."""
        checked = self.mapping(node, data, TRACK_SCHEMA, f"track {number}")
        if checked is None:
            return None
        clean, lines, ok = checked

        def at(name: str) -> int:
            return lines.get(name, _line(node))

        courses = None
        if clean["courses"] is not None:
            courses = self.courses(_value_node(node, "courses"), clean["courses"])
        translations: dict[str, dict[str, str]] | None = {}
        if clean["translations"] is not None:
            translations = self.translations(
                _value_node(node, "translations"), clean["translations"]
            )
            ok = ok and translations is not None
        rule, refresher = clean["renewal_rule"], clean["refresher_course"]
        if refresher:
            self.course_uses.append((refresher, at("refresher_course"), "refresher_course"))
        if rule == RenewalRule.REFRESHER and data.get("refresher_course") is None:
            self.error(
                at("renewal_rule"),
                "refresher_course",
                "is required when renewal_rule is 'refresher': name the refresher course's slug",
            )
            ok = False
        if rule == RenewalRule.REPASS and refresher:
            self.error(
                at("refresher_course"),
                "refresher_course",
                "is only used with renewal_rule 'refresher'; take it out, or change the rule",
            )
            ok = False
        if not ok or courses is None:
            return None
        return TrackSpec(
            line=_line(node),
            lines=lines,
            slug=clean["slug"],
            name=clean["name"],
            description=clean["description"] or "",
            issuing_body=clean["issuing_body"],
            validity_months=clean["validity_months"],
            renewal_window_days=clean["renewal_window_days"],
            renewal_rule=rule,
            refresher_course=refresher or "",
            active=True if clean["active"] is None else clean["active"],
            courses=courses,
            translations=translations or {},
        )


def _value_node(node: yaml.Node, name: str) -> yaml.Node:
    """The node of a field's value (the mapping itself when the field came from a merge key)."""
    if isinstance(node, yaml.MappingNode):
        for key, _, value in _pairs(node):
            if key == name:
                return value
    return node


def _parse(path: Path, errors: list[CurriculumError]) -> tuple[_Reader, list[TrackSpec]]:
    reader = _Reader(path, errors)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        errors.append(CurriculumError(reader.file.display, 0, "", "file not found"))
        return reader, []
    except UnicodeDecodeError as exc:
        reader.file.error(0, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
        return reader, []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reader.file.error(
            mark.line + 1 if mark else 1, "the file", f"is not valid YAML: {exc.problem or exc}"
        )
        return reader, []
    except yaml.YAMLError as exc:
        reader.file.error(1, "the file", f"is not valid YAML: {exc}")
        return reader, []
    if node is None:
        return reader, []  # an empty file declares no tracks
    if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
        reader.file.error(
            _line(node), "the file", "must be a list of tracks, each starting with '- slug: ...'"
        )
        return reader, []
    specs: list[TrackSpec] = []
    first_line: dict[str, int] = {}
    for number, (item_node, item) in enumerate(zip(node.value, data, strict=True), 1):
        spec = reader.track(item_node, item, number)
        if spec is None:
            continue
        if spec.slug in first_line:
            reader.error(
                spec.lines.get("slug", spec.line),
                "slug",
                f"'{spec.slug}' is already used by the track at line {first_line[spec.slug]}",
            )
            continue
        first_line[spec.slug] = spec.line
        specs.append(spec)
    return reader, specs


def tracks_file_parse(path: Path) -> list[TrackSpec]:
    """Read and check the file, without the database (course slugs are not looked up).

    Raises ``CurriculumInvalid`` listing every error."""
    errors: list[CurriculumError] = []
    _, specs = _parse(path.resolve(), errors)
    if errors:
        raise CurriculumInvalid(errors)
    return specs


def _course_ids(reader: _Reader) -> dict[str, int]:
    """Course slug → the id of the published course with that slug (the one in the site's
    default language when its translations share the slug); an error for each use of a slug
    that names no published course, or more than one."""
    from django.conf import settings

    found: dict[str, list[int]] = {}
    wanted = {slug for slug, _, _ in reader.course_uses}
    rows = live_courses().filter(slug__in=wanted).values_list("slug", "pk", "locale__language_code")
    source: dict[str, list[int]] = {}
    for slug, pk, language in rows:
        found.setdefault(slug, []).append(pk)
        if language == settings.LANGUAGE_CODE:
            source.setdefault(slug, []).append(pk)
    # A course translated with the same slug is one course: the track names the source one.
    for slug, pks in source.items():
        found[slug] = pks
    for slug, line, field_name in reader.course_uses:
        matches = found.get(slug, [])
        if not matches:
            reader.error(line, field_name, f"no published course has the slug '{slug}'")
        elif len(matches) > 1:
            reader.error(line, field_name, f"more than one published course has the slug '{slug}'")
    return {slug: pks[0] for slug, pks in found.items() if len(pks) == 1}


def _resolved(spec: TrackSpec, course_ids: dict[str, int]) -> bool:
    """Whether every course the track names was found."""
    slugs = [r.course for r in spec.courses]
    if spec.refresher_course:
        slugs.append(spec.refresher_course)
    return all(slug in course_ids for slug in slugs)


_TRACK_FIELDS = (
    "name",
    "description",
    "issuing_body",
    "validity_months",
    "renewal_window_days",
    "renewal_rule",
    "active",
    "translations",
)


def _fields(spec: TrackSpec, course_ids: dict[str, int]) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(spec, name) for name in _TRACK_FIELDS}
    values["refresher_course_id"] = course_ids.get(spec.refresher_course)
    return values


def _model_errors(reader: _Reader, spec: TrackSpec, track: CertificationTrack) -> None:
    """The model's own checks, in case they ask more than the file's (reported on the field's
    line, or the track's)."""
    try:
        track.full_clean(validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            name = name.removesuffix("_id")
            line = spec.lines.get(name, spec.line)
            for message in messages:
                reader.error(line, name if name in TRACK_SCHEMA else "", message)


# --- writing ------------------------------------------------------------------------------------


class _DryRun(Exception):
    pass


def tracks_import(*, path: Path, dry_run: bool = False) -> TracksReport:
    """Create or update the tracks the file declares, matched by slug; all or nothing.

    Raises ``CurriculumInvalid`` listing every error (nothing is written). With ``dry_run``,
    checks and reports what would change, and writes nothing."""
    path = path.resolve()
    errors: list[CurriculumError] = []
    reader, specs = _parse(path, errors)
    report = TracksReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            course_ids = _course_ids(reader)
            existing = CertificationTrack.objects.select_for_update().in_bulk(
                [spec.slug for spec in specs], field_name="slug"
            )
            planned: list[tuple[TrackSpec, CertificationTrack, bool]] = []
            for spec in specs:
                values = _fields(spec, course_ids)
                track = existing.get(spec.slug) or CertificationTrack(slug=spec.slug)
                changed = any(getattr(track, name) != value for name, value in values.items())
                for name, value in values.items():
                    setattr(track, name, value)
                if _resolved(spec, course_ids):
                    _model_errors(reader, spec, track)
                planned.append((spec, track, changed))
            if errors:
                raise CurriculumInvalid(sorted(errors, key=lambda error: error.line))
            for spec, track, changed in planned:
                _write(spec, track, changed, course_ids, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _write(
    spec: TrackSpec,
    track: CertificationTrack,
    changed: bool,
    course_ids: dict[str, int],
    report: TracksReport,
) -> None:
    created = track.pk is None
    wanted = [(course_ids[r.course], r.specialty) for r in spec.courses]
    current = (
        []
        if created
        else list(track.requirements.order_by("sort_order").values_list("course_id", "specialty"))
    )
    if created or changed:
        track.save()
    if wanted != current:
        TrackRequirement.objects.filter(track=track).delete()
        TrackRequirement.objects.bulk_create(
            TrackRequirement(track=track, course_id=course_id, specialty=specialty, sort_order=i)
            for i, (course_id, specialty) in enumerate(wanted)
        )
    if created:
        log(instance=track, action="wagtail.create")
        report.created.append(track.name)
    elif changed or wanted != current:
        log(instance=track, action="wagtail.edit")
        report.updated.append(track.name)
    else:
        report.unchanged.append(track.name)
