"""Quizzes and questions become translatable (docs/decisions/0013-content-translations.md).

Existing rows go to the default locale, each with its own translation key. A quiz's slug is
unique per locale, and a question's title per category and locale."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def to_default_locale(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    for name in ("Quiz", "Question"):
        model = apps.get_model("quizzes", name)
        for pk in model.objects.filter(translation_key__isnull=True).values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(translation_key=uuid.uuid4(), locale=locale)


def locale_field(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="wagtailcore.locale",
        verbose_name="locale",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0007_result_updated_index"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("courses", "0002_site_tree_and_trainer_permissions"),  # creates the locales
    ]

    operations = [
        migrations.RemoveConstraint(model_name="question", name="quizzes_question_unique_title"),
        migrations.AddField(model_name="question", name="locale", field=locale_field(True)),
        migrations.AddField(
            model_name="question",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(model_name="quiz", name="locale", field=locale_field(True)),
        migrations.AddField(
            model_name="quiz",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(to_default_locale, migrations.RunPython.noop),
        migrations.AlterField(model_name="question", name="locale", field=locale_field(False)),
        migrations.AlterField(
            model_name="question",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(model_name="quiz", name="locale", field=locale_field(False)),
        migrations.AlterField(
            model_name="quiz",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="quiz",
            name="slug",
            field=models.SlugField(
                help_text="Shared by the quiz's translations.", max_length=100, verbose_name="slug"
            ),
        ),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                fields=("category", "title", "locale"), name="quizzes_question_unique_title"
            ),
        ),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                fields=("translation_key", "locale"), name="quizzes_question_translation"
            ),
        ),
        migrations.AddConstraint(
            model_name="quiz",
            constraint=models.UniqueConstraint(
                fields=("slug", "locale"), name="quizzes_quiz_unique_slug"
            ),
        ),
        migrations.AddConstraint(
            model_name="quiz",
            constraint=models.UniqueConstraint(
                fields=("translation_key", "locale"), name="quizzes_quiz_translation"
            ),
        ),
    ]
