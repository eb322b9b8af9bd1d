"""Template field values reach Jira in the shape each field's schema wants, on Cloud and Data Center."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config import JiraConfig
from bot.jira.fields import shape_value
from bot.jira.gateway import DeliveryError, JiraGateway
from bot.jira.meta import FieldMeta
from bot.jira.ticket import Ticket
from tests.fakes.jira import FakeJira

AUTH = {"cloud": {"email": "bot@example.com", "api_token": "tok"}, "dc9": {"pat": "pat-secret"},
        "dc8": {"pat": "pat-secret"}}


@pytest.mark.parametrize(("meta", "value", "deployment", "expected"), [
    (FieldMeta("customfield_1", "Deal", False, False, "number"), 40000.0, "cloud", 40000),
    (FieldMeta("customfield_1", "Deal", False, False, "number"), "1.5", "cloud", 1.5),
    (FieldMeta("customfield_2", "Tier", False, False, "option"), "Gold", "cloud", {"value": "Gold"}),
    (FieldMeta("customfield_3", "Seg", False, False, "array", items="option"), "retail", "cloud",
     [{"value": "retail"}]),
    (FieldMeta("customfield_3", "Seg", False, False, "array", items="option"), ["a", "b"], "cloud",
     [{"value": "a"}, {"value": "b"}]),
    (FieldMeta("assignee", "Assignee", False, False, "user"), "5b10ac8d82e05b22cc7d4ef5", "cloud",
     {"accountId": "5b10ac8d82e05b22cc7d4ef5"}),
    (FieldMeta("assignee", "Assignee", False, False, "user"), "anna", "datacenter", {"name": "anna"}),
    (FieldMeta("duedate", "Due date", False, False, "date"), "2026-12-25", "cloud", "2026-12-25"),
    (FieldMeta("components", "Components", False, False, "array", items="component"), "Export", "cloud",
     [{"name": "Export"}]),
    (FieldMeta("labels", "Labels", False, False, "array", items="string"), ["Big Deal"], "cloud", ["big-deal"]),
    (FieldMeta("customfield_4", "Notes", False, False, "string"), 42, "cloud", "42"),
])
def test_values_are_shaped_by_schema(meta: FieldMeta, value: object, deployment: str, expected: object) -> None:
    assert shape_value(meta, value, deployment) == expected  # type: ignore[arg-type]


@pytest.fixture(params=sorted(AUTH))
def jira(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, email="bot@example.com", api_token="tok", pat="pat-secret") as fake:
        yield fake


async def test_fields_named_by_display_name_are_filed_by_id(jira: FakeJira) -> None:
    gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", timeout=5, **AUTH[jira.mode]))  # type: ignore[arg-type]
    ticket = Ticket(project="SUP", issue_type="Story", summary="ACME needs SSO", description="d",
                    fields=(("Deal size", 40000), ("customer tier", "Gold"), ("customfield_10052", "SMB")))
    created = await gateway.create(ticket, "ts-fields")
    fields = jira.issues[created.key]["fields"]
    assert fields["customfield_10050"] == 40000
    assert fields["customfield_10051"]["value"] == "Gold"
    assert [option["value"] for option in fields["customfield_10052"]] == ["SMB"]
    await gateway.close()


async def test_a_field_jira_does_not_know_is_refused_by_jira_by_name(jira: FakeJira) -> None:
    gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", timeout=5, **AUTH[jira.mode]))  # type: ignore[arg-type]
    ticket = Ticket(project="SUP", issue_type="Story", summary="x", description="d", fields=(("Budget", 1),))
    with pytest.raises(DeliveryError) as caught:
        await gateway.create(ticket, "ts-unknown")
    assert not caught.value.transient and "Budget" in caught.value.field_errors
    await gateway.close()
