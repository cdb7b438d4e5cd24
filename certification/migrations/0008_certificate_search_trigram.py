"""Trigram indexes for the CMS certificate search, on PostgreSQL only.

``certificate_search`` filters with ``holder_name__icontains``, which PostgreSQL runs as
``UPPER(holder_name::text) LIKE UPPER('%word%')``: no b-tree helps a pattern with a leading
wildcard, so at national scale every search read the whole table. A GIN index with
``gin_trgm_ops`` on that same expression lets PostgreSQL answer it from the index. The code is
matched exactly (after normalising what the person typed), so its unique b-tree index serves it.

SQLite (development) has no trigram indexes: the operation does nothing there, and the search
works as before, by scanning.
"""

from django.db import migrations

INDEX = "certification_cert_holder_trgm"


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON certification_certificate "
        "USING gin ((UPPER(holder_name::text)) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0007_refresher_requests"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
