"""Trainers manage certification tracks in the CMS (Snippets → Certification tracks)."""

from django.db import migrations

ACTIONS = ("add", "change", "view")


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Trainer")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="certification", model="certificationtrack"
    )
    for action in ACTIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_certificationtrack",
            defaults={"name": f"Can {action} certification track"},
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Trainer"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="certification")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0001_initial"),
        ("accounts", "0001_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
