"""Drop cached pages when published content changes (see ``core.page_cache``).

Any change to the tree or to what pages show (titles in navigation, images, documents, sites)
invalidates every cached page at once: publishing is rare and reading is frequent, and working
out which pages show a given title is not worth the risk of a stale one.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from core.api import invalidate_page_cache


def connect() -> None:
    """Connect the receivers (called from ``CoursesConfig.ready``)."""
    for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
        signal.connect(invalidate_page_cache, dispatch_uid=f"pagecache-{id(signal)}")
    for model in (Page, Site, get_image_model(), get_document_model()):
        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_page_cache,
                sender=model,
                dispatch_uid=f"pagecache-{model._meta.label}-{id(signal)}",
            )
