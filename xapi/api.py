"""The public interface of ``xapi``: other apps import from here only (docs/xapi.md).

``Statement`` and ``StateDocument`` are exported for type hints only: read statements with
:func:`statements_of` and state with :func:`state_document`, and hear of new statements with
:func:`register_statement_listener`.
"""

from __future__ import annotations

from .agents import actor_for
from .listeners import StatementListener
from .listeners import register as register_statement_listener
from .models import VERB_VOIDED, StateDocument, Statement
from .selectors import is_voided, state_document, statements_of

__all__ = [
    "VERB_VOIDED",
    "StateDocument",
    "Statement",
    "StatementListener",
    "actor_for",
    "is_voided",
    "register_statement_listener",
    "state_document",
    "statements_of",
]
