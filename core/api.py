"""The public interface of ``core``: other apps import from here only."""

from .admin_home import HomeLink, HomePanel
from .csv_export import csv_download, spreadsheet_safe
from .html import render_markdown, sanitize_html
from .http import AuthenticatedRequest, admin_refusal, client_address, mark_private
from .indexing import indexing_deferred
from .jobs import heartbeat
from .languages import language_chosen, path_in_language, use_language
from .page_cache import (
    invalidate_page_cache,
    invalidate_page_cache_on,
    mark_cacheable,
    page_memo,
)
from .panels import cached_data, register_context, register_panel
from .progress import Progress, progress_bar
from .reads import read_once, rows_where, shared_reads
from .signals import people_changed
from .sites import absolute_url, site_url
from .specialties import Specialty
from .tasks import enqueue_on_commit

__all__ = [
    "AuthenticatedRequest",
    "HomeLink",
    "HomePanel",
    "Progress",
    "Specialty",
    "absolute_url",
    "admin_refusal",
    "cached_data",
    "client_address",
    "csv_download",
    "enqueue_on_commit",
    "heartbeat",
    "indexing_deferred",
    "invalidate_page_cache",
    "invalidate_page_cache_on",
    "language_chosen",
    "mark_cacheable",
    "mark_private",
    "page_memo",
    "path_in_language",
    "people_changed",
    "progress_bar",
    "read_once",
    "register_context",
    "register_panel",
    "render_markdown",
    "rows_where",
    "sanitize_html",
    "shared_reads",
    "site_url",
    "spreadsheet_safe",
    "use_language",
]
