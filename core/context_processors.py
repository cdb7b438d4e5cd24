"""Template context shared by every public page."""

from django.http import HttpRequest


def site_navigation(request: HttpRequest) -> dict[str, object]:
    """The language choices for the switcher; pages add their own breadcrumbs."""
    from django.conf import settings

    return {"LANGUAGE_CHOICES": settings.LANGUAGES}
