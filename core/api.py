"""The public interface of ``core``: other apps import from here only."""

from .html import render_markdown, sanitize_html
from .specialties import Specialty

__all__ = ["Specialty", "render_markdown", "sanitize_html"]
