"""Our corrections of Wagtail's Russian messages (and their Kazakh) win over Wagtail's own."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from curriculum.wagtail_messages import WAGTAIL_MESSAGES


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_cms_says_a_quiz_awaits_review_in_good_russian_and_kazakh(language: str) -> None:
    with translation.override(language):
        said = gettext("This %(model_name)s is currently awaiting moderation.") % {
            "model_name": "тест"
        }
    assert "«тест»" in said
    assert "теств" not in said  # Wagtail's own Russian glues the name to the next word


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_correction_is_translated(language: str) -> None:
    with translation.override(language):
        assert all(gettext(message) != message for message in WAGTAIL_MESSAGES)
