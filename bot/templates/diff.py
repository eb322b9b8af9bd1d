"""What changes between two template sets: templates and questions added, removed and changed, for admins."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.catalog import LocalText, t
from bot.templates.schema import Question, Template, TemplateSet
from bot.text.screen import clip, short_label

# What can change in a question, in the order the diff names them; each has a text "diff_q_<aspect>".
QUESTION_ASPECTS = ("text", "type", "options", "required", "condition", "jira", "hint", "limits")
# What can change in a template itself; each has a text "diff_t_<aspect>".
TEMPLATE_ASPECTS = ("title", "description", "keywords", "issue_type", "project", "priority", "labels",
                    "summary", "components", "fields", "approval", "order")
LABEL_WIDTH = 48


@dataclass(frozen=True)
class QuestionChange:
    """One question that exists on both sides but differs."""

    id: str
    text: LocalText
    aspects: tuple[str, ...]


@dataclass(frozen=True)
class TemplateChange:
    """One template that exists on both sides but differs."""

    id: str
    title: LocalText
    aspects: tuple[str, ...]
    questions_added: tuple[Question, ...] = ()
    questions_removed: tuple[Question, ...] = ()
    questions_changed: tuple[QuestionChange, ...] = ()


@dataclass(frozen=True)
class TemplateDiff:
    """The difference from an old template set to a new one."""

    added: tuple[Template, ...] = ()
    removed: tuple[Template, ...] = ()
    changed: tuple[TemplateChange, ...] = ()
    rubric_changed: bool = False

    @property
    def empty(self) -> bool:
        """Say whether nothing an admin would notice changed (comments and formatting do not count)."""
        return not (self.added or self.removed or self.changed or self.rubric_changed)

    def lines(self, lang: str) -> list[str]:
        """Return the diff as short lines for a phone screen."""
        out: list[str] = []
        for template in self.added:
            out.append(t("diff_template_added", lang, title=_title(template.title, lang), id=template.id,
                         count=len(template.questions)))
        for template in self.removed:
            out.append(t("diff_template_removed", lang, title=_title(template.title, lang), id=template.id))
        for change in self.changed:
            what = ", ".join(t(f"diff_t_{aspect}", lang) for aspect in change.aspects)
            key = "diff_template_changed_what" if what else "diff_template_changed"
            out.append(t(key, lang, title=_title(change.title, lang), id=change.id, what=what))
            out.extend(t("diff_question_added", lang, text=_label(q.text, lang), id=q.id)
                       for q in change.questions_added)
            out.extend(t("diff_question_removed", lang, text=_label(q.text, lang), id=q.id)
                       for q in change.questions_removed)
            for question in change.questions_changed:
                what = ", ".join(t(f"diff_q_{aspect}", lang) for aspect in question.aspects)
                out.append(t("diff_question_changed", lang, text=_label(question.text, lang), id=question.id,
                             what=what))
        if self.rubric_changed:
            out.append(t("diff_rubric_changed", lang))
        return out


def _title(text: LocalText, lang: str) -> str:
    """Return a template's title in lang, short enough for a line."""
    return clip(text.get(lang), LABEL_WIDTH)


def _label(text: LocalText, lang: str) -> str:
    """Return a question's first sentence in lang, short enough for a line."""
    return short_label(text.get(lang), LABEL_WIDTH)


def _question_aspects(old: Question, new: Question) -> tuple[str, ...]:
    """Name what differs between two versions of a question."""
    differs = {
        "text": old.text != new.text,
        "type": old.type != new.type,
        "options": old.options != new.options,
        "required": old.required != new.required,
        "condition": old.when != new.when,
        "jira": old.jira_field != new.jira_field,
        "hint": old.hint != new.hint,
        "limits": (old.min_length, old.max_length, old.min, old.max) != (new.min_length, new.max_length,
                                                                          new.min, new.max),
    }
    return tuple(aspect for aspect in QUESTION_ASPECTS if differs[aspect])


def _template_aspects(old: Template, new: Template) -> tuple[str, ...]:
    """Name what differs in a template apart from its questions' content."""
    old_ids = {q.id for q in old.questions}
    new_ids = {q.id for q in new.questions}
    common = [q.id for q in old.questions if q.id in new_ids]
    differs = {
        "title": old.title != new.title,
        "description": old.description != new.description,
        "keywords": old.keywords != new.keywords,
        "issue_type": old.jira.issue_type != new.jira.issue_type,
        "project": old.jira.project != new.jira.project,
        "priority": old.jira.priority != new.jira.priority,
        "labels": old.jira.labels != new.jira.labels,
        "summary": old.jira.summary != new.jira.summary,
        "components": old.jira.components != new.jira.components,
        "fields": old.jira.fields != new.jira.fields,
        "approval": old.approval != new.approval,
        # Questions kept on both sides but asked in another order.
        "order": common != [q.id for q in new.questions if q.id in old_ids],
    }
    return tuple(aspect for aspect in TEMPLATE_ASPECTS if differs[aspect])


def _template_change(old: Template, new: Template) -> TemplateChange | None:
    """Compare two versions of one template; None when they are the same."""
    old_ids = {q.id for q in old.questions}
    new_ids = {q.id for q in new.questions}
    added = tuple(q for q in new.questions if q.id not in old_ids)
    removed = tuple(q for q in old.questions if q.id not in new_ids)
    changed = []
    for question in new.questions:
        if question.id not in old_ids:
            continue
        aspects = _question_aspects(old.question(question.id), question)
        if aspects:
            changed.append(QuestionChange(question.id, question.text, aspects))
    aspects = _template_aspects(old, new)
    if not (added or removed or changed or aspects):
        return None
    return TemplateChange(new.id, new.title, aspects, added, removed, tuple(changed))


def diff(old: TemplateSet, new: TemplateSet) -> TemplateDiff:
    """Return what changed from the old set to the new one."""
    old_ids = {template.id for template in old.templates}
    new_ids = {template.id for template in new.templates}
    changes = []
    for template in new.templates:
        before = old.get(template.id)
        change = _template_change(before, template) if before is not None else None
        if change is not None:
            changes.append(change)
    return TemplateDiff(
        added=tuple(template for template in new.templates if template.id not in old_ids),
        removed=tuple(template for template in old.templates if template.id not in new_ids),
        changed=tuple(changes),
        rubric_changed=old.rubric != new.rubric,
    )
