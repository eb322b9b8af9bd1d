"""Jira webhooks and issue histories as typed events, with ids that are stable across both paths."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jira import JIRA

from bot.jira.events import (
    EVENT_KINDS,
    IssueEvent,
    kinds,
    mentions_marker,
    parse_issue_history,
    parse_webhook,
    sign,
    verify_signature,
)
from tests.fakes.jira import FakeJira

BASE = "https://acme.atlassian.net"
DC_BASE = "https://jira.acme.example"
# 2026-11-23 10:00 in Berlin (+0100) is 09:00 UTC.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()
ALICE_ID = "712020:00000000-0000-4000-8000-000000000002"


def cloud_user(account_id: str = ALICE_ID, name: str = "Alice Anders") -> dict[str, Any]:
    return {
        "self": f"{BASE}/rest/api/2/user?accountId={account_id}",
        "accountId": account_id,
        "avatarUrls": {"48x48": f"{BASE}/avatar/48", "24x24": f"{BASE}/avatar/24"},
        "displayName": name,
        "active": True,
        "timeZone": "Europe/Berlin",
        "accountType": "atlassian",
    }


def dc_user(username: str = "alice", name: str = "Alice Anders") -> dict[str, Any]:
    return {
        "self": f"{DC_BASE}/rest/api/2/user?username={username}",
        "name": username,
        "key": "JIRAUSER10002",
        "emailAddress": f"{username}@acme.example",
        "avatarUrls": {"48x48": f"{DC_BASE}/secure/useravatar?avatarId=10122"},
        "displayName": name,
        "active": True,
        "timeZone": "Europe/Berlin",
    }


def issue_json(key: str = "SUP-12", summary: str = "Export to Excel fails", status: str = "In Progress",
               base: str = BASE) -> dict[str, Any]:
    return {
        "id": "10012",
        "self": f"{base}/rest/api/2/issue/10012",
        "key": key,
        "fields": {
            "summary": summary,
            "issuetype": {"id": "10001", "name": "Bug", "subtask": False},
            "project": {"id": "10000", "key": key.split("-")[0], "name": "Support"},
            "status": {
                "self": f"{base}/rest/api/2/status/3",
                "name": status,
                "id": "3",
                "statusCategory": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
            },
            "priority": {"id": "3", "name": "Medium"},
            "updated": "2026-11-23T10:00:00.000+0100",
        },
    }


STATUS_ITEM = {"field": "status", "fieldtype": "jira", "fieldId": "status", "from": "10000",
               "fromString": "To Do", "to": "3", "toString": "In Progress"}
RESOLUTION_ITEM = {"field": "resolution", "fieldtype": "jira", "fieldId": "resolution", "from": None,
                   "fromString": None, "to": "10000", "toString": "Fixed"}
DONE_ITEM = {"field": "status", "fieldtype": "jira", "fieldId": "status", "from": "3",
             "fromString": "In Progress", "to": "10001", "toString": "Done"}
ASSIGNEE_ITEM = {"field": "assignee", "fieldtype": "jira", "fieldId": "assignee", "from": None,
                 "fromString": None, "to": ALICE_ID, "toString": "Olga Orlova"}
DUE_ITEM = {"field": "duedate", "fieldtype": "jira", "fieldId": "duedate", "from": "2026-11-27",
            "fromString": "2026-11-27 00:00:00.0", "to": "2026-12-04", "toString": "2026-12-04 00:00:00.0"}
LABELS_ITEM = {"field": "labels", "fieldtype": "jira", "fieldId": "labels", "from": None, "fromString": "",
               "to": None, "toString": "acme"}


def cloud_issue_updated(items: list[dict[str, Any]], changelog_id: str = "10042",
                        comment: dict[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "timestamp": int(T0 * 1000) + 123,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": cloud_user(),
        "issue": issue_json(),
        "changelog": {"id": changelog_id, "items": items},
    }
    if comment is not None:
        payload["comment"] = comment
    return payload


def cloud_comment(comment_id: str = "10100", body: str = "Which Excel version? @sales",
                  created: str = "2026-11-23T10:00:00.000+0100") -> dict[str, Any]:
    author = cloud_user()
    return {
        "self": f"{BASE}/rest/api/2/issue/10012/comment/{comment_id}",
        "id": comment_id,
        "author": author,
        "body": body,
        "updateAuthor": author,
        "created": created,
        "updated": created,
        "jsdPublic": True,
    }


def dc_comment(comment_id: str = "10100", body: str = "Which Excel version? @sales",
               created: str = "2026-11-23T10:00:00.000+0100") -> dict[str, Any]:
    author = dc_user()
    return {
        "self": f"{DC_BASE}/rest/api/2/issue/10012/comment/{comment_id}",
        "id": comment_id,
        "author": author,
        "body": body,
        "updateAuthor": author,
        "created": created,
        "updated": created,
    }


def comment_created(comment: dict[str, Any], base: str = BASE) -> dict[str, Any]:
    return {
        "timestamp": int(T0 * 1000) + 450,
        "webhookEvent": "comment_created",
        "comment": comment,
        "issue": issue_json(base=base),
    }


def dc_issue_updated(items: list[dict[str, Any]] | None, changelog_id: str = "10042",
                     comment: dict[str, Any] | None = None, event_type: str = "issue_generic") -> dict[str, Any]:
    payload: dict[str, Any] = {
        "timestamp": int(T0 * 1000) + 123,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": event_type,
        "user": dc_user(),
        "issue": issue_json(base=DC_BASE),
    }
    if items is not None:
        # Data Center's changelog items carry no fieldId.
        payload["changelog"] = {"id": changelog_id,
                                "items": [{k: v for k, v in i.items() if k != "fieldId"} for i in items]}
    if comment is not None:
        payload["comment"] = comment
    return payload


def history(history_id: str, items: list[dict[str, Any]], created: str, author: dict[str, Any]) -> dict[str, Any]:
    return {"id": history_id, "author": author, "created": created, "items": items}


def issue_with_history(histories: list[dict[str, Any]], comments: list[dict[str, Any]]) -> dict[str, Any]:
    """GET /rest/api/2/issue/SUP-12?expand=changelog&fields=summary,comment,status."""
    issue = issue_json()
    issue["expand"] = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
    issue["changelog"] = {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                          "histories": histories}
    issue["fields"]["comment"] = {"comments": comments, "maxResults": len(comments), "total": len(comments),
                                  "startAt": 0}
    return issue


# ---------------------------------------------------------------------- webhooks


def test_cloud_status_change() -> None:
    [event] = parse_webhook(cloud_issue_updated([STATUS_ITEM]))
    assert event == IssueEvent(
        event_id="SUP-12:cl:10042:status", issue_key="SUP-12", summary="Export to Excel fails", kind="status",
        actor_id=ALICE_ID, actor_name="Alice Anders", at=T0 + 0.123, old="To Do", new="In Progress",
    )


def test_dc_transition_to_done_sets_the_resolution_too() -> None:
    events = parse_webhook(dc_issue_updated([DONE_ITEM, RESOLUTION_ITEM]))
    assert [(e.event_id, e.kind, e.old, e.new) for e in events] == [
        ("SUP-12:cl:10042:status", "status", "In Progress", "Done"),
        ("SUP-12:cl:10042:resolution", "resolution", None, "Fixed"),
    ]
    assert {e.actor_id for e in events} == {"alice"}


def test_assignee_and_due_date_changes() -> None:
    events = parse_webhook(cloud_issue_updated([ASSIGNEE_ITEM, DUE_ITEM, LABELS_ITEM]))
    assert [(e.kind, e.old, e.new) for e in events] == [
        ("assignee", None, "Olga Orlova"),
        ("duedate", "2026-11-27", "2026-12-04"),
    ]


def test_due_date_removed_and_only_strings_given() -> None:
    item = {"field": "duedate", "fieldtype": "jira", "from": None, "fromString": "2026-11-27 00:00:00.0",
            "to": None, "toString": None}
    [event] = parse_webhook(dc_issue_updated([item]))
    assert (event.old, event.new) == ("2026-11-27", None)


def test_transition_with_a_comment_gives_both() -> None:
    payload = cloud_issue_updated([DONE_ITEM, RESOLUTION_ITEM], comment=cloud_comment(body="Fixed in 4.2"))
    events = parse_webhook(payload)
    assert [e.event_id for e in events] == [
        "SUP-12:cl:10042:status", "SUP-12:cl:10042:resolution", "SUP-12:c:10100",
    ]
    assert events[2].body == "Fixed in 4.2"


@pytest.mark.parametrize(("comment", "base", "actor"), [
    (cloud_comment(), BASE, ALICE_ID),
    (dc_comment(), DC_BASE, "alice"),
])
def test_comment_created(comment: dict[str, Any], base: str, actor: str) -> None:
    [event] = parse_webhook(comment_created(comment, base))
    assert event == IssueEvent(
        event_id="SUP-12:c:10100", issue_key="SUP-12", summary="Export to Excel fails", kind="comment",
        actor_id=actor, actor_name="Alice Anders", at=T0, comment_id="10100", body="Which Excel version? @sales",
    )


def test_dc_issue_commented_is_the_same_event_as_comment_created() -> None:
    """Data Center sends both jira:issue_updated (issue_commented) and comment_created for one comment."""
    updated = parse_webhook(dc_issue_updated(None, comment=dc_comment(), event_type="issue_commented"))
    created = parse_webhook(comment_created(dc_comment(), DC_BASE))
    assert [e.event_id for e in updated] == [e.event_id for e in created] == ["SUP-12:c:10100"]


@pytest.mark.parametrize("event_type", ["issue_comment_edited", "issue_comment_deleted"])
def test_dc_comment_edits_are_not_new_comments(event_type: str) -> None:
    assert parse_webhook(dc_issue_updated(None, comment=dc_comment(), event_type=event_type)) == []


def test_comment_body_in_document_format() -> None:
    adf = {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [
            {"type": "mention", "attrs": {"id": ALICE_ID, "text": "@Olga"}},
            {"type": "text", "text": " which Excel version?"},
        ]},
        {"type": "paragraph", "content": [{"type": "text", "text": "Thanks"}]},
    ]}
    [event] = parse_webhook(comment_created(cloud_comment() | {"body": adf}))
    assert event.body == "@Olga which Excel version?\nThanks"


@pytest.mark.parametrize("name", ["comment_updated", "comment_deleted", "jira:issue_created", "jira:issue_deleted",
                                  "worklog_updated", "", None])
def test_other_webhooks_give_no_events(name: str | None) -> None:
    payload = cloud_issue_updated([STATUS_ITEM], comment=cloud_comment())
    payload["webhookEvent"] = name
    assert parse_webhook(payload) == []


def test_changelog_without_id_gives_no_changelog_events() -> None:
    payload = cloud_issue_updated([STATUS_ITEM])
    del payload["changelog"]["id"]
    assert parse_webhook(payload) == []


def test_missing_timestamp_falls_back_to_updated_then_received_at() -> None:
    payload = cloud_issue_updated([STATUS_ITEM])
    del payload["timestamp"]
    assert parse_webhook(payload)[0].at == T0
    del payload["issue"]["fields"]["updated"]
    assert parse_webhook(payload) == []
    assert parse_webhook(payload, received_at=T0 + 5)[0].at == T0 + 5


def test_unchanged_values_are_no_event() -> None:
    item = dict(STATUS_ITEM, toString="To Do")
    assert parse_webhook(cloud_issue_updated([item])) == []


# ---------------------------------------------------------------------- issue history (the poller)


def test_history_gives_the_same_ids_as_webhooks() -> None:
    """A status change and a comment, seen by webhook and later by the poller, are the same events."""
    hooks = [
        *parse_webhook(cloud_issue_updated([DONE_ITEM, RESOLUTION_ITEM])),
        *parse_webhook(comment_created(cloud_comment())),
    ]
    issue = issue_with_history(
        [history("10042", [DONE_ITEM, RESOLUTION_ITEM], "2026-11-23T10:00:00.000+0100", cloud_user())],
        [cloud_comment()],
    )
    polled = parse_issue_history(issue, since=T0 - 60)
    assert sorted(e.event_id for e in polled) == sorted(e.event_id for e in hooks)
    by_id = {e.event_id: e for e in polled}
    for event in hooks:
        twin = by_id[event.event_id]
        assert (twin.kind, twin.old, twin.new, twin.actor_id, twin.body) == (
            event.kind, event.old, event.new, event.actor_id, event.body)


def test_dc_history_gives_the_same_ids_as_dc_webhooks() -> None:
    hooks = parse_webhook(dc_issue_updated([DUE_ITEM])) + parse_webhook(comment_created(dc_comment(), DC_BASE))
    issue = issue_with_history(
        [history("10042", [{k: v for k, v in DUE_ITEM.items() if k != "fieldId"}],
                 "2026-11-23T10:00:00.000+0100", dc_user())],
        [dc_comment()],
    )
    assert [e.event_id for e in parse_issue_history(issue, 0)] == [e.event_id for e in hooks]
    assert {e.actor_id for e in parse_issue_history(issue, 0)} == {"alice"}


def test_history_keeps_events_since_and_sorts_them() -> None:
    issue = issue_with_history(
        [
            history("10050", [DONE_ITEM], "2026-11-23T11:00:00.000+0100", cloud_user()),
            history("10040", [STATUS_ITEM], "2026-11-23T09:00:00.000+0100", cloud_user()),
            history("10045", [LABELS_ITEM], "2026-11-23T10:30:00.000+0100", cloud_user()),
        ],
        [
            cloud_comment("10101", "late", "2026-11-23T10:45:00.000+0100"),
            cloud_comment("10099", "early", "2026-11-23T08:59:00.000+0100"),
        ],
    )
    events = parse_issue_history(issue, since=T0)
    assert [e.event_id for e in events] == ["SUP-12:c:10101", "SUP-12:cl:10050:status"]
    assert [e.at for e in events] == [T0 + 45 * 60, T0 + 3600]
    # "at or after": an event exactly at `since` counts.
    assert "SUP-12:cl:10040:status" in {e.event_id for e in parse_issue_history(issue, since=T0 - 3600)}


def test_history_timestamps_in_other_offsets() -> None:
    issue = issue_with_history(
        [history("1", [STATUS_ITEM], "2026-11-23T09:00:00.000+0000", cloud_user()),
         history("2", [DONE_ITEM], "2026-11-23T12:00:00.000+0300", cloud_user()),
         history("3", [DUE_ITEM], "2026-11-23T09:00:00Z", cloud_user())],
        [],
    )
    assert {e.at for e in parse_issue_history(issue, 0)} == {T0}


# ---------------------------------------------------------------------- against the fake Jira's real shapes


@pytest.fixture(params=["cloud", "dc9"])
def jira_fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param) as fake:
        yield fake
        assert fake.internal_errors == []


def connect(fake: FakeJira) -> JIRA:
    cloud = fake.mode == "cloud"
    auth: dict[str, Any] = {"basic_auth": (fake.email, fake.api_token)} if cloud else {"token_auth": fake.pat}
    return JIRA(server=fake.url, timeout=5, max_retries=0, **auth)


def test_comments_fetched_with_python_jira(jira_fake: FakeJira) -> None:
    """Comments as Jira returns them (accountId on Cloud, name on DC) become events with webhook ids."""
    issue = jira_fake.add_issue("Export to Excel fails")
    alice = jira_fake.users[1]
    comment = jira_fake._comment_json(issue, "@sales which version?", alice)
    issue["comments"].append(comment)
    client = connect(jira_fake)
    try:
        raw = client.issue("SUP-1", fields="summary,comment,status", expand="changelog").raw
    finally:
        client.close()
    [event] = parse_issue_history(raw, since=0)
    expected_actor = alice["accountId"] if jira_fake.mode == "cloud" else alice["name"]
    assert (event.event_id, event.actor_id, event.actor_name, event.body) == (
        f"SUP-1:c:{comment['id']}", expected_actor, "Alice Anders", "@sales which version?")
    hook = {"timestamp": 1, "webhookEvent": "comment_created", "comment": comment,
            "issue": {"id": issue["id"], "key": "SUP-1", "fields": {"summary": "Export to Excel fails"}}}
    assert parse_webhook(hook) == [event]


# ---------------------------------------------------------------------- signatures and markers


def test_verify_signature() -> None:
    body = json.dumps(cloud_issue_updated([STATUS_ITEM])).encode()
    header = sign("s3cret", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature("s3cret", body, header)
    assert verify_signature("s3cret", body, header.upper().replace("SHA256=", "sha256="))
    assert verify_signature("s3cret", body, f" {header} ")
    assert not verify_signature("other", body, header)
    assert not verify_signature("s3cret", body + b" ", header)
    assert not verify_signature("", body, sign("", body))


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256", "sha1=" + "0" * 40, "md5=abc",
                                    "sha256=" + "z" * 64, "sha256=" + "0" * 63, "sha256=" + "0" * 64 + "00",
                                    "sha256=ünïcode"])
def test_verify_signature_rejects_missing_and_malformed(header: str | None) -> None:
    assert not verify_signature("s3cret", b"{}", header)


@pytest.mark.parametrize(("body", "expected"), [
    ("@sales which Excel version?", True),
    ("Question for @Sales: which version?", True),
    ("[?] Which version does ACME use?", True),
    ("Which version? [?]", True),
    ("ask @salesforce team", False),
    ("mail sales@acme.example", False),
    ("mail bob@sales.acme.example", False),
    ("(@sales) which version?", True),
    ("Works now, closing.", False),
    ("", False),
])
def test_mentions_marker(body: str, expected: bool) -> None:
    assert mentions_marker(body, ("@sales", "[?]")) is expected


def test_mentions_marker_ignores_empty_markers() -> None:
    assert not mentions_marker("anything", ("", "  "))


def test_kinds() -> None:
    assert kinds(["comment", "bogus", "status"]) == frozenset({"comment", "status"})
    assert kinds(EVENT_KINDS) == frozenset(EVENT_KINDS)


# ---------------------------------------------------------------------- robustness

KEYS = ["webhookEvent", "issue_event_type_name", "timestamp", "user", "issue", "key", "fields", "summary",
        "changelog", "id", "items", "field", "fieldId", "from", "fromString", "to", "toString", "comment",
        "author", "body", "created", "accountId", "name", "displayName", "histories", "comments", "type",
        "content", "text"]
LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.sampled_from(["jira:issue_updated", "comment_created", "status", "assignee", "resolution", "duedate",
                     "SUP-1", "2026-11-23T10:00:00.000+0100", "9999-12-31T23:59:59.999+1400", "0001-01-01",
                     "issue_commented", "paragraph", "mention", "hardBreak"]),
)
JSONISH = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=6),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), JSONISH, max_size=8), st.floats())
def test_parsers_never_raise(payload: dict[str, Any], since: float) -> None:
    for events in (parse_webhook(payload), parse_issue_history(payload, since)):
        assert isinstance(events, list)
        assert all(isinstance(e, IssueEvent) and e.kind in EVENT_KINDS for e in events)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from _paths(child, (*prefix, index))


REAL_PAYLOADS = [
    cloud_issue_updated([STATUS_ITEM, ASSIGNEE_ITEM, DUE_ITEM], comment=cloud_comment()),
    comment_created(dc_comment(), DC_BASE),
    issue_with_history([history("1", [DONE_ITEM, RESOLUTION_ITEM], "2026-11-23T10:00:00.000+0100", dc_user())],
                       [dc_comment()]),
]


@pytest.mark.parametrize("replacement", [None, 7, "", "x", [], {}, True, 1e308, -1])
def test_any_field_broken_in_a_real_payload_never_raises(replacement: Any) -> None:
    for original in REAL_PAYLOADS:
        for path in _paths(original):
            payload = copy.deepcopy(original)
            target = payload
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = replacement
            assert isinstance(parse_webhook(payload), list)
            assert isinstance(parse_issue_history(payload, 0), list)


def test_non_mapping_payloads() -> None:
    payloads: list[Any] = [None, [], "jira:issue_updated", 5]
    for payload in payloads:
        assert parse_webhook(payload) == []
        assert parse_issue_history(payload, 0) == []


def test_huge_timestamp_does_not_break() -> None:
    payload = cloud_issue_updated([STATUS_ITEM])
    payload["timestamp"] = 10**400
    payload["issue"]["fields"]["updated"] = None
    assert parse_webhook(payload) == []
    assert parse_webhook(payload, received_at=T0)[0].at == T0

