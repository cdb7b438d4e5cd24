"""Ministry administrators manage certification in the CMS.

The Ministry group gets access to the CMS (where it sees only what these permissions open:
certification tracks and certificates), may add and change tracks, view certificates and the
content-version report, and revoke a certificate (``certification.revoke_certificate``, the one
permission ``permissions.can_revoke`` reads).
"""

from django.db import migrations

GRANTS = [
    ("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"),
    ("certification", "certificationtrack", "add_certificationtrack", "Can add certification track"),
    (
        "certification",
        "certificationtrack",
        "change_certificationtrack",
        "Can change certification track",
    ),
    (
        "certification",
        "certificationtrack",
        "view_certificationtrack",
        "Can view certification track",
    ),
    ("certification", "certificate", "view_certificate", "Can view certificate"),
    ("certification", "certificate", "revoke_certificate", "Can revoke a certificate"),
]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Ministry")
    for app_label, model, codename, name in GRANTS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    codenames = [codename for _app, _model, codename, _name in GRANTS]
    for group in Group.objects.filter(name="Ministry"):
        group.permissions.remove(*Permission.objects.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0002_trainer_track_permissions"),
        ("accounts", "0001_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="certificate",
            options={
                "ordering": ["-issued_on"],
                "permissions": [("revoke_certificate", "Can revoke a certificate")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
