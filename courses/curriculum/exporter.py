"""Export the page tree to curriculum files, in the format the importer reads.

Each course goes to ``PATH/<course slug>/``; images and documents to its ``files/`` folder. The
export of a course is written to a temporary folder first and moved into place only when complete,
so a failure leaves what was there before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from core.api import Progress
from courses.models import CoursePage, LessonPage, ModulePage

from .extensions import extensions
from .format import CurriculumError, CurriculumInvalid, dump_directive, dump_front_matter
from .snapshot import page_snapshot

__all__ = ["ExportReport", "export_tree"]


@dataclass
class ExportReport:
    """What an export wrote."""

    courses: list[str] = field(default_factory=list)
    files: int = 0
    skipped: list[str] = field(default_factory=list)


class _CourseWriter:
    """Writes one course folder."""

    def __init__(self, course: CoursePage, folder: Path) -> None:
        self.course = course
        self.folder = folder
        self.language = course.locale.language_code
        self.files_dir = folder / "files"
        self.asset_names: dict[tuple[str, int], str] = {}
        self.written = 0

    def asset(self, kind: str, pk: Any, relative_to: Path) -> str:
        """Copy an image or document into ``files/`` once; return its path relative to the
        file that names it."""
        key = (kind, int(pk))
        if key not in self.asset_names:
            model = get_image_model() if kind == "image" else get_document_model()
            obj = model.objects.get(pk=pk)
            name = os.path.basename(obj.file.name)
            if name in self.asset_names.values():
                name = f"{pk}-{name}"
            self.files_dir.mkdir(parents=True, exist_ok=True)
            with obj.file.open("rb") as source, open(self.files_dir / name, "wb") as target:
                shutil.copyfileobj(source, target)
            self.asset_names[key] = name
        return os.path.relpath(self.files_dir / self.asset_names[key], relative_to.parent)

    def write(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.written += 1

    def course_file(self) -> None:
        snap = page_snapshot(self.course)
        meta: dict[str, Any] = {
            "slug": snap["slug"],
            **({"locale": self.language} if self.language != settings.LANGUAGE_CODE else {}),
            "title": snap["title"],
            "summary": snap["summary"],
            "specialties": snap["specialties"],
            "estimated_hours": _number(snap["estimated_hours"]),
            "version": snap["version"],
            "outcomes": snap["outcomes"],
        }
        if snap["completion_mode"] != "mark":
            meta["completion"] = snap["completion_mode"].replace("_", "-")
        path = self.folder / "course.md"
        if snap["cover_image"]:
            meta["cover"] = self.asset("image", snap["cover_image"], path)
            meta["cover_alt"] = snap["cover_alt"]
        self.write(path, dump_front_matter(meta, snap["description"]))

    def module_file(self, module: ModulePage, folder: Path) -> None:
        snap = page_snapshot(module)
        meta = {"slug": snap["slug"], "title": snap["title"], "summary": snap["summary"]}
        if snap["assessment"]:
            meta["assessment"] = self.ref("quizzes.Quiz", snap["assessment"], module.url_path)
        self.write(folder / "module.md", dump_front_matter(meta, snap["introduction"]))

    def ref(self, label: str, pk: int, where: str) -> str:
        """The slug an extension gives the object (a quiz), for a file to name it by."""
        for extension in extensions():
            slug = extension.export_ref(label, pk)
            if slug is not None:
                return slug
        raise CurriculumInvalid(
            [CurriculumError(where, 0, "", f"{label} {pk} cannot be exported (it was deleted?)")]
        )

    def lesson_file(self, lesson: LessonPage, path: Path) -> None:
        snap = page_snapshot(lesson)
        meta = {
            "slug": snap["slug"],
            "title": snap["title"],
            "summary": snap["summary"],
            "estimated_minutes": snap["estimated_minutes"],
        }
        chunks: list[str] = []
        previous = None
        for block_type, value in snap["body"]:
            chunks.append(self.block(lesson, path, block_type, value, previous))
            previous = block_type
        self.write(path, dump_front_matter(meta, "\n\n".join(chunks)))

    def block(
        self, lesson: LessonPage, path: Path, block_type: str, value: Any, previous: Any
    ) -> str:
        if block_type == "markdown":
            if any(line.lstrip().startswith(":::") for line in value.split("\n")):
                raise CurriculumInvalid([CurriculumError(
                    lesson.url_path, 0, "body",
                    "a Markdown block has a line starting with ':::', which the file format "
                    "reads as a directive; edit that line in the CMS and export again",
                )])  # fmt: skip
            return dump_directive("markdown", {}, value) if previous == "markdown" else value
        if block_type == "rich_text":
            return dump_directive("rich-text", {}, value)
        if block_type == "content_note":
            return dump_directive("content-note", {}, value["note"])
        if block_type == "reflection":
            return dump_directive("reflection", {}, value["prompt"])
        if block_type == "scenario":
            return dump_directive("scenario", {"title": value["title"]}, value["body"])
        if block_type == "takeaways":
            return dump_directive("takeaways", {}, "\n".join(f"- {i}" for i in value["items"]))
        if block_type == "image":
            attrs = {"src": self.asset("image", value["image"], path), "alt": value["alt_text"]}
            if value.get("caption"):
                attrs["caption"] = value["caption"]
            return dump_directive("image", attrs)
        if block_type == "video":
            attrs = {}
            if value.get("video"):
                attrs["src"] = self.asset("document", value["video"], path)
            if value.get("embed"):
                attrs["embed"] = value["embed"]
            if value.get("captions"):
                attrs["captions"] = self.asset("document", value["captions"], path)
            return dump_directive("video", attrs, value["transcript"])
        if block_type == "quiz":
            attrs = {"slug": self.ref("quizzes.Quiz", value["quiz"], lesson.url_path)}
            if not value.get("required", True):
                attrs["required"] = "false"
            return dump_directive("quiz", attrs)
        if block_type == "activity":
            # The extension names the file it writes the activity to (activities/<slug>.yaml
            # or .h5p), relative to the course folder.
            attrs = {"file": self.ref("activities.Activity", value["activity"], lesson.url_path)}
            if not value.get("required", True):
                attrs["required"] = "false"
            return dump_directive("h5p", attrs)
        if block_type == "resource":
            attrs = {
                "src": self.asset("document", value["document"], path),
                "title": value["title"],
            }
            return dump_directive("resource", attrs, value.get("description") or "")
        raise CurriculumInvalid(
            [
                CurriculumError(
                    lesson.url_path, 0, "body", f"block type '{block_type}' cannot be exported"
                )
            ]
        )

    def run(self) -> None:
        self.course_file()
        for extension in extensions():
            self.written += extension.export(self.course, self.folder / extension.folder)
        modules = ModulePage.objects.child_of(self.course).live().order_by("path")
        for m_index, module in enumerate(modules, 1):
            folder = self.folder / f"{m_index:02d}-{module.slug}"
            self.module_file(module, folder)
            lessons = LessonPage.objects.child_of(module).live().order_by("path")
            for l_index, lesson in enumerate(lessons, 1):
                self.lesson_file(lesson, folder / f"{l_index:02d}-{lesson.slug}.md")


def _folder(root: Path, course: CoursePage) -> Path:
    """``root/<slug>`` for a course in the default language, ``root/<language>/<slug>`` for a
    translation (the layout ``format.parse_tree`` reads)."""
    language = course.locale.language_code
    if language == settings.LANGUAGE_CODE:
        return root / course.slug
    return root / language / course.slug


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def export_tree(
    root: Path, *, force: bool = False, slugs: list[str] | None = None,
    progress: Progress | None = None,
) -> ExportReport:  # fmt: skip
    """Write every live course (or those named in ``slugs``) under ``root``.

    An existing course folder is replaced only with ``force``; without it the export stops before
    writing anything.
    """
    root = root.resolve()
    # Every language's courses (a course is always in a catalogue): the default language's
    # first, then the translations.
    courses = sorted(
        CoursePage.objects.live().select_related("locale").order_by("path"),
        key=lambda c: c.locale.language_code != settings.LANGUAGE_CODE,
    )
    if slugs:
        unknown = sorted(set(slugs) - {c.slug for c in courses})
        if unknown:
            raise CurriculumInvalid(
                [
                    CurriculumError(str(root), 0, "", f"no published course with slug '{s}'")
                    for s in unknown
                ]
            )
        courses = [c for c in courses if c.slug in slugs]
    existing = [_folder(root, c) for c in courses if _folder(root, c).exists()]
    if existing and not force:
        raise CurriculumInvalid([
            CurriculumError(str(p), 0, "", "already exists; use --force to replace it")
            for p in existing
        ])  # fmt: skip
    report = ExportReport()
    root.mkdir(parents=True, exist_ok=True)
    for index, course in enumerate(courses, 1):
        with tempfile.TemporaryDirectory(dir=root, prefix=".export-") as tmp:
            writer = _CourseWriter(course, Path(tmp) / course.slug)
            writer.run()
            target = _folder(root, course)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            os.replace(writer.folder, target)
            report.files += writer.written + len(writer.asset_names)
        report.courses.append(str(target.relative_to(root)))
        if progress:
            progress(index, len(courses), course.title)
    return report
