"""Turning a template and its answers into the Jira issue engineers will read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.i18n.catalog import t
from bot.templates.rubric import format_amount
from bot.templates.schema import PLACEHOLDER, Question, Template, applies
from bot.text.dates import format_date
from bot.text.screen import clip, one_line, printable, short_label
from bot.text.wiki import escape, slug

SUMMARY_LIMIT = 255
MAX_LISTED_FILES = 30
TEXT_LIMIT = 32767
_SECTION_TEXTS = {
    "en": {"customer": "Customer", "reporter": "Requested by", "filed": "Filed", "template": "Form",
           "attachments": "Attachments", "via": "via Telegram", "cut": "(shortened to fit Jira's limit)",
           "forwarded": "Forwarded message from {sender}", "forwarded_anon": "Forwarded message",
           "priority_why": "Why this priority", "typed": "The salesperson's message",
           "group": "Message from {sender} in the group “{chat}”"},
    "ru": {"customer": "Клиент", "reporter": "Запросил(а)", "filed": "Создано", "template": "Форма",
           "attachments": "Вложения", "via": "через Telegram", "cut": "(сокращено до лимита Jira)",
           "forwarded": "Пересланное сообщение от {sender}", "forwarded_anon": "Пересланное сообщение",
           "priority_why": "Почему такой приоритет", "typed": "Сообщение продавца",
           "group": "Сообщение от {sender} в группе «{chat}»"},
    "de": {"customer": "Kunde", "reporter": "Angefragt von", "filed": "Erstellt", "template": "Formular",
           "attachments": "Anhänge", "via": "über Telegram", "cut": "(auf Jiras Limit gekürzt)",
           "forwarded": "Weitergeleitete Nachricht von {sender}", "forwarded_anon": "Weitergeleitete Nachricht",
           "priority_why": "Warum diese Priorität", "typed": "Nachricht des Vertriebs",
           "group": "Nachricht von {sender} in der Gruppe „{chat}“"},
}


@dataclass(frozen=True)
class Reporter:
    """The salesperson who asked, as Telegram knows them."""

    id: int
    name: str
    username: str | None = None

    def describe(self) -> str:
        """Return 'Anna Petrova (@anna, Telegram id 42)'."""
        handle = f"@{self.username}, " if self.username else ""
        return f"{self.name} ({handle}Telegram id {self.id})"


@dataclass(frozen=True)
class Forwarded:
    """A message the salesperson forwarded from a customer chat (who wrote it, what it said), or their own ask."""

    sender: str | None
    text: str
    # The salesperson's own message, quoted because the answers could not hold all of it.
    typed: bool = False
    # The group chat the message was written in, when it was filed from there.
    chat: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file the salesperson sent with the request."""

    file_id: str
    name: str
    size: int | None = None
    mime: str | None = None
    kind: str = "document"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form."""
        return {"file_id": self.file_id, "name": self.name, "size": self.size, "mime": self.mime, "kind": self.kind}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attachment:
        """Rebuild from to_dict()."""
        return cls(data["file_id"], data["name"], data.get("size"), data.get("mime"), data.get("kind", "document"))


@dataclass(frozen=True)
class Ticket:
    """A Jira issue ready to be created."""

    project: str
    issue_type: str
    summary: str
    description: str
    priority: str | None = None
    duedate: str | None = None
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    fields: tuple[tuple[str, Any], ...] = ()
    attachments: tuple[Attachment, ...] = field(default=())
    customer: str | None = None
    # Who to file as in Jira (email or user name); resolved at delivery, never sent as is.
    reporter_query: str | None = None

    def jira_fields(self, extra_labels: tuple[str, ...] = ()) -> dict[str, Any]:
        """Return the `fields` object of a Jira create request."""
        fields: dict[str, Any] = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": self.summary,
            "description": self.description,
            "labels": list(dict.fromkeys((*self.labels, *extra_labels))),
        }
        if self.priority:
            fields["priority"] = {"name": self.priority}
        if self.duedate:
            fields["duedate"] = self.duedate
        if self.components:
            fields["components"] = [{"name": name} for name in self.components]
        for key, value in self.fields:
            fields[key] = value
        return fields


def effective_answers(template: Template, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Return the answers of the questions that apply, in question order."""
    result: dict[str, Any] = {}
    for question in template.questions:
        if question.id in answers and applies(question, result) is not False:
            result[question.id] = answers[question.id]
    return result


def format_number(value: float) -> str:
    """Format 40000.0 as '40,000' and 1.5 as '1.5' (as the rubric writes a deal, without a currency)."""
    return format_amount(value)


def display(question: Question, value: Any, lang: str) -> str:
    """Return an answer as a person reads it."""
    if value is None:
        return ""
    if question.type == "choice":
        option = question.option(str(value))
        return option.label.get(lang) if option else str(value)
    if question.type == "date":
        return format_date(date.fromisoformat(value), lang)
    if question.type == "number":
        return format_number(float(value))
    if question.type == "attachments":
        return ", ".join(Attachment.from_dict(a).name for a in value)
    return str(value)


_EMPTY = "\x00"
_SEPARATORS = r"[\s:;,.\-–—|/]"


def _fill(pattern: str, template: Template, answers: Mapping[str, Any], lang: str, empty: str = "") -> str:
    def one(match: re.Match[str]) -> str:
        name = match[1]
        if answers.get(name) is None:
            return empty
        return display(template.question(name), answers[name], lang)

    return PLACEHOLDER.sub(one, pattern)


def make_summary(template: Template, answers: Mapping[str, Any], lang: str) -> str:
    """Fill the template's summary rule: one line without control characters, at most 255 characters."""
    # Cleaned before filling: the empty-placeholder mark is a control character itself.
    plain = {key: one_line(value) if isinstance(value, str) else value for key, value in answers.items()}
    text = " ".join(_fill(template.jira.summary, template, plain, lang, _EMPTY).split())
    # An empty placeholder takes the separator that joined it to its neighbour with it: "{customer}: {what}".
    text = re.sub(rf"{_SEPARATORS}*{_EMPTY}{_SEPARATORS}*", " ", text)
    text = re.sub(rf"^{_SEPARATORS}+|[\s:;,\-–—|/]+$", "", one_line(text))
    text = text or one_line(template.title.get(lang))
    if len(text) <= SUMMARY_LIMIT:
        return text
    cut = text[: SUMMARY_LIMIT - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > SUMMARY_LIMIT // 2 else cut).rstrip() + "…"


def _field_value(template: Template, pattern: Any, answers: Mapping[str, Any], lang: str) -> Any:
    if not isinstance(pattern, str):
        return pattern
    whole = PLACEHOLDER.fullmatch(pattern.strip())
    if whole:
        # A lone placeholder keeps the answer's own type, so a number stays a number.
        value = answers.get(whole[1])
        question = template.question(whole[1])
        return value if question.type in ("number", "date", "choice") else printable(display(question, value, lang))
    return printable(_fill(pattern, template, answers, lang))


def _cut_escaped(body: str, budget: int) -> str:
    """Return the longest prefix of body whose escaped form fits budget characters."""
    low, high = 0, len(body)
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape(body[:middle])) <= budget:
            low = middle
        else:
            high = middle - 1
    return body[:low]


def _size(escaped: list[tuple[str, str]], footer: str) -> int:
    """Return about how long a description of these escaped sections would be."""
    # Headings, markup and the "shortened" note take a little beyond the escaped answers.
    return sum(len(h) + len(b) + 12 for h, b in escaped) + len(footer) + 100


def _fit(sections: list[tuple[str, str]], footer: str) -> tuple[list[tuple[str, str]], bool]:
    """Shorten the longest answers until the description fits Jira's text limit."""
    def size(items: list[tuple[str, str]]) -> int:
        return _size([(escape(h), escape(b)) for h, b in items], footer)

    items = list(sections)
    shortened = False
    while items and size(items) > TEXT_LIMIT:
        index = max(range(len(items)), key=lambda i: len(escape(items[i][1])))
        heading, body = items[index]
        escaped = len(escape(body))
        budget = max(0, escaped - max(size(items) - TEXT_LIMIT, escaped // 4))
        kept = _cut_escaped(body, budget).rstrip()
        replacement = f"{kept} …" if kept else "…"
        if replacement == body:
            break
        items[index] = (heading, replacement)
        shortened = True
    return items, shortened


def render_ticket(
    template: Template,
    answers: Mapping[str, Any],
    reporter: Reporter,
    filed_at: datetime,
    *,
    default_project: str,
    lang: str = "en",
    forwarded: Forwarded | None = None,
    rated: tuple[str, str] | None = None,
    extra_files: tuple[Attachment, ...] = (),
) -> Ticket:
    """Build the Jira issue for a completed request."""
    texts = _SECTION_TEXTS.get(lang, _SECTION_TEXTS["en"])
    current = effective_answers(template, answers)
    sections: list[tuple[str, str]] = []
    priority = template.jira.priority
    priority_set = False
    duedate: str | None = None
    customer: str | None = None
    labels = [slug(label) for label in template.jira.labels]
    attachments: list[Attachment] = []
    mapped: dict[str, Any] = {}
    for question in template.questions:
        if question.id not in current or current[question.id] is None:
            continue
        value = current[question.id]
        if question.type == "attachments":
            attachments.extend(Attachment.from_dict(a) for a in value)
            continue
        sections.append((short_label(question.text.get(lang), 120), display(question, value, lang)))
        if question.type == "choice" and not priority_set:
            option = question.option(str(value))
            if option and option.priority:
                priority, priority_set = option.priority, True
        if question.type == "customer" and customer is None:
            customer = str(value)
            labels.append(slug(customer))
        if question.jira_field == "duedate":
            duedate = str(value)
        elif question.jira_field:
            mapped[question.jira_field] = printable(value) if isinstance(value, str) else value
    known = {a.file_id for a in attachments}
    attachments.extend(a for a in extra_files if a.file_id not in known)
    if rated is not None:
        # The rubric's verdict wins over option priorities, and engineers see why.
        priority = rated[0]
        sections.insert(0, (texts["priority_why"], rated[1]))
    if forwarded is not None and forwarded.text.strip():
        heading = (texts["typed"] if forwarded.typed
                   else texts["group"].format(sender=clip(forwarded.sender or "?", 80), chat=clip(forwarded.chat, 80))
                   if forwarded.chat
                   else texts["forwarded"].format(sender=clip(forwarded.sender, 80)) if forwarded.sender
                   else texts["forwarded_anon"])
        sections.append((heading, forwarded.text))
    footer_rows = []
    if customer:
        footer_rows.append((texts["customer"], escape(customer)))
    footer_rows.append((texts["reporter"], escape(reporter.describe())))
    footer_rows.append((texts["filed"], f"{filed_at:%Y-%m-%d %H:%M %Z}".strip() + f" {texts['via']}"))
    footer_rows.append((texts["template"], escape(f"{template.title.get(lang)} ({template.id})")))
    if attachments:
        shown = [escape(clip(a.name, 100)) for a in attachments[:MAX_LISTED_FILES]]
        if len(attachments) > MAX_LISTED_FILES:
            shown.append(f"+{len(attachments) - MAX_LISTED_FILES}")
        footer_rows.append((texts["attachments"], ", ".join(shown)))
    footer = "----\n" + "\n".join(f"||{escape(k)}|{v}|" for k, v in footer_rows)
    escaped = [(escape(heading), escape(text)) for heading, text in sections]
    shortened = False
    if _size(escaped, footer) > TEXT_LIMIT:
        sections, shortened = _fit(sections, footer)
        escaped = [(escape(heading), escape(text)) for heading, text in sections]
    body = [f"h3. {heading}\n{text}" for heading, text in escaped]
    if shortened:
        body.append(f"_{escape(texts['cut'])}_")
    description = "\n\n".join([*body, footer])
    if len(description) > TEXT_LIMIT:
        # Last resort; cut where no escape sequence is split in half.
        description = description[:TEXT_LIMIT].rstrip("\\")
    fields = {key: _field_value(template, value, current, lang) for key, value in template.jira.fields}
    fields.update(mapped)
    return Ticket(
        project=template.jira.project or default_project,
        issue_type=template.jira.issue_type,
        summary=make_summary(template, current, lang),
        description=description,
        priority=priority,
        duedate=duedate,
        labels=tuple(dict.fromkeys(label for label in labels if label)),
        components=template.jira.components,
        fields=tuple(fields.items()),
        attachments=tuple(attachments),
        customer=customer,
    )


def jira_problem_text(errors: Mapping[str, str], template: Template, lang: str) -> str:
    """Explain Jira's field errors in the salesperson's words, naming the question where one maps."""
    parts = []
    for field_id, message in errors.items():
        question = next((q for q in template.questions if q.jira_field == field_id), None)
        name = question.text.get(lang) if question else field_id
        parts.append(t("jira_field_problem", lang, field=name, message=message))
    return "; ".join(parts)
