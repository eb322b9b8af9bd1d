"""Checking templates against Jira's create screens, so a mismatch shows up in `check`, not in a refused request."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.jira.meta import FieldMeta, IssueTypeMeta, JiraMeta, field_candidates, resolve_field
from bot.templates.schema import PLACEHOLDER, Question, Template, TemplateSet

__all__ = ["JiraCheck", "check_templates", "format_report", "offered", "resolve_field"]

# Every create carries these (Ticket.jira_fields), or Jira fills them itself (reporter), so a template never must.
ALWAYS_FILLED = frozenset({"summary", "description", "project", "issuetype", "reporter", "labels"})
# Fields ticketsmith writes itself; a mapping onto them would overwrite its own value (for labels, the
# marker label that keeps delivery exactly-once).
OWN_FIELDS = {
    "summary": "`jira.summary`",
    "description": "the answers",
    "project": "`jira.project`",
    "issuetype": "`jira.issue_type`",
    "labels": "`jira.labels` plus a marker label it needs to file each request once",
}
# Sent on every create, so Jira refuses every request of a template whose create screen lacks them.
ALWAYS_SENT = ("description", "labels")
LIST_LIMIT = 8


@dataclass(frozen=True)
class _Source:
    """One thing in a template that puts a value into a Jira field."""

    key: str
    what: str
    question: Question | None = None
    value: Any = None
    static: bool = False
    text: bool = False
    direct: bool = False

    @property
    def gap(self) -> str | None:
        """Say why this source may leave the field empty, or None when it always fills it."""
        question = self.question
        if self.text:
            return None if self.static else f"{self.what} is made only of answers that can be skipped"
        if self.static or question is None:
            return None
        via = f"question '{question.id}'" if self.direct else f"{self.what} takes question '{question.id}', which"
        if not question.required:
            return f"{via} is optional, so a salesperson can skip it"
        if question.when:
            conditions = "; ".join(f"{ref} is {' or '.join(values)}" for ref, values in question.when)
            return f"{via} is only asked when {conditions}"
        return None


def _some(values: Iterable[str]) -> str:
    """Return 'a, b, c' with at most LIST_LIMIT items, so a 300-option field does not flood the report."""
    items = list(values)
    shown = ", ".join(items[:LIST_LIMIT])
    return shown + (f" and {len(items) - LIST_LIMIT} more" if len(items) > LIST_LIMIT else "")


def _guess(value: str, choices: Iterable[str]) -> str:
    """Return " (did you mean 'X'?)" for a near miss, including a difference in case only."""
    options = list(choices)
    same_case = next((c for c in options if c.lower() == value.lower()), None)
    found = [same_case] if same_case else difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f" (did you mean '{found[0]}'?)" if found else ""


def _always_asked(question: Question) -> bool:
    """Say whether every finished request has an answer to this question."""
    return question.required and not question.when


def _at(template: Template, question: Question | None = None) -> str:
    """Return "template 'bug', question 'why'", where a message points."""
    return f"template '{template.id}'" + (f", question '{question.id}'" if question else "")


def _sources(template: Template) -> list[_Source]:
    """Return every mapping of the template onto a Jira field, from `jira.fields` and questions' `jira:`."""
    found: list[_Source] = []
    for key, value in template.jira.fields:
        what = f"`jira.fields` key '{key}'"
        if isinstance(value, str):
            whole = PLACEHOLDER.fullmatch(value.strip())
            if whole and any(q.id == whole[1] for q in template.questions):
                found.append(_Source(key, what, template.question(whole[1])))
                continue
            if PLACEHOLDER.search(value):
                # Text around placeholders is sent even when the questions were skipped; bare placeholders are not.
                names = PLACEHOLDER.findall(value)
                filled = bool(PLACEHOLDER.sub("", value).strip()) or any(
                    _always_asked(q) for q in template.questions if q.id in names)
                found.append(_Source(key, what, value=value, text=True, static=filled))
                continue
        found.append(_Source(key, what, value=value, static=True))
    for question in template.questions:
        if question.jira_field:
            found.append(_Source(question.jira_field, f"`jira: {question.jira_field}`", question, direct=True))
    return found


class _TemplateCheck:
    """Collects one template's problems against one issue type's create screen."""

    def __init__(self, template: Template, meta: JiraMeta, project: str, ruled: tuple[str, ...] = ()) -> None:
        """Check template against project's screens in meta; ruled are the priorities its rubric rules set."""
        self.template = template
        self.meta = meta
        self.project = project
        self.ruled = ruled
        self.problems: list[str] = []

    def add(self, message: str, question: Question | None = None) -> None:
        """Record a problem once, prefixed with the template (and question)."""
        line = f"{_at(self.template, question)}: {message}"
        if line not in self.problems:
            self.problems.append(line)

    # -- priorities

    def priorities_exist(self) -> None:
        """Every priority a template names must exist in Jira, spelled exactly."""
        known = self.meta.priorities
        if not known:
            return
        hint = f"use one of {_some(known)}"
        wanted = self.template.jira.priority
        if wanted and wanted not in known:
            self.add(f"`jira.priority` is '{wanted}', which Jira does not have{_guess(wanted, known)} — {hint}")
        for question in self.template.questions:
            for option in question.options:
                if option.priority and option.priority not in known:
                    self.add(f"option '{option.value}' sets priority '{option.priority}', which Jira does not "
                             f"have{_guess(option.priority, known)} — {hint}", question)
        for name in self.ruled:
            if name not in known:
                self.add(f"a priority rule sets '{name}', which Jira does not have{_guess(name, known)} — {hint}")
        # An approval rule matches priorities whatever their case; one Jira lacks would never make a request wait.
        folded = {name.casefold() for name in known}
        for name in self.template.approval.priorities if self.template.approval is not None else ():
            if name.casefold() not in folded:
                self.add(f"`approval.when.priority` names '{name}', which Jira does not have{_guess(name, known)}, "
                         f"so no request waits for approval — {hint}")

    def priorities_on_screen(self, issue_type: IssueTypeMeta, screen: str) -> None:
        """A priority needs the Priority field on the screen and, with a priority scheme, an allowed value."""
        named: list[tuple[Question | None, str]] = []
        if self.template.jira.priority:
            named.append((None, self.template.jira.priority))
        named += [(q, o.priority) for q in self.template.questions for o in q.options if o.priority]
        named += [(None, name) for name in self.ruled]
        if not named:
            return
        field = issue_type.fields.get("priority")
        if field is None:
            self.add(f"sets priorities, but Jira's create screen for {screen} has no Priority field, so Jira "
                     "refuses every such request — add Priority to that screen or remove the priorities")
            return
        allowed = field.allowed_values
        for question, name in named:
            if allowed and name in self.meta.priorities and name not in allowed:
                self.add(f"priority '{name}' is not allowed in {self.project}'s priority scheme — use one of "
                         f"{_some(allowed)}", question)

    # -- the create screen

    def always_sent_on_screen(self, issue_type: IssueTypeMeta, screen: str) -> None:
        """Description and labels go with every create, so the screen must have them."""
        for field_id in ALWAYS_SENT:
            if field_id not in issue_type.fields:
                name = self.meta.known_fields.get(field_id, field_id.capitalize())
                self.add(f"Jira's create screen for {screen} has no '{name}' ({field_id}) field, which ticketsmith "
                         "fills on every issue — add it to that screen")

    def components(self, issue_type: IssueTypeMeta, screen: str) -> None:
        """Components need the field on the screen and, where Jira lists them, must exist in the project."""
        wanted = self.template.jira.components
        if not wanted:
            return
        field = issue_type.fields.get("components")
        if field is None:
            self.add(f"sets `jira.components`, but Jira's create screen for {screen} has no Components field — "
                     "add it to that screen or remove `jira.components`")
            return
        for name in wanted:
            if field.allowed_values and name not in field.allowed_values:
                self.add(f"component '{name}' does not exist in {self.project}{_guess(name, field.allowed_values)}"
                         f" — use one of {_some(field.allowed_values)}")

    def mapped_field(self, source: _Source, issue_type: IssueTypeMeta, screen: str) -> FieldMeta | None:
        """Find the field a mapping names on the screen, or say why it cannot be used."""
        candidates = field_candidates(source.key, issue_type)
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            names = ", ".join(f.label for f in candidates)
            self.add(f"{source.what} is ambiguous: Jira has several fields called that ({names}) — use the id",
                     self._question_of(source))
            return None
        lowered = source.key.strip().lower()
        elsewhere = [(fid, name) for fid, name in self.meta.known_fields.items()
                     if lowered in (fid.lower(), name.strip().lower())]
        if elsewhere:
            fid, name = elsewhere[0]
            self.add(f"{source.what}: '{name}' ({fid}) exists in Jira but is not on the create screen for {screen}, "
                     "so Jira refuses it — add it to that screen or remove the mapping", self._question_of(source))
            return None
        screen_names = [f.name for f in issue_type.fields.values()] + list(issue_type.fields)
        self.add(f"{source.what} names a field Jira does not have{_guess(source.key, screen_names)} — use a field "
                 "id (e.g. customfield_10050) or its name as Jira shows it", self._question_of(source))
        return None

    @staticmethod
    def _question_of(source: _Source) -> Question | None:
        """Return the question to name in a message about this mapping."""
        return source.question if source.direct else None

    # -- values

    def value_fits(self, source: _Source, field: FieldMeta) -> None:
        """The value a mapping sends must be of the kind the field's schema takes."""
        if field.id in OWN_FIELDS:
            self.add(f"{source.what} maps onto {field.label}, which ticketsmith fills itself from "
                     f"{OWN_FIELDS[field.id]} — remove the mapping", self._question_of(source))
            return
        question = source.question
        if question is not None:
            self._question_fits(source, question, field)
        elif source.text:
            self._text_fits(source, field)
        else:
            self._static_fits(source, field)

    def _question_fits(self, source: _Source, question: Question, field: FieldMeta) -> None:
        """A question's answer must suit the field: numbers for number fields, Jira's options for lists."""
        kind, items = field.schema_type, field.items
        fills = f"fills {field.label}" if source.direct else f"{source.what} fills {field.label} with its answer"

        def add(message: str) -> None:
            """Record a problem about this mapping."""
            self.add(f"{fills}, {message}", question)

        if question.type == "attachments":
            add("but files are attached to the issue, not put into a field — remove `jira:`")
        elif kind == "number" and question.type != "number":
            add(f"a number field in Jira, but it is a {question.type} question — make it `type: number`")
        elif kind in ("date", "datetime") and question.type != "date":
            add(f"a date field in Jira, but it is a {question.type} question — make it `type: date`")
        elif kind == "string" or (kind == "array" and items == "string"):
            if question.type == "number":
                add("a text field in Jira, but a number question sends a number — make it a text question or "
                    "map it to a number field")
        elif kind in ("priority", "option") or (kind == "array" and items in ("option", "component")):
            allowed = self.meta.priorities if kind == "priority" else field.allowed_values
            what = "priorities" if kind == "priority" else "options"
            if question.type != "choice":
                listed = f" ({_some(allowed)})" if allowed else ""
                add(f"which takes one of Jira's {what}{listed}, but it is a {question.type} question — make it a "
                    "choice question whose option values are those")
                return
            for option in question.options:
                if allowed and option.value not in allowed:
                    self.add(f"option '{option.value}' is not one of the {what} of {field.label} in Jira"
                             f"{_guess(option.value, allowed)} — use one of {_some(allowed)} as the option value",
                             question)

    def _text_fits(self, source: _Source, field: FieldMeta) -> None:
        """Text with placeholders is a string, so only text fields take it."""
        if field.schema_type == "string" or (field.schema_type == "array" and field.items == "string"):
            return
        self.add(f"{source.what} fills {field.label} with text around placeholders, but that field takes a "
                 f"{self._kind_name(field)} — use a single placeholder or a fixed value")

    def _static_fits(self, source: _Source, field: FieldMeta) -> None:
        """A fixed value from `jira.fields` is sent as written, so its YAML type must suit the field."""
        value, kind, items = source.value, field.schema_type, field.items
        sets = f"{source.what} sets {field.label} to {value!r}"
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.add(f"{sets}, but Jira takes a number there — write a number without quotes")
        elif kind in ("date", "datetime"):
            if isinstance(value, date):
                # YAML reads an unquoted 2026-12-31 as a date, which cannot be sent as JSON.
                self.add(f"{sets}, a YAML date that cannot be sent to Jira — put it in quotes: '{value.isoformat()}'")
            elif not _is_date(value, with_time=kind == "datetime"):
                self.add(f"{sets}, but Jira takes a date there — write it as 'YYYY-MM-DD'")
        elif kind == "string":
            if not isinstance(value, str):
                self.add(f"{sets}, but Jira takes text there — put the value in quotes")
        elif kind in ("option", "priority"):
            self._static_choice(sets, value, field)
        elif kind == "array" and items in ("option", "string", "component"):
            if not isinstance(value, list):
                self.add(f"{sets}, but Jira takes a list there — write it as [{value}]")
            elif items != "string":
                for item in value:
                    self._static_choice(sets, item, field)

    def _static_choice(self, sets: str, value: Any, field: FieldMeta) -> None:
        """A fixed option or priority must be one Jira offers, spelled exactly."""
        allowed = self.meta.priorities if field.schema_type == "priority" else field.allowed_values
        if isinstance(value, Mapping):
            if "id" in value:
                return  # An option given by id cannot be checked against names.
            value = value.get("value", value.get("name"))
        if not isinstance(value, str):
            self.add(f"{sets}, but Jira takes the name of one of its options there")
        elif allowed and value not in allowed:
            self.add(f"{sets}, but '{value}' is not one of its values in Jira{_guess(value, allowed)} — use one of "
                     f"{_some(allowed)}")

    @staticmethod
    def _kind_name(field: FieldMeta) -> str:
        """Return what a field takes, in words."""
        names = {"number": "number", "date": "date", "datetime": "date and time", "option": "choice from a list",
                 "priority": "priority", "user": "user", "array": "list"}
        return names.get(field.schema_type, field.schema_type)

    # -- required fields

    def required_covered(self, issue_type: IssueTypeMeta, screen: str, fills: Mapping[str, list[_Source]]) -> None:
        """Every field Jira requires without a default must be filled on every path through the dialog."""
        for field in issue_type.fields.values():
            if not field.required or field.has_default or field.id in ALWAYS_FILLED:
                continue
            sources = fills.get(field.id, [])
            gaps = [s.gap for s in sources]
            if field.id == "priority":
                gaps += self._priority_gaps()
            elif field.id == "components" and self.template.jira.components:
                gaps.append(None)
            if any(gap is None for gap in gaps):
                continue
            known_gaps = [gap for gap in gaps if gap]
            head = f"Jira requires {field.label} for {screen}"
            if known_gaps:
                self.add(f"{head}, but {'; '.join(known_gaps)} — {self._make_reliable(field)}")
            else:
                self.add(f"{head}, and no question fills it — {self._fill_hint(field)}")

    def _priority_gaps(self) -> list[str | None]:
        """Return why each priority source may leave it unset (None for a source that always sets it)."""
        if self.template.jira.priority:
            return [None]
        gaps: list[str | None] = []
        for question in self.template.questions:
            with_priority = [o for o in question.options if o.priority]
            if not with_priority:
                continue
            missing = [o.value for o in question.options if not o.priority]
            if missing:
                gaps.append(f"question '{question.id}' sets it only for some answers (not for {_some(missing)})")
            else:
                gaps.append(_Source("priority", "", question, direct=True).gap)
        return gaps

    @staticmethod
    def _make_reliable(field: FieldMeta) -> str:
        """Say how to make a sometimes-empty required field always filled."""
        if field.id == "priority":
            return "give every option a `priority`, make the question required, or set `jira.priority` as a fallback"
        if field.schema_type in ("date", "datetime"):
            return "make the question `required: true` and drop its `when`"
        return f"make the question `required: true` and drop its `when`, or set a fallback for {field.id} in " \
               "`jira.fields`"

    def _fill_hint(self, field: FieldMeta) -> str:
        """Say how to fill a required field no part of the template fills."""
        kind, items, fid = field.schema_type, field.items, field.id
        if fid == "priority" or kind == "priority":
            return "set `jira.priority` or give every option of a required choice question a `priority`"
        if fid == "components" or items == "component":
            listed = f" (e.g. {_some(field.allowed_values)})" if field.allowed_values else ""
            return f"set `jira.components`{listed}"
        if kind in ("date", "datetime"):
            return f"add a date question with `jira: {fid}`"
        if kind == "number":
            return f"add a number question with `jira: {fid}`"
        if kind == "option" or (kind == "array" and items == "option"):
            listed = f" ({_some(field.allowed_values)})" if field.allowed_values else ""
            return (f"add a choice question with `jira: {fid}` whose option values are Jira's options{listed}, "
                    "or set one in `jira.fields`")
        if kind == "string":
            return f"add a question with `jira: {fid}` or set a fixed value in `jira.fields`"
        return f"set a value for {fid} in `jira.fields`, or ask a Jira admin to give the field a default"

    # -- the whole template

    def run(self) -> list[str]:
        """Run every check and return the problems."""
        self.priorities_exist()
        project = self.meta.projects.get(self.project)
        where = "`jira.project`" if self.template.jira.project else "`jira.project` in the config"
        if project is None:
            self.add(f"Jira has no project '{self.project}' the bot's account can create issues in — check "
                     f"{where} and that the account has the Create Issues permission there")
            return self.problems
        wanted = self.template.jira.issue_type
        issue_type = project.issue_type(wanted)
        if issue_type is None:
            names = [t.name for t in project.issue_types.values()]
            self.add(f"project {self.project} has no issue type '{wanted}'{_guess(wanted, names)} — set "
                     f"`jira.issue_type` to one of {_some(names)}")
            return self.problems
        screen = f"{issue_type.name} in {self.project}"
        self.always_sent_on_screen(issue_type, screen)
        self.priorities_on_screen(issue_type, screen)
        self.components(issue_type, screen)
        fills: dict[str, list[_Source]] = {}
        for source in _sources(self.template):
            field = self.mapped_field(source, issue_type, screen)
            if field is None:
                continue
            fills.setdefault(field.id, []).append(source)
            self.value_fits(source, field)
        self.required_covered(issue_type, screen, fills)
        return self.problems


def _is_date(value: Any, *, with_time: bool) -> bool:
    """Say whether a text is a date Jira parses (YYYY-MM-DD, or an ISO timestamp for date-time fields)."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        if with_time:
            datetime.fromisoformat(value)
        else:
            date.fromisoformat(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class JiraCheck:
    """Jira's verdict on one version of the templates."""

    version: str
    refused: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    checked: bool = False
    error: str = ""


def check_templates(templates: TemplateSet, meta: JiraMeta, default_project: str) -> dict[str, list[str]]:
    """Return each template's problems against Jira's create screens (an empty list means it fits)."""
    def ruled(template_id: str) -> tuple[str, ...]:
        rules = templates.rubric.rules
        return tuple(dict.fromkeys(r.priority for r in rules if not r.templates or template_id in r.templates))

    return {t.id: _TemplateCheck(t, meta, t.jira.project or default_project, ruled(t.id)).run()
            for t in templates.templates}


def offered(templates: TemplateSet, results: Mapping[str, list[str]]) -> TemplateSet:
    """Return the templates that passed the check; the others are not offered to salespeople."""
    kept = tuple(t for t in templates.templates if not results.get(t.id))
    return dataclasses.replace(templates, templates=kept)


def format_report(results: Mapping[str, list[str]]) -> list[str]:
    """Return report lines: 'bug: OK' or 'feature: 2 problems' followed by one bullet per problem."""
    lines: list[str] = []
    for template_id, problems in results.items():
        if not problems:
            lines.append(f"{template_id}: OK")
            continue
        lines.append(f"{template_id}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
        lines.extend(f"  - {problem}" for problem in problems)
    return lines
