"""Create the site's page tree (home page and course catalogue), the content locales, the
trainers' page permissions under the catalogue, and the course review workflow.

Trainers may add and edit pages under the catalogue but not publish: their changes go to the
"Course review" workflow, approved by the "Course reviewer" group (who may publish).
"""

import uuid

from django.db import migrations

TRAINER_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page"]
REVIEWER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EXTRA_LOCALES = ["ru", "kk"]


def create_tree(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("courses", "HomePage")
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    locale = Locale.objects.order_by("pk").first()
    for code in EXTRA_LOCALES:
        Locale.objects.get_or_create(language_code=code)

    # Replace Wagtail's stock welcome page (a plain Page at /home/) with our home page.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore", content_type__model="page").delete()
    root = Page.objects.get(depth=1)
    home_ct, _ = ContentType.objects.get_or_create(app_label="courses", model="homepage")
    index_ct, _ = ContentType.objects.get_or_create(app_label="courses", model="courseindexpage")

    home = HomePage.objects.create(
        title="Zhusan Academy",
        draft_title="Zhusan Academy",
        slug="home",
        content_type=home_ct,
        path=root.path + "0001",
        depth=2,
        numchild=1,
        url_path="/home/",
        live=True,
        locale=locale,
        translation_key=uuid.uuid4(),
        introduction=(
            "Training and certification for the practitioners who help women and children who "
            "came home from the camps in Syria and Iraq to rebuild their lives in Kazakhstan: "
            "psychologists, school staff, religious counsellors, social workers, legal advisers, "
            "police and NGO staff.\n\nLearn at your own pace, on a phone or a computer, and earn "
            "a certificate you can show."
        ),
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    catalogue = CourseIndexPage.objects.create(
        title="Courses",
        draft_title="Courses",
        slug="courses",
        content_type=index_ct,
        path=home.path + "0001",
        depth=3,
        numchild=0,
        url_path="/home/courses/",
        live=True,
        locale=locale,
        translation_key=uuid.uuid4(),
        introduction="Every course is free, self-paced and written for practitioners.",
    )
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True,
                        site_name="Zhusan Academy")

    page_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    for group_name, codenames in (
        ("Trainer", TRAINER_PAGE_PERMISSIONS),
        ("Course reviewer", REVIEWER_PAGE_PERMISSIONS),
    ):
        group = Group.objects.get(name=group_name)
        for codename in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=page_ct, codename=codename, defaults={"name": codename.replace("_", " ")}
            )
            GroupPagePermission.objects.get_or_create(group=group, page=catalogue, permission=permission)

    task_ct, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.create(name="Course reviewer approval", content_type=task_ct, active=True)
    task.groups.set([Group.objects.get(name="Course reviewer")])
    workflow = Workflow.objects.create(name="Course review", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=catalogue)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("accounts", "0001_roles"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]
    operations = [migrations.RunPython(create_tree, migrations.RunPython.noop)]
