"""What an external model says a message asks, checked against the templates before it may fill a draft."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.intake.customers import CustomerDirectory
from bot.templates.schema import Question, Template, TemplateSet
from bot.text.screen import clip

MODEL_EVIDENCE = "model"


@dataclass(frozen=True)
class ModelHints:
    """A model's reading of a message: the template it fits and raw answers by question id."""

    template_id: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)


def read_hints(payload: Any, templates: TemplateSet) -> ModelHints | None:
    """Turn a model's JSON reply into hints; None when it is not the agreed shape."""
    if not isinstance(payload, Mapping):
        return None
    template_id = payload.get("template")
    answers = payload.get("answers", {})
    if not isinstance(answers, Mapping):
        return None
    known = template_id if isinstance(template_id, str) and templates.get(template_id) else None
    return ModelHints(known, {str(k): v for k, v in answers.items()})


def _choice(question: Question, value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    wanted = value.strip().casefold()
    for option in question.options:
        names = {option.value.casefold(), *(text.casefold() for _, text in option.label.variants)}
        if wanted in names:
            return option.value
    return None


def _number(question: Question, value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").replace(" ", ""))
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if (question.min is not None and value < question.min) or (question.max is not None and value > question.max):
        return None
    return int(value) if float(value).is_integer() else float(value)


def checked_answer(question: Question, value: Any, customers: CustomerDirectory, today: date) -> Any | None:
    """Return a model's answer in the form the dialog stores, or None when it does not fit the question."""
    if value is None:
        return None
    if question.type == "choice":
        return _choice(question, value)
    if question.type == "number":
        return _number(question, value)
    if question.type == "date":
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return None
        return day.isoformat() if day >= today else None
    if question.type in ("text", "customer") and isinstance(value, str) and value.strip():
        text = " ".join(value.split())
        if question.type == "customer":
            # A name the directory knows well is written the way the directory spells it.
            matches = customers.match(text, limit=1)
            return matches[0].name if matches and (matches[0].exact or matches[0].score >= 90) else clip(text, 100)
        if len(text) < (question.min_length or 1):
            return None
        return clip(text, question.max_length or len(text))
    return None


def hinted_answers(template: Template, hints: ModelHints, customers: CustomerDirectory, today: date
                   ) -> dict[str, Any]:
    """Return the model's answers that fit this template's questions, keyed by question id."""
    found: dict[str, Any] = {}
    for question in template.questions:
        if question.type == "attachments" or question.id not in hints.answers:
            continue
        value = checked_answer(question, hints.answers[question.id], customers, today)
        if value is not None:
            found[question.id] = value
    return found
