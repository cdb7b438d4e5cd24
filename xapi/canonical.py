"""A statement as stored, and the specification's statement comparison: pure functions.

:func:`prepare` turns a valid statement from a client into what the store keeps: its ``id``
(assigned when absent, lower case), ``stored``, ``authority`` (the signed-in learner, replacing
whatever the client sent), ``version`` (``1.0.0`` when absent), ``timestamp`` (``stored`` when
absent), and every ``contextActivities`` value as a list.

:func:`same_statement` says whether two statements are the same in the sense of the
specification's "Statement Comparison Requirements": equal but for ``authority``, ``stored``,
``timestamp``, ``version``, attachments, the order of a Group's members, Activity definitions,
and (our normalisation) a single context activity against a list of one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["comparable", "prepare", "same_statement"]

#: What the comparison ignores at the top of a statement.
_IGNORED = ("authority", "stored", "timestamp", "version", "attachments")


def _context_lists(context: Mapping[str, Any]) -> dict[str, Any]:
    context = dict(context)
    if isinstance(context.get("contextActivities"), Mapping):
        context["contextActivities"] = {
            key: value if isinstance(value, list) else [value]
            for key, value in context["contextActivities"].items()
        }
    return context


def prepare(
    statement: Mapping[str, Any],
    *,
    statement_id: str,
    stored: datetime,
    authority: Mapping[str, Any],
) -> dict[str, Any]:
    """The statement as the store keeps it (see the module docstring); ``statement`` is left
    as it was."""
    prepared = dict(statement)
    prepared["id"] = statement_id
    prepared["stored"] = stored.isoformat()
    prepared["authority"] = dict(authority)
    prepared.setdefault("version", "1.0.0")
    prepared.setdefault("timestamp", prepared["stored"])
    if isinstance(prepared.get("context"), Mapping):
        prepared["context"] = _context_lists(prepared["context"])
    substatement = prepared.get("object")
    if (
        isinstance(substatement, Mapping)
        and substatement.get("objectType") == "SubStatement"
        and isinstance(substatement.get("context"), Mapping)
    ):
        prepared["object"] = {**substatement, "context": _context_lists(substatement["context"])}
    return prepared


def _actor(actor: Any) -> Any:
    if isinstance(actor, Mapping) and isinstance(actor.get("member"), list):
        members = sorted(actor["member"], key=lambda m: json.dumps(m, sort_keys=True))
        return {**actor, "member": members}
    return actor


def _activity(activity: Any) -> Any:
    if isinstance(activity, Mapping):
        return {key: value for key, value in activity.items() if key != "definition"}
    return activity


def _context(context: Any) -> Any:
    if not isinstance(context, Mapping):
        return context
    context = _context_lists(context)
    for key in ("instructor", "team"):
        if key in context:
            context[key] = _actor(context[key])
    if isinstance(context.get("contextActivities"), Mapping):
        context["contextActivities"] = {
            key: [_activity(a) for a in activities]
            for key, activities in context["contextActivities"].items()
        }
    return context


def _core(statement: Mapping[str, Any]) -> dict[str, Any]:
    result = {key: value for key, value in statement.items() if key not in _IGNORED}
    if "actor" in result:
        result["actor"] = _actor(result["actor"])
    target = result.get("object")
    if isinstance(target, Mapping):
        kind = target.get("objectType", "Activity")
        if kind == "Activity":
            result["object"] = _activity(target)
        elif kind in ("Agent", "Group"):
            result["object"] = _actor(target)
        elif kind == "StatementRef" and isinstance(target.get("id"), str):
            result["object"] = {**target, "id": target["id"].lower()}
        elif kind == "SubStatement":
            result["object"] = _core(target)
    if "context" in result:
        result["context"] = _context(result["context"])
    return result


def comparable(statement: Mapping[str, Any]) -> dict[str, Any]:
    """``statement`` without what the comparison ignores (see the module docstring)."""
    result = _core(statement)
    if isinstance(result.get("id"), str):
        result["id"] = result["id"].lower()
    return result


def same_statement(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    """Whether two statements are the same for the specification's comparison."""
    return comparable(first) == comparable(second)
