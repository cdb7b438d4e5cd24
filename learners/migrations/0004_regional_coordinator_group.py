"""The "Regional coordinator" role: sees aggregates for the regions assigned to them."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Regional coordinator")


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Regional coordinator").delete()


class Migration(migrations.Migration):
    dependencies = [("learners", "0003_coordinator_regions"), ("accounts", "0001_roles")]
    operations = [migrations.RunPython(create_group, remove_group)]
