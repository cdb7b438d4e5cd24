"""Regional coordinators may see practitioners' names in the dashboard (``reports.view_names``).

Coordinators follow people up in their regions (certificates about to expire, learners past their
due date), so they need names. The ministry is not given it: it reads aggregates, and an
administrator may grant the permission to a person or group who needs more.

The permission is declared on ``AuditEvent`` (migration 0001); Django creates model permissions
only after all migrations run, so it is created here if it does not exist yet.
"""

from django.db import migrations

GROUP = "Regional coordinator"
APP_LABEL = "reports"
MODEL = "auditevent"
CODENAME = "view_names"
NAME = "Can see practitioners' names in the dashboard"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label=APP_LABEL, model=MODEL)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label=APP_LABEL, content_type__model=MODEL, codename=CODENAME
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("learners", "0004_regional_coordinator_group"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
