"""The CMS certificate search at national scale (issue #14): on PostgreSQL a trigram GIN index
serves ``holder_name__icontains``; on SQLite the migration does nothing and the search still works."""

from __future__ import annotations

import pytest
from django.db import connection

from certification.selectors import certificate_list, certificate_search
from tests.factories import UserFactory
from tests.factories.certification import CertificateFactory

pytestmark = pytest.mark.django_db

INDEX = "certification_cert_holder_trgm"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's"
)


def test_the_search_finds_cyrillic_names_in_any_case() -> None:
    found = CertificateFactory(holder_name="Айгерім Нұрланова (synthetic)")
    CertificateFactory(holder_name="Гүлнара Сейітқызы (synthetic)")
    user = UserFactory(is_superuser=True)
    result = certificate_search(certificates=certificate_list(user=user), text="нұрланова айгерім")
    assert list(result.values_list("pk", flat=True)) == [found.pk]


@on_postgresql
def test_the_trigram_index_exists() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX])
        [(definition,)] = cursor.fetchall()
    assert "gin_trgm_ops" in definition and "upper" in definition.lower()


@on_postgresql
def test_the_search_uses_the_index() -> None:
    CertificateFactory(holder_name="Айгерім Нұрланова (synthetic)")
    user = UserFactory(is_superuser=True)
    query = certificate_search(certificates=certificate_list(user=user), text="Нұрланова")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table has no statistics to prefer an index: turn the whole-table ways off (a
        # sequential scan, and an index scan of another index read from end to end), so the
        # plan shows whether the search condition can use the trigram index at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert INDEX in plan, plan
