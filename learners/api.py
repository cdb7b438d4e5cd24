"""The public interface of ``learners``: other apps import from here only.

Other apps read learners' records through the selectors here and write them through the
services here, never through a model's manager; ``Cohort`` is exported for type hints.

Completion for a batch of learners (a report) uses ``course_structures`` once, the learners'
``LessonProgress`` rows in one query, ``requirements_lookup`` once, then ``completion_from`` per
learner and course without further queries (as ``selectors.cohort_table`` does);
``course_standings`` does all of that for a set of learners and courses."""

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
from .models import Cohort
from .permissions import can_run_cohorts, can_view_reports, keeps_a_profile
from .regions import REGION_CODES, region_choices, region_code_for, region_name
from .selectors import (
    CourseStanding,
    cohort_has_course,
    cohort_member_ids,
    course_finished_at,
    course_standings,
    learner_ids_with_progress,
    lesson_completed_since,
    preferred_language_of,
    specialty_of,
)
from .services import (
    cohort_add_member,
    cohort_add_trainer,
    cohort_assign_course,
    cohort_for_name,
    demo_learning_create,
    enrollment_create,
    enrollment_leave,
    lesson_progress_complete,
    profile_set_language,
)

__all__ = [
    "REGION_CODES",
    "Cohort",
    "CourseCompletion",
    "CourseStanding",
    "ImportResult",
    "LineError",
    "MissingItem",
    "ModuleCompletion",
    "ModuleStructure",
    "RequirementLookup",
    "can_run_cohorts",
    "can_view_reports",
    "cohort_add_member",
    "cohort_add_trainer",
    "cohort_assign_course",
    "cohort_for_name",
    "cohort_has_course",
    "cohort_member_ids",
    "completion_from",
    "course_completion",
    "course_finished_at",
    "course_standings",
    "course_structures",
    "courses_completion",
    "demo_learning_create",
    "enrollment_create",
    "enrollment_leave",
    "keeps_a_profile",
    "learner_ids_with_progress",
    "lesson_completed_since",
    "lesson_progress_complete",
    "preferred_language_of",
    "profile_set_language",
    "region_choices",
    "region_code_for",
    "region_name",
    "register_requirement",
    "requirements_lookup",
    "specialists_import",
    "specialty_of",
]
