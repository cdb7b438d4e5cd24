"""Trainers and course reviewers upload and manage interactive activities in the CMS."""

from django.db import migrations

MODELS = ("activity",)
GROUPS = {
    "Trainer": ("add", "change", "delete", "view"),
    "Course reviewer": ("add", "change", "view"),
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group_name, actions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model in MODELS:
            content_type, _ = ContentType.objects.get_or_create(app_label="activities", model=model)
            for action in actions:
                permission, _ = Permission.objects.get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{model}",
                    defaults={"name": f"Can {action} {model}"},
                )
                group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="activities"))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
        ("courses", "0002_site_tree_and_trainer_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
