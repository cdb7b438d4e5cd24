"""The public interface of ``accounts``."""

from .bulk import NewAccount, account_ids_matching, accounts_bulk_create, accounts_delete
from .languages import register_language_source, user_language
from .permissions import can_use_cms, has_permission, has_role, is_administrator, role_names
from .roles import Role
from .selectors import (
    InvitationState,
    invitation_state_of,
    invitations_progress,
)
from .sending import invitations_queue, invitations_retry
from .services import (
    AccountTaken,
    DemoAccount,
    account_create,
    demo_accounts_create,
)
from .tokens import invitation_valid_days

__all__ = [
    "AccountTaken",
    "DemoAccount",
    "InvitationState",
    "NewAccount",
    "Role",
    "account_create",
    "account_ids_matching",
    "accounts_bulk_create",
    "accounts_delete",
    "can_use_cms",
    "demo_accounts_create",
    "has_permission",
    "has_role",
    "invitation_state_of",
    "invitation_valid_days",
    "invitations_progress",
    "invitations_queue",
    "invitations_retry",
    "is_administrator",
    "register_language_source",
    "role_names",
    "user_language",
]
