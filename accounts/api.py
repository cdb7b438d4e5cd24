"""The public interface of ``accounts``."""

from .permissions import can_use_cms, has_permission, has_role, is_administrator, role_names
from .roles import Role
from .services import DemoAccount, demo_accounts_create

__all__ = [
    "DemoAccount",
    "Role",
    "can_use_cms",
    "demo_accounts_create",
    "has_permission",
    "has_role",
    "is_administrator",
    "role_names",
]
