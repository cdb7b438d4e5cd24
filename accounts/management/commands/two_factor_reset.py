"""``manage.py two_factor_reset <username>``: for someone who lost their phone and their backup
codes. Removes their authenticator app and backup codes; if their role requires two-step
sign-in, they set up a new app when they next sign in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import two_factor_reset


class Command(BaseCommand):
    help = "Remove a person's two-step sign-in app and backup codes (a lost phone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No account has the username {username!r}.") from None
        count = two_factor_reset(user=user)
        self.stdout.write(f"Removed {count} device(s) of {username}.")
