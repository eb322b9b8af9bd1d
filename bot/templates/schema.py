"""Request templates: the questions admins define, loaded from YAML into checked, typed objects."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from bot.approval.rule import ApprovalRule, parse_rule
from bot.i18n.catalog import DEFAULT_LANGUAGE, LANGUAGES, LocalText
from bot.templates.rubric import SECTION as RUBRIC_SECTION
from bot.templates.rubric import Rubric, check_against, parse_rubric
from bot.text.yamlfile import ConfigError, LineDict, parse_yaml, read_text

QuestionType = Literal["text", "choice", "customer", "date", "number", "attachments"]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)

ID_PATTERN = re.compile(r"[a-z0-9_-]{1,32}")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
DEFAULT_TEXT_MAX = 3000
# Telegram callback data is at most 64 bytes; option values travel as indexes, so this only bounds labels.
MAX_OPTIONS = 20

_TEMPLATE_KEYS = {"id", "title", "description", "jira", "questions", "keywords", "language", "approval"}
_JIRA_KEYS = {"project", "issue_type", "summary", "labels", "components", "fields", "priority"}
_QUESTION_KEYS = {"id", "text", "type", "required", "options", "when", "min_length", "max_length",
                  "min", "max", "jira", "hint"}
_OPTION_KEYS = {"value", "label", "priority", "cues"}


@dataclass(frozen=True)
class Option:
    """One answer of a choice question."""

    value: str
    label: LocalText
    priority: str | None = None
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question of a template."""

    id: str
    text: LocalText
    type: QuestionType
    required: bool = True
    options: tuple[Option, ...] = ()
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    jira_field: str | None = None
    hint: LocalText | None = None

    def option(self, value: str) -> Option | None:
        """Return the option with this value."""
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class JiraSpec:
    """How a template's answers become a Jira issue."""

    issue_type: str
    summary: str
    project: str | None = None
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    fields: tuple[tuple[str, Any], ...] = ()
    priority: str | None = None


@dataclass(frozen=True)
class Template:
    """A request form: its questions and the Jira issue they fill."""

    id: str
    title: LocalText
    description: LocalText
    jira: JiraSpec
    questions: tuple[Question, ...]
    keywords: tuple[str, ...] = ()
    # Requests of this template that wait for an approver (instead of the config's rule); None: the config's.
    approval: ApprovalRule | None = None

    def question(self, question_id: str) -> Question:
        """Return the question with this id."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True)
class TemplateSet:
    """All templates of one file, with a version derived from the file's content."""

    templates: tuple[Template, ...]
    source: str
    version: str
    text: str = field(default="", repr=False, compare=False)
    rubric: Rubric = field(default_factory=Rubric)

    def get(self, template_id: str) -> Template | None:
        """Return the template with this id, if any."""
        return next((t for t in self.templates if t.id == template_id), None)


class _Checker:
    """Collects problems with the file, template and question they concern."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def add(self, line: int, where: str, message: str) -> None:
        location = f"{self.source}, line {line}" if line else self.source
        self.problems.append(f"{location}: {where}{': ' if where else ''}{message}")

    def unknown_keys(self, node: LineDict, allowed: set[str], where: str, what: str) -> None:
        for key in node:
            if key not in allowed:
                guess = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                self.add(node.line_of(key), where, f"unknown {what} key '{key}'{hint}")


def _where(template_id: str | None, question_id: str | None = None) -> str:
    parts = []
    if template_id is not None:
        parts.append(f"template '{template_id}'")
    if question_id is not None:
        parts.append(f"question '{question_id}'")
    return ", ".join(parts)


def _local_text(value: Any, default_lang: str) -> LocalText | None:
    """Turn a str or {lang: str} mapping into LocalText; None when it is neither."""
    if isinstance(value, str) and value.strip():
        return LocalText.plain(value.strip(), default_lang)
    if isinstance(value, Mapping) and value and all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        variants = tuple((str(k), str(v).strip()) for k, v in value.items())
        default = default_lang if default_lang in value else variants[0][0]
        return LocalText(variants, default)
    return None


def _text(check: _Checker, node: LineDict, key: str, where: str, lang: str, *, required: bool = True
          ) -> LocalText | None:
    if key not in node:
        if required:
            check.add(node.line, where, f"'{key}' is missing")
        return None
    text = _local_text(node[key], lang)
    if text is None:
        check.add(node.line_of(key), where,
                  f"'{key}' must be a non-empty text or a mapping of language codes to texts")
    else:
        for code, _ in text.variants:
            if code not in LANGUAGES:
                check.add(node.line_of(key), where,
                          f"'{key}' has language '{code}'; supported are {', '.join(LANGUAGES)}")
    return text


def _str_list(check: _Checker, node: LineDict, key: str, where: str) -> tuple[str, ...]:
    value = node.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        check.add(node.line_of(key), where, f"'{key}' must be a list of texts")
        return ()
    return tuple(str(v) for v in value)


def _int(check: _Checker, node: LineDict, key: str, where: str) -> int | None:
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        check.add(node.line_of(key), where, f"'{key}' must be a whole number of 0 or more")
        return None
    return value


def _number(check: _Checker, node: LineDict, key: str, where: str) -> float | None:
    value = node.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        check.add(node.line_of(key), where, f"'{key}' must be a number")
        return None
    return float(value)


def _options(check: _Checker, node: LineDict, where: str, lang: str) -> tuple[Option, ...]:
    raw = node.get("options")
    if not isinstance(raw, list) or not raw:
        check.add(node.line_of("options"), where, "a choice question needs a non-empty 'options' list")
        return ()
    if len(raw) > MAX_OPTIONS:
        check.add(node.line_of("options"), where, f"at most {MAX_OPTIONS} options fit on a phone screen")
    options: list[Option] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, LineDict):
            check.add(node.line_of("options"), where, "each option must be a mapping with 'value' and 'label'")
            continue
        check.unknown_keys(item, _OPTION_KEYS, where, "option")
        value = item.get("value")
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            check.add(item.line, where, "an option needs a non-empty 'value'")
            continue
        value = str(value).strip()
        if value in seen:
            check.add(item.line_of("value"), where, f"duplicate option value '{value}'")
        seen.add(value)
        label = _text(check, item, "label", f"{where}, option '{value}'", lang)
        priority = item.get("priority")
        if priority is not None and not (isinstance(priority, str) and priority.strip()):
            check.add(item.line_of("priority"), where, f"option '{value}': 'priority' must be a text")
            priority = None
        # Words in a free-form ask that point to this option ("blocked", "горит"), lower-cased.
        cues = item.get("cues", [])
        if isinstance(cues, str):
            cues = [cues]
        if not isinstance(cues, list) or not all(isinstance(c, str) and c.strip() for c in cues):
            check.add(item.line_of("cues"), where, f"option '{value}': 'cues' must be a list of non-empty texts")
            cues = []
        cues = tuple(dict.fromkeys(" ".join(c.split()).lower() for c in cues))
        if label is not None:
            options.append(Option(value, label, priority.strip() if priority else None, cues))
    return tuple(options)


def _when(check: _Checker, node: LineDict, where: str, earlier: Mapping[str, Question]
          ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = node.get("when")
    if raw is None:
        return ()
    line = node.line_of("when")
    if not isinstance(raw, Mapping) or not raw:
        check.add(line, where, "'when' must map an earlier choice question to a list of its values")
        return ()
    conditions: list[tuple[str, tuple[str, ...]]] = []
    for ref, values in raw.items():
        target = earlier.get(ref)
        if target is None or target.type != "choice":
            check.add(line, where, f"'when' names '{ref}', which is not an earlier choice question")
            continue
        if isinstance(values, str | int) and not isinstance(values, bool):
            values = [values]
        if not isinstance(values, list) or not values:
            check.add(line, where, f"'when' needs a list of values of '{ref}'")
            continue
        wanted = tuple(str(v) for v in values)
        for value in wanted:
            if target.option(value) is None:
                known = ", ".join(o.value for o in target.options)
                check.add(line, where, f"'when' names value '{value}' of '{ref}', which has only: {known}")
        conditions.append((ref, wanted))
    return tuple(conditions)


def _question(check: _Checker, node: Any, template_id: str, lang: str, earlier: Mapping[str, Question]
              ) -> Question | None:
    if not isinstance(node, LineDict):
        check.add(0, _where(template_id), "each question must be a mapping")
        return None
    qid = node.get("id")
    where = _where(template_id, str(qid) if qid is not None else None)
    if not isinstance(qid, str) or not ID_PATTERN.fullmatch(qid):
        check.add(node.line_of("id"), _where(template_id),
                  f"question id {qid!r} must be 1-32 characters of a-z, 0-9, '_' or '-'")
        return None
    check.unknown_keys(node, _QUESTION_KEYS, where, "question")
    text = _text(check, node, "text", where, lang)
    qtype = node.get("type", "text")
    if qtype not in QUESTION_TYPES:
        check.add(node.line_of("type"), where, f"unknown type '{qtype}'; use one of {', '.join(QUESTION_TYPES)}")
        return None
    required = node.get("required", True)
    if not isinstance(required, bool):
        check.add(node.line_of("required"), where, "'required' must be true or false")
        required = True
    options = _options(check, node, where, lang) if qtype == "choice" else ()
    if qtype != "choice" and "options" in node:
        check.add(node.line_of("options"), where, f"'options' only belong to choice questions, not {qtype}")
    min_length = _int(check, node, "min_length", where)
    max_length = _int(check, node, "max_length", where)
    if qtype != "text" and (min_length is not None or max_length is not None):
        check.add(node.line_of("min_length" if "min_length" in node else "max_length"), where,
                  "'min_length' and 'max_length' only apply to text questions")
    if min_length is not None and max_length is not None and min_length > max_length:
        check.add(node.line_of("min_length"), where,
                  f"min_length ({min_length}) is greater than max_length ({max_length})")
    if max_length == 0:
        check.add(node.line_of("max_length"), where, "max_length must be at least 1")
    low, high = _number(check, node, "min", where), _number(check, node, "max", where)
    if qtype != "number" and (low is not None or high is not None):
        check.add(node.line_of("min" if "min" in node else "max"), where,
                  "'min' and 'max' only apply to number questions")
    if low is not None and high is not None and low > high:
        check.add(node.line_of("min"), where, f"min ({low:g}) is greater than max ({high:g})")
    jira_field = node.get("jira")
    if jira_field is not None and not (isinstance(jira_field, str) and jira_field.strip()):
        check.add(node.line_of("jira"), where, "'jira' must name a Jira field (id or name)")
        jira_field = None
    if jira_field == "duedate" and qtype != "date":
        check.add(node.line_of("jira"), where, "only a date question can fill 'duedate'")
    when = _when(check, node, where, earlier)
    hint = _text(check, node, "hint", where, lang, required=False)
    if text is None:
        return None
    return Question(
        id=qid, text=text, type=cast(QuestionType, qtype), required=required, options=options, when=when,
        min_length=min_length,
        max_length=max_length if max_length is not None else (DEFAULT_TEXT_MAX if qtype == "text" else None),
        min=low, max=high, jira_field=jira_field.strip() if jira_field else None, hint=hint,
    )


def _placeholders(value: str) -> list[str]:
    return PLACEHOLDER.findall(value)


def _jira(check: _Checker, node: Any, template_id: str, question_ids: Iterable[str], line: int) -> JiraSpec | None:
    where = _where(template_id)
    if not isinstance(node, LineDict):
        check.add(line, where, "'jira' must be a mapping with at least 'issue_type' and 'summary'")
        return None
    check.unknown_keys(node, _JIRA_KEYS, where, "jira")
    known = set(question_ids)
    issue_type = node.get("issue_type")
    if not isinstance(issue_type, str) or not issue_type.strip():
        check.add(node.line_of("issue_type"), where, "'jira.issue_type' is missing (e.g. Bug, Task)")
    summary = node.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        check.add(node.line_of("summary"), where, "'jira.summary' is missing (e.g. \"{customer}: {what}\")")
        summary = None
    else:
        if "\n" in summary.strip():
            check.add(node.line_of("summary"), where, "'jira.summary' must be one line")
        for name in _placeholders(summary):
            if name not in known:
                check.add(node.line_of("summary"), where,
                          f"summary placeholder '{{{name}}}' names no question of this template")
    project = node.get("project")
    if project is not None and not (isinstance(project, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", project)):
        check.add(node.line_of("project"), where, f"'jira.project' {project!r} is not a Jira project key")
        project = None
    fields = node.get("fields", {})
    if not isinstance(fields, Mapping):
        check.add(node.line_of("fields"), where, "'jira.fields' must map field ids or names to values")
        fields = {}
    for key, value in fields.items():
        if isinstance(value, str):
            for name in _placeholders(value):
                if name not in known:
                    check.add(node.line_of("fields"), where,
                              f"field '{key}' uses placeholder '{{{name}}}', which names no question")
    labels = _str_list(check, node, "labels", where)
    priority = node.get("priority")
    if priority is not None and not isinstance(priority, str):
        check.add(node.line_of("priority"), where, "'jira.priority' must be a priority name")
        priority = None
    if not isinstance(issue_type, str) or summary is None:
        return None
    return JiraSpec(
        issue_type=issue_type.strip(), summary=summary.strip(), project=project, labels=labels,
        components=_str_list(check, node, "components", where),
        fields=tuple((str(k), v) for k, v in fields.items()), priority=priority,
    )


def _template(check: _Checker, node: Any, seen_ids: set[str]) -> Template | None:
    if not isinstance(node, LineDict):
        check.add(0, "", "each template must be a mapping")
        return None
    tid = node.get("id")
    if not isinstance(tid, str) or not ID_PATTERN.fullmatch(tid):
        check.add(node.line_of("id"), "", f"template id {tid!r} must be 1-32 characters of a-z, 0-9, '_' or '-'")
        return None
    where = _where(tid)
    if tid in seen_ids:
        check.add(node.line_of("id"), where, "duplicate template id")
    seen_ids.add(tid)
    check.unknown_keys(node, _TEMPLATE_KEYS, where, "template")
    lang = node.get("language", DEFAULT_LANGUAGE)
    if lang not in LANGUAGES:
        check.add(node.line_of("language"), where, f"'language' must be one of {', '.join(LANGUAGES)}")
        lang = DEFAULT_LANGUAGE
    title = _text(check, node, "title", where, lang)
    description = _text(check, node, "description", where, lang, required=False)
    raw_questions = node.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        check.add(node.line_of("questions"), where, "'questions' must be a non-empty list")
        raw_questions = []
    questions: dict[str, Question] = {}
    for raw in raw_questions:
        question = _question(check, raw, tid, lang, questions)
        if question is None:
            continue
        if question.id in questions:
            check.add(raw.line_of("id"), _where(tid, question.id), "duplicate question id")
            continue
        questions[question.id] = question
    jira = _jira(check, node.get("jira"), tid, questions, node.line_of("jira"))
    keywords = _str_list(check, node, "keywords", where)
    approval = parse_rule(node.get("approval"), node.line_of("approval"), "approval",
                          lambda line, message: check.add(line, where, message))
    if title is None or jira is None:
        return None
    return Template(
        id=tid, title=title, description=description or LocalText.plain("", lang), jira=jira,
        questions=tuple(questions.values()), keywords=keywords, approval=approval,
    )


def version_of(text: str) -> str:
    """Return the version id of a templates document: a short hash of its exact text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def parse_templates(text: str, source: str, *, read_before: bool = False) -> TemplateSet:
    """Parse and validate a templates document (read_before: one parsed before); ConfigError lists every problem."""
    document = parse_yaml(text, source, read_before=read_before)
    check = _Checker(source)
    raw = document.get("templates") if isinstance(document, LineDict) else None
    if not isinstance(raw, list) or not raw:
        raise ConfigError([f"{source}: expected a top-level 'templates:' list with at least one template"])
    seen: set[str] = set()
    templates = [t for t in (_template(check, node, seen) for node in raw) if t is not None]
    rubric, problems = parse_rubric(document.get(RUBRIC_SECTION), source)
    check.problems.extend(problems)
    if not check.problems:
        choices = [(t.id, {q.id: tuple(o.value for o in q.options) for q in t.questions}) for t in templates]
        check.problems.extend(check_against(rubric, choices, source=source))
    if check.problems:
        raise ConfigError(check.problems)
    return TemplateSet(tuple(templates), source, version_of(text), text, rubric)


def load_templates(path: Path) -> TemplateSet:
    """Read and validate a templates file."""
    return parse_templates(read_text(path, "templates file"), path.name)


def applies(question: Question, answers: Mapping[str, Any]) -> bool | None:
    """Say whether a question is asked given the answers: True, False, or None while undecided."""
    for ref, values in question.when:
        if ref not in answers:
            return None
        if str(answers[ref]) not in values:
            return False
    return True
