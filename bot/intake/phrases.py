"""Phrases found in a message whatever the words' endings: folding, Snowball stems (en, ru, de) and a phrase index.

A phrase ("threaten to leave", "сделка под угрозой", "droht mit Kündigung") is found when its words occur in order,
a few words apart at most, each in any form that shares its stem or its start: "угрозой" meets "угроза",
"threatens" meets "threaten", "Kündigung" meets "kündigen". A PhraseBook compiles many phrases once and finds them
by looking up each word of the message, so its cost follows the message, not the number of phrases.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import Stemmer

_FOLD = str.maketrans({"ё": "е", "’": "'", "ʼ": "'"})
# A word is one run of letters or digits; apostrophes inside it ("can't") belong to it.
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A Snowball stemmer keeps state while it works: each thread (asks are read on worker threads) has its own.
_LOCAL = threading.local()


def _stemmer(language: str) -> Any:
    stemmers: dict[str, Any] | None = getattr(_LOCAL, "stemmers", None)
    if stemmers is None:
        stemmers = _LOCAL.stemmers = {name: Stemmer.Stemmer(name) for name in ("english", "german", "russian")}
    return stemmers[language]


def fold(text: str) -> str:
    """Lower-case text keeping every character's position (so spans found in it fit the original)."""
    low = text.lower()
    if len(low) != len(text):
        # A character such as "İ" lowers to two; those stay as they are.
        low = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
    return low.translate(_FOLD)


@dataclass(frozen=True)
class Token:
    """One word of a message: folded, apostrophes removed, and where it stands in the text."""

    word: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The words of text, folded."""
    return [Token(m.group(0).replace("'", ""), m.start(), m.end()) for m in WORD.finditer(fold(text))]


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of a phrase."""
    return tuple(t.word for t in tokens(text))


@functools.lru_cache(maxsize=65536)
def stems(word: str) -> frozenset[str]:
    """The Snowball stems of a folded word: Russian for Cyrillic words, English and German for the others."""
    if len(word) < 4 or word.isdigit():
        return frozenset()
    if _CYRILLIC.search(word):
        return frozenset([_stemmer("russian").stemWord(word)])
    return frozenset([_stemmer("english").stemWord(word), _stemmer("german").stemWord(word)])


def _same_start(word: str, token: str) -> bool:
    """Whether token is word with another ending by their first letters ("сломал" ~ "сломалось")."""
    if len(word) <= 2:
        return token == word
    if len(word) == 3:
        return token == word or (len(token) == 4 and token.startswith(word))
    need = max(4, len(word) - (1 if len(word) <= 7 else 2 if len(word) <= 10 else 3))
    if len(word) <= 5 and len(token) > len(word) + 3:
        # A short word's first four letters start many other words: "down" is not "download", "demo" not
        # "demonstration", "signs" not "significant".
        return False
    return len(token) >= need and token[:need] == word[:need]


def same_word(word: str, token: str) -> bool:
    """Whether token is word in another form: the same start, or the same Snowball stem."""
    if token == word:
        return True
    if token.endswith("nt") and token[:-2] in (word, word.removesuffix("n")):
        return False  # "doesn't" is not "does", "can't" not "can"
    # Stems join forms whose starts differ too early ("kündigen" ~ "Kündigung", "asks" ~ "asked").
    return _same_start(word, token) or bool(stems(word) & stems(token))


class Message:
    """A message ready for matching: its folded form, its words and an index of the words by start and stem."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        self.tokens = tokens(text)
        self.keys = [_keys(token.word) for token in self.tokens]
        self._keys: dict[str, list[int]] = {}
        for index, keys in enumerate(self.keys):
            for key in keys:
                self._keys.setdefault(key, []).append(index)

    def starts(self, word: str) -> list[int]:
        """Indexes of the words that are word in some form."""
        found = {i for key in _keys(word) for i in self._keys.get(key, ())}
        return sorted(i for i in found if same_word(word, self.tokens[i].word))

    def span(self, first: int, last: int) -> str:
        """The original text from the first word to the last."""
        return self.text[self.tokens[first].start:self.tokens[last].end]


@functools.lru_cache(maxsize=65536)
def _keys(word: str) -> tuple[str, ...]:
    """Where a word is filed: its first three letters, and its stems."""
    return (word[:3], *(f"~{s}" for s in stems(word)))


GAP = 3  # words allowed between the words of a phrase: "geht (seit dem Update) nicht", "bricht bei 1000 Zeilen ab"


def follow(words: Sequence[str], message: Message, first: int) -> int | None:
    """The index of the phrase's last word when its first word stands at `first`, or None."""
    tokens = message.tokens
    last = first
    for word in words[1:]:
        nxt = next((j for j in range(last + 1, min(len(tokens), last + 2 + GAP)) if same_word(word, tokens[j].word)),
                   None)
        if nxt is None:
            return None
        last = nxt
    return last


@dataclass(frozen=True)
class Hit:
    """A phrase found in a message, for its owner (a template, an option, an intent, a kind of evidence)."""

    owner: int
    phrase: str
    words: int
    weight: float
    first: int
    last: int


def resolve(hits: Iterable[Hit]) -> list[Hit]:
    """Keep the longest phrases where phrases overlap ("not urgent" wins over "urgent"), one hit per phrase.

    Hits on the very same words may stand side by side: a phrase that two owners share counts for both.
    """
    taken: dict[int, tuple[int, int]] = {}
    seen: set[tuple[int, str | int, int]] = set()
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.words, -h.weight, h.first)):
        span = range(hit.first, hit.last + 1) if hit.first >= 0 else range(0)
        # One phrase counts once for an owner, and so do the same words ("threaten", "threatens" on one word).
        keys = [(hit.owner, hit.phrase, 0)] + ([(hit.owner, hit.first, hit.last)] if hit.first >= 0 else [])
        if any(key in seen for key in keys) or any(taken.get(i, (hit.first, hit.last)) != (hit.first, hit.last)
                                                   for i in span):
            continue
        taken.update((i, (hit.first, hit.last)) for i in span)
        seen.update(keys)
        kept.append(hit)
    return kept


@dataclass(frozen=True)
class _Phrase:
    owner: int
    text: str
    words: tuple[str, ...]
    weight: float


class PhraseBook:
    """Many phrases, each with an owner and a weight, compiled once and looked up by the words of a message."""

    def __init__(self, entries: Iterable[tuple[int, str, float]], *, per_word: bool = True) -> None:
        """entries are (owner, phrase, weight); with per_word a hit weighs weight times its number of words."""
        self._symbols: list[_Phrase] = []
        self._index: dict[str, list[_Phrase]] = {}
        self.size = 0
        for owner, text, weight in entries:
            words = words_of(text)
            if not words:
                # A phrase without letters or digits ("?") is looked for as it is.
                symbol = fold(text).strip()
                if symbol:
                    self._symbols.append(_Phrase(owner, text, (symbol,), weight))
                continue
            phrase = _Phrase(owner, text, words, weight * len(words) if per_word else weight)
            self.size += 1
            for key in _keys(words[0]):
                self._index.setdefault(key, []).append(phrase)

    def hits(self, message: Message) -> list[Hit]:
        """Every place where a phrase of the book occurs in message (overlaps not yet resolved)."""
        found = [Hit(p.owner, p.text, 1, p.weight, -1, -1) for p in self._symbols if p.words[0] in message.folded]
        for first, token in enumerate(message.tokens):
            seen: set[int] = set()
            for key in message.keys[first]:
                for phrase in self._index.get(key, ()):
                    if id(phrase) in seen or not same_word(phrase.words[0], token.word):
                        continue
                    seen.add(id(phrase))
                    last = follow(phrase.words, message, first)
                    if last is not None:
                        found.append(Hit(phrase.owner, phrase.text, len(phrase.words), phrase.weight, first, last))
        return found
