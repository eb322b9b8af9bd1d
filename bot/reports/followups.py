"""Templates that learn: engineers' follow-up questions per template, grouped by what they ask for.

A question is reduced to its words (lower case, without the words every question has), words spelled alike are
one word (rapidfuzz: "version", "versions", "версия", "версию"), and each question joins the group of its word
that the most requests asked about. Customer names and other one-off words never lead a group that way.
Everything is computed from the set of (request, question) pairs, so the order they come in changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.reports.request_log import apart
from bot.storage.reports import ReportStore
from bot.storage.store import Store

# Words that say nothing about what is asked for: question words, auxiliaries, pronouns, politeness, and the
# customer being asked about (in English, Russian and German, as engineers write).
STOPWORDS = frozenset(str.split("""
a an and any are ask be can could customer customers client clients did do does for from get give got has have
he her his how if in is it its know let me more my need needs of on or our please provide run runs running send
share she so tell that the their them they this those to us use used uses using was we were what when where which
who why will with would you your yes no not also just there here then than some about into can't don't
и в во на с со по к ко о об от до из у за что как какая какой какие какую каком где когда кто почему ли бы же
не нет да это этот эта эти мне нам вам вы ты он она они его ее её их у уже ещё еще пожалуйста можно нужно
клиент клиента клиенту клиентом клиенты клиентов есть был была были будет подскажите скажите пришлите
der die das den dem des ein eine einen einem einer und oder in im auf mit von zu zum zur für ist sind war
welche welcher welches welchen wie wo wann wer warum was bitte kann können könnt ihr sie er es wir uns euch
kunde kunden nutzt nutzen benutzt haben hat gibt noch schon auch nicht kein keine
"""))
_WORD = re.compile(r"[^\W\d_]{3,}")
# Two spellings of one word: inflections and typos, not different words ("data" and "date" stay apart).
WORD_SIMILARITY = 80.0
# A group needs questions on at least this many requests to be shown as something to add to the form.
MIN_REQUESTS = 2
LABEL_WORDS = 3
# How far back the admins' view of follow-up questions looks, by the requests' filing dates.
INSIGHT_DAYS = 90


def words(text: str) -> tuple[str, ...]:
    """Return the words of a question that say what it asks for, in order, each once."""
    found = (w for w in _WORD.findall(text.casefold()) if w not in STOPWORDS)
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class QuestionGroup:
    """Questions engineers asked about one thing, on `requests` different requests."""

    key: str
    label: str
    example: str
    requests: int
    questions: int
    request_ids: frozenset[str] = field(repr=False)

    @property
    def digest(self) -> str:
        """Return a short stable name for the group (for buttons and links)."""
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:16]


def _spellings(all_words: Iterable[str]) -> dict[str, str]:
    """Map each word to the spelling that stands for all its alike spellings (connected by WORD_SIMILARITY)."""
    unique = sorted(set(all_words))
    parent = list(range(len(unique)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Spellings of one word start alike; comparing only words with the same first letter keeps this fast.
    by_letter: dict[str, list[int]] = {}
    for index, word in enumerate(unique):
        by_letter.setdefault(word[0], []).append(index)
    for indexes in by_letter.values():
        bucket = [unique[i] for i in indexes]
        for i, word in zip(indexes, bucket, strict=True):
            for _, _, j in process.extract(word, bucket, scorer=fuzz.ratio, score_cutoff=WORD_SIMILARITY,
                                           limit=None):
                a, b = root(i), root(indexes[j])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    # The shortest spelling names the class ("version" for version, versions), then the first alphabetically.
    members: dict[int, list[str]] = {}
    for index, word in enumerate(unique):
        members.setdefault(root(index), []).append(word)
    names = {r: min(spelled, key=lambda w: (len(w), w)) for r, spelled in members.items()}
    return {word: names[root(index)] for index, word in enumerate(unique)}


def group_questions(asked: Iterable[tuple[str, str]], scope: str = "") -> list[QuestionGroup]:
    """Group (request id, question) pairs by what they ask for; most requests first.

    A request counts once in a group however many of its questions fall in it. Questions with no telling word
    are left out. scope (the template's id) keeps groups of different templates apart in their digests.
    """
    pairs = sorted({(request_id, text.strip()) for request_id, text in asked if text.strip()})
    worded = [(request_id, text, words(text)) for request_id, text in pairs]
    worded = [entry for entry in worded if entry[2]]
    spelling = _spellings(w for _, _, ws in worded for w in ws)
    classes = [(request_id, text, tuple(dict.fromkeys(spelling[w] for w in ws))) for request_id, text, ws in worded]
    asked_by: dict[str, set[str]] = {}
    for request_id, _, ws in classes:
        for word in ws:
            asked_by.setdefault(word, set()).add(request_id)
    members: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for entry in classes:
        lead = min(entry[2], key=lambda w: (-len(asked_by[w]), w))
        members.setdefault(lead, []).append(entry)
    groups = [_group(lead, entries, scope) for lead, entries in members.items()]
    return sorted(groups, key=lambda g: (-g.requests, -g.questions, g.key))


def _group(lead: str, entries: list[tuple[str, str, tuple[str, ...]]], scope: str) -> QuestionGroup:
    request_ids = frozenset(request_id for request_id, _, _ in entries)
    # Words asked on most of the group's requests name it with the leading word.
    asked: dict[str, set[str]] = {}
    for request_id, _, ws in entries:
        asked.setdefault(request_id, set()).update(ws)
    per_request: Counter[str] = Counter(w for ws in asked.values() for w in ws)
    common = {w for w, n in per_request.items() if 2 * n > len(request_ids)} | {lead}
    example = min(entries, key=lambda e: (-len(common & set(e[2])), len(e[1]), e[1]))
    ordered = [w for w in example[2] if w in common]
    if lead not in ordered[:LABEL_WORDS]:
        ordered = [lead, *[w for w in ordered if w != lead]]
    label = " ".join(ordered[:LABEL_WORDS])
    return QuestionGroup(key=f"{scope}\0{lead}", label=label, example=example[1], requests=len(request_ids),
                         questions=len(entries), request_ids=request_ids)


@dataclass(frozen=True)
class TemplateInsight:
    """What engineering asked about one template's requests, and how many needed no question at all."""

    template_id: str
    handled: int
    ready: int
    groups: list[QuestionGroup]

    @property
    def ready_share(self) -> float | None:
        """Return the share of handled requests engineering asked nothing about."""
        return self.ready / self.handled if self.handled else None

    @property
    def suggestions(self) -> list[QuestionGroup]:
        """Return the groups asked on enough requests to be worth a question in the form."""
        return [group for group in self.groups if group.requests >= MIN_REQUESTS]


def template_insights(store: ReportStore, since: float) -> dict[str, TemplateInsight]:
    """Return each template's insight over the requests filed since then, by template id."""
    asked: dict[str, list[tuple[str, str]]] = {}
    for question in store.asked_questions(since):
        asked.setdefault(question.template_id, []).append((question.request_id, question.text))
    handling = {row.template_id: row for row in store.template_handling(since)}
    insights: dict[str, TemplateInsight] = {}
    for template_id in sorted(set(asked) | set(handling)):
        row = handling.get(template_id)
        insights[template_id] = TemplateInsight(
            template_id=template_id, handled=row.handled if row else 0, ready=row.ready if row else 0,
            groups=group_questions(asked.get(template_id, []), template_id))
    return insights


async def insights_apart(store: Store, since: float) -> dict[str, TemplateInsight]:
    """Return each template's insight, read and grouped on a worker thread so chats are answered meanwhile."""
    return await apart(store, lambda reader: template_insights(reader, since))


def find_suggestion(insights: dict[str, TemplateInsight], digest: str) -> tuple[str, QuestionGroup] | None:
    """Return (template id, group) of the suggestion with this digest, if it is still suggested."""
    for insight in insights.values():
        for group in insight.suggestions:
            if group.digest == digest:
                return insight.template_id, group
    return None
