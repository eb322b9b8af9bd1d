"""The dialog preview admins see before publishing: every question with its buttons, hint and condition."""

from __future__ import annotations

from pathlib import Path

from bot.templates.preview import preview
from bot.templates.schema import load_templates, parse_templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = load_templates(ROOT / "templates.example.yaml")


def test_every_question_in_order_with_its_text_and_requirement() -> None:
    bug = EXAMPLE.get("bug")
    assert bug is not None
    steps = preview(bug, "en")
    assert [s.id for s in steps] == [q.id for q in bug.questions]
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    what = steps[0]
    assert what.text == "What is wrong? One or two sentences."
    assert what.required is True and what.min_length == 10
    assert what.hint == "Type your answer."
    assert what.buttons == ("⬅️ Back",)


def test_choice_buttons_and_the_condition_of_a_follow_up() -> None:
    bug = EXAMPLE.get("bug")
    assert bug is not None
    steps = {s.id: s for s in preview(bug, "en")}
    urgency = steps["urgency"]
    assert [c.label for c in urgency.choices] == ["Deal or go-live blocked", "Customer is unhappy", "Can wait"]
    assert urgency.choices[0].priority == "Highest"
    assert urgency.buttons[:3] == ("Deal or go-live blocked", "Customer is unhappy", "Can wait")
    why = steps["why"]
    assert len(why.conditions) == 1
    condition = why.conditions[0]
    assert condition.question_id == "urgency" and condition.question_text == "How urgent is it?"
    assert condition.labels == ("Deal or go-live blocked", "Customer is unhappy")


def test_optional_date_offers_no_deadline_instead_of_skip_and_files_offer_done_and_skip() -> None:
    bug = EXAMPLE.get("bug")
    assert bug is not None
    steps = {s.id: s for s in preview(bug, "en")}
    assert steps["deadline"].buttons == ("Today", "Tomorrow", "In a week", "No deadline", "⬅️ Back")
    assert steps["deadline"].jira_field == "duedate"
    assert steps["files"].buttons == ("✅ Done", "⬅️ Back", "Skip ⏭")
    assert steps["files"].required is False


def test_texts_follow_the_language_and_a_custom_hint_wins() -> None:
    text = """
templates:
  - id: t1
    title: {en: One, de: Eins}
    jira: {issue_type: Task, summary: "{a}"}
    questions:
      - id: a
        text: {en: "First?", de: "Erstens?"}
        hint: {en: Say it short, de: Kurz bitte}
      - id: b
        type: number
        text: How many?
        min: 1
        max: 9
        required: false
"""
    template = parse_templates(text, "t.yaml").templates[0]
    german = preview(template, "de")
    assert german[0].text == "Erstens?" and german[0].hint == "Kurz bitte"
    assert german[1].text == "How many?" and german[1].hint == "Schreib eine Zahl, z. B. 40000 oder 40k."
    assert german[1].buttons == ("⬅️ Zurück", "Überspringen ⏭")
    assert (german[1].min, german[1].max) == (1.0, 9.0)
