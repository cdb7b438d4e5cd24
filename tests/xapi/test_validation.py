"""Statement validation (``xapi.validation``): for each rule, statements that keep it and
statements that break it, and the path the refusal names. Pure: no database."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from xapi.canonical import prepare, same_statement
from xapi.validation import StatementInvalid, validate_statement, validate_statements

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SHA1 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
UUID = "3c7fb2d6-5b0d-4e4a-9c39-1f0d8a2b7e11"
ACCOUNT = {"homePage": "http://testserver", "name": "7"}
AGENT = {"objectType": "Agent", "account": ACCOUNT}


def base() -> dict[str, Any]:
    return {
        "actor": copy.deepcopy(AGENT),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "done"}},
        "object": {"objectType": "Activity", "id": "http://testserver/h5p/activities/a"},
        "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}},
    }


Mutation = Callable[[dict[str, Any]], None]


def put(path: str, value: Any) -> Mutation:
    """Set the dotted ``path`` of the statement to ``value`` (creating objects on the way)."""

    def mutate(statement: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = statement
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = copy.deepcopy(value)

    return mutate


def drop(path: str) -> Mutation:
    def mutate(statement: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = statement
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(statement: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(statement)

    return mutate


def case(name: str, mutation: Mutation, path: str | None) -> Any:
    """A statement ``base()`` changed by ``mutation``: valid when ``path`` is None, else refused
    naming ``path``."""
    return pytest.param(mutation, path, id=f"{'ok' if path is None else 'refused'}: {name}")


SUBSTATEMENT = {
    "objectType": "SubStatement",
    "actor": AGENT,
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
    "object": {"id": "http://testserver/h5p/activities/b"},
}
STATEMENT_REF = {"objectType": "StatementRef", "id": UUID}

CASES = [
    # Required and unknown properties.
    case("the base statement", lambda s: None, None),
    case("no actor", drop("actor"), "statement.actor"),
    case("no verb", drop("verb"), "statement.verb"),
    case("no object", drop("object"), "statement.object"),
    case("an unknown property", put("colour", "blue"), "statement.colour"),
    case("an unknown property inside", put("result.grade", "A"), "statement.result.grade"),
    case("attachments", put("attachments", []), "statement.attachments"),
    case("stored and authority from the client are ignored",
         both(put("stored", "whenever"), put("authority", {"x": 1})), None),
    # Statement id.
    case("an id", put("id", UUID), None),
    case("an id in upper case", put("id", UUID.upper()), None),
    case("an id that is not a UUID", put("id", "statement-1"), "statement.id"),
    case("an id without hyphens", put("id", UUID.replace("-", "")), "statement.id"),
    # Verb.
    case("a URN verb", put("verb.id", "urn:x-zhusan:verb:done"), None),
    case("a verb without a scheme", put("verb.id", "completed"), "statement.verb.id"),
    case("a verb with a space", put("verb.id", "http://x.org/a b"), "statement.verb.id"),
    case("a verb that is not a string", put("verb.id", 7), "statement.verb.id"),
    case("a verb without id", drop("verb.id"), "statement.verb.id"),
    case("a too long IRI", put("verb.id", "http://x.org/" + "a" * 1000), "statement.verb.id"),
    case("display not a language map", put("verb.display", "done"), "statement.verb.display"),
    case("display with a bad language tag", put("verb.display", {"en US": "done"}),
         "statement.verb.display.en US"),
    case("display with a value not a string", put("verb.display", {"en": 1}),
         "statement.verb.display.en"),
    case("an unknown verb property", put("verb.label", "x"), "statement.verb.label"),
    # Result.
    case("scaled -1", put("result.score.scaled", -1), None),
    case("scaled 1", put("result.score.scaled", 1), None),
    case("scaled above 1", put("result.score.scaled", 1.5), "statement.result.score.scaled"),
    case("scaled below -1", put("result.score.scaled", -1.01), "statement.result.score.scaled"),
    case("scaled a string", put("result.score.scaled", "0.5"), "statement.result.score.scaled"),
    case("scaled a boolean", put("result.score.scaled", True), "statement.result.score.scaled"),
    case("raw above max", put("result.score.raw", 11), "statement.result.score.raw"),
    case("raw below min", put("result.score.raw", -1), "statement.result.score.raw"),
    case("raw at max", put("result.score.raw", 10), None),
    case("min equal to max", put("result.score.min", 10), "statement.result.score.max"),
    case("min above max", both(put("result.score.min", 5), put("result.score.max", 1)),
         "statement.result.score.max"),
    case("raw alone", put("result.score", {"raw": 42}), None),
    case("an unknown score property", put("result.score.percent", 50),
         "statement.result.score.percent"),
    case("success true", put("result.success", True), None),
    case("success a string", put("result.success", "yes"), "statement.result.success"),
    case("completion a number", put("result.completion", 1), "statement.result.completion"),
    case("completion null", put("result.completion", None), "statement.result.completion"),
    case("response a string", put("result.response", "a[,]b"), None),
    case("response a number", put("result.response", 5), "statement.result.response"),
    case("duration PT1M30.5S", put("result.duration", "PT1M30.5S"), None),
    case("duration P1DT2H", put("result.duration", "P1DT2H"), None),
    case("duration P2W", put("result.duration", "P2W"), None),
    case("duration in words", put("result.duration", "90 seconds"), "statement.result.duration"),
    case("duration P alone", put("result.duration", "P"), "statement.result.duration"),
    case("duration ending in T", put("result.duration", "P1DT"), "statement.result.duration"),
    case("duration in seconds", put("result.duration", 90), "statement.result.duration"),
    case("result extensions", put("result.extensions", {"http://x.org/ext": {"any": None}}), None),
    case("an extension key not an IRI", put("result.extensions", {"score": 1}),
         "statement.result.extensions['score']"),
    # Timestamp.
    case("a timestamp in UTC", put("timestamp", "2024-05-01T10:30:00.123Z"), None),
    case("a timestamp with an offset", put("timestamp", "2024-05-01T10:30:00+05:00"), None),
    case("a timestamp with a short offset", put("timestamp", "2024-05-01T10:30:00+0500"), None),
    case("a timestamp without a time zone", put("timestamp", "2024-05-01T10:30:00"),
         "statement.timestamp"),
    case("a date alone", put("timestamp", "2024-05-01"), "statement.timestamp"),
    case("a month 13", put("timestamp", "2024-13-01T10:30:00Z"), "statement.timestamp"),
    case("the unknown offset -00:00", put("timestamp", "2024-05-01T10:30:00-00:00"),
         "statement.timestamp"),
    case("a timestamp as a number", put("timestamp", 1714555800), "statement.timestamp"),
    # Agents.
    case("an agent by mbox", put("actor", {"mbox": "mailto:aigul@example.org"}), None),
    case("an agent by mbox_sha1sum", put("actor", {"mbox_sha1sum": SHA1}), None),
    case("an agent by openid", put("actor", {"openid": "http://openid.example.org/aigul"}), None),
    case("an agent with a name", put("actor.name", "Aigul"), None),
    case("mbox without mailto:", put("actor", {"mbox": "aigul@example.org"}),
         "statement.actor.mbox"),
    case("mbox_sha1sum too short", put("actor", {"mbox_sha1sum": "abc"}),
         "statement.actor.mbox_sha1sum"),
    case("openid not a URI", put("actor", {"openid": "aigul"}), "statement.actor.openid"),
    case("an account without name", drop("actor.account.name"), "statement.actor.account.name"),
    case("an account without homePage", drop("actor.account.homePage"),
         "statement.actor.account.homePage"),
    case("an account homePage not an IRL", put("actor.account.homePage", "urn:x:site"),
         "statement.actor.account.homePage"),
    case("an account with an unknown property", put("actor.account.id", 7),
         "statement.actor.account.id"),
    case("an account name not a string", put("actor.account.name", 7),
         "statement.actor.account.name"),
    case("two identifiers", put("actor.mbox", "mailto:aigul@example.org"), "statement.actor"),
    case("no identifier", put("actor", {"objectType": "Agent", "name": "Aigul"}),
         "statement.actor"),
    case("an unknown objectType", put("actor.objectType", "Person"),
         "statement.actor.objectType"),
    case("a name not a string", put("actor.name", 7), "statement.actor.name"),
    case("an agent not an object", put("actor", "aigul"), "statement.actor"),
    # Groups.
    case("an anonymous group", put("actor", {"objectType": "Group", "member": [AGENT]}), None),
    case("an identified group", put("actor", {"objectType": "Group", "account": ACCOUNT}), None),
    case("an identified group with members",
         put("actor", {"objectType": "Group", "account": ACCOUNT, "member": [AGENT]}), None),
    case("an anonymous group without members", put("actor", {"objectType": "Group"}),
         "statement.actor.member"),
    case("an anonymous group with no members", put("actor", {"objectType": "Group", "member": []}),
         "statement.actor.member"),
    case("a group with two identifiers",
         put("actor", {"objectType": "Group", "account": ACCOUNT, "mbox_sha1sum": SHA1}),
         "statement.actor"),
    case("a group in a group",
         put("actor", {"objectType": "Group", "member": [{"objectType": "Group",
                                                          "member": [AGENT]}]}),
         "statement.actor.member[0].objectType"),
    case("a member without identifier",
         put("actor", {"objectType": "Group", "member": [{"name": "Aigul"}]}),
         "statement.actor.member[0]"),
    case("members not a list", put("actor", {"objectType": "Group", "member": AGENT}),
         "statement.actor.member"),
    # Objects.
    case("an activity without objectType", drop("object.objectType"), None),
    case("an activity without id", drop("object.id"), "statement.object.id"),
    case("an activity id not an IRI", put("object.id", "activity 1"), "statement.object.id"),
    case("a definition", put("object.definition", {
        "name": {"en": "River"}, "description": {"ru-RU": "Река"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "moreInfo": "https://example.org/river", "extensions": {"http://x.org/e": 1},
    }), None),
    case("a definition name not a map", put("object.definition.name", "River"),
         "statement.object.definition.name"),
    case("a definition type not an IRI", put("object.definition.type", "quiz"),
         "statement.object.definition.type"),
    case("moreInfo not an IRL", put("object.definition.moreInfo", "urn:x:river"),
         "statement.object.definition.moreInfo"),
    case("an unknown definition property", put("object.definition.colour", "blue"),
         "statement.object.definition.colour"),
    case("a choice interaction", put("object.definition", {
        "interactionType": "choice", "correctResponsesPattern": ["a"],
        "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b"}],
    }), None),
    case("a matching interaction", put("object.definition", {
        "interactionType": "matching", "source": [{"id": "1"}], "target": [{"id": "x"}],
    }), None),
    case("an unknown interactionType", put("object.definition.interactionType", "essay"),
         "statement.object.definition.interactionType"),
    case("choices without interactionType", put("object.definition.choices", [{"id": "a"}]),
         "statement.object.definition.choices"),
    case("a scale on a choice interaction",
         put("object.definition", {"interactionType": "choice", "scale": [{"id": "1"}]}),
         "statement.object.definition.scale"),
    case("a repeated component id",
         put("object.definition", {"interactionType": "choice",
                                   "choices": [{"id": "a"}, {"id": "a"}]}),
         "statement.object.definition.choices[1].id"),
    case("a correct response pattern without interactionType",
         put("object.definition.correctResponsesPattern", ["a"]),
         "statement.object.definition.correctResponsesPattern"),
    case("an agent object", put("object", {"objectType": "Agent", "mbox": "mailto:a@x.org"}), None),
    case("a group object", put("object", {"objectType": "Group", "member": [AGENT]}), None),
    case("an agent object without objectType", put("object", {"mbox": "mailto:a@x.org"}),
         "statement.object.mbox"),
    case("a StatementRef", put("object", STATEMENT_REF), None),
    case("a StatementRef with a bad id", put("object", {**STATEMENT_REF, "id": "s1"}),
         "statement.object.id"),
    case("a StatementRef without id", put("object", {"objectType": "StatementRef"}),
         "statement.object.id"),
    case("an unknown object type", put("object", {"objectType": "Thing", "id": "http://x.org"}),
         "statement.object.objectType"),
    case("a SubStatement", put("object", SUBSTATEMENT), None),
    case("a SubStatement with context and result",
         put("object", {**SUBSTATEMENT, "result": {"success": True},
                        "context": {"platform": "H5P"}, "timestamp": "2024-05-01T10:30:00Z"}),
         None),
    case("a SubStatement with an id", put("object", {**SUBSTATEMENT, "id": UUID}),
         "statement.object.id"),
    case("a SubStatement with stored", put("object", {**SUBSTATEMENT, "stored": "x"}),
         "statement.object.stored"),
    case("a SubStatement with version", put("object", {**SUBSTATEMENT, "version": "1.0.3"}),
         "statement.object.version"),
    case("a SubStatement with authority", put("object", {**SUBSTATEMENT, "authority": AGENT}),
         "statement.object.authority"),
    case("a SubStatement in a SubStatement", put("object", {**SUBSTATEMENT, "object": SUBSTATEMENT}),
         "statement.object.object.objectType"),
    case("a SubStatement without verb",
         put("object", {k: v for k, v in SUBSTATEMENT.items() if k != "verb"}),
         "statement.object.verb"),
    case("a SubStatement with a bad timestamp", put("object", {**SUBSTATEMENT, "timestamp": "now"}),
         "statement.object.timestamp"),
    # Context.
    case("a registration", put("context.registration", UUID), None),
    case("a registration not a UUID", put("context.registration", "r1"),
         "statement.context.registration"),
    case("a parent activity as an object",
         put("context.contextActivities", {"parent": {"id": "http://x.org/course"}}), None),
    case("context activities as lists", put("context.contextActivities", {
        "parent": [{"id": "http://x.org/c"}], "grouping": [{"id": "http://x.org/g"}],
        "category": [{"objectType": "Activity", "id": "http://x.org/cat"}],
        "other": [{"id": "http://x.org/o"}],
    }), None),
    case("an unknown context activities key",
         put("context.contextActivities", {"siblings": [{"id": "http://x.org/s"}]}),
         "statement.context.contextActivities.siblings"),
    case("a context activity without id", put("context.contextActivities", {"parent": [{}]}),
         "statement.context.contextActivities.parent[0].id"),
    case("a context activity as a string", put("context.contextActivities", {"parent": "x"}),
         "statement.context.contextActivities.parent"),
    case("revision and platform with an activity",
         both(put("context.revision", "2"), put("context.platform", "H5P")), None),
    case("revision with a StatementRef object",
         both(put("object", STATEMENT_REF), put("context.revision", "2")),
         "statement.context.revision"),
    case("platform with an agent object",
         both(put("object", {"objectType": "Agent", "mbox": "mailto:a@x.org"}),
              put("context.platform", "H5P")),
         "statement.context.platform"),
    case("an instructor", put("context.instructor", AGENT), None),
    case("an instructor without identifier", put("context.instructor", {"name": "Trainer"}),
         "statement.context.instructor"),
    case("a team", put("context.team", {"objectType": "Group", "member": [AGENT]}), None),
    case("a team that is an agent", put("context.team", AGENT),
         "statement.context.team.objectType"),
    case("a language", put("context.language", "kk-KZ"), None),
    case("a language not a tag", put("context.language", "Kazakh!"), "statement.context.language"),
    case("a context statement", put("context.statement", STATEMENT_REF), None),
    case("a context statement not a StatementRef",
         put("context.statement", {"objectType": "Activity", "id": "http://x.org"}),
         "statement.context.statement.objectType"),
    case("an unknown context property", put("context.mood", "calm"), "statement.context.mood"),
    # Version.
    case("version 1.0.3", put("version", "1.0.3"), None),
    case("version 1.0", put("version", "1.0"), None),
    case("version 2.0.0", put("version", "2.0.0"), "statement.version"),
    case("version 0.95", put("version", "0.95"), "statement.version"),
    case("version a number", put("version", 1.0), "statement.version"),
    # Voiding.
    case("voiding with a StatementRef",
         both(put("verb", {"id": VOIDED}), put("object", STATEMENT_REF), drop("result")), None),
    case("voiding an activity", put("verb", {"id": VOIDED}), "statement.object"),
]  # fmt: skip


@pytest.mark.parametrize(("mutation", "path"), CASES)
def test_each_rule(mutation: Mutation, path: str | None) -> None:
    statement = base()
    mutation(statement)
    if path is None:
        assert validate_statement(statement) is statement
        return
    with pytest.raises(StatementInvalid) as refused:
        validate_statement(statement)
    assert refused.value.path == path, refused.value
    assert str(refused.value).startswith(f"{path}: ")
    assert refused.value.message


def test_a_statement_must_be_an_object() -> None:
    with pytest.raises(StatementInvalid) as refused:
        validate_statements(["not a statement"])
    assert refused.value.path == "statement[0]"
    assert "JSON object" in refused.value.message


def test_a_batch_names_the_statement_by_its_place() -> None:
    broken = base()
    broken["result"]["score"]["scaled"] = 1.5
    with pytest.raises(StatementInvalid) as refused:
        validate_statements([base(), base(), broken])
    assert refused.value.path == "statement[2].result.score.scaled"
    assert refused.value.message == "must be between -1 and 1, not 1.5"


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(StatementInvalid) as refused:
        validate_statements([])
    assert refused.value.path == "statement"


def test_the_message_says_what_is_wrong_plainly() -> None:
    statement = base()
    statement["actor"] = {"objectType": "Agent", "mbox": "mailto:a@x.org", "account": ACCOUNT}
    with pytest.raises(StatementInvalid) as refused:
        validate_statement(statement)
    assert str(refused.value) == (
        "statement.actor: an Agent needs exactly one identifier (mbox, mbox_sha1sum, openid or "
        "account); it has 2: mbox, account"
    )


# --- what the store keeps, and the comparison -------------------------------------------------


def test_prepare_sets_what_the_lrs_owns() -> None:
    from datetime import UTC, datetime

    statement = base()
    statement["context"] = {"contextActivities": {"parent": {"id": "http://x.org/c"}}}
    statement["authority"] = {"mbox": "mailto:forged@example.org"}
    stored = datetime(2024, 5, 1, 5, 30, tzinfo=UTC)
    prepared = prepare(statement, statement_id=UUID, stored=stored, authority=AGENT)
    assert prepared["id"] == UUID
    assert prepared["stored"] == prepared["timestamp"] == "2024-05-01T05:30:00+00:00"
    assert prepared["authority"] == AGENT
    assert prepared["version"] == "1.0.0"
    assert prepared["context"]["contextActivities"] == {"parent": [{"id": "http://x.org/c"}]}
    assert "id" not in statement  # the client's statement is left as it was


@pytest.mark.parametrize(
    ("change", "same"),
    [
        pytest.param(lambda s: None, True, id="identical"),
        pytest.param(put("timestamp", "2030-01-01T00:00:00Z"), True, id="timestamp ignored"),
        pytest.param(put("stored", "2030-01-01T00:00:00Z"), True, id="stored ignored"),
        pytest.param(put("authority", {"mbox": "mailto:x@x.org"}), True, id="authority ignored"),
        pytest.param(put("version", "1.0.3"), True, id="version ignored"),
        pytest.param(put("object.definition", {"name": {"en": "Other"}}), True,
                     id="activity definition ignored"),
        pytest.param(put("context.contextActivities", {"parent": [{"id": "http://x.org/c"}]}),
                     True, id="one context activity as a list"),
        pytest.param(put("result.score.scaled", 0.6), False, id="another score"),
        pytest.param(put("verb.id", "http://adlnet.gov/expapi/verbs/passed"), False,
                     id="another verb"),
        pytest.param(drop("result"), False, id="no result"),
    ],
)  # fmt: skip
def test_statement_comparison(change: Mutation, same: bool) -> None:
    first = base()
    first["context"] = {"contextActivities": {"parent": {"id": "http://x.org/c"}}}
    second = copy.deepcopy(first)
    change(second)
    assert same_statement(first, second) is same


def test_group_members_compare_in_any_order() -> None:
    one, two = {"mbox": "mailto:a@x.org"}, {"mbox": "mailto:b@x.org"}
    first = base()
    first["actor"] = {"objectType": "Group", "member": [one, two]}
    second = copy.deepcopy(first)
    second["actor"]["member"].reverse()
    assert same_statement(first, second)
