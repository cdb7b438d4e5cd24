"""Activities in the curriculum files: a course folder's ``activities/`` holds one file per
activity, placed in lessons with ``::: h5p file="activities/<name>"``.

- ``<slug>.yaml``: an activity's source in one of our content types (``activities.building``),
  built into an H5P package on import; export writes the same file back.
- ``<slug>.h5p``: a ready-made package, stored as it is (after validation).

The file's name is the activity's slug, shared by its translations: ``content/ru/<course>/
activities/<slug>.yaml`` is the Russian translation of the English file of the same name, and
must keep its structure (``activities.building.translation_problems``). Importing an unchanged
file changes nothing (the package is built byte for byte the same); a changed file adds a
version, and learners who started the old one keep it until they complete it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from wagtail.models import Locale

from courses.api import CurriculumError, CurriculumInvalid

from .building import build_package, read_source, source_problems, translation_problems
from .models import Activity, ActivityPlacement
from .package.validation import PackageInvalid
from .services import activity_upload
from .storing import h5p_root

__all__ = ["ActivityCurriculum"]

SUFFIXES = (".yaml", ".h5p")


@dataclass
class ActivitySpec:
    slug: str
    display: str  # the file, as errors name it
    kind: str  # "yaml" or "h5p"
    path: Path
    source: dict[str, Any] | None = None
    text: str = ""


@dataclass
class CourseActivities:
    course_slug: str
    locale: str
    activities: list[ActivitySpec] = field(default_factory=list)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


class ActivityCurriculum:
    """The curriculum extension for ``activities/`` (registered in ``ActivitiesConfig.ready``)."""

    folder = "activities"

    def parse(
        self, folder: Path, course_slug: str, root: Path, errors: list[Any], locale: str = ""
    ) -> CourseActivities:
        locale = locale or settings.LANGUAGE_CODE
        parsed = CourseActivities(course_slug, locale)
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.is_dir():
                continue
            display = _display(path, root)
            if path.suffix.lower() not in SUFFIXES:
                errors.append(
                    CurriculumError(
                        display, 0, "", "an activity is a .yaml source or an .h5p package"
                    )
                )
                continue
            spec = ActivitySpec(path.stem, display, path.suffix.lower()[1:], path)
            if spec.kind == "yaml":
                try:
                    spec.text = path.read_text(encoding="utf-8")
                    spec.source = read_source(path)
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    errors.append(CurriculumError(display, 0, "", f"cannot be read: {exc}"))
                    continue
                problems = source_problems(spec.source)
                if locale != settings.LANGUAGE_CODE and not problems:
                    original = _source_file(root, course_slug, path.name)
                    if original is not None:
                        problems = translation_problems(read_source(original), spec.source)
                for problem in problems:
                    errors.append(CurriculumError(display, 0, "", problem))
                if problems:
                    continue
            parsed.activities.append(spec)
        return parsed

    def write(self, parsed: CourseActivities, *, report: Any) -> None:
        locale = Locale.objects.filter(language_code=parsed.locale).first()
        if locale is None:
            locale = Locale.objects.create(language_code=parsed.locale)
        translation = parsed.locale != settings.LANGUAGE_CODE
        for spec in parsed.activities:
            label = f"activity {parsed.locale}/{spec.slug}"
            owner = (
                Activity.objects.filter(slug=spec.slug)
                .exclude(source_course__in=["", parsed.course_slug])
                .values_list("source_course", flat=True)
                .first()
            )
            if owner:
                raise CurriculumInvalid(
                    [
                        CurriculumError(
                            spec.display,
                            0,
                            "",
                            f"the activity name '{spec.slug}' is taken by the course '{owner}'; "
                            "rename the file",
                        )
                    ]
                )
            activity = Activity.objects.filter(slug=spec.slug, locale=locale).first()
            created = activity is None
            if activity is None:
                source = (
                    Activity.objects.filter(
                        slug=spec.slug, locale__language_code=settings.LANGUAGE_CODE
                    ).first()
                    if translation
                    else None
                )
                activity = Activity(slug=spec.slug, locale=locale, source_course=parsed.course_slug)
                if source is not None:
                    activity.translation_key = source.translation_key
            before = activity.current_version_id
            if spec.source is not None:
                activity.title = str(spec.source.get("title", ""))[:255]
                activity.description = str(spec.source.get("description", ""))
                activity.mastery_score = Decimal(int(spec.source["pass_percentage"]))
                activity.source_text = spec.text
            activity.source_course = parsed.course_slug
            activity.save()
            try:
                if spec.source is not None:
                    data = build_package(spec.source, language=parsed.locale)
                    with tempfile.NamedTemporaryFile(suffix=".h5p") as handle:
                        handle.write(data)
                        handle.flush()
                        version = activity_upload(
                            activity=activity, path=Path(handle.name), language=parsed.locale
                        )
                else:
                    version = activity_upload(
                        activity=activity, path=spec.path, language=parsed.locale
                    )
            except PackageInvalid as exc:
                raise CurriculumInvalid(
                    [CurriculumError(spec.display, 0, "", str(problem)) for problem in exc.problems]
                ) from exc
            if spec.kind == "h5p" and not activity.title:
                activity.title = version.title
                activity.save(update_fields=["title"])
            if created:
                report.created.append(label)
            elif version.pk != before:
                report.updated.append(label)
            else:
                report.unchanged.append(label)

    def export_ref(self, label: str, pk: int) -> str | None:
        """The file an activity is written to, relative to the course folder."""
        if label != "activities.Activity":
            return None
        activity = Activity.objects.filter(pk=pk).only("slug", "source_text").first()
        if activity is None:
            return None
        return f"activities/{activity.slug}.{'yaml' if activity.source_text else 'h5p'}"

    def export(self, course: Any, folder: Path) -> int:
        placed = ActivityPlacement.objects.filter(
            page__path__startswith=course.path, page__live=True
        ).values("activity__translation_key")
        written = 0
        for activity in Activity.objects.filter(
            translation_key__in=placed, locale_id=course.locale_id
        ).select_related("current_version"):
            folder.mkdir(parents=True, exist_ok=True)
            if activity.source_text:
                (folder / f"{activity.slug}.yaml").write_text(activity.source_text, "utf-8")
            elif activity.current_version is not None:
                kept = h5p_root() / activity.current_version.package_file
                (folder / f"{activity.slug}.h5p").write_bytes(kept.read_bytes())
            else:
                continue
            written += 1
        return written


def _source_file(root: Path, course_slug: str, name: str) -> Path | None:
    """The English file a translation was made from, when the curriculum folder holds it."""
    for candidate in root.iterdir() if root.is_dir() else []:
        if not candidate.is_dir():
            continue
        course_md = candidate / "course.md"
        if not (course_md.is_file() and (candidate / "activities" / name).is_file()):
            continue
        if candidate.name == course_slug or f"slug: {course_slug}" in course_md.read_text("utf-8"):
            return candidate / "activities" / name
    return None
