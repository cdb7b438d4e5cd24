"""``manage.py import_jobs_sweep``: what the beat entry ``learners-import-jobs-sweep`` does, by
hand: mark failed the import jobs whose worker died mid-run, and queue again the lost ones."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from learners.tasks import import_jobs_sweep


class Command(BaseCommand):
    help = "Mark import jobs stuck in Running as failed, and queue again the queued ones lost."

    def handle(self, *args: Any, **options: Any) -> None:
        swept = import_jobs_sweep()
        self.stdout.write(
            f"{swept['failed']} stuck job(s) marked failed, "
            f"{swept['requeued']} job(s) queued again."
        )
