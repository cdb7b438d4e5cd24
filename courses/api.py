"""The public interface of ``courses``: other apps import from here only."""

from .curriculum.extensions import CurriculumExtension, ModelRef, register_curriculum_extension
from .curriculum.format import CurriculumError, CurriculumInvalid, FileReader
from .models import CompletionMode, CourseIndexPage, CoursePage, LessonPage, ModulePage
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
    "curriculum_export",
    "curriculum_import",
    "register_curriculum_extension",
]
