"""The public interface of ``accounts``."""

from .roles import Role
from .services import DemoAccount, demo_accounts_create

__all__ = ["DemoAccount", "Role", "demo_accounts_create"]
