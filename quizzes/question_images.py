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
from urllib.parse import unquote

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from PIL import Image as PillowImage
from wagtail.images import get_image_model

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
        model.objects.create(
            title=image.name[:255],
            description=image.alt[:255],
            file=name,
            width=width,
            height=height,
            file_size=image.size,
            file_hash=image.sha1,
        )
        created.append(image.name)
    return created


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
