"""A question engineers keep asking, added to a template's YAML for an admin to check, preview and publish."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

from bot.app import App
from bot.i18n.catalog import t
from bot.reports.followups import INSIGHT_DAYS, QuestionGroup, TemplateInsight, find_suggestion, insights_apart
from bot.templates.publishing import live_set
from bot.templates.schema import ID_PATTERN, Template
from bot.text.yamlfile import ConfigError, LineDict, LineList, parse_yaml

TEXT_LIMIT = 200
_ITEM = re.compile(r"^(\s*)-\s")


@dataclass(frozen=True)
class SuggestedQuestion:
    """A new optional text question: its id, its text and a comment saying why it is there."""

    id: str
    text: str
    note: str


def suggest(template: Template, label: str, example: str, note: str) -> SuggestedQuestion:
    """Return a question for what engineers asked (label, in their example's words) that fits the template."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii").casefold()
    base = "_".join(re.findall(r"[a-z0-9]+", ascii_label))[:28].strip("_") or "asked"
    taken = {question.id for question in template.questions}
    question_id, number = base, 1
    while question_id in taken or not ID_PATTERN.fullmatch(question_id):
        number += 1
        question_id = f"{base}_{number}"
    text = " ".join(example.split())
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1].rstrip() + "…"
    return SuggestedQuestion(id=question_id, text=text, note=" ".join(note.split()))


def _lines(question: SuggestedQuestion, indent: str) -> list[str]:
    return [f"{indent}- id: {question.id}",
            f"{indent}  # {question.note}",
            f"{indent}  text: {json.dumps(question.text, ensure_ascii=False)}",
            f"{indent}  type: text",
            f"{indent}  required: false"]


def _questions_of(document: Any, template_id: str) -> LineList | None:
    if not isinstance(document, LineDict) or not isinstance(document.get("templates"), list):
        return None
    for node in document["templates"]:
        if isinstance(node, LineDict) and node.get("id") == template_id:
            found = node.get("questions")
            return found if isinstance(found, LineList) and found else None
    return None


def with_question(text: str, template_id: str, question: SuggestedQuestion) -> str:
    """Return the templates document with the question added to the template; comments stay.

    The question goes last, or just before a last question that takes files (files are asked for at the end).
    Raises ConfigError when the document does not parse or has no such template with questions.
    """
    document = parse_yaml(text, "templates")
    questions = _questions_of(document, template_id)
    if questions is None:
        raise ConfigError([f"templates: no template '{template_id}' with questions"])
    last = questions[-1]
    before_files = len(questions) > 1 and isinstance(last, dict) and last.get("type") == "attachments"
    lines = text.split("\n")
    start = questions.item_lines[-1] - 1
    item = _ITEM.match(lines[start]) if start < len(lines) else None
    if item is not None:
        indent = item.group(1)
        at = _item_start(lines, start, indent) if before_files else _item_end(lines, start, indent)
        added = "\n".join([*lines[:at], *_lines(question, indent), *lines[at:]])
        if _has(added, template_id, question.id):
            return added
    # A layout the line-wise insert cannot follow (flow style, say): the document written anew, without comments.
    entry = {"id": question.id, "text": question.text, "type": "text", "required": False}
    questions.insert(len(questions) - 1 if before_files else len(questions), entry)
    return str(yaml.safe_dump(_plain(document), allow_unicode=True, sort_keys=False, width=120))


def _item_start(lines: list[str], start: int, indent: str) -> int:
    """Return the first line of the item at start, with the comment lines just above it that belong to it."""
    while start > 0 and lines[start - 1].startswith(indent + "#"):
        start -= 1
    return start


def _item_end(lines: list[str], start: int, indent: str) -> int:
    """Return the line after the last line of the item that starts at start."""
    end = start + 1
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[index]) - len(lines[index].lstrip()) <= len(indent):
            break
        end = index + 1
    return end


def _has(text: str, template_id: str, question_id: str) -> bool:
    try:
        questions = _questions_of(parse_yaml(text, "templates"), template_id)
    except ConfigError:
        return False
    return questions is not None and any(isinstance(q, dict) and q.get("id") == question_id for q in questions)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class SuggestedFile:
    """The live templates document with a suggested question added, and what was added where."""

    template: Template
    group: QuestionGroup
    question: SuggestedQuestion
    text: str


async def insights(svc: App) -> dict[str, TemplateInsight]:
    """Return what engineers asked about each template's requests over the last INSIGHT_DAYS days."""
    return await insights_apart(svc.store, svc.clock() - INSIGHT_DAYS * 86400.0)


async def suggested_file(svc: App, digest: str, lang: str) -> SuggestedFile | None:
    """Return the live templates with the suggestion's question added, or None when it is no longer suggested.

    Raises ConfigError when the question cannot be added to the file.
    """
    current = await insights(svc)
    found = find_suggestion(current, digest)
    templates = live_set(svc)
    template = templates.get(found[0]) if found else None
    if found is None or template is None:
        return None
    group = found[1]
    note = t("ins_note", lang, asked=group.requests, count=current[template.id].handled)
    question = suggest(template, group.label, group.example, note)
    return SuggestedFile(template, group, question, with_question(templates.text, template.id, question))
