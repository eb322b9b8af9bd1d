"""What a template's dialog looks like to a salesperson, question by question, for admins to check before publishing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n.catalog import t
from bot.intake.dialog import question_buttons
from bot.intake.draft import Button
from bot.templates.schema import Question, Template


@dataclass(frozen=True)
class Choice:
    """One answer button of a choice question."""

    value: str
    label: str
    priority: str | None = None


@dataclass(frozen=True)
class Condition:
    """The question is asked only when an earlier choice was answered with one of these options."""

    question_id: str
    question_text: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class PreviewStep:
    """One question as the bot asks it: its text, hint, the buttons under it and when it is asked."""

    number: int
    id: str
    type: str
    text: str
    hint: str
    required: bool
    choices: tuple[Choice, ...]
    # The answer buttons in the rows the bot lays them out in, then the Back (and Skip) row.
    answer_rows: tuple[tuple[str, ...], ...]
    navigation: tuple[str, ...]
    conditions: tuple[Condition, ...]
    jira_field: str | None
    min_length: int | None = None
    max_length: int | None = None
    min: float | None = None
    max: float | None = None

    @property
    def answers(self) -> tuple[str, ...]:
        """Return the answer buttons, row after row."""
        return tuple(label for row in self.answer_rows for label in row)

    @property
    def buttons(self) -> tuple[str, ...]:
        """Return every button under the question: the answers, then Back (and Skip)."""
        return (*self.answers, *self.navigation)


def _labels(rows: Sequence[Sequence[Button]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(button.label for button in row) for row in rows)


def _conditions(template: Template, question: Question, lang: str) -> tuple[Condition, ...]:
    """Describe a question's `when` with the earlier questions' texts and option labels."""
    found: list[Condition] = []
    for ref, values in question.when:
        earlier = template.question(ref)
        labels = tuple((option.label.get(lang) if (option := earlier.option(v)) else v) for v in values)
        found.append(Condition(ref, earlier.text.get(lang), labels))
    return tuple(found)


def preview(template: Template, lang: str) -> list[PreviewStep]:
    """Return every question of a template in the order the dialog asks them, as shown in lang."""
    steps: list[PreviewStep] = []
    for number, question in enumerate(template.questions, start=1):
        hint = question.hint.get(lang) if question.hint else t(f"hint_{question.type}", lang)
        # As the dialog lays them out before anything is typed.
        rows, nav = question_buttons(question, lang)
        choices = tuple(Choice(o.value, o.label.get(lang), o.priority) for o in question.options)
        steps.append(PreviewStep(
            number=number, id=question.id, type=question.type, text=question.text.get(lang), hint=hint,
            required=question.required, choices=choices,
            answer_rows=_labels(rows), navigation=_labels([nav])[0],
            conditions=_conditions(template, question, lang), jira_field=question.jira_field,
            min_length=question.min_length, max_length=question.max_length, min=question.min, max=question.max,
        ))
    return steps
