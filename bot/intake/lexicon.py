"""The built-in lexicon of intents (broken, wants, asks) and urgency evidence, read from lexicon.yaml and checked."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot.intake.phrases import PhraseBook
from bot.text.yamlfile import ConfigError, LineDict, LineList, parse_yaml

SOURCE = "lexicon.yaml"


@dataclass(frozen=True)
class Intent:
    """What an ask is about, the Jira issue types that serve it and the phrases that say it."""

    name: str
    issue_types: tuple[str, ...]
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceKind:
    """One kind of evidence of how bad things are ("blocked", "angry"), with its phrases."""

    name: str
    weight: float
    falls_back_to: tuple[str, ...]
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Intents, evidence and vague deadlines, with their phrases compiled for matching."""

    intents: tuple[Intent, ...]
    evidence: tuple[EvidenceKind, ...]
    vague_deadlines: tuple[str, ...]
    intent_book: PhraseBook
    evidence_book: PhraseBook
    vague_book: PhraseBook

    def intent_of_issue_type(self, issue_type: str) -> int | None:
        """The index of the intent a Jira issue type serves, if any."""
        wanted = issue_type.strip().casefold()
        return next((i for i, intent in enumerate(self.intents)
                     if wanted in (t.casefold() for t in intent.issue_types)), None)

    def kind(self, name: str) -> int:
        """The index of an evidence kind by name."""
        return next(i for i, kind in enumerate(self.evidence) if kind.name == name)


def _texts(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: expected a list of non-empty texts")
        return ()
    return tuple(v.strip() for v in value)


def parse_lexicon(text: str, source: str = SOURCE) -> Lexicon:
    """Read a lexicon document; every problem is named with its file and line."""
    document = parse_yaml(text, source)
    problems: list[str] = []
    if not isinstance(document, LineDict):
        raise ConfigError([f"{source}: expected a mapping with intents, evidence and vague_deadlines"])
    intents: list[Intent] = []
    evidence: list[EvidenceKind] = []
    for section in ("intents", "evidence"):
        items = document.get(section)
        if not isinstance(items, LineDict) or not items:
            problems.append(f"{source}, line {document.line_of(section)}: '{section}' must be a mapping of names")
            continue
        for name, body in items.items():
            where = f"{source}, line {items.line_of(name)}, {section[:-1] if section == 'intents' else section} {name}"
            if not isinstance(body, LineDict):
                problems.append(f"{where}: expected a mapping")
                continue
            phrases = _texts(body.get("phrases"), f"{where}, phrases", problems)
            if section == "intents":
                intents.append(Intent(name, _texts(body.get("issue_types", []), f"{where}, issue_types", problems),
                                      phrases))
                continue
            weight = body.get("weight", 1)
            if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
                problems.append(f"{where}, line {body.line_of('weight')}: weight must be a positive number")
                weight = 1
            evidence.append(EvidenceKind(name, float(weight),
                                         _texts(body.get("falls_back_to", []), f"{where}, falls_back_to", problems),
                                         phrases))
    names = {kind.name for kind in evidence}
    for kind in evidence:
        for other in kind.falls_back_to:
            if other not in names:
                section_items = document.get("evidence")
                line = section_items.line_of(kind.name) if isinstance(section_items, LineDict) else 0
                problems.append(f"{source}, line {line}, evidence {kind.name}: falls_back_to names '{other}', "
                                f"which is no kind of evidence here")
    vague = document.get("vague_deadlines", [])
    vague_texts = _texts(vague if isinstance(vague, LineList | list) else None,
                         f"{source}, line {document.line_of('vague_deadlines')}, vague_deadlines", problems)
    if problems:
        raise ConfigError(problems)
    return Lexicon(
        tuple(intents), tuple(evidence), vague_texts,
        PhraseBook(((i, p, 1.0) for i, intent in enumerate(intents) for p in intent.phrases), per_word=False),
        PhraseBook(((i, p, kind.weight) for i, kind in enumerate(evidence) for p in kind.phrases), per_word=False),
        PhraseBook(((0, p, 1.0) for p in vague_texts), per_word=False),
    )


@functools.cache
def lexicon() -> Lexicon:
    """The lexicon that comes with the bot."""
    return parse_lexicon(resources.files("bot.intake").joinpath(SOURCE).read_text(encoding="utf-8"))
