"""The diff admins see before publishing: templates and questions added, removed and changed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n.catalog import LocalText
from bot.templates.diff import TemplateDiff, diff
from bot.templates.schema import JiraSpec, Question, Template, TemplateSet, parse_templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "templates.example.yaml").read_text(encoding="utf-8")

SMALL = """\
templates:
  - id: bug
    title: Something is broken
    jira:
      issue_type: Bug
      summary: "{what}"
      labels: [from-sales]
    questions:
      - id: what
        text: What is wrong?
      - id: urgency
        text: How urgent?
        type: choice
        options:
          - {value: high, label: Very}
          - {value: low, label: Not very}
      - id: why
        text: Why?
        when: {urgency: [high]}
  - id: question
    title: A question
    jira:
      issue_type: Task
      summary: "{ask}"
    questions:
      - id: ask
        text: What do you want to know?
"""


def parse(text: str) -> TemplateSet:
    """Parse a templates document."""
    return parse_templates(text, "templates.yaml")


def test_the_same_set_has_no_changes() -> None:
    example = parse(EXAMPLE)
    changes = diff(example, example)
    assert changes.empty
    assert changes.lines("en") == []


def test_comments_and_formatting_are_not_changes() -> None:
    edited = SMALL.replace("templates:\n", "# Edited by Olga\ntemplates:\n", 1).replace("[from-sales]",
                                                                                       "[ from-sales ]")
    assert diff(parse(SMALL), parse(edited)).empty


def test_added_and_removed_templates() -> None:
    without_question = SMALL.split("  - id: question")[0]
    removed = diff(parse(SMALL), parse(without_question))
    assert [t.id for t in removed.removed] == ["question"]
    assert removed.lines("en") == ["➖ Removed template A question (question)"]
    added = diff(parse(without_question), parse(SMALL))
    assert [t.id for t in added.added] == ["question"] and not added.removed and not added.changed
    assert added.lines("en") == ["➕ New template A question (question) · questions: 1"]
    assert added.lines("ru") == ["➕ Новый шаблон A question (question) · вопросов: 1"]


def test_question_changes_name_what_changed() -> None:
    edited = (SMALL.replace("What is wrong?", "What exactly is wrong?")
              .replace("{value: low, label: Not very}", "{value: low, label: Can wait}")
              .replace("      - id: why\n        text: Why?\n        when: {urgency: [high]}\n",
                       "      - id: why\n        text: Why?\n        required: false\n        jira: description\n")
              .replace("      - id: ask\n", "      - id: customer\n        text: Which customer?\n"
                       "        type: customer\n      - id: ask\n")
              .replace("summary: \"{ask}\"", "summary: \"{customer}: {ask}\""))
    changes = diff(parse(SMALL), parse(edited))
    bug, question = changes.changed
    assert bug.id == "bug" and bug.aspects == ()
    assert {q.id: q.aspects for q in bug.questions_changed} == {
        "what": ("text",), "urgency": ("options",), "why": ("required", "condition", "jira")}
    assert question.id == "question" and [q.id for q in question.questions_added] == ["customer"]
    assert question.aspects == ("summary",)
    assert changes.lines("en") == [
        "✏️ Something is broken (bug):",
        "    ✏️ question “What exactly is wrong?” (what): wording",
        "    ✏️ question “How urgent?” (urgency): options",
        "    ✏️ question “Why?” (why): required, when it is asked, Jira field",
        "✏️ A question (question): changed Jira summary",
        "    ➕ question “Which customer?” (customer)",
    ]


def test_template_level_changes() -> None:
    edited = (SMALL.replace("title: Something is broken", "title: Broken")
              .replace("issue_type: Bug", "issue_type: Task\n      project: OPS\n      priority: High")
              .replace("[from-sales]", "[from-sales, urgent]"))
    (change,) = diff(parse(SMALL), parse(edited)).changed
    assert change.aspects == ("title", "issue_type", "project", "priority", "labels")
    assert diff(parse(SMALL), parse(edited)).lines("de") == [
        "✏️ Broken (bug): geändert: Titel, Jira-Vorgangstyp, Jira-Projekt, Jira-Priorität, Jira-Labels"]


def test_removed_question_and_new_order() -> None:
    edited = SMALL.replace("      - id: why\n        text: Why?\n        when: {urgency: [high]}\n", "")
    edited = edited.replace(
        "      - id: what\n        text: What is wrong?\n", "").replace(
        "          - {value: low, label: Not very}\n",
        "          - {value: low, label: Not very}\n      - id: what\n        text: What is wrong?\n")
    (change,) = diff(parse(SMALL), parse(edited)).changed
    assert [q.id for q in change.questions_removed] == ["why"]
    assert change.aspects == ("order",)


def test_priority_rules_change_is_noticed() -> None:
    example = parse(EXAMPLE)
    edited = parse(EXAMPLE.replace("deal_at_least: 40000", "deal_at_least: 50000", 1))
    changes = diff(example, edited)
    assert changes.rubric_changed and not changes.changed
    assert changes.lines("en") == ["⚖️ Priority rules changed"]


# -- properties ---------------------------------------------------------------------------------------------


def _question(qid: str, text: str, required: bool, kind: str) -> Question:
    return Question(qid, LocalText.plain(text), kind, required)  # type: ignore[arg-type]


questions = st.builds(_question, st.sampled_from(["q1", "q2", "q3", "q4"]), st.sampled_from(["Why?", "When?"]),
                      st.booleans(), st.sampled_from(["text", "date", "customer"]))


def _template(tid: str, title: str, issue_type: str, asked: list[Question]) -> Template:
    return Template(tid, LocalText.plain(title), LocalText.plain(""), JiraSpec(issue_type, "{q1}"), tuple(asked))


templates = st.builds(_template, st.sampled_from(["bug", "feature", "question", "idea"]),
                      st.sampled_from(["Broken", "Feature"]), st.sampled_from(["Bug", "Task"]),
                      st.lists(questions, min_size=1, max_size=4, unique_by=lambda q: q.id))
template_sets = st.lists(templates, max_size=4, unique_by=lambda t: t.id).map(
    lambda found: TemplateSet(tuple(found), "templates.yaml", "v"))


def _ids(found: tuple[Template, ...]) -> set[str]:
    return {t.id for t in found}


@given(template_sets)
def test_a_set_compared_with_itself_is_unchanged(templates: TemplateSet) -> None:
    assert diff(templates, templates).empty
    assert diff(templates, templates).lines("en") == []


@given(template_sets, template_sets)
def test_added_and_removed_swap_when_the_sides_swap(old: TemplateSet, new: TemplateSet) -> None:
    forward, backward = diff(old, new), diff(new, old)
    assert _ids(forward.added) == _ids(backward.removed)
    assert _ids(forward.removed) == _ids(backward.added)
    assert {c.id for c in forward.changed} == {c.id for c in backward.changed}
    for change in forward.changed:
        mirror = next(c for c in backward.changed if c.id == change.id)
        assert {q.id for q in change.questions_added} == {q.id for q in mirror.questions_removed}
        assert {q.id for q in change.questions_changed} == {q.id for q in mirror.questions_changed}
    assert forward.empty == backward.empty == (not forward.lines("en"))


def test_empty_diff_type() -> None:
    assert TemplateDiff().empty
