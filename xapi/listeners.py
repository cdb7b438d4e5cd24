"""Who is told when statements are stored (``api.register_statement_listener``).

Apps above ``xapi`` derive their facts from statements (``activities``: completion) without
``xapi`` knowing them. A listener is called with the list of newly stored statements, inside the
transaction that stores them and after they are written: what it writes commits or rolls back
with them, and an exception it raises refuses the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Statement

__all__ = ["StatementListener", "notify", "register"]

#: A listener: called with the statements just stored (voiding statements included).
StatementListener = Callable[["list[Statement]"], None]

_LISTENERS: list[StatementListener] = []


def register(listener: StatementListener) -> None:
    """Call ``listener`` with every batch of newly stored statements (once, however often it is
    registered: an ``AppConfig.ready`` may run twice)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def notify(statements: list[Statement]) -> None:
    """Tell every listener, in the order they registered, about ``statements``."""
    for listener in list(_LISTENERS):
        listener(statements)
