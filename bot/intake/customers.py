"""The customer directory and fuzzy matching of what a salesperson typed against it."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.text.yamlfile import ConfigError, LineDict, LineList, parse_yaml, read_text

# Legal forms say nothing about which customer is meant: "ACME" and "Acme Corp GmbH" are the same one.
_LEGAL_FORMS = {
    "gmbh", "mbh", "ag", "kg", "se", "ug", "ohg", "inc", "llc", "ltd", "limited", "corp", "corporation",
    "co", "company", "plc", "sa", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "oao", "ooo", "zao",
    "pao", "ао", "ооо", "зао", "оао", "пао", "ип", "group", "holding",
}
MIN_SCORE = 60.0


def is_legal_form(word: str) -> bool:
    """Whether a word is a legal form ("GmbH", "ООО"), which names no customer by itself."""
    return word.casefold() in _LEGAL_FORMS


def normalize_name(name: str) -> str:
    """Fold case, accents, punctuation and legal forms out of a company name."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    words = [w for w in text.split() if w not in _LEGAL_FORMS]
    return " ".join(words) or text.strip()


@dataclass(frozen=True)
class Customer:
    """A known customer and the other names salespeople use for it."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A directory entry that resembles the typed text."""

    name: str
    score: float
    exact: bool


class CustomerDirectory:
    """Finds the customers a salesperson most likely meant."""

    def __init__(self, customers: Iterable[Customer] = ()) -> None:
        self._names: dict[str, str] = {}
        self._keys: list[str] = []
        self._owner: list[str] = []
        # The same spellings and owners as sets: a list scan per add would make loading a large list quadratic.
        self._known: set[str] = set()
        self._owners: set[str] = set()
        self._leads: _Leads | None = None
        for customer in customers:
            self.add(customer)
        # Built now rather than on the first message after a start or a reload (a second with 100,000 customers).
        self._leads = _Leads(self._keys) if self._keys else None

    def add(self, customer: Customer) -> None:
        """Add a customer (or more aliases of a known one)."""
        canonical = self._names.setdefault(normalize_name(customer.name), customer.name)
        for spelling in (customer.name, *customer.aliases):
            key = normalize_name(spelling)
            if key and key not in self._known:
                self._known.add(key)
                self._keys.append(key)
                self._owner.append(canonical)
                self._owners.add(canonical)
                self._leads = None

    def __len__(self) -> int:
        return len(self._owners)

    def spellings(self) -> list[str]:
        """Return every normalized spelling (names and aliases), in the order they were added."""
        return list(self._keys)

    def names(self) -> list[str]:
        """Return every canonical customer name."""
        return sorted(self._owners, key=str.casefold)

    def starting_like(self, word: str) -> list[int]:
        """Which spellings begin with word, or with a word one typo away from it ("umbrela", "Globx")."""
        if self._leads is None:
            self._leads = _Leads(self._keys)
        return self._leads.near(normalize_name(word))

    def match(self, typed: str, limit: int = 5, among: Sequence[int] | None = None) -> list[Match]:
        """Return up to `limit` customers resembling typed, best first; exact ones are flagged.

        among, when given, limits the search to those spellings (indexes from starting_like).
        """
        query = normalize_name(typed)
        if not query or not self._keys:
            return []
        keys: Sequence[str] | dict[int, str] = self._keys if among is None else {i: self._keys[i] for i in among}
        found = process.extract(query, keys, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=MIN_SCORE)
        best: dict[str, Match] = {}
        for key, score, index in found:
            owner = self._owner[index]
            exact = key == query
            current = best.get(owner)
            if current is None or (exact, score) > (current.exact, current.score):
                best[owner] = Match(owner, 100.0 if exact else float(score), exact)
        ranked = sorted(best.values(), key=lambda m: (not m.exact, -m.score, m.name.casefold()))
        return ranked[:limit]


class _Leads:
    """The spellings by their first word, and the first words by their first five letters give or take one.

    A word a typo away from a first word shares one of these keys with it, so finding the customers a word may
    start takes a few dictionary lookups and a fuzzy comparison with a handful of words, however long the list.
    """

    CUTOFF = 75.0

    def __init__(self, keys: Sequence[str]) -> None:
        by_first: defaultdict[str, list[int]] = defaultdict(list)
        for index, key in enumerate(keys):
            by_first[key.partition(" ")[0]].append(index)
        by_prefix: defaultdict[str, list[str]] = defaultdict(list)
        for first in by_first:
            head = first[:5]
            by_prefix[head].append(first)
            if len(first) >= 4:
                for i in range(len(head)):
                    by_prefix[head[:i] + head[i + 1:]].append(first)
        self.by_first, self.by_prefix = dict(by_first), dict(by_prefix)

    @staticmethod
    def prefixes(word: str) -> set[str]:
        """The word's first five letters, and those with one letter left out (words of four letters or more)."""
        head = word[:5]
        if len(word) < 4:
            return {head}
        return {head, *(head[:i] + head[i + 1:] for i in range(len(head)))}

    def near(self, word: str) -> list[int]:
        """Indexes of the spellings whose first word is word or one typo away from it."""
        first = word.split()[0] if word.split() else ""
        if not first:
            return []
        found = list(self.by_first.get(first, ()))
        if len(first) < 4:
            return found
        candidates = {w for prefix in self.prefixes(first) for w in self.by_prefix.get(prefix, ())
                      if w != first and abs(len(w) - len(first)) <= 2}
        for other, _, _ in process.extract(first, candidates, scorer=fuzz.ratio, score_cutoff=self.CUTOFF,
                                           limit=None):
            found += self.by_first[other]
        return found


def _from_yaml(text: str, source: str) -> list[Customer]:
    document = parse_yaml(text, source)
    items = document.get("customers") if isinstance(document, LineDict) else document
    if not isinstance(items, list):
        raise ConfigError([f"{source}: expected a list of customers (or a 'customers:' list)"])
    customers: list[Customer] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        if isinstance(item, str) and item.strip():
            customers.append(Customer(item.strip()))
        elif isinstance(item, LineDict) and isinstance(item.get("name"), str) and item["name"].strip():
            aliases = item.get("aliases", [])
            if isinstance(aliases, str):
                aliases = [aliases]
            if not isinstance(aliases, list):
                problems.append(f"{source}, line {item.line_of('aliases')}: 'aliases' must be a list")
                aliases = []
            customers.append(Customer(item["name"].strip(), tuple(str(a).strip() for a in aliases if str(a).strip())))
        else:
            line = items.line_of(index) if isinstance(items, LineList) else 0
            problems.append(f"{source}, line {line}: each customer is a name or a mapping with 'name'")
    if problems:
        raise ConfigError(problems)
    return customers


def _from_csv(text: str) -> list[Customer]:
    rows = list(csv.reader(io.StringIO(text)))
    if rows and [c.strip().lower() for c in rows[0]][:1] == ["name"]:
        rows = rows[1:]
    customers = []
    for row in rows:
        if not row or not row[0].strip():
            continue
        aliases = [a.strip() for cell in row[1:] for a in re.split(r"[;|]", cell) if a.strip()]
        customers.append(Customer(row[0].strip(), tuple(aliases)))
    return customers


def load_customers(path: Path) -> list[Customer]:
    """Read a customer list from a YAML or CSV file."""
    text = read_text(path, "customers file", encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return _from_csv(text)
    return _from_yaml(text, path.name)
