"""Remember at sign-in whether a user may use the CMS, so public pages need not ask the
database on every request whether to show the editing bar. The CMS itself checks permissions
on every request; this flag only decides whether the shortcut is drawn."""

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .permissions import can_use_cms
from .services import invitation_accept

SESSION_KEY = "zhusan_can_edit"


@receiver(user_logged_in)
def remember_editor(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = can_use_cms(user)


@receiver(user_logged_in)
def accept_invitation(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Signing in, however it happens, is what an invitation asks: mark it accepted."""
    invitation_accept(user=user)
