"""Templates checked against Jira's create screens: real python-jira against the fake Jira, the CLI, and at start-up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from jira import JIRA

from bot.config import JiraConfig
from bot.jira.gateway import DeliveryError, JiraGateway
from bot.jira.meta import (
    FieldMeta,
    IssueTypeMeta,
    JiraMeta,
    ProjectMeta,
    ServerMeta,
    fetch_project,
    resolve_field,
)
from bot.templates.jira_check import check_templates, format_report
from bot.templates.schema import TemplateSet, load_templates, parse_templates
from tests.conftest import ADMIN_ID, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "ticketsmith"
EXAMPLES = load_templates(ROOT / "templates.example.yaml")
AUTH: dict[str, dict[str, str]] = {
    "cloud": {"email": "bot@example.com", "api_token": "tok"},
    "dc8": {"pat": "pat-secret"},
    "dc9": {"pat": "pat-secret"},
}


@pytest.fixture(params=sorted(AUTH))
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, email="bot@example.com", api_token="tok", pat="pat-secret") as jira:
        yield jira


@pytest.fixture
def cloud() -> Iterator[FakeJira]:
    with FakeJira("cloud", email="bot@example.com", api_token="tok") as jira:
        yield jira


def gateway(jira: FakeJira, **auth: str) -> JiraGateway:
    """A gateway to the fake with the credentials its mode takes."""
    return JiraGateway(JiraConfig(url=jira.url, project="SUP", timeout=5, **(auth or AUTH[jira.mode])))


async def fetch(jira: FakeJira, projects: set[str] | None = None, page_size: int = 50) -> JiraMeta:
    """Fetch create metadata through the gateway, as `ticketsmith check` does."""
    gw = gateway(jira)
    try:
        return await gw.create_meta(projects or {"SUP"}, page_size=page_size)
    finally:
        await gw.close()


def createmeta_calls(jira: FakeJira) -> list[str]:
    """The createmeta paths the fake was asked for, with their startAt."""
    return [f"{r.path}?{r.query.get('startAt', '')}" for r in jira.requests if "/createmeta" in r.path]


def template(*questions: dict[str, Any], **jira: Any) -> TemplateSet:
    """A one-template set 't' (Bug in the default project) with a 'what' text question and these."""
    spec = {"issue_type": "Bug", "summary": "{what}", **jira}
    first = {"id": "what", "text": "What?", "type": "text"}
    document = {"templates": [{"id": "t", "title": "T", "jira": spec, "questions": [first, *questions]}]}
    return parse_templates(yaml.safe_dump(document, allow_unicode=True), "t.yaml")


def examples_with(old: str, new: str) -> TemplateSet:
    """The example templates with one change."""
    text = (ROOT / "templates.example.yaml").read_text(encoding="utf-8")
    assert old in text
    return parse_templates(text.replace(old, new, 1), "templates.yaml")


# ---------------------------------------------------------------------------------------------- fetching


async def test_meta_is_read_in_every_mode_with_paging(fake: FakeJira) -> None:
    meta = await fetch(fake, page_size=2)
    assert meta.deployment == ("cloud" if fake.mode == "cloud" else "datacenter")
    assert meta.version == {"cloud": "1001.0.0-SNAPSHOT", "dc8": "8.20.30", "dc9": "9.12.15"}[fake.mode]
    assert meta.priorities == ("Highest", "High", "Medium", "Low", "Lowest")
    project = meta.projects["SUP"]
    assert {t.name for t in project.issue_types.values()} == {"Bug", "Task", "Story"}
    for type_id, issue_type in project.issue_types.items():
        assert list(issue_type.fields) == fake.screens[type_id]
    bug = project.issue_type("Bug")
    assert bug is not None
    assert bug.fields["customfield_10050"] == FieldMeta(
        "customfield_10050", "Deal size", False, False, "number", None,
        "com.atlassian.jira.plugin.system.customfieldtypes:float")
    assert bug.fields["customfield_10051"].allowed_values == ("Gold", "Silver", "Bronze")
    segments = bug.fields["customfield_10052"]
    assert (segments.schema_type, segments.items) == ("array", "option") and segments.is_custom
    assert bug.fields["duedate"].schema_type == "date" and not bug.fields["duedate"].is_custom
    assert bug.fields["summary"].required and bug.fields["priority"].has_default
    assert bug.fields["components"].allowed_values == ("Billing", "Onboarding")
    calls = createmeta_calls(fake)
    # Small pages: the issue type list and every field list took more than one request.
    assert "/rest/api/2/issue/createmeta/SUP/issuetypes?2" in calls
    assert "/rest/api/2/issue/createmeta/SUP/issuetypes/10001?10" in calls
    assert "/rest/api/2/issue/createmeta?" not in calls, "Cloud, DC 8.20 and DC 9 all have the paged endpoints"


async def test_data_center_falls_back_to_legacy_createmeta_when_the_paged_endpoint_is_missing() -> None:
    with FakeJira("dc8", pat="pat-secret") as jira:
        jira.fail_next(404, body={"message": "null for uri: createmeta", "status-code": 404},
                       path_contains="/createmeta/SUP/issuetypes")
        meta = await fetch(jira)
        assert "/rest/api/2/issue/createmeta?" in createmeta_calls(jira)
        bug = meta.projects["SUP"].issue_type("Bug")
        assert bug is not None and list(bug.fields) == jira.screens["10001"]
        assert bug.fields["customfield_10051"].allowed_values == ("Gold", "Silver", "Bronze")
        assert check_templates(EXAMPLES, meta, "SUP") == {"bug": [], "feature": [], "question": []}


def test_data_center_before_8_4_reads_the_legacy_endpoint_only() -> None:
    with FakeJira("dc8", pat="pat-secret") as jira:
        client = JIRA(server=jira.url, token_auth="pat-secret", max_retries=0, options={"check_update": False})
        project = fetch_project(client, "SUP", ServerMeta("datacenter", "8.3.0", (8, 3, 0)))
        assert project is not None and {t.name for t in project.issue_types.values()} == {"Bug", "Task", "Story"}
        assert createmeta_calls(jira) == ["/rest/api/2/issue/createmeta?"]
        assert fetch_project(client, "NOPE", ServerMeta("datacenter", "8.3.0", (8, 3, 0))) is None
        client.close()


async def test_an_unknown_project_is_left_out(fake: FakeJira) -> None:
    meta = await fetch(fake, {"SUP", "NOPE"})
    assert list(meta.projects) == ["SUP"]


async def test_bad_credentials_are_a_401(cloud: FakeJira) -> None:
    gw = gateway(cloud, email="bot@example.com", api_token="wrong")
    with pytest.raises(DeliveryError) as caught:
        await gw.create_meta({"SUP"})
    assert caught.value.status == 401
    await gw.close()


# ---------------------------------------------------------------------------------------------- checking


async def test_the_example_templates_fit_the_default_project(fake: FakeJira) -> None:
    results = check_templates(EXAMPLES, await fetch(fake), "SUP")
    assert results == {"bug": [], "feature": [], "question": []}
    assert format_report(results) == ["bug: OK", "feature: OK", "question: OK"]


async def test_a_required_field_filled_by_an_optional_question_is_a_problem(fake: FakeJira) -> None:
    fake.require_field("Bug", "duedate")
    meta = await fetch(fake)
    [problem] = check_templates(EXAMPLES, meta, "SUP")["bug"]
    assert problem.startswith("template 'bug': Jira requires 'Due ")
    assert "(duedate) for Bug in SUP" in problem and "question 'deadline' is optional" in problem
    assert "`required: true`" in problem
    fixed = examples_with("    type: date\n        required: false\n        jira: duedate",
                          "    type: date\n        jira: duedate")
    assert check_templates(fixed, meta, "SUP")["bug"] == []


async def test_a_required_field_no_question_fills_is_a_problem(cloud: FakeJira) -> None:
    cloud.require_field("Story", "customfield_10050")
    results = check_templates(EXAMPLES, await fetch(cloud), "SUP")
    assert results["feature"] == [
        "template 'feature': Jira requires 'Deal size' (customfield_10050) for Story in SUP, and no question "
        "fills it — add a number question with `jira: customfield_10050`"]
    assert results["bug"] == [] and results["question"] == []
    lines = format_report(results)
    assert lines[1] == "feature: 1 problem" and lines[2].startswith("  - template 'feature':")


async def test_a_question_asked_only_sometimes_does_not_cover_a_required_field(cloud: FakeJira) -> None:
    cloud.require_field("Bug", "customfield_10050")
    meta = await fetch(cloud)
    urgency = {"id": "urgency", "text": "Urgent?", "type": "choice",
               "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]}
    size = {"id": "size", "text": "How big?", "type": "number", "jira": "Deal size", "when": {"urgency": ["yes"]}}
    [problem] = check_templates(template(urgency, size), meta, "SUP")["t"]
    assert "question 'size' is only asked when urgency is yes" in problem
    fallback = template(urgency, size, fields={"customfield_10050": 0})
    assert check_templates(fallback, meta, "SUP")["t"] == []


async def test_unknown_field_id_and_name_are_reported(cloud: FakeJira) -> None:
    meta = await fetch(cloud)
    by_id = template(fields={"customfield_99999": 5})
    [problem] = check_templates(by_id, meta, "SUP")["t"]
    assert problem.startswith("template 't': `jira.fields` key 'customfield_99999' names a field Jira does not have")
    by_name = template({"id": "size", "text": "How big?", "type": "number", "jira": "Deal sise"})
    [problem] = check_templates(by_name, meta, "SUP")["t"]
    assert problem.startswith("template 't', question 'size': `jira: Deal sise` names a field Jira does not have")
    assert "did you mean 'Deal size'?" in problem


async def test_a_field_off_the_create_screen_is_reported(cloud: FakeJira) -> None:
    cloud.remove_from_screen("Bug", "customfield_10050")
    templates = template({"id": "size", "text": "How big?", "type": "number", "jira": "customfield_10050"})
    [problem] = check_templates(templates, await fetch(cloud), "SUP")["t"]
    assert "'Deal size' (customfield_10050) exists in Jira but is not on the create screen for Bug in SUP" in problem


async def test_fields_by_name_are_found_in_any_case(fake: FakeJira) -> None:
    templates = template({"id": "size", "text": "How big?", "type": "number", "jira": "deal SIZE"},
                         fields={"Customer tier": "Gold", "segments": ["SMB", "Enterprise"]})
    assert check_templates(templates, await fetch(fake), "SUP")["t"] == []


async def test_unknown_priority_on_an_option_is_reported(cloud: FakeJira) -> None:
    urgency = {"id": "urgency", "text": "Urgent?", "type": "choice",
               "options": [{"value": "now", "label": "Now", "priority": "Urgent"},
                           {"value": "later", "label": "Later", "priority": "high"}]}
    problems = check_templates(template(urgency), await fetch(cloud), "SUP")["t"]
    assert problems == [
        "template 't', question 'urgency': option 'now' sets priority 'Urgent', which Jira does not have — use one "
        "of Highest, High, Medium, Low, Lowest",
        "template 't', question 'urgency': option 'later' sets priority 'high', which Jira does not have (did you "
        "mean 'High'?) — use one of Highest, High, Medium, Low, Lowest",
    ]


async def test_an_unknown_priority_in_a_rule_is_reported_for_the_templates_it_covers(cloud: FakeJira) -> None:
    meta = await fetch(cloud)
    misspelled = examples_with("    - priority: Low\n", "    - priority: low\n")
    results = check_templates(misspelled, meta, "SUP")
    assert results["feature"] == ["template 'feature': a priority rule sets 'low', which Jira does not have (did you "
                                  "mean 'Low'?) — use one of Highest, High, Medium, Low, Lowest"]
    assert results["bug"] == [] and results["question"] == []


async def test_priorities_need_the_priority_field_on_the_screen(cloud: FakeJira) -> None:
    cloud.remove_from_screen("Bug", "priority")
    [problem] = check_templates(EXAMPLES, await fetch(cloud), "SUP")["bug"]
    assert "has no Priority field" in problem


async def test_unknown_select_values_are_reported(cloud: FakeJira) -> None:
    meta = await fetch(cloud)
    [problem] = check_templates(template(fields={"Customer tier": "Platinum"}), meta, "SUP")["t"]
    assert problem == ("template 't': `jira.fields` key 'Customer tier' sets 'Customer tier' (customfield_10051) to "
                       "'Platinum', but 'Platinum' is not one of its values in Jira — use one of Gold, Silver, Bronze")
    [problem] = check_templates(template(fields={"customfield_10052": ["SMB", "smb2"]}), meta, "SUP")["t"]
    assert "'smb2' is not one of its values" in problem
    tier = {"id": "tier", "text": "Tier?", "type": "choice", "jira": "customfield_10051",
            "options": [{"value": "gold", "label": "Gold"}, {"value": "Silver", "label": "Silver"}]}
    [problem] = check_templates(template(tier), meta, "SUP")["t"]
    assert problem.startswith("template 't', question 'tier': option 'gold' is not one of the options of "
                              "'Customer tier' (customfield_10051) in Jira (did you mean 'Gold'?)")


async def test_unknown_issue_type_and_project_are_reported(cloud: FakeJira) -> None:
    meta = await fetch(cloud, {"SUP", "OPS"})
    epic = examples_with("issue_type: Bug", "issue_type: Epic")
    assert check_templates(epic, meta, "SUP")["bug"] == [
        "template 'bug': project SUP has no issue type 'Epic' — set `jira.issue_type` to one of Bug, Task, Story"]
    elsewhere = examples_with("issue_type: Bug", "issue_type: Bug\n      project: OPS")
    [problem] = check_templates(elsewhere, meta, "SUP")["bug"]
    assert problem.startswith("template 'bug': Jira has no project 'OPS' the bot's account can create issues in")
    [problem] = check_templates(EXAMPLES, meta, "NOPE")["question"]
    assert "no project 'NOPE'" in problem and "`jira.project` in the config" in problem


async def test_value_kinds_must_fit_the_field(cloud: FakeJira) -> None:
    meta = await fetch(cloud)
    text_into_number = template({"id": "size", "text": "How big?", "type": "text", "jira": "Deal size"})
    [problem] = check_templates(text_into_number, meta, "SUP")["t"]
    assert problem == ("template 't', question 'size': fills 'Deal size' (customfield_10050), a number field in "
                       "Jira, but it is a text question — make it `type: number`")
    placeholder = template({"id": "size", "text": "How big?", "type": "text"},
                           fields={"customfield_10050": "{size}"})
    [problem] = check_templates(placeholder, meta, "SUP")["t"]
    assert "`jira.fields` key 'customfield_10050' fills 'Deal size'" in problem and "a number field" in problem
    [problem] = check_templates(template(fields={"Deal size": "big"}), meta, "SUP")["t"]
    assert "Jira takes a number there" in problem
    assert check_templates(template(fields={"Deal size": 40000}), meta, "SUP")["t"] == []
    [problem] = check_templates(template(fields={"duedate": "soon"}), meta, "SUP")["t"]
    assert "Jira takes a date there" in problem
    when = {"id": "when", "text": "When?", "type": "text", "jira": "duedate"}
    with pytest.raises(Exception, match="only a date question can fill 'duedate'"):
        template(when)
    tier = {"id": "tier", "text": "Tier?", "type": "text", "jira": "Customer tier"}
    [problem] = check_templates(template(tier), meta, "SUP")["t"]
    assert "make it a choice question" in problem


async def test_fixed_values_are_sent_as_written(cloud: FakeJira) -> None:
    meta = await fetch(cloud)
    # safe_dump writes a date unquoted, as an admin would, and YAML reads it back as a date.
    [problem] = check_templates(template(fields={"duedate": date(2026, 12, 31)}), meta, "SUP")["t"]
    assert "a YAML date that cannot be sent to Jira — put it in quotes: '2026-12-31'" in problem
    assert check_templates(template(fields={"duedate": "2026-12-31"}), meta, "SUP")["t"] == []
    [problem] = check_templates(template(fields={"Customer tier": "{what} tier"}), meta, "SUP")["t"]
    assert "with text around placeholders, but that field takes a choice from a list" in problem


def test_required_fields_must_be_filled_on_every_path() -> None:
    def field(fid: str, name: str, kind: str, required: bool = True) -> FieldMeta:
        return FieldMeta(fid, name, required, False, kind)

    screen = [field("summary", "Summary", "string"), field("description", "Description", "string"),
              field("labels", "Labels", "array"), field("priority", "Priority", "priority"),
              field("customfield_1", "Team", "string"), field("customfield_2", "team", "string", False)]
    bug = IssueTypeMeta("1", "Bug", {f.id: f for f in screen})
    meta = JiraMeta("cloud", "1001", (1001,), {"SUP": ProjectMeta("SUP", {"1": bug})}, ("High", "Low"))
    urgency = {"id": "urgency", "text": "Urgent?", "type": "choice",
               "options": [{"value": "yes", "label": "Yes", "priority": "High"}, {"value": "no", "label": "No"}]}
    problems = check_templates(template(urgency, fields={"Team": "x"}), meta, "SUP")["t"]
    assert problems == [
        "template 't': `jira.fields` key 'Team' is ambiguous: Jira has several fields called that ('Team' "
        "(customfield_1), 'team' (customfield_2)) — use the id",
        "template 't': Jira requires 'Priority' (priority) for Bug in SUP, but question 'urgency' sets it only for "
        "some answers (not for no) — give every option a `priority`, make the question required, or set "
        "`jira.priority` as a fallback",
        "template 't': Jira requires 'Team' (customfield_1) for Bug in SUP, and no question fills it — add a "
        "question with `jira: customfield_1` or set a fixed value in `jira.fields`",
    ]
    fixed = template(urgency, priority="Low", fields={"customfield_1": "{what}"})
    assert check_templates(fixed, meta, "SUP")["t"] == []


async def test_ticketsmith_s_own_fields_cannot_be_mapped(cloud: FakeJira) -> None:
    [problem] = check_templates(template(fields={"labels": ["x"]}), await fetch(cloud), "SUP")["t"]
    assert "'Labels' (labels), which ticketsmith fills itself" in problem


async def test_missing_components_are_reported(cloud: FakeJira) -> None:
    meta = await fetch(cloud)
    assert check_templates(template(components=["Billing"]), meta, "SUP")["t"] == []
    [problem] = check_templates(template(components=["Biling"]), meta, "SUP")["t"]
    assert "component 'Biling' does not exist in SUP (did you mean 'Billing'?)" in problem


def test_resolve_field_by_id_and_name() -> None:
    def field(fid: str, name: str) -> FieldMeta:
        return FieldMeta(fid, name, False, False, "number")

    bug = IssueTypeMeta("10001", "Bug", {f.id: f for f in (
        field("customfield_10050", "Deal size"), field("duedate", "Due date"),
        field("customfield_1", "Twin"), field("customfield_2", "twin"))})
    assert resolve_field("customfield_10050", bug) is bug.fields["customfield_10050"]
    assert resolve_field("CUSTOMFIELD_10050", bug) is bug.fields["customfield_10050"]
    assert resolve_field("Deal size", bug) is bug.fields["customfield_10050"]
    assert resolve_field(" deal SIZE ", bug) is bug.fields["customfield_10050"]
    assert resolve_field("due date", bug) is bug.fields["duedate"]
    assert resolve_field("Deal", bug) is None
    assert resolve_field("twin", bug) is None, "two fields share the name, so only an id is unambiguous"


# ---------------------------------------------------------------------------------------------- the CLI


def run_check(folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `ticketsmith check` on the config in folder, secrets from env only."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "JIRA_"))}
    return subprocess.run([str(SCRIPT), "check", "--config", str(folder / "config.yaml")], capture_output=True,
                          text=True, timeout=60, env={**clean, "TELEGRAM_TOKEN": "123:abc", **env}, cwd=folder)


def environment(jira: FakeJira) -> dict[str, str]:
    """The environment the example config reads Jira's URL and credentials from."""
    if jira.mode == "cloud":
        return {"JIRA_URL": jira.url, "JIRA_EMAIL": "bot@example.com", "JIRA_API_TOKEN": "tok"}
    return {"JIRA_URL": jira.url, "JIRA_PAT": "pat-secret"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the example config, templates and customers."""
    shutil.copy(ROOT / "config.example.yaml", tmp_path / "config.yaml")
    for name in ("templates.example.yaml", "customers.example.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_check_reports_each_template_ok_against_jira(fake: FakeJira, folder: Path) -> None:
    result = run_check(folder, environment(fake))
    assert result.returncode == 0, result.stderr
    assert "config: " in result.stdout and "3 template(s)" in result.stdout, "the offline report comes first"
    product = "Jira Cloud 1001.0.0-SNAPSHOT" if fake.mode == "cloud" else "Jira Data Center"
    assert product in result.stdout
    assert result.stdout.splitlines()[-3:] == ["bug: OK", "feature: OK", "question: OK"]


def test_check_exits_1_and_names_a_required_field_no_question_fills(folder: Path) -> None:
    with FakeJira("dc9", pat="pat-secret") as jira:
        jira.require_field("Task", "customfield_10051")
        result = run_check(folder, environment(jira))
    assert result.returncode == 1, result.stderr
    assert "Jira Data Center 9.12.15" in result.stdout
    assert "question: 1 problem\n  - template 'question': Jira requires 'Customer tier' (customfield_10051) for " \
           "Task in SUP" in result.stdout
    assert "bug: OK" in result.stdout


def test_check_exits_3_when_jira_is_down_or_refuses_the_credentials(folder: Path) -> None:
    with FakeJira("cloud", email="bot@example.com", api_token="tok") as jira:
        refused = run_check(folder, {**environment(jira), "JIRA_API_TOKEN": "wrong-secret-4711"})
        jira.go_down()
        down = run_check(folder, environment(jira))
    # What check is doing comes first on stderr, then the one line that explains the failure.
    progress = f"Checking 3 template(s) against Jira at {jira.url}: reading the create screens of project(s) SUP…"
    assert refused.returncode == 3
    assert refused.stderr.strip().splitlines() == [
        progress,
        f"ticketsmith: Jira at {jira.url} rejected the bot's credentials (401) — check jira.email and "
        "jira.api_token (Cloud) or jira.pat (Data Center)"]
    assert down.returncode == 3
    [first, line] = down.stderr.strip().splitlines()
    assert first == progress
    assert line.startswith(f"ticketsmith: Jira at {jira.url} could not be reached")
    assert "wrong-secret-4711" not in refused.stderr + refused.stdout


async def test_templates_jira_would_refuse_are_not_offered(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                           clock: Clock) -> None:
    jira.require_field("Bug", "duedate")
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url), clock)
    admin = running.user(ADMIN_ID, "Olga", username="olga")
    await admin.send("hello")  # an admin the bot can reach
    await running.start()
    try:
        await tg.wait_for(lambda: any("not offered" in m.text for m in admin.messages), timeout=10)
        notice = next(m for m in admin.messages if "not offered" in m.text)
        assert "bug: 1 problem" in notice.text and "duedate" in notice.text
        user = running.user()
        await running.say(user, "/new")
        assert "Something is broken" not in user.last.buttons()
        assert "A feature for a deal" in user.last.buttons()
    finally:
        await running.stop()
