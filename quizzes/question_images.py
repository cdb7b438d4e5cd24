"""Images embedded in Moodle XML question files: stored as Wagtail images on import, embedded
again on export (see docs/question-formats.md, "Moodle XML").

An imported image is stored under a name made from its SHA-1 (``original_images/quiz-<sha1>.png``)
so that its URL is known before anything is written: the importer checks every question with
its final text, then stores the images only once the questions are written, in the same
transaction. Importing the same file again finds the same images and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex
from wagtail.search.backends import get_search_backends

from core.api import invalidate_page_cache

from .formats.moodle_xml import EmbeddedImage

__all__ = ["image_src", "read_image", "store_images"]

FOLDER = "original_images"


def stored_name(image: EmbeddedImage) -> str:
    """Where the image is stored: the same bytes always give the same name."""
    return f"{FOLDER}/quiz-{image.sha1}.{image.extension}"


def image_src(image: EmbeddedImage) -> str:
    """The ``src`` the question text gets: the stored file's URL (a same-site path, which the
    HTML sanitiser keeps)."""
    return str(default_storage.url(stored_name(image)))


def store_images(images: Iterable[EmbeddedImage]) -> list[str]:
    """Store the images not stored yet as Wagtail images (alt text as their description);
    returns the names of those created. Run it after the questions are written."""
    model = get_image_model()
    wanted = {stored_name(image): image for image in images}
    existing = set(model.objects.filter(file__in=list(wanted)).values_list("file", flat=True))
    created: list[str] = []
    new: list[Any] = []
    for name, image in wanted.items():
        if name in existing:
            continue
        if not default_storage.exists(name):  # else left by an import that was rolled back
            with image.path.open("rb") as handle:
                saved = default_storage.save(name, File(handle, name=name))
            if saved != name:  # pragma: no cover - another import saved the same bytes just now
                default_storage.delete(saved)
        with PillowImage.open(image.path) as pillow:
            width, height = pillow.size
        new.append(
            model(
                title=image.name[:255],
                description=image.alt[:255],
                file=name,
                width=width,
                height=height,
                file_size=image.size,
                file_hash=image.sha1,
            )
        )
        created.append(image.name)
    if new:
        _create(model, new)
    return created


def _create(model: Any, images: list[Any]) -> None:
    """Create ``images`` in one statement, then index them for search in one batch.

    Saved one at a time, every image's search indexing re-read the whole of PostgreSQL's search
    index (Wagtail's database backend refreshes its title norms after each item): a bank of
    5,000 questions with pictures took most of an hour. ``bulk_create`` sends no ``post_save``,
    so what its receivers do is done here: the search index, Wagtail's reference index, and the
    page cache's generation (a change to an image moves it)."""
    model.objects.bulk_create(images)
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, images)
    for image in images:
        ReferenceIndex.create_or_update_for_object(image)
    invalidate_page_cache()


def read_image(src: str) -> tuple[str, bytes] | None:
    """The file name and bytes of the Wagtail image at ``src`` (a media URL), for embedding it in
    an export; None for anything else (which stays as it is)."""
    if not src.startswith(settings.MEDIA_URL):
        return None
    name = unquote(src[len(settings.MEDIA_URL) :])
    image = get_image_model().objects.filter(file=name).first()
    if image is None:
        return None
    with image.file.open("rb") as handle:
        data = handle.read()
    return PurePosixPath(name).name, data
