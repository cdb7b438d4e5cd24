"""The invitation email: its link and its text, in the invited person's language.

Reads only; ``services.invitation_send`` sends it and records that it went.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.api import absolute_url, site_url

from .models import Invitation
from .tokens import invitation_token_generator, invitation_valid_days

__all__ = ["invitation_email", "invitation_language", "invitation_link"]


def invitation_language(language: str | None) -> str:
    """``language`` if the site offers it, else the site's default language."""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def invitation_link(user: User, language: str) -> str:
    """The address where ``user`` sets their password, in ``language``."""
    with translation.override(invitation_language(language)):
        path = reverse(
            "accounts:invitation",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": invitation_token_generator.make_token(user),
            },
        )
    return absolute_url(path)


def invitation_email(invitation: Invitation) -> EmailMessage:
    """The email inviting ``invitation.user``, rendered in the invitation's language."""
    user = invitation.user
    language = invitation_language(invitation.language)
    days = invitation_valid_days()
    context = {
        "user": user,
        "name": user.get_full_name(),
        "username": user.get_username(),
        "link": invitation_link(user, language),
        "days": days,
        "valid_until": timezone.localdate() + timedelta(days=days),
        "site_url": site_url(),
    }
    with translation.override(language):
        subject = render_to_string("accounts/invitation_subject.txt", context)
        body = render_to_string("accounts/invitation_email.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[user.email],
        headers={"Content-Language": language},
    )
