"""The terminal dialog: scripted input walks a template to the Jira fields it would send."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.intake.customers import CustomerDirectory, load_customers
from bot.intake.dialog import Engine
from bot.intake.draft import Button, Prompt
from bot.templates.schema import load_templates
from handlers.console import HELP, render, run_console

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_templates(ROOT / "templates.example.yaml"),
                  CustomerDirectory(load_customers(ROOT / "customers.example.yaml")),
                  clock=lambda: NOW, default_project="SUP")


def script(lines: Iterable[str]) -> Callable[[str], str]:
    """Return a read() that answers with the given lines, then reports end of input."""
    remaining = iter(lines)

    def read(prompt: str) -> str:
        assert prompt == "> "
        try:
            return next(remaining)
        except StopIteration:
            raise EOFError from None

    return read


BUG_SCRIPT = ["1", "Export to Excel fails since the update", "acme", "1", "They sign on Friday, 40k deal",
              "Friday", "/file screenshot.png", "1", "1"]


def test_walks_the_bug_template_to_the_jira_fields(engine: Engine) -> None:
    output: list[str] = []
    ticket = run_console(engine, read=script(BUG_SCRIPT), write=output.append)
    assert ticket is not None
    assert ticket.summary == "ACME Corp GmbH: Export to Excel fails since the update"
    assert ticket.priority == "Highest"
    assert ticket.duedate == "2026-11-27"
    assert [a.name for a in ticket.attachments] == ["screenshot.png"]
    text = "\n".join(output)
    assert output[0] == HELP
    assert "[1/6] What is wrong? One or two sentences." in text
    assert "[4/6] Why is it urgent? Deal size, deadline, who escalated." in text
    assert "  Ticket: ACME Corp GmbH: Export to Excel fails since the update" in text
    assert "This is the Jira issue ticketsmith would create:" in text
    payload, description = output[-1].split("\n\nDescription (Jira wiki markup):\n")
    fields = json.loads(payload)["fields"]
    assert fields == {
        "project": {"key": "SUP"},
        "issuetype": {"name": "Bug"},
        "summary": "ACME Corp GmbH: Export to Excel fails since the update",
        "labels": ["from-sales", "acme-corp-gmbh", "ts-<request id>"],
        "priority": {"name": "Highest"},
        "duedate": "2026-11-27",
    }
    assert description == ticket.description
    assert "||Requested by|Console user (Telegram id 0)|" in description


def test_template_can_be_chosen_up_front(engine: Engine) -> None:
    output: list[str] = []
    ticket = run_console(engine, template_id="question", read=script(
        ["How does SSO work with Azure?", "2", "2", "1"]), write=output.append)
    assert ticket is not None
    assert ticket.issue_type == "Task"
    assert ticket.customer is None
    assert ticket.duedate == "2026-11-24"
    assert "h3. What do you need to know?\nHow does SSO work with Azure?" in ticket.description
    assert "What do you need?" not in "\n".join(output)


def test_mistakes_are_shown_as_notices(engine: Engine) -> None:
    output: list[str] = []
    run_console(engine, read=script(["1", "short"]), write=output.append)
    assert any(block.startswith("! A little more detail, please: at least 10 characters (you wrote 5).\n"
                                "[1/6] What is wrong?") for block in output)


def test_end_of_input_returns_none(engine: Engine) -> None:
    output: list[str] = []
    assert run_console(engine, read=script(["1", "Export to Excel fails"]), write=output.append) is None
    assert output[-1] == ""


def test_cancel_returns_none(engine: Engine) -> None:
    output: list[str] = []
    assert run_console(engine, read=script(["1", "/cancel", "never read"]), write=output.append) is None
    assert output[-1] == "Cancelled."


def test_russian_console(engine: Engine) -> None:
    output: list[str] = []
    run_console(engine, lang="ru", read=script(["1"]), write=output.append)
    text = "\n".join(output)
    assert "Что вам нужно?" in text
    assert "[1/6] Что не так? Одно-два предложения." in text
    assert "  1) ⬅️ Назад" in text


def test_button_number_out_of_range_is_typed_text(engine: Engine) -> None:
    output: list[str] = []
    run_console(engine, read=script(["9"]), write=output.append)
    notice = "! Please tap one of the buttons below.\nWhat do you need?"
    assert any(block.startswith(notice) for block in output)


def test_render_prompt() -> None:
    prompt = Prompt("Pick one", 3, "question", ((Button("A", "opt:0"), Button("B", "opt:1")),
                                                (Button("Back", "back"),)),
                    progress=(2, 5), hint="Line 1\nLine 2", current="old", rows=(("Q", "answer"),))
    assert render(prompt, "Oops") == (
        "! Oops\n[2/5] Pick one\n  Line 1\n  Line 2\n  (now: old)\n  Q: answer\n  1) A\n  2) B\n  3) Back")
