"""The token in an invitation link: Django's password-reset token with its own salt and its own
lifetime (``settings.INVITATION_VALID_DAYS``), so an invitation can outlive a reset link.

Like a reset token it stops working once used: it hashes the password and the last sign-in,
which setting a password (and being signed in) changes.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

__all__ = ["TokenState", "invitation_token_generator", "invitation_valid_days"]


def invitation_valid_days() -> int:
    """How many days an invitation link works (``INVITATION_VALID_DAYS``, at least 1)."""
    return max(1, int(getattr(settings, "INVITATION_VALID_DAYS", 14)))


class TokenState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"  # used already, or never issued


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def state(self, user: User | None, token: str | None) -> TokenState:
        """Whether ``token`` is valid for ``user``, has expired, or is not (or no longer) one."""
        if not (user and token):
            return TokenState.INVALID
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return TokenState.INVALID
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return TokenState.INVALID
        age = self._num_seconds(self._now()) - ts
        if age > invitation_valid_days() * 24 * 3600:
            return TokenState.EXPIRED
        return TokenState.VALID

    def check_token(self, user: User | None, token: str | None) -> bool:
        return self.state(user, token) is TokenState.VALID


invitation_token_generator = InvitationTokenGenerator()
