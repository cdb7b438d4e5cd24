"""Accounts: sign-in, passwords, the role groups and the learner's own pages."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
