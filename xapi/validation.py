"""xAPI 1.0.3 statement validation: pure functions, no database.

Each check that fails raises :class:`StatementInvalid` with the path of the offending field as
the client sent it (``statement[2].result.score.scaled``) and a plain English message (the
player reads them, never a learner: docs/xapi.md). What is checked follows the specification's
"Statement Requirements" and data types (section 2 of the Data part):

- a statement is an object of known properties (``id``, ``actor``, ``verb``, ``object``,
  ``result``, ``context``, ``timestamp``, ``stored``, ``authority``, ``version``); every object
  inside it refuses properties the specification does not define (``extensions`` excepted);
- ``actor``, ``verb`` and ``object`` are required; ``attachments`` are refused (this store
  keeps none);
- IRIs are absolute (a scheme, no spaces), IRLs are http(s) addresses, UUIDs are in their
  8-4-4-4-12 form, timestamps are ISO 8601 with a time zone, durations ISO 8601 durations,
  language maps map RFC 5646 tags to strings;
- agents have exactly one inverse functional identifier, groups are anonymous (members, no
  identifier) or identified (one identifier), members are agents;
- objects are an Activity, an Agent or Group, a StatementRef or a SubStatement (which has no
  ``id``, ``stored``, ``version`` or ``authority`` and holds no SubStatement);
- ``context.revision`` and ``context.platform`` only when the object is an Activity;
- a voiding statement's object is a StatementRef.

``stored`` and ``authority`` sent by the client are not checked: the store replaces them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .models import IRI_MAX_LENGTH, VERB_VOIDED

__all__ = [
    "StatementInvalid",
    "is_iri",
    "is_uuid",
    "parse_timestamp",
    "validate_agent",
    "validate_statement",
    "validate_statements",
]


class StatementInvalid(ValueError):
    """A statement (or a parameter) breaks a rule: ``path`` names the field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


STATEMENT_KEYS = {
    "id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
    "version", "attachments",
}  # fmt: skip
SUBSTATEMENT_KEYS = {
    "objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments",
}  # fmt: skip
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_KEYS = {"objectType", "name", *IFI_KEYS}
GROUP_KEYS = {*AGENT_KEYS, "member"}
VERB_KEYS = {"id", "display"}
ACTIVITY_KEYS = {"objectType", "id", "definition"}
DEFINITION_KEYS = {
    "name", "description", "type", "moreInfo", "extensions", "interactionType",
    "correctResponsesPattern", "choices", "scale", "source", "target", "steps",
}  # fmt: skip
#: Interaction types, and the component lists each may carry.
INTERACTION_COMPONENTS: dict[str, set[str]] = {
    "true-false": set(),
    "choice": {"choices"},
    "fill-in": set(),
    "long-fill-in": set(),
    "matching": {"source", "target"},
    "performance": {"steps"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "numeric": set(),
    "other": set(),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
SCORE_KEYS = {"scaled", "raw", "min", "max"}
CONTEXT_KEYS = {
    "registration", "instructor", "team", "contextActivities", "revision", "platform",
    "language", "statement", "extensions",
}  # fmt: skip
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_VERSION = re.compile(r"^1\.0(?:\.\d+)?$")
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"^P(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$"
)


# --- data types --------------------------------------------------------------------------------


def is_iri(value: object) -> bool:
    """An absolute IRI: a scheme, then no whitespace; at most ``IRI_MAX_LENGTH`` characters."""
    return isinstance(value, str) and len(value) <= IRI_MAX_LENGTH and bool(_SCHEME.match(value))


def is_uuid(value: object) -> bool:
    """A UUID in its hyphenated 8-4-4-4-12 form."""
    return isinstance(value, str) and bool(_UUID.match(value))


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 date and time with a time zone (not the "unknown" offset ``-00:00``), as an
    aware datetime; ``None`` when it is not one."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value) or value.endswith("-00:00"):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _object(value: object, path: str, allowed: set[str] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StatementInvalid(path, f"must be a JSON object, not {_kind(value)}")
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise StatementInvalid(
                f"{path}.{unknown[0]}", "is not a property xAPI 1.0.3 defines here"
            )
    return value


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise StatementInvalid(path, f"must be a string, not {_kind(value)}")
    return value


def _iri(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise StatementInvalid(path, f"must be an IRI (a string), not {_kind(value)}")
    if len(value) > IRI_MAX_LENGTH:
        raise StatementInvalid(path, f"is longer than {IRI_MAX_LENGTH} characters")
    if not _SCHEME.match(value):
        raise StatementInvalid(path, f"must be an absolute IRI with a scheme, not {value!r}")
    return value


def _irl(value: object, path: str) -> str:
    _iri(value, path)
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StatementInvalid(path, f"must be an http(s) address (an IRL), not {value!r}")
    return str(value)


def _uuid(value: object, path: str) -> str:
    if not is_uuid(value):
        raise StatementInvalid(path, f"must be a UUID (8-4-4-4-12 hex digits), not {value!r}")
    return str(value)


def _boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise StatementInvalid(path, f"must be true or false, not {_kind(value)}")
    return value


def _language_tag(value: object, path: str) -> str:
    if not isinstance(value, str) or not _LANGUAGE_TAG.match(value):
        raise StatementInvalid(path, f"must be an RFC 5646 language tag, not {value!r}")
    return value


def _language_map(value: object, path: str) -> None:
    for tag, text in _object(value, path).items():
        _language_tag(tag, f"{path}.{tag}")
        _string(text, f"{path}.{tag}")


def _extensions(value: object, path: str) -> None:
    for key in _object(value, path):
        _iri(key, f"{path}[{key!r}]")


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise StatementInvalid(path, f"must be a list, not {_kind(value)}")
    return value


def _timestamp(value: object, path: str) -> None:
    if parse_timestamp(value) is None:
        raise StatementInvalid(
            path,
            f"must be an ISO 8601 date and time with a time zone "
            f"(2024-05-01T10:30:00Z), not {value!r}",
        )


def _duration(value: object, path: str) -> None:
    if not isinstance(value, str) or not _DURATION.match(value):
        raise StatementInvalid(path, f"must be an ISO 8601 duration (PT1M30S), not {value!r}")


# --- agents and groups -------------------------------------------------------------------------


def _identifiers(value: dict[str, Any], path: str) -> list[str]:
    """Check the inverse functional identifiers present; return their names."""
    present = [key for key in IFI_KEYS if key in value]
    for key in present:
        where = f"{path}.{key}"
        item = value[key]
        if key == "mbox":
            if not isinstance(item, str) or not _MBOX.match(item):
                raise StatementInvalid(where, f"must be a mailto: address, not {item!r}")
        elif key == "mbox_sha1sum":
            if not isinstance(item, str) or not _SHA1.match(item):
                raise StatementInvalid(where, "must be the SHA-1 of a mailto: address (40 hex)")
        elif key == "openid":
            _iri(item, where)
        else:
            account = _object(item, where, {"homePage", "name"})
            for part in ("homePage", "name"):
                if part not in account:
                    raise StatementInvalid(f"{where}.{part}", "is required in an account")
            _irl(account["homePage"], f"{where}.homePage")
            _string(account["name"], f"{where}.name")
    return present


def validate_agent(value: object, path: str, *, object_type_required: bool = False) -> None:
    """An Agent: exactly one inverse functional identifier (``mbox``, ``mbox_sha1sum``,
    ``openid`` or ``account``), an optional ``name``."""
    agent = _object(value, path, AGENT_KEYS)
    kind = agent.get("objectType")
    if kind is None and object_type_required:
        raise StatementInvalid(f"{path}.objectType", 'is required ("Agent" or "Group") here')
    if kind not in (None, "Agent"):
        raise StatementInvalid(f"{path}.objectType", f'must be "Agent", not {kind!r}')
    if "name" in agent:
        _string(agent["name"], f"{path}.name")
    present = _identifiers(agent, path)
    if len(present) != 1:
        raise StatementInvalid(
            path,
            "an Agent needs exactly one identifier (mbox, mbox_sha1sum, openid or account); "
            + (f"it has {len(present)}: {', '.join(present)}" if present else "it has none"),
        )


def _group(value: object, path: str) -> None:
    """A Group: anonymous (``member`` and no identifier) or identified (one identifier)."""
    group = _object(value, path, GROUP_KEYS)
    if group.get("objectType") != "Group":
        raise StatementInvalid(f"{path}.objectType", 'must be "Group"')
    if "name" in group:
        _string(group["name"], f"{path}.name")
    present = _identifiers(group, path)
    if len(present) > 1:
        raise StatementInvalid(
            path, f"an identified Group has exactly one identifier, not {', '.join(present)}"
        )
    if not present and "member" not in group:
        raise StatementInvalid(f"{path}.member", "is required in an anonymous Group")
    if "member" in group:
        members = _list(group["member"], f"{path}.member")
        if not present and not members:
            raise StatementInvalid(f"{path}.member", "an anonymous Group needs members")
        for index, member in enumerate(members):
            where = f"{path}.member[{index}]"
            if isinstance(member, dict) and member.get("objectType") == "Group":
                raise StatementInvalid(f"{where}.objectType", "a Group's members are Agents")
            validate_agent(member, where)


def _actor(value: object, path: str, *, object_type_required: bool = False) -> None:
    """An Agent or a Group (``objectType`` says which; absent means Agent)."""
    if isinstance(value, dict) and value.get("objectType") == "Group":
        _group(value, path)
    else:
        validate_agent(value, path, object_type_required=object_type_required)


# --- verb, activities, objects -----------------------------------------------------------------


def _verb(value: object, path: str) -> str:
    verb = _object(value, path, VERB_KEYS)
    if "id" not in verb:
        raise StatementInvalid(f"{path}.id", "is required")
    _iri(verb["id"], f"{path}.id")
    if "display" in verb:
        _language_map(verb["display"], f"{path}.display")
    return str(verb["id"])


def _components(value: object, path: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        component = _object(item, where, {"id", "description"})
        if "id" not in component:
            raise StatementInvalid(f"{where}.id", "is required")
        ident = _string(component["id"], f"{where}.id")
        if ident in seen:
            raise StatementInvalid(f"{where}.id", f"repeats the id {ident!r}")
        seen.add(ident)
        if "description" in component:
            _language_map(component["description"], f"{where}.description")


def _definition(value: object, path: str) -> None:
    definition = _object(value, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], f"{path}.{key}")
    if "type" in definition:
        _iri(definition["type"], f"{path}.type")
    if "moreInfo" in definition:
        _irl(definition["moreInfo"], f"{path}.moreInfo")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{path}.extensions")
    interaction = definition.get("interactionType")
    if interaction is not None and interaction not in INTERACTION_COMPONENTS:
        raise StatementInvalid(
            f"{path}.interactionType",
            f"must be one of {', '.join(INTERACTION_COMPONENTS)}, not {interaction!r}",
        )
    if "correctResponsesPattern" in definition:
        if interaction is None:
            raise StatementInvalid(
                f"{path}.correctResponsesPattern", "needs an interactionType beside it"
            )
        for index, pattern in enumerate(
            _list(definition["correctResponsesPattern"], f"{path}.correctResponsesPattern")
        ):
            _string(pattern, f"{path}.correctResponsesPattern[{index}]")
    for key in COMPONENT_LISTS:
        if key not in definition:
            continue
        if interaction is None or key not in INTERACTION_COMPONENTS[interaction]:
            raise StatementInvalid(
                f"{path}.{key}",
                f"is not used with interactionType {interaction!r}"
                if interaction
                else "needs an interactionType beside it",
            )
        _components(definition[key], f"{path}.{key}")


def _activity(value: object, path: str) -> str:
    activity = _object(value, path, ACTIVITY_KEYS)
    if activity.get("objectType", "Activity") != "Activity":
        raise StatementInvalid(f"{path}.objectType", 'must be "Activity"')
    if "id" not in activity:
        raise StatementInvalid(f"{path}.id", "is required")
    _iri(activity["id"], f"{path}.id")
    if "definition" in activity:
        _definition(activity["definition"], f"{path}.definition")
    return str(activity["id"])


def _statement_ref(value: object, path: str) -> None:
    ref = _object(value, path, {"objectType", "id"})
    if ref.get("objectType") != "StatementRef":
        raise StatementInvalid(f"{path}.objectType", 'must be "StatementRef"')
    if "id" not in ref:
        raise StatementInvalid(f"{path}.id", "is required")
    _uuid(ref["id"], f"{path}.id")


def _object_of(value: object, path: str, *, nested: bool) -> str:
    """The statement's object; returns its ``objectType`` (``Activity`` when absent)."""
    if not isinstance(value, dict):
        raise StatementInvalid(path, f"must be a JSON object, not {_kind(value)}")
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        _activity(value, path)
    elif kind in ("Agent", "Group"):
        _actor(value, path, object_type_required=True)
    elif kind == "StatementRef":
        _statement_ref(value, path)
    elif kind == "SubStatement":
        if nested:
            raise StatementInvalid(
                f"{path}.objectType", "a SubStatement cannot hold another SubStatement"
            )
        _substatement(value, path)
    else:
        raise StatementInvalid(
            f"{path}.objectType",
            f"must be Activity, Agent, Group, StatementRef or SubStatement, not {kind!r}",
        )
    return str(kind)


# --- result and context ------------------------------------------------------------------------


def _score(value: object, path: str) -> None:
    score = _object(value, path, SCORE_KEYS)
    for key in SCORE_KEYS:
        if key in score and not _number(score[key]):
            raise StatementInvalid(f"{path}.{key}", f"must be a number, not {_kind(score[key])}")
    if "scaled" in score and not -1 <= score["scaled"] <= 1:
        raise StatementInvalid(f"{path}.scaled", f"must be between -1 and 1, not {score['scaled']}")
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and not low < high:
        raise StatementInvalid(f"{path}.max", f"must be greater than min ({low}), not {high}")
    if raw is not None and low is not None and raw < low:
        raise StatementInvalid(f"{path}.raw", f"must not be below min ({low}), not {raw}")
    if raw is not None and high is not None and raw > high:
        raise StatementInvalid(f"{path}.raw", f"must not be above max ({high}), not {raw}")


def _result(value: object, path: str) -> None:
    result = _object(value, path, RESULT_KEYS)
    if "score" in result:
        _score(result["score"], f"{path}.score")
    for key in ("success", "completion"):
        if key in result:
            _boolean(result[key], f"{path}.{key}")
    if "response" in result:
        _string(result["response"], f"{path}.response")
    if "duration" in result:
        _duration(result["duration"], f"{path}.duration")
    if "extensions" in result:
        _extensions(result["extensions"], f"{path}.extensions")


def _context(value: object, path: str, *, object_kind: str) -> None:
    context = _object(value, path, CONTEXT_KEYS)
    if "registration" in context:
        _uuid(context["registration"], f"{path}.registration")
    if "instructor" in context:
        _actor(context["instructor"], f"{path}.instructor")
    if "team" in context:
        _group(context["team"], f"{path}.team")
    if "contextActivities" in context:
        where = f"{path}.contextActivities"
        groups = _object(context["contextActivities"], where, set(CONTEXT_ACTIVITY_KEYS))
        for key, activities in groups.items():
            if isinstance(activities, list):
                for index, activity in enumerate(activities):
                    _activity(activity, f"{where}.{key}[{index}]")
            else:
                _activity(activities, f"{where}.{key}")
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{path}.{key}")
            if object_kind != "Activity":
                raise StatementInvalid(
                    f"{path}.{key}", f"is allowed only when the object is an Activity, not a "
                    f"{object_kind}"
                )  # fmt: skip
    if "language" in context:
        _language_tag(context["language"], f"{path}.language")
    if "statement" in context:
        _statement_ref(context["statement"], f"{path}.statement")
    if "extensions" in context:
        _extensions(context["extensions"], f"{path}.extensions")


# --- statements --------------------------------------------------------------------------------


def _core(statement: Mapping[str, Any], path: str, *, nested: bool) -> None:
    """What statements and SubStatements share: actor, verb, object, result, context,
    timestamp, and the voiding rule."""
    for key in ("actor", "verb", "object"):
        if key not in statement:
            raise StatementInvalid(f"{path}.{key}", "is required")
    if "attachments" in statement:
        raise StatementInvalid(
            f"{path}.attachments", "are not accepted: this LRS stores no attachments"
        )
    _actor(statement["actor"], f"{path}.actor")
    verb = _verb(statement["verb"], f"{path}.verb")
    kind = _object_of(statement["object"], f"{path}.object", nested=nested)
    if verb == VERB_VOIDED and kind != "StatementRef":
        raise StatementInvalid(
            f"{path}.object", "a voiding statement's object must be a StatementRef"
        )
    if "result" in statement:
        _result(statement["result"], f"{path}.result")
    if "context" in statement:
        _context(statement["context"], f"{path}.context", object_kind=kind)
    if "timestamp" in statement:
        _timestamp(statement["timestamp"], f"{path}.timestamp")


def _substatement(value: object, path: str) -> None:
    substatement = _object(value, path)
    for key in ("id", "stored", "version", "authority"):
        if key in substatement:
            raise StatementInvalid(f"{path}.{key}", "is not allowed in a SubStatement")
    _object(substatement, path, SUBSTATEMENT_KEYS)
    _core(substatement, path, nested=True)


def validate_statement(value: object, path: str = "statement") -> dict[str, Any]:
    """Check one statement; return it (the same object) when it is valid."""
    statement = _object(value, path, STATEMENT_KEYS)
    if "id" in statement:
        _uuid(statement["id"], f"{path}.id")
    if "version" in statement:
        version = statement["version"]
        if not isinstance(version, str) or not _VERSION.match(version):
            raise StatementInvalid(f"{path}.version", f"must be 1.0.x, not {version!r}")
    _core(statement, path, nested=False)
    return statement


def validate_statements(body: object) -> list[dict[str, Any]]:
    """A request body: one statement (``statement``) or a non-empty list of them
    (``statement[0]``, ...). Every one is checked; the first failure raises."""
    if isinstance(body, list):
        if not body:
            raise StatementInvalid("statement", "an empty list: send at least one statement")
        return [validate_statement(item, f"statement[{index}]") for index, item in enumerate(body)]
    return [validate_statement(body)]
