"""The public interface of ``learners``: other apps import from here only.

Completion for a batch of learners (a report) uses ``course_structures`` once, the learners'
``LessonProgress`` rows in one query, ``requirements_lookup`` once, then ``completion_from`` per
learner and course without further queries (as ``selectors.cohort_table`` does)."""

from .completion import (
    CourseCompletion,
    MissingItem,
    ModuleCompletion,
    ModuleStructure,
    RequirementLookup,
    completion_from,
    course_completion,
    course_structures,
    courses_completion,
    register_requirement,
    requirements_lookup,
)
from .importing import ImportResult, LineError, specialists_import
from .models import (
    Cohort,
    CohortCourse,
    CohortMembership,
    CoordinatorRegion,
    Enrollment,
    LessonProgress,
    Profile,
)
from .regions import REGION_CODES, region_choices, region_code_for, region_name
from .services import (
    cohort_add_member,
    cohort_assign_course,
    demo_learning_create,
    enrollment_create,
    enrollment_leave,
    lesson_progress_complete,
)

__all__ = [
    "REGION_CODES",
    "Cohort",
    "CohortCourse",
    "CohortMembership",
    "CoordinatorRegion",
    "CourseCompletion",
    "Enrollment",
    "ImportResult",
    "LessonProgress",
    "LineError",
    "MissingItem",
    "ModuleCompletion",
    "ModuleStructure",
    "Profile",
    "RequirementLookup",
    "cohort_add_member",
    "cohort_assign_course",
    "completion_from",
    "course_completion",
    "course_structures",
    "courses_completion",
    "demo_learning_create",
    "enrollment_create",
    "enrollment_leave",
    "lesson_progress_complete",
    "region_choices",
    "region_code_for",
    "region_name",
    "register_requirement",
    "requirements_lookup",
    "specialists_import",
]
