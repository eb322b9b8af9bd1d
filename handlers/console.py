"""The dialog in a terminal: admins try their templates, newcomers see the product, no tokens needed."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.intake.dialog import Engine
from bot.intake.draft import Action, Draft, Files, Prompt, Tap, Text
from bot.jira.ticket import Attachment, Reporter, Ticket
from bot.text.screen import whole_number

HELP = "Type an answer, or a button's number. /file NAME attaches a file, /cancel stops."


def render(prompt: Prompt, notice: str | None, lead: str | None = None) -> str:
    """Return a prompt as terminal text with numbered buttons."""
    lines = []
    if notice:
        lines.append(f"! {notice}")
    if lead:
        lines.append(lead)
    progress = f"[{prompt.progress[0]}/{prompt.progress[1]}] " if prompt.progress else ""
    lines.append(f"{progress}{prompt.text}")
    if prompt.hint:
        lines.extend(f"  {line}" for line in prompt.hint.splitlines())
    if prompt.current:
        lines.append(f"  (now: {prompt.current})")
    for label, value in prompt.rows:
        lines.append(f"  {label}: {value}")
    number = 1
    for row in prompt.buttons:
        for button in row:
            lines.append(f"  {number}) {button.label}")
            number += 1
    return "\n".join(lines)


def _action(line: str, prompt: Prompt) -> Action:
    buttons = [button for row in prompt.buttons for button in row]
    stripped = line.strip()
    number = whole_number(stripped, 3)
    if number is not None and 1 <= number <= len(buttons):
        return Tap(buttons[number - 1].token, prompt.seq)
    if stripped == "/cancel":
        return Tap("cancel")
    if stripped.startswith("/file "):
        name = stripped[6:].strip() or "file"
        return Files((Attachment(f"console-{name}", name, None, None, "document"),))
    return Text(line)


def describe(ticket: Ticket) -> str:
    """Return the Jira create request a ticket becomes, for people to read."""
    fields = ticket.jira_fields(("ts-<request id>",))
    description = fields.pop("description")
    payload = json.dumps({"fields": fields}, ensure_ascii=False, indent=2)
    return f"{payload}\n\nDescription (Jira wiki markup):\n{description}"


def run_console(engine: Engine, *, lang: str = "en", template_id: str | None = None,
                read: Callable[[str], str] = input, write: Callable[[str], None] = print) -> Ticket | None:
    """Walk one request in the terminal; return the ticket it would file, or None if cancelled."""
    draft: Draft = engine.new_draft(Reporter(0, "Console user", None), lang)
    write(HELP)
    step = engine.choose(draft, template_id) if template_id else None
    prompt, notice, lead = (step.prompt, step.notice, step.lead) if step else (engine.prompt(draft), None, None)
    while True:
        assert prompt is not None
        write("")
        write(render(prompt, notice, lead))
        try:
            line = read("> ")
        except EOFError:
            write("")
            return None
        step = engine.handle(draft, _action(line, prompt))
        if step.outcome == "cancelled":
            write("Cancelled.")
            return None
        if step.outcome == "confirmed":
            ticket = engine.preview(draft)
            write("\nThis is the Jira issue ticketsmith would create:\n")
            write(describe(ticket))
            return ticket
        prompt, notice, lead = step.prompt, step.notice, step.lead
