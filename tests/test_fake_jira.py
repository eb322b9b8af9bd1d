"""Real python-jira against FakeJira in its Cloud, Data Center 8.20 and Data Center 9 modes."""

from __future__ import annotations

import asyncio
import io
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
import requests
from aiohttp import web
from jira import JIRA, JIRAError
from multidict import CIMultiDict

from bot.jira.events import parse_issue_history, parse_webhook, verify_signature
from tests.conftest import Clock
from tests.fakes.jira import MAX_RECONCILE, FakeJira, Mode

MODES: tuple[Mode, ...] = ("cloud", "dc8", "dc9")
DC_MODES: tuple[Mode, ...] = ("dc8", "dc9")


def connect(fake: FakeJira, **overrides: Any) -> JIRA:
    """A python-jira client the way the bot builds one: basic auth on Cloud, a PAT on DC."""
    cloud = fake.mode == "cloud"
    auth: dict[str, Any] = {"basic_auth": (fake.email, fake.api_token)} if cloud else {"token_auth": fake.pat}
    options = {"timeout": 5, "max_retries": 0, **auth, **overrides}
    return JIRA(server=fake.url, **options)


def raw_auth(fake: FakeJira) -> dict[str, Any]:
    """requests keyword arguments carrying valid credentials for the fake's mode."""
    if fake.mode == "cloud":
        return {"auth": (fake.email, fake.api_token)}
    return {"headers": {"Authorization": f"Bearer {fake.pat}"}}


@pytest.fixture(params=MODES)
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    """A running fake in each mode."""
    with FakeJira(request.param) as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture(params=DC_MODES)
def dc_fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    """A running fake in each Data Center mode."""
    with FakeJira(request.param) as server:
        yield server


@pytest.fixture
def make_fake() -> Iterator[Callable[..., FakeJira]]:
    """Start fakes with custom settings; all are stopped at the end."""
    started: list[FakeJira] = []

    def factory(mode: Mode = "cloud", **kwargs: Any) -> FakeJira:
        """Start one fake; it is stopped when the test ends."""
        server = FakeJira(mode, **kwargs)
        server.start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def jira(fake: FakeJira) -> Iterator[JIRA]:
    """A python-jira client for the parametrised fake."""
    client = connect(fake)
    yield client
    client.close()


def valid_fields(**changes: Any) -> dict[str, Any]:
    """A minimal valid create body; a change of None removes the field."""
    fields: dict[str, Any] = {
        "project": {"key": "SUP"},
        "issuetype": {"name": "Bug"},
        "summary": "Customer cannot log in",
    }
    for name, value in changes.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    return fields


def create_errors(client: JIRA, fields: dict[str, Any]) -> tuple[int | None, dict[str, str]]:
    """Create an issue that must fail; return the status and Jira's per-field errors."""
    with pytest.raises(JIRAError) as info:
        client.create_issue(fields=fields)
    assert info.value.response is not None
    body = info.value.response.json()
    assert body["errorMessages"] == []
    return info.value.status_code, body["errors"]


# ---------------------------------------------------------------------- server info, auth, basics


def test_server_info_differs_per_mode(fake: FakeJira, jira: JIRA) -> None:
    """Each mode reports its own version; python-jira derives _is_cloud from deploymentType."""
    info = jira.server_info()
    expected = {
        "cloud": ("1001.0.0-SNAPSHOT", [1001, 0, 0], "Cloud"),
        "dc8": ("8.20.30", [8, 20, 30], "Server"),
        "dc9": ("9.12.15", [9, 12, 15], "Server"),
    }[fake.mode]
    assert (info["version"], info["versionNumbers"], info["deploymentType"]) == expected
    assert info["baseUrl"] == fake.url
    assert jira._is_cloud is (fake.mode == "cloud")


def test_server_info_is_anonymous_but_myself_is_not(fake: FakeJira) -> None:
    """serverInfo answers without credentials; everything else needs them."""
    assert requests.get(f"{fake.url}/rest/api/2/serverInfo", timeout=5).status_code == 200
    response = requests.get(f"{fake.url}/rest/api/2/myself", timeout=5)
    assert response.status_code == 401
    if fake.mode == "cloud":
        assert response.json() == {
            "message": "Client must be authenticated to access this resource.",
            "status-code": 401,
        }
    else:
        assert response.json()["errorMessages"] == [
            "You are not authenticated. Authentication required to perform this operation."
        ]


def test_myself_shape(fake: FakeJira, jira: JIRA) -> None:
    """Cloud identifies users by accountId, DC by name and key."""
    me = jira.myself()
    assert me["emailAddress"] == fake.email
    assert me["active"] is True
    if fake.mode == "cloud":
        assert me["accountId"].startswith("712020:")
        assert "name" not in me
        assert jira.current_user() == me["accountId"]
    else:
        assert (me["name"], me["key"]) == ("bot", "JIRAUSER10001")
        assert "accountId" not in me
        assert jira.current_user() == "bot"


def test_cloud_rejects_wrong_token_and_bearer(make_fake: Callable[..., FakeJira]) -> None:
    """Cloud takes only email + API token; the 401 surfaces while python-jira reads serverInfo."""
    fake = make_fake("cloud")
    with pytest.raises(JIRAError) as info:
        JIRA(server=fake.url, basic_auth=(fake.email, "wrong"), timeout=5, max_retries=0)
    assert info.value.status_code == 401
    with pytest.raises(JIRAError) as info:
        JIRA(server=fake.url, token_auth=fake.pat, timeout=5, max_retries=0)
    assert info.value.status_code == 401


def test_dc_rejects_bad_pat_with_seraph_header(dc_fake: FakeJira) -> None:
    """A bad PAT on DC is a 401 with X-Seraph-LoginReason: AUTHENTICATED_FAILED."""
    with pytest.raises(JIRAError) as info:
        JIRA(server=dc_fake.url, token_auth="nope", timeout=5, max_retries=0)
    assert info.value.status_code == 401
    assert info.value.response is not None
    assert info.value.response.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"


def test_dc_basic_auth_needs_the_username(dc_fake: FakeJira) -> None:
    """DC Basic auth works with the username; a wrong password gets Seraph's plain failure page."""
    client = JIRA(server=dc_fake.url, basic_auth=("bot", dc_fake.api_token), timeout=5, max_retries=0)
    assert client.myself()["name"] == "bot"
    for login in (("bot", "wrong"), (dc_fake.email, dc_fake.api_token)):
        response = requests.get(f"{dc_fake.url}/rest/api/2/myself", auth=login, timeout=5)
        assert response.status_code == 401
        assert response.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"
        assert "AUTHENTICATED_FAILED" in response.text


def test_reference_data(fake: FakeJira, jira: JIRA) -> None:
    """Projects, priorities, issue types and fields are seeded and served."""
    assert [p.key for p in jira.projects()] == ["SUP"]
    assert jira.project("SUP").id == "10000"
    assert [t.name for t in jira.project("SUP").issueTypes] == ["Bug", "Task", "Story"]
    assert [p.name for p in jira.priorities()] == ["Highest", "High", "Medium", "Low", "Lowest"]
    assert {t.name: t.id for t in jira.issue_types()} == {"Bug": "10001", "Task": "10002", "Story": "10003"}
    fields = {f["id"]: f for f in jira.fields()}
    assert fields["customfield_10050"]["schema"]["type"] == "number"
    assert fields["customfield_10051"]["clauseNames"] == ["cf[10051]", "Customer tier"]
    assert fields["customfield_10052"]["schema"] == {
        "type": "array",
        "items": "option",
        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multiselect",
        "customId": 10052,
    }
    assert "allowedValues" not in fields["customfield_10051"]


def test_unknown_project_is_404(jira: JIRA) -> None:
    """GET project/{key} for a missing project uses Jira's wording."""
    with pytest.raises(JIRAError) as info:
        jira.project("XYZ")
    assert info.value.status_code == 404
    assert info.value.response is not None
    assert info.value.response.json() == {
        "errorMessages": ["No project could be found with key 'XYZ'."],
        "errors": {},
    }


def test_user_search(fake: FakeJira, jira: JIRA) -> None:
    """Cloud searches users by query and returns accountIds; DC searches by username."""
    if fake.mode == "cloud":
        users = jira.search_users(query="alice")
        assert [u.accountId for u in users] == [fake.users[1]["accountId"]]
        with pytest.raises(JIRAError) as info:
            jira.search_users(user="alice")
        assert info.value.status_code == 400
        assert "GDPR strict mode" in str(info.value.text)
    else:
        assert [u.name for u in jira.search_users(user="alice")] == ["alice"]
        assert jira.user("bob").displayName == "Bob Brandt"


def test_user_search_matches_prefixes_of_names_and_emails(fake: FakeJira, jira: JIRA) -> None:
    """A search term matches the start of an email or a display name's word (and a DC user name), in any case."""
    fake.add_user("eeng", "eva@company.com", "Eva Engineer")
    fake.add_user("evans", "evan@company.com", "Evan Evans")
    fake.add_user("gone", "eva.old@company.com", "Eva Gone", active=False)
    cloud = fake.mode == "cloud"

    def search(term: str) -> list[str]:
        """Display names of the users Jira finds for term, as the deployment's parameter asks."""
        found = jira.search_users(query=term) if cloud else jira.search_users(user=term)
        return sorted(user.displayName for user in found)

    assert search("eva") == search("EV") == ["Eva Engineer", "Evan Evans"]
    assert search("engin") == ["Eva Engineer"]
    assert search("eva@company.com") == ["Eva Engineer"]
    assert search("company.com") == search("ngineer") == []
    # Cloud has no user names to search (GDPR); Data Center matches them too.
    assert search("eeng") == ([] if cloud else ["Eva Engineer"])


# ---------------------------------------------------------------------- creating issues


@pytest.mark.parametrize("prefetch", [False, True])
def test_create_issue_with_key_and_name(fake: FakeJira, jira: JIRA, prefetch: bool) -> None:
    """project {"key"} + issuetype {"name"} creates SUP-1, SUP-2, ... and stores the fields."""
    first = jira.create_issue(fields=valid_fields(labels=["ts-abc"]), prefetch=prefetch)
    second = jira.create_issue(fields=valid_fields(summary="Second"), prefetch=prefetch)
    assert (first.key, second.key) == ("SUP-1", "SUP-2")
    assert first.id != second.id
    stored = fake.issues["SUP-1"]
    assert stored["fields"]["summary"] == "Customer cannot log in"
    assert stored["fields"]["labels"] == ["ts-abc"]
    assert stored["fields"]["priority"]["name"] == "Medium"
    assert stored["fields"]["status"]["name"] == "To Do"
    if prefetch:
        assert first.fields.summary == "Customer cannot log in"
        assert first.fields.issuetype.name == "Bug"
        assert first.fields.status.statusCategory.key == "new"
    else:
        assert first.raw == {
            "id": stored["id"],
            "key": "SUP-1",
            "self": f"{fake.url}/rest/api/2/issue/{stored['id']}",
        }
    assert len(fake.creates) == 2


def test_create_issue_with_ids_and_every_field_type(fake: FakeJira, jira: JIRA) -> None:
    """ids, priority, dates, components, reporter and all three custom field types round-trip."""
    reporter = {"accountId": fake.users[1]["accountId"]} if fake.mode == "cloud" else {"name": "alice"}
    issue = jira.create_issue(
        fields=valid_fields(
            project={"id": "10000"},
            issuetype={"id": "10002"},
            summary="x" * 255,
            description="d" * 32767,
            priority={"name": "High"},
            duedate="2026-12-25",
            labels=["ts-abc", "crm"],
            components=[{"name": "Billing"}],
            reporter=reporter,
            customfield_10050=5000,
            customfield_10051={"value": "Gold"},
            customfield_10052=[{"value": "SMB"}, {"id": "10200"}],
        )
    )
    fields = jira.issue(issue.key).fields
    assert fields.issuetype.name == "Task"
    assert fields.priority.name == "High"
    assert fields.duedate == "2026-12-25"
    assert [c.name for c in fields.components] == ["Billing"]
    assert fields.reporter.displayName == "Alice Anders"
    assert fields.customfield_10050 == 5000.0
    assert fields.customfield_10051.value == "Gold"
    assert [o.value for o in fields.customfield_10052] == ["SMB", "Enterprise"]
    assert len(fields.description) == 32767


def test_create_issue_keyword_style_resolves_project_and_type(jira: JIRA) -> None:
    """python-jira's string project/issuetype path (project lookup, issueTypes expansion) works too."""
    issue = jira.create_issue(project="SUP", issuetype="Story", summary="Keyword style")
    assert issue.fields.issuetype.name == "Story"


EXPECTED_WORDING: dict[str, dict[str, str]] = {
    "unknown_project": {
        "cloud": "Specify a valid project ID or key",
        "dc8": "valid project is required",
        "dc9": "valid project is required",
    },
    "unknown_issue_type": {
        "cloud": "The issue type selected is invalid.",
        "dc8": "valid issue type is required",
        "dc9": "valid issue type is required",
    },
    "label_with_space": {
        "cloud": "The label 'big deal' can't contain spaces.",
        "dc8": "The label 'big deal' contains spaces which is invalid.",
        "dc9": "The label 'big deal' contains spaces which is invalid.",
    },
    "priority_name": {
        "cloud": "The priority selected is invalid.",
        "dc8": "Priority name 'Urgent' is not valid",
        "dc9": "Priority name 'Urgent' is not valid",
    },
    "due_date_required": {
        "cloud": "Due date is required.",
        "dc8": "Due Date is required.",
        "dc9": "Due Date is required.",
    },
}

NOT_ON_SCREEN = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."
LABEL_TOO_LONG = f"The label '{'x' * 256}' exceeds the maximum length for a single label of 255 characters."
TOO_LONG = "The entered text is too long. It exceeds the allowed limit of 32,767 characters."


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"project": {"key": "NOPE"}}, {"project": "unknown_project"}, id="unknown-project-key"),
        pytest.param({"project": {"id": "99999"}}, {"project": "unknown_project"}, id="unknown-project-id"),
        pytest.param({"issuetype": {"name": "Epic"}}, {"issuetype": "unknown_issue_type"}, id="unknown-type"),
        pytest.param(
            {"summary": None}, {"summary": "You must specify a summary of the issue."}, id="no-summary"
        ),
        pytest.param({"summary": "   "}, {"summary": "You must specify a summary of the issue."}, id="blank"),
        pytest.param(
            {"summary": "x" * 256},
            {"summary": "Summary must be less than 255 characters."},
            id="long-summary",
        ),
        pytest.param(
            {"summary": "two\nlines"},
            {"summary": "The summary is invalid because it contains newline characters."},
            id="newline",
        ),
        pytest.param(
            {"customfield_99999": 1},
            {"customfield_99999": NOT_ON_SCREEN.format("customfield_99999")},
            id="unknown",
        ),
        pytest.param({"labels": ["ok", "big deal"]}, {"labels": "label_with_space"}, id="label-space"),
        pytest.param(
            {"labels": ["x" * 256]},
            {"labels": LABEL_TOO_LONG},
            id="label-long",
        ),
        pytest.param({"labels": "ts-abc"}, {"labels": "data was not an array"}, id="labels-not-array"),
        pytest.param({"description": "d" * 32768}, {"description": TOO_LONG}, id="description-long"),
        pytest.param({"priority": {"name": "Urgent"}}, {"priority": "priority_name"}, id="priority-name"),
        pytest.param(
            {"priority": {"id": "99"}}, {"priority": "The priority selected is invalid."}, id="priority-id"
        ),
        pytest.param(
            {"duedate": "25/12/2026"}, {"duedate": "Error parsing date string: 25/12/2026"}, id="date-fmt"
        ),
        pytest.param(
            {"duedate": "2026-02-30"}, {"duedate": "Error parsing date string: 2026-02-30"}, id="date-day"
        ),
        pytest.param(
            {"customfield_10051": {"value": "Platinum"}},
            {"customfield_10051": "Option value 'Platinum' is not valid"},
            id="select-value",
        ),
        pytest.param(
            {"customfield_10051": "Gold"},
            {"customfield_10051": "Could not find valid 'id' or 'value' in the Parent Option object."},
            id="select-not-object",
        ),
        pytest.param(
            {"customfield_10052": {"value": "SMB"}},
            {"customfield_10052": "data was not an array"},
            id="multiselect-not-array",
        ),
        pytest.param(
            {"customfield_10050": "5000"},
            {"customfield_10050": "Operation value must be a number"},
            id="number-as-string",
        ),
        pytest.param(
            {"components": [{"name": "Nope"}]},
            {"components": "Component name 'Nope' is not valid"},
            id="component",
        ),
    ],
)
def test_create_validation_errors(
    fake: FakeJira, jira: JIRA, changes: dict[str, Any], expected: dict[str, str]
) -> None:
    """Each bad create answers 400 with exactly Jira's per-field error and stores nothing."""
    status, errors = create_errors(jira, valid_fields(**changes))
    wanted = {name: EXPECTED_WORDING.get(text, {}).get(fake.mode, text) for name, text in expected.items()}
    assert status == 400
    assert errors == wanted
    assert fake.issues == {}
    assert len(fake.creates) == 1


def test_required_fields_from_require_field(fake: FakeJira, jira: JIRA) -> None:
    """require_field makes a system or custom field mandatory on that type only."""
    fake.require_field("Bug", "duedate")
    fake.require_field("Bug", "customfield_10050")
    status, errors = create_errors(jira, valid_fields())
    assert status == 400
    assert errors == {
        "duedate": EXPECTED_WORDING["due_date_required"][fake.mode],
        "customfield_10050": "Deal size is required.",
    }
    assert jira.create_issue(fields=valid_fields(issuetype={"name": "Task"})).key == "SUP-1"
    assert jira.create_issue(fields=valid_fields(duedate="2026-12-25", customfield_10050=1.5)).key == "SUP-2"


def test_field_off_the_screen_cannot_be_set(fake: FakeJira, jira: JIRA) -> None:
    """A known field that is not on the create screen is rejected like an unknown one."""
    fake.remove_from_screen("Bug", "duedate")
    _, errors = create_errors(jira, valid_fields(duedate="2026-12-25"))
    assert errors == {"duedate": NOT_ON_SCREEN.format("duedate")}


def test_all_errors_come_back_at_once(fake: FakeJira, jira: JIRA) -> None:
    """Jira validates every field and reports all problems in one 400."""
    _, errors = create_errors(
        jira,
        valid_fields(
            summary="a\nb",
            labels=["big deal"],
            duedate="tomorrow",
            customfield_10050="lots",
            customfield_99999="x",
        ),
    )
    assert set(errors) == {"summary", "labels", "duedate", "customfield_10050", "customfield_99999"}


def test_bad_project_and_type_are_reported_together(fake: FakeJira, jira: JIRA) -> None:
    """Without a valid project and type Jira cannot check the rest, so only those two come back."""
    _, errors = create_errors(
        jira, valid_fields(project={"key": "NOPE"}, issuetype={"name": "Epic"}, summary=None)
    )
    assert set(errors) == {"project", "issuetype"}


# ---------------------------------------------------------------------- reading issues


def test_get_issue_and_missing_issue(fake: FakeJira, jira: JIRA) -> None:
    """GET issue honours the fields parameter; a missing issue is a 404 in each mode's words."""
    key = jira.create_issue(fields=valid_fields(labels=["a"])).key
    issue = jira.issue(key, fields="summary,labels")
    assert set(issue.raw["fields"]) == {"summary", "labels"}
    full = jira.issue(key.lower()).raw["fields"]
    for name in ("summary", "description", "labels", "priority", "duedate", "status", "created", "updated"):
        assert name in full
    assert full["comment"] == {"comments": [], "maxResults": 0, "total": 0, "startAt": 0}
    assert full["attachment"] == []
    assert full["reporter"]["displayName"] == "Ticketsmith Bot"
    with pytest.raises(JIRAError) as info:
        jira.issue("SUP-999")
    assert info.value.status_code == 404
    assert info.value.response is not None
    message = {
        "cloud": "Issue does not exist or you do not have permission to see it.",
        "dc8": "Issue Does Not Exist",
        "dc9": "Issue Does Not Exist",
    }[fake.mode]
    assert info.value.response.json() == {"errorMessages": [message], "errors": {}}


def test_comments(fake: FakeJira, jira: JIRA) -> None:
    """Comments carry the author as Cloud (accountId) or DC (name) renders users."""
    key = jira.create_issue(fields=valid_fields()).key
    comment = jira.add_comment(key, "Called the customer back.")
    assert comment.body == "Called the customer back."
    if fake.mode == "cloud":
        assert comment.author.accountId == fake.users[0]["accountId"]
    else:
        assert comment.author.name == "bot"
    assert [c.body for c in jira.comments(key)] == ["Called the customer back."]
    assert jira.comment(key, comment.id).id == comment.id
    assert fake.issues[key]["comments"][0]["id"] == comment.id
    with pytest.raises(JIRAError) as info:
        jira.add_comment(key, "   ")
    assert info.value.status_code == 400


def test_transitions(fake: FakeJira, jira: JIRA) -> None:
    """To Do -> In Progress -> Done, with resolution set on Done and 400 for an unknown transition."""
    key = jira.create_issue(fields=valid_fields()).key
    assert [t["name"] for t in jira.transitions(key)] == ["In Progress", "Done", "Waiting for sales"]
    jira.transition_issue(key, "In Progress")
    assert jira.issue(key).fields.status.name == "In Progress"
    jira.transition_issue(key, "31", comment="Closing")
    issue = jira.issue(key)
    assert issue.fields.status.statusCategory.key == "done"
    assert issue.fields.resolution.name == "Done"
    assert [c.body for c in jira.comments(key)] == ["Closing"]
    with pytest.raises(JIRAError) as info:
        jira.transition_issue(key, "99")
    assert info.value.status_code == 400


def test_edit_issue(jira: JIRA) -> None:
    """PUT issue validates like create and updates the stored fields."""
    issue = jira.create_issue(fields=valid_fields())
    issue.update(fields={"labels": ["ts-new"], "priority": {"name": "Low"}})
    assert jira.issue(issue.key).fields.labels == ["ts-new"]
    with pytest.raises(JIRAError) as info:
        issue.update(fields={"labels": ["has space"]})
    assert info.value.status_code == 400


# ---------------------------------------------------------------------- search and JQL


def test_search_by_label_uses_each_deployments_endpoint(fake: FakeJira, jira: JIRA) -> None:
    """python-jira uses search/jql on Cloud and search on DC; both find the labelled issue."""
    jira.create_issue(fields=valid_fields(labels=["ts-abc"]))
    jira.create_issue(fields=valid_fields(labels=["ts-other"]))
    found = jira.search_issues('labels = "ts-abc"')
    assert [issue.key for issue in found] == ["SUP-1"]
    assert found[0].fields.labels == ["ts-abc"]
    search_calls = [r for r in fake.requests if r.path.startswith("/rest/api/2/search")]
    expected_path = "/rest/api/2/search/jql" if fake.mode == "cloud" else "/rest/api/2/search"
    assert [r.path for r in search_calls] == [expected_path]
    assert search_calls[0].query["jql"] == 'labels = "ts-abc"'
    assert search_calls[0].query["fields"] == "*all"


def test_cloud_removed_search_answers_410(make_fake: Callable[..., FakeJira]) -> None:
    """Cloud's old search endpoint is gone, with Atlassian's migration message."""
    fake = make_fake("cloud")
    response = requests.get(
        f"{fake.url}/rest/api/2/search", params={"jql": "project = SUP"}, timeout=5, **raw_auth(fake)
    )
    assert response.status_code == 410
    assert "Please migrate to the /rest/api/3/search/jql API" in response.json()["errorMessages"][0]


def test_dc_has_no_enhanced_search(dc_fake: FakeJira) -> None:
    """search/jql does not exist on Data Center."""
    response = requests.get(
        f"{dc_fake.url}/rest/api/2/search/jql",
        params={"jql": "project = SUP"},
        timeout=5,
        **raw_auth(dc_fake),
    )
    assert response.status_code == 404


def test_cloud_rejects_unbounded_jql(make_fake: Callable[..., FakeJira]) -> None:
    """Cloud's enhanced search refuses a JQL without a restriction."""
    client = connect(make_fake("cloud"))
    for jql in ("", "ORDER BY updated DESC"):
        with pytest.raises(JIRAError) as info:
            client.enhanced_search_issues(jql)
        assert info.value.status_code == 400
        assert info.value.response is not None
        assert info.value.response.json()["errorMessages"] == [
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
        ]


def test_cloud_token_paging_and_default_fields(make_fake: Callable[..., FakeJira]) -> None:
    """nextPageToken pages through results; without fields only issue ids come back."""
    fake = make_fake("cloud")
    for n in range(5):
        fake.add_issue(f"Issue {n}", labels=["bulk"])
    client = connect(fake)
    first = client.enhanced_search_issues("labels = bulk ORDER BY key ASC", maxResults=2, json_result=True)
    assert [i["key"] for i in first["issues"]] == ["SUP-1", "SUP-2"]
    assert first["isLast"] is False
    second = client.enhanced_search_issues(
        "labels = bulk ORDER BY key ASC", maxResults=2, nextPageToken=first["nextPageToken"], json_result=True
    )
    assert [i["key"] for i in second["issues"]] == ["SUP-3", "SUP-4"]
    everything = client.enhanced_search_issues("labels = bulk", maxResults=0)
    assert len(everything) == 5
    posted = client.enhanced_search_issues("labels = bulk", use_post=True)
    assert len(posted) == 5
    assert fake.requests[-1].method == "POST"
    bare = requests.get(
        f"{fake.url}/rest/api/2/search/jql", params={"jql": "labels = bulk"}, timeout=5, **raw_auth(fake)
    ).json()
    assert bare["issues"][0] == {"id": fake.issues["SUP-5"]["id"]}
    assert bare["isLast"] is True
    assert "nextPageToken" not in bare


def test_search_lags_behind_a_new_issue(fake: FakeJira, jira: JIRA) -> None:
    """With search_lag, a created issue is fetchable by key at once but searchable only once the index caught up."""
    clock = Clock()
    fake.index_clock = clock
    fake.search_lag = 20
    seeded = fake.add_issue("Filed long ago", labels=["ts-new"])
    issue = jira.create_issue(fields=valid_fields(labels=["ts-new"]))
    assert jira.issue(issue.key).fields.labels == ["ts-new"]
    assert [found.key for found in jira.search_issues('labels = "ts-new"')] == [seeded["key"]]
    assert [found.key for found in jira.search_issues("project = SUP")] == [seeded["key"]]
    assert jira.search_issues(f"key = {issue.key}") == []
    clock.advance(19.9)
    assert [found.key for found in jira.search_issues('labels = "ts-new" ORDER BY key')] == [seeded["key"]]
    clock.advance(0.1)
    assert [found.key for found in jira.search_issues('labels = "ts-new" ORDER BY key')] == [seeded["key"], issue.key]


def test_a_lost_create_response_leaves_an_issue_search_does_not_show_yet(fake: FakeJira, jira: JIRA) -> None:
    """The two faults together: the client hears nothing, and searching for the issue finds nothing yet."""
    clock = Clock()
    fake.index_clock = clock
    fake.search_lag = 30
    fake.lose_next_create_response()
    with pytest.raises(requests.exceptions.ConnectionError):
        jira.create_issue(fields=valid_fields(labels=["ts-lost"]))
    assert list(fake.issues) == ["SUP-1"]
    assert jira.search_issues("labels = ts-lost") == []
    clock.advance(30)
    assert [i.key for i in jira.search_issues("labels = ts-lost")] == ["SUP-1"]


@pytest.mark.parametrize("use_post", [False, True])
def test_reconcile_issues_sees_the_named_new_issues(make_fake: Callable[..., FakeJira], use_post: bool) -> None:
    """Cloud's search/jql shows a lagging issue when its id is in reconcileIssues, if it matches the JQL."""
    fake = make_fake("cloud")
    fake.index_clock = Clock()
    fake.search_lag = 60
    client = connect(fake)
    named = client.create_issue(fields=valid_fields(labels=["ts-a"]))
    other = client.create_issue(fields=valid_fields(labels=["ts-a"]))

    def keys(jql: str, ids: list[int]) -> list[str]:
        found = client.enhanced_search_issues(jql, reconcileIssues=ids, fields="labels", json_result=True,
                                              use_post=use_post)
        assert isinstance(found, dict)
        return [str(issue["key"]) for issue in found["issues"]]

    assert keys("labels = ts-a", []) == []
    assert keys("labels = ts-a", [int(named.id)]) == [named.key]
    assert keys("labels = ts-b", [int(named.id)]) == [], "a reconciled issue still has to match"
    assert keys("labels = ts-a ORDER BY key", [int(named.id), int(other.id)]) == [named.key, other.key]
    sent = fake.requests[-1]
    if use_post:
        assert sent.json["reconcileIssues"] == [int(named.id), int(other.id)]
    else:
        assert sent.query["reconcileIssues"] == f"{named.id},{other.id}"


def test_reconcile_issues_takes_at_most_fifty_ids(make_fake: Callable[..., FakeJira]) -> None:
    """More ids than Cloud allows, or ids that are not numbers, are refused with a 400."""
    fake = make_fake("cloud")
    client = connect(fake)
    client.create_issue(fields=valid_fields())
    ids = list(range(10000, 10000 + MAX_RECONCILE))
    assert client.enhanced_search_issues("project = SUP", reconcileIssues=ids, json_result=True)["issues"]
    for bad in ([*ids, 20000], ["SUP-1"]):
        with pytest.raises(JIRAError) as info:
            client.enhanced_search_issues("project = SUP", reconcileIssues=bad, json_result=True,  # type: ignore[arg-type]
                                          use_post=True)
        assert info.value.status_code == 400


def test_dc_search_lags_too_and_knows_no_reconcile(dc_fake: FakeJira) -> None:
    """Data Center's search honours search_lag as well; its POST body refuses reconcileIssues."""
    clock = Clock()
    dc_fake.index_clock = clock
    dc_fake.search_lag = 5
    client = connect(dc_fake)
    issue = client.create_issue(fields=valid_fields())
    assert client.search_issues("project = SUP") == []
    response = requests.post(
        f"{dc_fake.url}/rest/api/2/search",
        json={"jql": "project = SUP", "reconcileIssues": [int(issue.id)]},
        timeout=5,
        **raw_auth(dc_fake),
    )
    assert response.status_code == 400
    assert 'Unrecognized field "reconcileIssues"' in response.json()["errorMessages"][0]
    clock.advance(5)
    assert [i.key for i in client.search_issues("project = SUP")] == [issue.key]


def test_dc_offset_paging_and_post(dc_fake: FakeJira) -> None:
    """DC pages with startAt/maxResults/total and accepts POST, but rejects unknown body fields."""
    for n in range(5):
        dc_fake.add_issue(f"Issue {n}")
    client = connect(dc_fake)
    page = client.search_issues("project = SUP ORDER BY key ASC", startAt=2, maxResults=2, json_result=True)
    assert (page["startAt"], page["maxResults"], page["total"]) == (2, 2, 5)
    assert [i["key"] for i in page["issues"]] == ["SUP-3", "SUP-4"]
    posted = client.search_issues("project = SUP", use_post=True)
    assert len(posted) == 5
    response = requests.post(
        f"{dc_fake.url}/rest/api/2/search",
        json={"jql": "project = SUP", "properties": None},
        timeout=5,
        **raw_auth(dc_fake),
    )
    assert response.status_code == 400
    assert 'Unrecognized field "properties"' in response.json()["errorMessages"][0]


@pytest.fixture(scope="module", params=MODES)
def seeded(request: pytest.FixtureRequest) -> Iterator[JIRA]:
    """A client for a fake holding three issues with different labels, statuses, texts and update times."""
    # Module-scoped because the JQL tests only read; seeding once per mode keeps the suite fast.
    with FakeJira(request.param) as fake:
        now = datetime.now(UTC)
        fake.add_issue(
            "Printer on fire",
            description="The office printer is burning",
            labels=["ts-abc", "hardware"],
            updated=now - timedelta(hours=1),
            customfield_10051={"id": "10100", "value": "Gold"},
        )
        fake.add_issue(
            "Invoice is wrong",
            labels=["ts-def"],
            status="In Progress",
            updated=now - timedelta(minutes=2),
            customfield_10050=5000.0,
        )
        fake.add_issue(
            "Printer jam resolved", status="Done", priority="High", updated=now - timedelta(days=3)
        )
        client = connect(fake)
        yield client
        client.close()
        assert fake.internal_errors == []


TWO_HOURS_AGO = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("jql", "keys"),
    [
        ("project = SUP", {1, 2, 3}),
        ('labels = "ts-abc"', {1}),
        ("labels in (ts-abc, ts-def)", {1, 2}),
        ("labels not in (ts-abc)", {2}),
        ("labels is EMPTY", {3}),
        ("key = SUP-2", {2}),
        ("issuekey in (SUP-1, SUP-3)", {1, 3}),
        ("status != Done", {1, 2}),
        ('status = "in progress"', {2}),
        ("statusCategory != Done", {1, 2}),
        ('statusCategory = "In Progress"', {2}),
        ('text ~ "printer"', {1, 3}),
        ('text ~ "PRINTER burning"', {1}),
        ('summary ~ "print*"', {1, 3}),
        ('text !~ "printer"', {2}),
        ('updated >= "-5m"', {2}),
        ('updated >= "-2h"', {1, 2}),
        (f'updated >= "{TWO_HOURS_AGO}"', {1, 2}),
        ('updated < "-1d"', {3}),
        ("priority = High", {3}),
        ("type = Task", {1, 2, 3}),
        ("reporter = currentUser()", {1, 2, 3}),
        ("component is EMPTY", {1, 2, 3}),
        ('"Customer tier" = Gold', {1}),
        ("cf[10051] is EMPTY", {2, 3}),
        ("cf[10050] > 1000", {2}),
        ("project = SUP AND (labels = ts-abc OR status = 'In Progress')", {1, 2}),
        ("NOT status = Done AND text ~ printer", {1}),
        ("project = SUP AND statusCategory != Done AND labels = ts-def", {2}),
    ],
)
def test_jql_evaluation(seeded: JIRA, jql: str, keys: set[int]) -> None:
    """The JQL subset the bot relies on, through python-jira's own search method."""
    found = seeded.search_issues(jql)
    assert {int(issue.key.split("-")[1]) for issue in found} == keys


def test_jql_ordering(seeded: JIRA) -> None:
    """ORDER BY sorts; without it the newest key comes first."""
    jira = seeded
    assert [i.key for i in jira.search_issues("project = SUP ORDER BY updated DESC")] == [
        "SUP-2",
        "SUP-1",
        "SUP-3",
    ]
    assert [i.key for i in jira.search_issues("project = SUP ORDER BY key ASC")] == [
        "SUP-1",
        "SUP-2",
        "SUP-3",
    ]
    assert next(iter(jira.search_issues("project = SUP ORDER BY priority DESC, key ASC"))).key == "SUP-3"
    assert [i.key for i in jira.search_issues("project = SUP")] == ["SUP-3", "SUP-2", "SUP-1"]


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("project = SUP AND", "Error in the JQL Query: Expecting a field name but got end of query."),
        ('labels = "open', "Error in the JQL Query: The quoted string 'open' has not been completed."),
        (
            "project = SUP labels = x",
            "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'labels'.",
        ),
        ("project SUP", "Error in the JQL Query: Expecting operator but got 'SUP'."),
        ("summary ~ win*", "Error in the JQL Query: The character '*' is a reserved JQL character."),
        ("foo = bar", "Field 'foo' does not exist or you do not have permission to view it."),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("key = SUP-99", "An issue with key 'SUP-99' does not exist for field 'key'."),
        ('updated >= "yesterday"', "Date value 'yesterday' for field 'updated' is invalid."),
        ("text = printer", "The operator '=' is not supported by the 'text' field."),
        ("project = SUP AND labels = later()", "Unable to find JQL function 'later()'."),
        ("project is EMPTY", "The field 'project' does not support searching for EMPTY values."),
        ("component = Nope", "The value 'Nope' does not exist for the field 'component'."),
    ],
)
def test_jql_errors(seeded: JIRA, jql: str, message: str) -> None:
    """Bad JQL is a 400 whose errorMessages use Jira's phrasing."""
    with pytest.raises(JIRAError) as info:
        seeded.search_issues(jql)
    assert info.value.status_code == 400
    assert info.value.response is not None
    body = info.value.response.json()
    assert body["errors"] == {}
    assert body["errorMessages"][0].startswith(message)


# ---------------------------------------------------------------------- create metadata


def test_dc_createmeta_through_python_jira(dc_fake: FakeJira) -> None:
    """project_issue_types / project_issue_fields read DC's 'values' pages."""
    dc_fake.require_field("Bug", "duedate")
    client = connect(dc_fake)
    assert [t.name for t in client.project_issue_types("SUP")] == ["Bug", "Task", "Story"]
    fields = {f.fieldId: f for f in client.project_issue_fields("SUP", "10001")}
    assert list(fields) == [
        "summary",
        "issuetype",
        "project",
        "reporter",
        "description",
        "priority",
        "labels",
        "duedate",
        "components",
        "customfield_10050",
        "customfield_10051",
        "customfield_10052",
    ]
    required = {fid for fid, f in fields.items() if f.required}
    assert required == {"summary", "issuetype", "project", "duedate"}
    tier = fields["customfield_10051"].raw
    assert tier["schema"] == {
        "type": "option",
        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select",
        "customId": 10051,
    }
    assert [o["value"] for o in tier["allowedValues"]] == ["Gold", "Silver", "Bronze"]
    assert fields["priority"].raw["allowedValues"][0]["name"] == "Highest"
    assert "key" not in tier
    task_fields = {f.fieldId: f.required for f in client.project_issue_fields("SUP", "10002")}
    assert task_fields["duedate"] is False


def test_dc_createmeta_paging(dc_fake: FakeJira) -> None:
    """The new createmeta endpoints page with startAt/maxResults/total/isLast under 'values'."""
    url = f"{dc_fake.url}/rest/api/2/issue/createmeta/SUP/issuetypes/10001"
    page = requests.get(url, params={"startAt": 10, "maxResults": 5}, timeout=5, **raw_auth(dc_fake)).json()
    assert set(page) == {"startAt", "maxResults", "total", "isLast", "values"}
    assert (page["startAt"], page["maxResults"], page["total"], page["isLast"]) == (10, 5, 12, True)
    assert [v["fieldId"] for v in page["values"]] == ["customfield_10051", "customfield_10052"]


def test_cloud_createmeta_with_raw_requests(make_fake: Callable[..., FakeJira]) -> None:
    """python-jira refuses its createmeta helpers on Cloud; the endpoints answer with Cloud's keys."""
    fake = make_fake("cloud")
    client = connect(fake)
    with pytest.raises(JIRAError, match="Unsupported JIRA deployment type"):
        client.project_issue_types("SUP")
    types = client._session.get(client._get_url("issue/createmeta/SUP/issuetypes")).json()
    assert set(types) == {"startAt", "maxResults", "total", "issueTypes"}
    assert [t["name"] for t in types["issueTypes"]] == ["Bug", "Task", "Story"]
    fields = client._session.get(client._get_url("issue/createmeta/SUP/issuetypes/10001")).json()
    assert set(fields) == {"startAt", "maxResults", "total", "fields"}
    summary = fields["fields"][0]
    assert (summary["fieldId"], summary["key"], summary["required"]) == ("summary", "summary", True)
    assert summary["schema"] == {"type": "string", "system": "summary"}


def test_legacy_createmeta_only_on_dc8(make_fake: Callable[..., FakeJira]) -> None:
    """issue/createmeta works on 8.20, is 'Issue Does Not Exist' on 9.x and 404 on Cloud."""
    dc8 = connect(make_fake("dc8"))
    with pytest.warns(DeprecationWarning):
        meta = dc8.createmeta(projectKeys="SUP", issuetypeNames="Bug", expand="projects.issuetypes.fields")
    (project,) = meta["projects"]
    (bug,) = project["issuetypes"]
    assert (project["key"], bug["name"]) == ("SUP", "Bug")
    assert bug["fields"]["summary"]["required"] is True
    assert bug["fields"]["summary"]["key"] == "summary"
    assert [o["value"] for o in bug["fields"]["customfield_10051"]["allowedValues"]] == [
        "Gold",
        "Silver",
        "Bronze",
    ]

    dc9_fake = make_fake("dc9")
    with pytest.raises(JIRAError, match="Unsupported JIRA version"):
        connect(dc9_fake).createmeta(projectKeys="SUP")
    response = requests.get(
        f"{dc9_fake.url}/rest/api/2/issue/createmeta",
        params={"projectKeys": "SUP", "expand": "projects.issuetypes.fields"},
        timeout=5,
        **raw_auth(dc9_fake),
    )
    assert response.status_code == 404
    assert response.json() == {"errorMessages": ["Issue Does Not Exist"], "errors": {}}

    cloud_fake = make_fake("cloud")
    with pytest.raises(JIRAError) as info:
        connect(cloud_fake).createmeta(projectKeys="SUP")
    assert info.value.status_code == 404


# ---------------------------------------------------------------------- attachments


def test_attachment_with_non_ascii_name(fake: FakeJira, jira: JIRA) -> None:
    """A UTF-8 filename survives python-jira's multipart upload and the content can be read back."""
    key = jira.create_issue(fields=valid_fields()).key
    name = "Überweisung – März 2026 ✓.txt"
    attachment = jira.add_attachment(key, io.BytesIO(b"invoice body"), filename=name)
    assert attachment.filename == name
    assert attachment.size == len(b"invoice body")
    assert attachment.mimeType == "text/plain"
    assert fake.attachment_bytes[attachment.id] == b"invoice body"
    assert [a.filename for a in jira.issue(key).fields.attachment] == [name]
    content = requests.get(attachment.content, timeout=5, **raw_auth(fake))
    assert content.content == b"invoice body"
    assert jira.attachment_meta() == {"enabled": True, "uploadLimit": fake.upload_limit}


def test_attachment_rfc2231_filename(dc_fake: FakeJira) -> None:
    """A client that encodes the name as filename*=UTF-8'' (RFC 2231) gets it decoded."""
    key = dc_fake.add_issue("Has an attachment")["key"]
    body = (
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt\r\n"
        b"Content-Type: application/octet-stream\r\n\r\nhello\r\n--b--\r\n"
    )
    headers = {**raw_auth(dc_fake)["headers"], "X-Atlassian-Token": "no-check"}
    headers["Content-Type"] = "multipart/form-data; boundary=b"
    response = requests.post(
        f"{dc_fake.url}/rest/api/2/issue/{key}/attachments", data=body, headers=headers, timeout=5
    )
    assert response.status_code == 200
    assert [a["filename"] for a in response.json()] == ["Grüße.txt"]


def test_attachment_over_the_limit_is_413(make_fake: Callable[..., FakeJira]) -> None:
    """Files above uploadLimit are refused with 413; a file of exactly the limit is fine."""
    fake = make_fake("dc9", upload_limit=1024)
    client = connect(fake)
    key = client.create_issue(fields=valid_fields()).key
    with pytest.raises(JIRAError) as info:
        client.add_attachment(key, io.BytesIO(b"x" * 2048), filename="big.bin")
    assert info.value.status_code == 413
    assert "exceeds its maximum permitted size of 1024 bytes" in str(info.value.text)
    assert fake.issues[key]["attachments"] == []
    assert client.add_attachment(key, io.BytesIO(b"x" * 1024), filename="fits.bin").size == 1024


def test_attachment_needs_xsrf_header(fake: FakeJira, jira: JIRA) -> None:
    """Multipart uploads without X-Atlassian-Token: no-check fail the XSRF check."""
    key = jira.create_issue(fields=valid_fields()).key
    auth = raw_auth(fake)
    headers = dict(auth.get("headers", {}))
    response = requests.post(
        f"{fake.url}/rest/api/2/issue/{key}/attachments",
        files={"file": ("a.txt", b"hi")},
        headers=headers,
        auth=auth.get("auth"),
        timeout=5,
    )
    assert (response.status_code, response.text) == (403, "XSRF check failed")


# ---------------------------------------------------------------------- fault injection


def test_fail_next_503_with_retry_after(fake: FakeJira, jira: JIRA) -> None:
    """The injected status and headers reach python-jira untouched, once."""
    fake.fail_next(503, headers={"Retry-After": "7"}, path_contains="/issue", method="POST")
    with pytest.raises(JIRAError) as info:
        jira.create_issue(fields=valid_fields())
    assert info.value.status_code == 503
    assert info.value.response is not None
    assert info.value.response.headers["Retry-After"] == "7"
    assert fake.issues == {}
    assert len(fake.creates) == 1
    assert jira.create_issue(fields=valid_fields()).key == "SUP-1"


def test_fail_next_filters_and_counts(fake: FakeJira, jira: JIRA) -> None:
    """Faults match by method and path and last for `times` requests."""
    fake.fail_next(
        429,
        headers={"Retry-After": "2", "X-RateLimit-Limit": "100"},
        times=2,
        method="GET",
        path_contains="priority",
    )
    jira.server_info()
    for _ in range(2):
        with pytest.raises(JIRAError) as info:
            jira.priorities()
        assert info.value.status_code == 429
        assert info.value.response is not None
        assert info.value.response.headers["X-RateLimit-Limit"] == "100"
    assert len(jira.priorities()) == 5


def test_fail_next_custom_and_gateway_bodies(fake: FakeJira, jira: JIRA) -> None:
    """A given body is sent as is; 502 defaults to a gateway's HTML page."""
    fake.fail_next(500, body={"errorMessages": ["Database down"], "errors": {}})
    with pytest.raises(JIRAError) as info:
        jira.myself()
    assert (info.value.status_code, info.value.text) == (500, "Database down")
    fake.fail_next(502)
    with pytest.raises(JIRAError) as info:
        jira.myself()
    assert info.value.status_code == 502
    assert info.value.response is not None
    assert "Bad Gateway" in info.value.response.text


def test_go_down_and_come_up(fake: FakeJira, jira: JIRA) -> None:
    """While down the port refuses connections; it comes back on the same URL."""
    url = fake.url
    fake.go_down()
    with pytest.raises(requests.exceptions.ConnectionError):
        jira.server_info()
    fake.come_up()
    assert fake.url == url
    assert jira.server_info()["baseUrl"] == url


def test_lost_create_response(fake: FakeJira, jira: JIRA) -> None:
    """The issue is stored but the client only sees a dropped connection."""
    fake.lose_next_create_response()
    with pytest.raises(requests.exceptions.ConnectionError):
        jira.create_issue(fields=valid_fields(labels=["ts-lost"]))
    assert list(fake.issues) == ["SUP-1"]
    assert [i.key for i in jira.search_issues("labels = ts-lost")] == ["SUP-1"]
    assert jira.create_issue(fields=valid_fields()).key == "SUP-2"


def test_latency_and_timeouts(make_fake: Callable[..., FakeJira]) -> None:
    """latency delays every answer; a client timeout still leaves the created issue behind."""
    fake = make_fake("dc9")
    client = connect(fake)
    impatient = connect(fake, timeout=0.05)
    fake.latency = 0.2
    started = time.monotonic()
    client.server_info()
    assert time.monotonic() - started >= 0.2
    with pytest.raises(requests.exceptions.ReadTimeout):
        impatient.create_issue(fields=valid_fields())
    deadline = time.monotonic() + 2
    while not fake.issues and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(fake.issues) == ["SUP-1"]


# ---------------------------------------------------------------------- robustness and recording


def test_unknown_route_and_wrong_method(fake: FakeJira, jira: JIRA) -> None:
    """Unmatched paths get Jersey's 404 and wrong methods an empty 405."""
    response = requests.get(f"{fake.url}/rest/api/2/nothing/here", timeout=5, **raw_auth(fake))
    assert response.status_code == 404
    assert response.json()["message"].startswith("null for uri:")
    response = requests.delete(f"{fake.url}/rest/api/2/priority", timeout=5, **raw_auth(fake))
    assert (response.status_code, response.text) == (405, "")


def test_handler_crash_is_a_500_and_the_server_survives(make_fake: Callable[..., FakeJira]) -> None:
    """A bug inside a handler becomes Jira's generic 500 instead of killing the server."""
    fake = make_fake("cloud")
    client = connect(fake)
    priorities, fake.priorities = fake.priorities, None  # type: ignore[assignment]
    with pytest.raises(JIRAError) as info:
        client.priorities()
    assert (info.value.status_code, info.value.text) == (500, "Internal server error")
    assert len(fake.internal_errors) == 1
    fake.priorities = priorities
    assert len(client.priorities()) == 5


def test_requests_are_recorded(fake: FakeJira, jira: JIRA) -> None:
    """Method, path, query, JSON body and headers of each request are kept."""
    jira.create_issue(fields=valid_fields())
    create = next(r for r in fake.requests if r.method == "POST")
    assert create.path == "/rest/api/2/issue"
    assert create.json == {"fields": valid_fields()}
    assert "Authorization" in create.headers
    assert fake.creates == [{"fields": valid_fields()}]


async def test_runs_beside_an_async_test() -> None:
    """The fake serves from its own loop, so blocking python-jira calls work inside async tests."""
    async with FakeJira("dc9") as fake:
        client = connect(fake)
        assert client.create_issue(fields=valid_fields()).key == "SUP-1"
        issue = await asyncio.to_thread(lambda: connect(fake).create_issue(fields=valid_fields()))
        assert issue.key == "SUP-2"


# ---------------------------------------------------------------------- change history, other users, webhooks

JIRA_TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}")


def actor_id(fake: FakeJira, name: str) -> str:
    """How parse_webhook identifies a user: accountId on Cloud, username on Data Center."""
    user = next(u for u in fake.users if u["name"] == name)
    return str(user["accountId"] if fake.mode == "cloud" else user["name"])


def changes(history: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(field, fromString, toString) of each item of a history entry."""
    return [(i["field"], i["fromString"], i["toString"]) for i in history["items"]]


def histories(client: JIRA, key: str) -> list[dict[str, Any]]:
    """The issue's change history as GET issue?expand=changelog returns it, checking the envelope."""
    changelog = client.issue(key, expand="changelog").raw["changelog"]
    total = len(changelog["histories"])
    assert (changelog["startAt"], changelog["maxResults"], changelog["total"]) == (0, total, total)
    return list(changelog["histories"])


def test_helpers_record_history_like_jira(fake: FakeJira, jira: JIRA) -> None:
    """Transitions, assignment, due date and resolution by other users, one history entry each."""
    key = jira.create_issue(fields=valid_fields()).key
    fake.transition(key, "in progress", actor="alice")
    fake.assign(key, "bob", actor="alice")
    fake.set_duedate(key, "2026-12-04", actor="bob")
    fake.set_duedate(key, "2026-12-04", actor="bob")  # no change, no entry
    fake.transition(key, "Waiting for sales", actor="bob")
    fake.resolve(key, actor="alice")
    found = histories(jira, key)
    assert [changes(h) for h in found] == [
        [("status", "To Do", "In Progress")],
        [("assignee", None, "Bob Brandt")],
        [("duedate", None, "2026-12-04 00:00:00.0")],
        [("status", "In Progress", "Waiting for sales")],
        [("resolution", None, "Fixed"), ("status", "Waiting for sales", "Done")],
    ]
    ids = [int(h["id"]) for h in found]
    assert ids == sorted(set(ids))
    created = [h["created"] for h in found]
    assert all(JIRA_TS.fullmatch(c) for c in created)
    assert created == sorted(created) and len(set(created)) == len(created)
    cloud = fake.mode == "cloud"
    author_key = "accountId" if cloud else "name"
    assert [h["author"][author_key] for h in found] == [
        fake.users[n][author_key] for n in (1, 1, 2, 2, 1)
    ]
    bob = fake.users[2]
    status, assignee, due = found[0]["items"][0], found[1]["items"][0], found[2]["items"][0]
    assert status == {
        "field": "status",
        "fieldtype": "jira",
        **({"fieldId": "status"} if cloud else {}),
        "from": "10000",
        "fromString": "To Do",
        "to": "3",
        "toString": "In Progress",
    }
    assert (assignee["from"], assignee["to"]) == (None, bob["accountId"] if cloud else bob["key"])
    assert (due["from"], due["to"]) == (None, "2026-12-04")
    fields = jira.issue(key).raw["fields"]
    assert fields["updated"] == created[-1]
    assert (fields["status"]["name"], fields["resolution"]["name"]) == ("Done", "Fixed")
    assert (fields["duedate"], fields["assignee"]["displayName"]) == ("2026-12-04", "Bob Brandt")
    assert fields["resolutiondate"] == created[-1]
    assert "changelog" not in jira.issue(key).raw


def test_rest_changes_record_history_by_the_bot(fake: FakeJira, jira: JIRA) -> None:
    """python-jira's transition, assign and update calls leave the same kind of history, authored by the bot."""
    issue = jira.create_issue(fields=valid_fields(labels=["a"]))
    key = issue.key
    jira.transition_issue(key, "In Progress")
    jira.assign_issue(key, "alice")
    issue.update(fields={"summary": "Login fails", "priority": {"name": "High"}, "labels": ["a", "b"],
                         "duedate": "2026-12-04"})
    issue.update(fields={"labels": ["a", "b"]})  # no change, no entry
    jira.transition_issue(key, "Done", fields={"resolution": {"name": "Won't Fix"}}, comment="Closing")
    jira.assign_issue(key, None)
    found = histories(jira, key)
    assert [changes(h) for h in found] == [
        [("status", "To Do", "In Progress")],
        [("assignee", None, "Alice Anders")],
        [
            ("summary", "Customer cannot log in", "Login fails"),
            ("priority", "Medium", "High"),
            ("labels", "a", "a b"),
            ("duedate", None, "2026-12-04 00:00:00.0"),
        ],
        [("resolution", None, "Won't Fix"), ("status", "In Progress", "Done")],
        [("assignee", "Alice Anders", None)],
    ]
    assert {h["author"]["displayName"] for h in found} == {"Ticketsmith Bot"}
    [closing] = jira.comments(key)
    assert (closing.body, closing.created) == ("Closing", found[3]["created"])
    assert jira.issue(key).fields.assignee is None


def test_transition_screen_takes_only_a_resolution_into_done(fake: FakeJira, jira: JIRA) -> None:
    """Other fields, or a resolution outside Done or unknown, are refused like fields off a screen."""
    key = jira.create_issue(fields=valid_fields()).key
    for name, fields in (
        ("Waiting for sales", {"resolution": {"name": "Fixed"}}),
        ("Done", {"labels": ["x"]}),
        ("Done", {"resolution": {"name": "Nope"}}),
    ):
        with pytest.raises(JIRAError) as info:
            jira.transition_issue(key, name, fields=fields)
        assert info.value.status_code == 400
    assert histories(jira, key) == []


def test_waiting_for_sales_is_reachable_from_every_status(fake: FakeJira, jira: JIRA) -> None:
    """The extra status is an 'In Progress' category status; leaving Done clears the resolution."""
    for n, start in enumerate(("To Do", "In Progress", "Done"), start=1):
        key = fake.add_issue(f"Issue {n}", status=start)["key"]
        assert "Waiting for sales" in [t["name"] for t in jira.transitions(key)]
        jira.transition_issue(key, "Waiting for sales")
        issue = jira.issue(key)
        assert issue.fields.status.statusCategory.key == "indeterminate"
        assert issue.fields.resolution is None
    assert changes(histories(jira, "SUP-3")[0]) == [
        ("resolution", "Done", None),
        ("status", "Done", "Waiting for sales"),
    ]
    assert [i.key for i in jira.search_issues('status = "waiting for sales" ORDER BY key ASC')] == [
        "SUP-1",
        "SUP-2",
        "SUP-3",
    ]


def test_comments_and_changes_move_updated(fake: FakeJira, jira: JIRA) -> None:
    """A comment by someone else makes an old issue 'updated' again, without a history entry."""
    fake.add_issue("Old question", updated=datetime.now(UTC) - timedelta(days=1))
    assert list(jira.search_issues('updated >= "-5m"')) == []
    comment_id = fake.comment("SUP-1", "Which Excel version? @sales", actor="alice")
    assert [i.key for i in jira.search_issues('updated >= "-5m"')] == ["SUP-1"]
    comment = jira.comment("SUP-1", comment_id)
    assert comment.author.displayName == "Alice Anders"
    assert jira.issue("SUP-1").fields.updated == comment.created
    assert histories(jira, "SUP-1") == []


def test_helpers_refuse_what_jira_would(fake: FakeJira) -> None:
    """Unknown issues, users, statuses and resolutions, and no-op or invalid changes, raise."""
    key = fake.add_issue("Printer on fire")["key"]
    with pytest.raises(KeyError):
        fake.transition("SUP-99", "Done")
    with pytest.raises(KeyError):
        fake.transition(key, "Limbo")
    with pytest.raises(KeyError):
        fake.assign(key, "mallory")
    with pytest.raises(KeyError):
        fake.comment(key, "hi", actor="mallory")
    with pytest.raises(KeyError):
        fake.resolve(key, "Because")
    with pytest.raises(ValueError, match="already"):
        fake.transition(key, "To Do")
    with pytest.raises(ValueError):
        fake.comment(key, "  ")
    with pytest.raises(ValueError, match="Error parsing date string"):
        fake.set_duedate(key, "04.12.2026")
    assert fake.issues[key]["changelog"] == []


@pytest.mark.parametrize("mode", ["cloud", "dc9"])
def test_search_expands_the_changelog(make_fake: Callable[..., FakeJira], mode: Mode) -> None:
    """search/jql (Cloud) and search (DC) add each issue's changelog when asked, by GET and POST."""
    fake = make_fake(mode)
    fake.add_issue("Printer on fire")
    fake.add_issue("Invoice is wrong")
    fake.transition("SUP-1", "In Progress")
    client = connect(fake)
    single = client.issue("SUP-1", expand="changelog").raw["changelog"]
    for use_post in (False, True):
        found = client.search_issues("project = SUP ORDER BY key ASC", expand="changelog", use_post=use_post)
        assert [i.raw["changelog"] for i in found] == [
            single,
            {"startAt": 0, "maxResults": 0, "total": 0, "histories": []},
        ]
    assert all("changelog" not in i.raw for i in client.search_issues("project = SUP"))


@dataclass
class Received:
    """One webhook POST as the receiver saw it."""

    path_qs: str
    headers: CIMultiDict[str]
    body: bytes

    def json(self) -> dict[str, Any]:
        """The parsed body."""
        return cast(dict[str, Any], json.loads(self.body))


class Receiver:
    """A tiny webhook endpoint on loopback that records what arrives and answers with `status`."""

    def __init__(self) -> None:
        """Nothing received yet."""
        self.received: list[Received] = []
        self.status = 200
        self.delay = 0.0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request and answer."""
        self.received.append(Received(request.path_qs, request.headers.copy(), await request.read()))
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A receiver listening on 127.0.0.1 for the length of a test."""
    hooks = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", hooks.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hooks.url = f"http://127.0.0.1:{runner.addresses[0][1]}/jira/hook"
    yield hooks
    await runner.cleanup()


@pytest.mark.parametrize("mode", ["cloud", "dc9"])
async def test_webhooks_give_the_same_events_as_the_history(
    make_fake: Callable[..., FakeJira], receiver: Receiver, mode: Mode
) -> None:
    """Each change arrives as Jira sends it; parsed, the webhooks and the polled history are the same events."""
    fake = make_fake(mode)
    cloud = mode == "cloud"
    # Data Center signs nothing: the admin puts a token into the URL.
    url = receiver.url if cloud else f"{receiver.url}?token=t0k"
    fake.add_webhook(url, secret="s3cret" if cloud else None)
    client = connect(fake)
    key = (await asyncio.to_thread(client.create_issue, fields=valid_fields())).key
    await asyncio.to_thread(client.transition_issue, key, "In Progress")
    fake.assign(key, "alice", actor="bob")
    fake.set_duedate(key, "2026-12-04")
    fake.comment(key, "Which Excel version? @sales")
    fake.transition(key, "Waiting for sales")
    fake.resolve(key)
    await asyncio.to_thread(client.add_comment, key, "Thanks, forwarded.")
    await fake.aflush_webhooks()

    bodies = [r.json() for r in receiver.received]
    assert [(b["webhookEvent"], b.get("issue_event_type_name")) for b in bodies] == [
        ("jira:issue_updated", "issue_generic"),
        ("jira:issue_updated", "issue_assigned"),
        ("jira:issue_updated", "issue_updated"),
        ("jira:issue_updated", "issue_commented"),
        ("comment_created", None),
        ("jira:issue_updated", "issue_generic"),
        ("jira:issue_updated", "issue_resolved"),
        ("jira:issue_updated", "issue_commented"),
        ("comment_created", None),
    ]
    assert [(d["url"], d["status"], d["attempt"]) for d in fake.webhook_deliveries] == [(url, 200, 1)] * 9
    identifiers = [r.headers["X-Atlassian-Webhook-Identifier"] for r in receiver.received]
    assert identifiers == [d["identifier"] for d in fake.webhook_deliveries]
    assert len(set(identifiers)) == 9
    for got in receiver.received:
        assert got.headers["Content-Type"] == "application/json"
        assert got.path_qs == ("/jira/hook" if cloud else "/jira/hook?token=t0k")
        if cloud:
            assert verify_signature("s3cret", got.body, got.headers.get("X-Hub-Signature"))
        else:
            assert "X-Hub-Signature" not in got.headers
    first = bodies[0]
    assert first["issue"]["key"] == key and first["issue"]["fields"]["status"]["name"] == "In Progress"
    # Each payload carries the issue as it was right after its change.
    assert first["issue"]["fields"]["updated"] < bodies[-2]["issue"]["fields"]["updated"]
    assert ("fieldId" in first["changelog"]["items"][0]) is cloud
    assert "changelog" not in bodies[3] and bodies[3]["comment"] == bodies[4]["comment"]

    hooked = {e.event_id: e for b in bodies for e in parse_webhook(b)}
    raw = (await asyncio.to_thread(client.issue, key, fields="summary,comment,status", expand="changelog")).raw
    polled = parse_issue_history(raw, since=0)
    assert [e.event_id for e in polled] == list(hooked)
    assert polled == [hooked[e.event_id] for e in polled]
    bot, alice, bob = (actor_id(fake, n) for n in ("bot", "alice", "bob"))
    assert [(e.kind, e.actor_id, e.new) for e in polled] == [
        ("status", bot, "In Progress"),
        ("assignee", bob, "Alice Anders"),
        ("duedate", alice, "2026-12-04"),
        ("comment", alice, None),
        ("status", alice, "Waiting for sales"),
        ("resolution", alice, "Fixed"),
        ("status", alice, "Done"),
        ("comment", bot, None),
    ]
    assert polled[3].body == "Which Excel version? @sales"
    history_ids = [h["id"] for h in raw["changelog"]["histories"]]
    assert [b["changelog"]["id"] for b in bodies if "changelog" in b] == history_ids


async def test_duplicate_delivery_repeats_the_identifier(
    make_fake: Callable[..., FakeJira], receiver: Receiver
) -> None:
    """duplicate=True sends every payload twice, same body and identifier, the second marked as a retry."""
    fake = make_fake("cloud")
    fake.add_webhook(receiver.url, secret="s3cret", duplicate=True)
    key = fake.add_issue("Printer on fire")["key"]
    fake.comment(key, "Which printer? @sales")
    await fake.aflush_webhooks()
    got = receiver.received
    assert len(got) == 4
    identifiers = [r.headers["X-Atlassian-Webhook-Identifier"] for r in got]
    assert identifiers[0] == identifiers[1] != identifiers[2] == identifiers[3]
    assert got[0].body == got[1].body and got[2].body == got[3].body
    assert [r.headers.get("X-Atlassian-Webhook-Retry") for r in got] == [None, "1", None, "1"]
    assert all(verify_signature("s3cret", r.body, r.headers["X-Hub-Signature"]) for r in got)
    assert [d["attempt"] for d in fake.webhook_deliveries] == [1, 2, 1, 2]
    events = [e for r in got for e in parse_webhook(r.json())]
    comment_id = fake.issues[key]["comments"][0]["id"]
    assert len(events) == 4 and {e.event_id for e in events} == {f"{key}:c:{comment_id}"}


async def test_webhook_events_filter_and_failures(make_fake: Callable[..., FakeJira], receiver: Receiver) -> None:
    """Only subscribed events are sent (the bot's own creations too); failed deliveries are recorded."""
    fake = make_fake("dc8")
    fake.add_webhook(receiver.url, events=["jira:issue_created"])
    client = connect(fake)
    key = (await asyncio.to_thread(client.create_issue, fields=valid_fields())).key
    fake.transition(key, "In Progress")
    await fake.aflush_webhooks()
    [created] = [r.json() for r in receiver.received]
    assert (created["webhookEvent"], created["issue_event_type_name"]) == ("jira:issue_created", "issue_created")
    assert (created["user"]["name"], created["issue"]["key"]) == ("bot", key)
    assert "X-Hub-Signature" not in receiver.received[0].headers

    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        closed_port = spare.getsockname()[1]
    fake.add_webhook(f"http://127.0.0.1:{closed_port}/gone")
    receiver.status = 500
    fake.add_webhook(receiver.url)
    fake.webhook_timeout = 0.2
    fake.comment(key, "Anyone?")
    await fake.aflush_webhooks()
    outcomes = [(d["url"].rsplit("/", 1)[-1], d["event"], d["status"]) for d in fake.webhook_deliveries[1:]]
    assert sorted(outcomes) == [
        ("gone", "comment_created", None),
        ("gone", "jira:issue_updated", None),
        ("hook", "comment_created", 500),
        ("hook", "jira:issue_updated", 500),
    ]
    assert all(d["error"] for d in fake.webhook_deliveries if d["status"] is None)

    receiver.status, receiver.delay = 200, 0.4
    fake.comment(key, "Still there?")
    await fake.aflush_webhooks()
    slow = [d for d in fake.webhook_deliveries[5:] if d["url"] == receiver.url]
    assert [d["status"] for d in slow] == [None, None]
    assert all("Timeout" in d["error"] for d in slow)


def test_a_deleted_issue_is_gone_and_a_key_search_naming_it_is_refused_whole(fake: FakeJira, jira: JIRA) -> None:
    """Jira answers 400 to a key in (...) search that names one deleted issue, whatever the others are."""
    for n in (1, 2):
        fake.add_issue(f"Issue {n}")
    fake.delete_issue("SUP-1")
    with pytest.raises(JIRAError) as missing:
        jira.issue("SUP-1")
    assert missing.value.status_code == 404
    with pytest.raises(JIRAError) as refused:
        jira.search_issues("key in (SUP-1, SUP-2)")
    assert refused.value.status_code == 400 and refused.value.response is not None
    message = "An issue with key 'SUP-1' does not exist for field 'key'."
    assert refused.value.response.json()["errorMessages"] == [message]
    assert [i.key for i in jira.search_issues('project = SUP AND updated >= "-5m"')] == ["SUP-2"]
