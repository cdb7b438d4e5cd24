"""Interactive activities: H5P packages, their player, and completion from xAPI statements."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Interactive activities"

    def ready(self) -> None:
        from courses.api import register_curriculum_extension
        from learners.api import register_requirement
        from xapi.api import register_statement_listener

        from . import placements
        from .completion import on_statements, required_activities
        from .curriculum import ActivityCurriculum

        placements.connect()
        register_requirement(required_activities)
        register_statement_listener(on_statements)
        register_curriculum_extension(ActivityCurriculum())
