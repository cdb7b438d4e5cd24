"""The public interface of ``courses``: other apps import from here only.

The page types are exported for type hints and ``isinstance``; other apps read pages through the
selectors here, never through a page type's manager."""

from .curriculum.extensions import CurriculumExtension, ModelRef, register_curriculum_extension
from .curriculum.format import CurriculumError, CurriculumInvalid, FileReader
from .models import CompletionMode, CourseIndexPage, CoursePage, LessonPage, ModulePage
from .navigation import ModuleSequel, module_sequel
from .privacy import page_viewable, require_page_viewable
from .selectors import (
    all_courses,
    course_lessons,
    course_of_lesson,
    lesson_content_type_id,
    live_courses,
    live_lessons,
    live_modules,
)
from .services import curriculum_export, curriculum_import

__all__ = [
    "CompletionMode",
    "CourseIndexPage",
    "CoursePage",
    "CurriculumError",
    "CurriculumExtension",
    "CurriculumInvalid",
    "FileReader",
    "LessonPage",
    "ModelRef",
    "ModulePage",
    "ModuleSequel",
    "all_courses",
    "course_lessons",
    "course_of_lesson",
    "curriculum_export",
    "curriculum_import",
    "lesson_content_type_id",
    "live_courses",
    "live_lessons",
    "live_modules",
    "module_sequel",
    "page_viewable",
    "register_curriculum_extension",
    "require_page_viewable",
]
