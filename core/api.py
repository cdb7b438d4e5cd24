"""The public interface of ``core``: other apps import from here only."""

from .csv_export import csv_download, spreadsheet_safe
from .html import render_markdown, sanitize_html
from .http import AuthenticatedRequest, admin_refusal
from .page_cache import invalidate_page_cache, mark_cacheable
from .panels import register_panel
from .progress import Progress, progress_bar
from .specialties import Specialty

__all__ = [
    "AuthenticatedRequest",
    "Progress",
    "Specialty",
    "admin_refusal",
    "csv_download",
    "invalidate_page_cache",
    "mark_cacheable",
    "progress_bar",
    "register_panel",
    "render_markdown",
    "sanitize_html",
    "spreadsheet_safe",
]
