"""Quizzes and questions go through the same review as pages (issue #12, finding 2).

- The "Course review" workflow (created by ``courses.0002``) is assigned to the quiz and
  question snippets, so a trainer's change waits for a Course reviewer's approval.
- Course reviewers may publish, lock and unlock quizzes and questions; trainers may lock (as
  they may lock pages) but not publish: they save drafts and submit them for review.
- Attempts started before this migration get their quiz's current rules as their snapshot
  (``Attempt.quiz_settings``), so they are graded as they would have been.
"""

from django.db import migrations

MODELS = ("quiz", "question")
GROUPS = {
    "Trainer": ("lock",),
    "Course reviewer": ("publish", "lock", "unlock"),
}
WORKFLOW = "Course review"
RULES = (
    "pass_mark",
    "grading_method",
    "attempts_allowed",
    "delay_minutes",
    "time_limit_minutes",
    "review_score",
    "review_answers",
    "review_feedback",
)


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    Attempt = apps.get_model("quizzes", "Attempt")

    content_types = {
        model: ContentType.objects.get_or_create(app_label="quizzes", model=model)[0]
        for model in MODELS
    }
    for group_name, actions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model, content_type in content_types.items():
            for action in actions:
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                group.permissions.add(permission)

    workflow = Workflow.objects.filter(name=WORKFLOW).first()
    if workflow is not None:
        for content_type in content_types.values():
            WorkflowContentType.objects.update_or_create(
                content_type=content_type, defaults={"workflow": workflow}
            )

    for attempt in Attempt.objects.filter(quiz_settings={}).select_related("quiz").iterator():
        attempt.quiz_settings = {name: getattr(attempt.quiz, name) for name in RULES}
        attempt.save(update_fields=["quiz_settings"])


def backward(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowContentType.objects.filter(
        content_type__app_label="quizzes", content_type__model__in=MODELS
    ).delete()
    codenames = [f"{action}_{model}" for actions in GROUPS.values() for action in actions for model in MODELS]
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0005_review_of_changes"),
        ("quizzes", "0002_trainer_permissions"),
        ("courses", "0002_site_tree_and_trainer_permissions"),
    ]

    operations = [migrations.RunPython(forward, backward)]
