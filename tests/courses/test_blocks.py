"""Every lesson block renders, has a template, an icon, a description and an admin preview."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from wagtail.blocks import StructBlockValidationError
from wagtail.documents import get_document_model

from courses.blocks import LessonStreamBlock, OutcomesBlock, VideoBlock
from courses.models import CoursePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LESSON_BLOCKS = list(LessonStreamBlock().child_blocks.items())
ALL_BLOCKS = LESSON_BLOCKS + list(OutcomesBlock().child_blocks.items())


@pytest.mark.parametrize(("name", "block"), ALL_BLOCKS, ids=[n for n, _ in ALL_BLOCKS])
def test_block_declares_its_presentation(name: str, block: object) -> None:
    meta = block.meta  # type: ignore[attr-defined]
    assert meta.template.startswith("courses/blocks/"), name
    assert meta.icon and meta.icon != "placeholder", name
    assert meta.description, name
    assert block.is_previewable, name  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "block"), ALL_BLOCKS, ids=[n for n, _ in ALL_BLOCKS])
def test_block_preview_renders_in_the_admin(
    client: Client, sample_course: CoursePage, name: str, block: object
) -> None:
    """The preview the block picker shows (sample_course provides an image and a document)."""
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/block-preview/", {"id": block.definition_prefix})  # type: ignore[attr-defined]
    assert response.status_code == 200, name
    content = response.content.decode()
    assert "css/site.css" in content
    assert f"block-{name}" in content


@pytest.mark.parametrize(("name", "block"), LESSON_BLOCKS, ids=[n for n, _ in LESSON_BLOCKS])
def test_block_renders_its_preview_value(
    sample_course: CoursePage, name: str, block: object
) -> None:
    html = block.render(block.get_preview_value())  # type: ignore[attr-defined]
    assert html.strip(), name


def test_trainer_text_is_sanitised_in_every_text_block() -> None:
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    stream = LessonStreamBlock()
    value = stream.to_python(
        [
            {"type": "markdown", "value": attack},
            {"type": "rich_text", "value": attack},
            {"type": "reflection", "value": {"prompt": attack}},
            {"type": "scenario", "value": {"title": "T", "body": attack}},
            {"type": "content_note", "value": {"note": attack}},
            {"type": "takeaways", "value": {"items": [attack]}},
        ]
    )
    parser = TagCollector()
    parser.feed(stream.render(value))
    assert "script" not in parser.tags
    assert not [attrs for attrs in parser.attributes if any(a.startswith("on") for a in attrs)]
    # "src=x" is not a same-site path, so the image loads nothing.
    assert all(
        "src" not in attrs
        for tag, attrs in zip(parser.tags, parser.attributes, strict=True)
        if tag == "img"
    )


class TagCollector(HTMLParser):
    """Collects the elements and attribute names of real markup (not escaped text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.append([name for name, _ in attrs])


def video(**value: object) -> dict[str, object]:
    return {"video": None, "embed": None, "captions": None, "transcript": "Words.", **value}


def test_video_needs_exactly_one_source() -> None:
    block = VideoBlock()
    with pytest.raises(StructBlockValidationError) as info:
        block.clean(block.to_python(video()))
    assert "video" in info.value.block_errors


def test_uploaded_video_needs_vtt_captions(sample_course: CoursePage) -> None:
    document = get_document_model().objects.get(title="First-visit checklist")
    block = VideoBlock()
    with pytest.raises(StructBlockValidationError) as info:
        block.clean(block.to_python(video(video=document.pk)))
    assert "captions" in info.value.block_errors
    with pytest.raises(StructBlockValidationError) as info:
        block.clean(block.to_python(video(video=document.pk, captions=document.pk)))
    assert "WebVTT" in str(info.value.block_errors["captions"])


def test_image_needs_alt_text(sample_course: CoursePage) -> None:
    from wagtail.images import get_image_model

    from courses.blocks import ImageBlock

    block = ImageBlock()
    image = get_image_model().objects.first()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "caption": ""}))


def test_cover_image_needs_alt_text(sample_course: CoursePage) -> None:
    sample_course.cover_alt = ""
    with pytest.raises(ValidationError, match="alternative text"):
        sample_course.full_clean()
