"""CMS integration of ``courses``: the Translations screen and its menu item."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_translations
from .permissions import can_see_translations


@hooks.register("register_admin_urls")
def register_urls() -> list[Any]:
    return [path("translations/", admin_translations.translations, name="courses_translations")]


class TranslationsMenuItem(MenuItem):
    """Shown to those who may see the screen."""

    def is_shown(self, request: HttpRequest) -> bool:
        return can_see_translations(request.user)


@hooks.register("register_admin_menu_item")
def register_menu_item() -> MenuItem:
    return TranslationsMenuItem(
        _("Translations"), reverse("courses_translations"), icon_name="globe", order=255
    )
