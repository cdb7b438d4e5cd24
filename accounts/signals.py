"""Remember at sign-in whether a user may use the CMS, so public pages need not ask the
database on every request whether to show the editing bar. The CMS itself checks permissions
on every request; this flag only decides whether the shortcut is drawn."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

SESSION_KEY = "zhusan_can_edit"


@receiver(user_logged_in)
def remember_editor(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = user.has_perm("wagtailadmin.access_admin")
