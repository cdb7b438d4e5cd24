"""Accounts: sign-in, passwords, the role groups and the learner's own pages."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the sign-in receiver
