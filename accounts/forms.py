"""Forms for signing in, passwords and sign-in codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .languages import user_language

__all__ = ["EveryAccountPasswordResetForm", "TwoFactorCodeForm"]


class EveryAccountPasswordResetForm(PasswordResetForm):
    """ "Forgotten your password?" for every active account with the address, including one that
    never had a usable password (made by an import or a trainer, its invitation lost or
    expired). Django's form skips those. Inactive accounts still get nothing, and the page says
    the same whether or not the address is known. The email is in the account holder's
    language."""

    def get_users(self, email: str) -> Iterator[User]:
        address = email.casefold()
        for user in get_user_model()._default_manager.filter(email__iexact=email, is_active=True):
            if user.email.casefold() == address:
                yield user

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        """The email (its text and its link's language) in the account holder's language, not
        the language of whoever asked (``accounts.languages.user_language``)."""
        context = kwargs.get("context", args[2] if len(args) > 2 else {})
        with translation.override(user_language(context["user"])):
            super().send_mail(*args, **kwargs)


class TwoFactorCodeForm(forms.Form):
    """A six-digit code from an authenticator app, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The six-digit code your authenticator app shows, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )
