"""What signing in does besides signing in: it accepts the person's invitation."""

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .services import invitation_accept


@receiver(user_logged_in)
def accept_invitation(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Signing in, however it happens, is what an invitation asks: mark it accepted."""
    invitation_accept(user=user)
