"""Course reviewers grade any learner's written answers (``quizzes.grade_any_answer``).

Trainers grade the members of the cohorts they run without a permission (``quizzes.grading``);
a Course reviewer is the second marker a trainer can always call on, across cohorts.
"""

from django.db import migrations


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="quizzes", model="writtengrade")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="grade_any_answer",
        defaults={"name": "Can grade any learner's written answers"},
    )
    group, _ = Group.objects.get_or_create(name="Course reviewer")
    group.permissions.add(permission)


def backward(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(
        content_type__app_label="quizzes", codename="grade_any_answer"
    ).first()
    group = Group.objects.filter(name="Course reviewer").first()
    if permission is not None and group is not None:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0010_grade_any_answer"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
