"""The priority rubric: admin rules that turn evidence about a request into a Jira priority, and say why."""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.i18n.catalog import normalize_language
from bot.text.screen import clip
from bot.text.yamlfile import LineDict, LineList

SECTION = "priority_rules"
CONDITION_KEYS = ("deal_at_least", "due_within_days", "answers", "mentions", "no_deadline", "no_deal")
MAX_CURRENCY = 10
# The words a mention shows as its reason, at most.
MAX_MENTION = 40

_SECTION_KEYS = {"currency", "rules"}
_RULE_KEYS = {"priority", "when", "templates"}


@dataclass(frozen=True)
class Evidence:
    """What the rubric looks at, taken from a draft's answers."""

    deal: float | None
    due: date | None
    today: date
    answers: Mapping[str, Any]
    text: str


@dataclass(frozen=True)
class Reason:
    """One piece of evidence that made a rule match, ready to be worded in any language."""

    kind: str
    value: str


@dataclass(frozen=True)
class Verdict:
    """The priority the rubric chose, the index of the rule that chose it, and why."""

    priority: str
    rule: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Rule:
    """One rubric line: a priority, the conditions that must all hold, and optionally the templates it covers."""

    priority: str
    deal_at_least: float | None = None
    due_within_days: int | None = None
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    mentions: tuple[str, ...] = ()
    no_deadline: bool = False
    no_deal: bool = False
    templates: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)

    def conditions(self) -> tuple[str, ...]:
        """Return the keys of the conditions this rule has, in the order they are checked."""
        present = (self.deal_at_least is not None, self.due_within_days is not None, bool(self.answers),
                   bool(self.mentions), self.no_deadline, self.no_deal)
        return tuple(key for key, here in zip(CONDITION_KEYS, present, strict=True) if here)

    def match(self, template_id: str, evidence: Evidence, currency: str | None = None) -> tuple[Reason, ...] | None:
        """Return the reasons this rule holds for the evidence, or None when it does not."""
        if (self.templates and template_id not in self.templates) or not self.conditions():
            return None
        reasons: list[Reason] = []
        deal = _amount(evidence.deal)
        if self.deal_at_least is not None:
            if deal is None or deal < self.deal_at_least:
                return None
            reasons.append(Reason("deal", format_amount(deal, currency)))
        due = _day(evidence.due)
        if self.due_within_days is not None:
            today = _day(evidence.today)
            if due is None or today is None:
                return None
            days = (due - today).days
            if days > self.due_within_days:
                return None
            reasons.append(Reason("due", str(days)))
        answers = evidence.answers if isinstance(evidence.answers, Mapping) else {}
        for question_id, values in self.answers:
            answer = answers.get(question_id)
            if not isinstance(answer, str) or answer not in values:
                return None
            reasons.append(Reason("answer", f"{question_id}={answer}"))
        if self.mentions:
            found = _mention(self.mentions, evidence.text if isinstance(evidence.text, str) else "")
            if found is None:
                return None
            reasons.append(Reason("mention", found))
        if self.no_deadline:
            if due is not None:
                return None
            reasons.append(Reason("no_deadline", ""))
        if self.no_deal:
            if deal:
                return None
            reasons.append(Reason("no_deal", ""))
        return tuple(reasons)


@dataclass(frozen=True)
class Rubric:
    """The priority rules of a templates file, tried in order."""

    rules: tuple[Rule, ...] = ()
    currency: str | None = None

    def decide(self, template_id: str, evidence: Evidence) -> Verdict | None:
        """Return the first matching rule's priority and why, or None when no rule matches."""
        for index, rule in enumerate(self.rules):
            reasons = rule.match(template_id, evidence, self.currency)
            if reasons is not None:
                return Verdict(rule.priority, index, reasons)
        return None


# ------------------------------------------------------------------------------------------------ evidence


def _amount(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _day(value: Any) -> date | None:
    # datetime is a date too, but subtracting a date from it raises.
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def format_amount(value: float, currency: str | None = None) -> str:
    """Write an amount with thousands separators and at most two decimals: 40000 -> '40,000 EUR'."""
    value = float(value)
    text = f"{int(value):,}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {currency}" if currency else text


def _fold(text: str) -> str:
    """Lower-case text and read ё as е, keeping every character's position."""
    out = []
    for char in text:
        low = char.lower()
        out.append("е" if low == "ё" else low if len(low) == 1 else char)
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _word_pattern(word: str) -> re.Pattern[str]:
    stem = r"\s+".join(re.escape(part) for part in _fold(unicodedata.normalize("NFC", word)).split())
    # A word is a run of letters and digits; the stem must start one and may end anywhere inside it.
    return re.compile(rf"(?<![^\W_]){stem}[^\W_]*")


def _mention(words: Iterable[str], text: str) -> str | None:
    """Return the first listed word or stem found at a word start in text, as spelled there."""
    text = unicodedata.normalize("NFC", text)
    folded = _fold(text)
    for word in words:
        if not word.split():
            continue
        match = _word_pattern(word).search(folded)
        if match:
            # The rest of the word is shown too ("escalat" -> "escalated"), but never a screenful of it.
            found = text[match.start():match.end()]
            return found if len(found) <= MAX_MENTION else clip(found, MAX_MENTION)
    return None


# ------------------------------------------------------------------------------------------------ parsing


class _Checker:
    """Collects problems in the format the templates file uses: file, line, which rule, what is wrong."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def add(self, line: int, where: str, message: str) -> None:
        self.problems.append(_problem(self.source, line, where, message))

    def unknown_keys(self, node: Mapping[Any, Any], allowed: Iterable[str], where: str, what: str) -> None:
        for key in node:
            if key not in allowed:
                guess = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                self.add(_key_line(node, key), where, f"unknown {what} '{key}'{hint}")


def _problem(source: str | None, line: int, where: str, message: str) -> str:
    location = (f"{source}, line {line}" if line else source) if source else ""
    return "".join((f"{location}: " if location else "", f"{where}: " if where else "", message))


def _key_line(node: Any, key: Any) -> int:
    return node.line_of(key) if isinstance(node, LineDict) and isinstance(key, str) else _own_line(node)


def _item_line(node: Any, index: int) -> int:
    return node.line_of(index) if isinstance(node, LineList) else _own_line(node)


def _own_line(node: Any) -> int:
    return node.line if isinstance(node, LineDict | LineList) else 0


def _texts(value: Any) -> list[str] | None:
    """Read a text or a non-empty list of non-empty texts; None when it is anything else."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        return None
    if not all(isinstance(v, str) and v.split() for v in value):
        return None
    return [" ".join(v.split()) for v in value]


def _option_values(value: Any) -> list[str] | None:
    """Read an option value or a non-empty list of them; numbers count, as in the templates' options."""
    if not isinstance(value, list | tuple):
        value = [value]
    if not value or not all(isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip() for v in value):
        return None
    return [str(v).strip() for v in value]


def _answers(check: _Checker, node: Any, line: int, where: str) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if not isinstance(node, Mapping) or not node:
        check.add(line, where, "'answers' must map question ids to an option value or a list of them")
        return None
    conditions: list[tuple[str, tuple[str, ...]]] = []
    ok = True
    for question_id, raw in node.items():
        values = _option_values(raw)
        if not isinstance(question_id, str) or not question_id.strip():
            check.add(_key_line(node, question_id), where, f"'answers' names question {question_id!r}, "
                      "which is not a question id")
            ok = False
        elif values is None:
            check.add(_key_line(node, question_id), where,
                      f"'answers' for '{question_id}' must be an option value or a non-empty list of them")
            ok = False
        else:
            conditions.append((question_id.strip(), tuple(dict.fromkeys(values))))
    return tuple(conditions) if ok else None


def _rule(check: _Checker, node: Any, line: int, where: str) -> Rule | None:
    if not isinstance(node, Mapping):
        check.add(line, where, "each rule must be a mapping with 'priority' and 'when'")
        return None
    line = _own_line(node) or line
    check.unknown_keys(node, _RULE_KEYS, where, "rule key")
    ok = True
    priority = node.get("priority")
    if "priority" not in node:
        check.add(line, where, "'priority' is missing (a Jira priority name such as High)")
        ok = False
    elif not isinstance(priority, str) or not priority.strip():
        check.add(_key_line(node, "priority"), where, "'priority' must be a Jira priority name such as High")
        ok = False
    templates: tuple[str, ...] = ()
    if "templates" in node:
        ids = _texts(node["templates"])
        if ids is None:
            check.add(_key_line(node, "templates"), where, "'templates' must be a non-empty list of template ids")
            ok = False
        else:
            templates = tuple(dict.fromkeys(ids))
    when = node.get("when")
    when_line = _key_line(node, "when") if "when" in node else line
    if not isinstance(when, Mapping) or not when:
        check.add(when_line, where, "'when' must be a mapping with at least one condition: "
                  + ", ".join(CONDITION_KEYS))
        return None
    check.unknown_keys(when, CONDITION_KEYS, where, "condition")
    ok = ok and all(key in CONDITION_KEYS for key in when)
    parsed: dict[str, Any] = {}
    for key in CONDITION_KEYS:
        if key not in when:
            continue
        value, key_line = when[key], _key_line(when, key)
        if key == "deal_at_least":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                check.add(key_line, where, "'deal_at_least' must be a number of 0 or more")
                ok = False
            else:
                parsed[key] = float(value)
        elif key == "due_within_days":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                check.add(key_line, where, "'due_within_days' must be a whole number of 0 or more")
                ok = False
            else:
                parsed[key] = value
        elif key == "answers":
            answers = _answers(check, value, key_line, where)
            ok = ok and answers is not None
            parsed[key] = answers or ()
        elif key == "mentions":
            words = _texts(value)
            if words is None:
                check.add(key_line, where, "'mentions' must be a non-empty list of words or word beginnings")
                ok = False
            else:
                parsed[key] = tuple(dict.fromkeys(words))
        elif value is not True:
            # 'false' has no meaning of its own here; saying so beats guessing what the admin wanted.
            check.add(key_line, where, f"'{key}' can only be true; leave it out otherwise")
            ok = False
        else:
            parsed[key] = True
    if parsed.get("no_deadline") and "due_within_days" in parsed:
        check.add(_key_line(when, "no_deadline"), where,
                  "'no_deadline' and 'due_within_days' contradict each other, so the rule never matches")
        ok = False
    if parsed.get("no_deal") and parsed.get("deal_at_least", 0) > 0:
        check.add(_key_line(when, "no_deal"), where,
                  "'no_deal' and 'deal_at_least' contradict each other, so the rule never matches")
        ok = False
    if not ok or not isinstance(priority, str):
        return None
    return Rule(priority=priority.strip(), templates=templates, line=line, **parsed)


def parse_rubric(node: Any, source: str) -> tuple[Rubric, list[str]]:
    """Read the priority_rules section; return the rubric and the problems found (empty when valid)."""
    if node is None:
        return Rubric(), []
    check = _Checker(source)
    if not isinstance(node, Mapping):
        check.add(_own_line(node), SECTION, "must be a mapping with a 'rules' list (and optionally 'currency')")
        return Rubric(), check.problems
    check.unknown_keys(node, _SECTION_KEYS, SECTION, "key")
    currency = node.get("currency")
    if currency is not None and not (isinstance(currency, str) and currency.strip()
                                     and len(currency.strip()) <= MAX_CURRENCY and "\n" not in currency.strip()):
        check.add(_key_line(node, "currency"), SECTION,
                  f"'currency' must be a short text (at most {MAX_CURRENCY} characters) such as EUR")
        currency = None
    currency = currency.strip() if isinstance(currency, str) else None
    raw = node.get("rules")
    if not isinstance(raw, list | tuple) or not raw:
        check.add(_key_line(node, "rules"), SECTION, "needs a non-empty 'rules' list; the first matching rule wins")
        raw = []
    rules = [_rule(check, item, _item_line(raw, index), f"priority rule {index + 1}") for index, item in enumerate(raw)]
    # Verdicts name rules by position, so a rubric with a broken rule keeps none rather than shifting the rest.
    kept = tuple(r for r in rules if r is not None) if all(r is not None for r in rules) else ()
    return Rubric(kept, currency), check.problems


def check_against(rubric: Rubric, templates: Iterable[tuple[str, Mapping[str, tuple[str, ...]]]],
                  *, source: str | None = None) -> list[str]:
    """Check that the template ids, question ids and option values the rules name exist.

    templates gives each template's id with its questions' option values (empty for non-choice questions).
    With source, each problem starts with the file and the rule's line, like the other template problems.
    """
    known = {tid: dict(questions) for tid, questions in templates}
    problems: list[str] = []
    for index, rule in enumerate(rubric.rules):
        where = f"priority rule {index + 1}"

        def add(message: str, rule: Rule = rule, where: str = where) -> None:
            problems.append(_problem(source, rule.line, where, message))

        for tid in rule.templates:
            if tid not in known:
                add(f"unknown template '{tid}'{_hint(tid, known)}")
        scope = [known[t] for t in rule.templates if t in known] if rule.templates else list(known.values())
        for question_id, values in rule.answers:
            having = [questions[question_id] for questions in scope if question_id in questions]
            if not having:
                asked = {q for questions in scope for q in questions}
                whose = "no template" if not rule.templates else "none of its templates"
                add(f"{whose} has a question '{question_id}'{_hint(question_id, asked)}")
                continue
            options = {value for option_values in having for value in option_values}
            if not options:
                add(f"question '{question_id}' is not a choice question, so it has no options to match")
                continue
            for value in values:
                if value not in options:
                    add(f"question '{question_id}' has no option '{value}'{_hint(value, options)}")
    return problems


def _hint(word: str, known: Iterable[str]) -> str:
    guess = difflib.get_close_matches(word, sorted(known), n=1)
    return f" (did you mean '{guess[0]}'?)" if guess else ""


# ------------------------------------------------------------------------------------------------ wording


_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "deal": "deal {value}", "due": "deadline in {value} days", "due_today": "deadline today",
        "due_tomorrow": "deadline tomorrow", "due_passed": "deadline passed", "answer": '{question} "{value}"',
        "mention": 'mentions "{value}"', "no_deadline": "no deadline", "no_deal": "no deal",
    },
    "ru": {
        "deal": "сделка {value}", "due": "срок через {value} дн.", "due_today": "срок сегодня",
        "due_tomorrow": "срок завтра", "due_passed": "срок прошёл", "answer": "{question} «{value}»",
        "mention": "упомянуто «{value}»", "no_deadline": "без срока", "no_deal": "без сделки",
    },
    "de": {
        "deal": "Deal {value}", "due": "Frist in {value} Tagen", "due_today": "Frist heute",
        "due_tomorrow": "Frist morgen", "due_passed": "Frist abgelaufen", "answer": "{question} „{value}“",
        "mention": "erwähnt „{value}“", "no_deadline": "keine Frist", "no_deal": "kein Deal",
    },
}


# What a question and one of its answers are called in a language: (question id, answer value, language) to
# (the question's text, the answer's label). The rubric knows only ids; the templates know the words.
Names = Callable[[str, str, str], tuple[str, str]]


def _phrase(reason: Reason, phrases: Mapping[str, str], lang: str, names: Names | None) -> str:
    key, question, value = reason.kind, "", reason.value
    if key == "due":
        days = int(value) if re.fullmatch(r"-?\d+", value) else None
        if days is not None and days <= 1:
            key = "due_passed" if days < 0 else "due_today" if days == 0 else "due_tomorrow"
    elif key == "answer":
        question, _, value = value.partition("=")
        if names is not None:
            question, value = names(question, value, lang)
        # "How urgent is it? «…»" reads on; a question that ends without a mark gets a colon.
        question = question.rstrip(" :")
        question = question if question.endswith(("?", "!", "？")) else f"{question}:"
    template = phrases.get(key)
    return template.format(question=question, value=value) if template else value


def reason_text(verdict: Verdict, lang: str, names: Names | None = None) -> str:
    """Word a verdict in en, ru or de: 'Highest: deal 40,000 EUR, deadline in 2 days'.

    names words an answer reason with the question's text and the answer's label instead of their ids.
    """
    phrases = _PHRASES.get(normalize_language(lang), _PHRASES["en"])
    words = ", ".join(_phrase(reason, phrases, lang, names) for reason in verdict.reasons)
    return f"{verdict.priority}: {words}" if words else verdict.priority
