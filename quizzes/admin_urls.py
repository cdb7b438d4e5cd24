"""Admin URLs of the quiz engine (under /admin/quizzes/), beside the snippet views: the import and
export of question files (``admin_import``) and the statistics for trainers
(``admin_statistics``)."""

from __future__ import annotations

from typing import Any

from .admin_import import urlpatterns as import_urls
from .admin_statistics import urlpatterns as statistics_urls

urlpatterns: list[Any] = [*import_urls, *statistics_urls]
