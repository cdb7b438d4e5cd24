"""Forms for signing in and passwords."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User

__all__ = ["EveryAccountPasswordResetForm"]


class EveryAccountPasswordResetForm(PasswordResetForm):
    """ "Forgotten your password?" for every active account with the address, including one that
    never had a usable password (made by an import or a trainer, its invitation lost or
    expired). Django's form skips those. Inactive accounts still get nothing, and the page says
    the same whether or not the address is known."""

    def get_users(self, email: str) -> Iterator[User]:
        address = email.casefold()
        for user in get_user_model()._default_manager.filter(email__iexact=email, is_active=True):
            if user.email.casefold() == address:
                yield user
