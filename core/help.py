"""Help pages served by the site (``/<lang>/help/<slug>/``): allow-listed Markdown files from
``docs/``, rendered through ``core.html`` (markdown-it-py, then nh3) in the site's layout, so
help text can link to a page instead of naming a file in the code repository."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .html import render_markdown

__all__ = ["HELP_PAGES", "help_page", "urlpatterns"]

#: slug -> (title, file under docs/). Only these are served.
HELP_PAGES = {
    "importing-specialists": (
        _("Importing specialists from a CSV file"),
        "importing-specialists.md",
    ),
    "question-formats": (_("Question files: GIFT and Aiken"), "question-formats.md"),
}


@lru_cache(maxsize=8)
def _rendered(filename: str) -> str:
    text = (Path(settings.BASE_DIR) / "docs" / filename).read_text(encoding="utf-8")
    if text.startswith("# "):  # the page's title is its h1
        text = text.split("\n", 1)[1] if "\n" in text else ""
    return render_markdown(text)


def help_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One allow-listed help page; any other slug is a 404."""
    if slug not in HELP_PAGES:
        raise Http404
    title, filename = HELP_PAGES[slug]
    return render(request, "core/help_page.html", {"title": title, "body": _rendered(filename)})


app_name = "help"
urlpatterns = [path("<slug:slug>/", help_page, name="page")]
