"""Create the role groups and give trainers access to the admin, images and documents."""

from django.db import migrations

ROLES = ["Practitioner", "Trainer", "Course reviewer", "Ministry"]
ADMIN_ROLES = ["Trainer", "Course reviewer"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ["add_image", "change_image", "choose_image"]),
    ("wagtaildocs", "document", ["add_document", "change_document", "choose_document"]),
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    admin_ct, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_ct, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    root_collection = Collection.objects.filter(depth=1).first()
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        if name not in ADMIN_ROLES:
            continue
        group.permissions.add(access_admin)
        for app_label, model, codenames in COLLECTION_PERMISSIONS:
            ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            for codename in codenames:
                permission, _ = Permission.objects.get_or_create(
                    content_type=ct, codename=codename, defaults={"name": codename.replace("_", " ")}
                )
                if root_collection is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
