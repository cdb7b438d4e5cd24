"""The public interface of ``courses``: other apps import from here only."""

from .curriculum.format import CurriculumError, CurriculumInvalid
from .models import CompletionMode, CourseIndexPage, CoursePage, LessonPage, ModulePage
from .services import curriculum_export, curriculum_import

__all__ = [
    "CompletionMode",
    "CourseIndexPage",
    "CoursePage",
    "CurriculumError",
    "CurriculumInvalid",
    "LessonPage",
    "ModulePage",
    "curriculum_export",
    "curriculum_import",
]
