"""The customer directory and fuzzy matching of what a salesperson typed against it."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
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
        for customer in customers:
            self.add(customer)

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

    def __len__(self) -> int:
        return len(self._owners)

    def spellings(self) -> list[str]:
        """Return every normalized spelling (names and aliases), in the order they were added."""
        return list(self._keys)

    def names(self) -> list[str]:
        """Return every canonical customer name."""
        return sorted(self._owners, key=str.casefold)

    def match(self, typed: str, limit: int = 5) -> list[Match]:
        """Return up to `limit` customers resembling typed, best first; exact ones are flagged."""
        query = normalize_name(typed)
        if not query or not self._keys:
            return []
        found = process.extract(query, self._keys, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=MIN_SCORE)
        best: dict[str, Match] = {}
        for key, score, index in found:
            owner = self._owner[index]
            exact = key == query
            current = best.get(owner)
            if current is None or (exact, score) > (current.exact, current.score):
                best[owner] = Match(owner, 100.0 if exact else float(score), exact)
        ranked = sorted(best.values(), key=lambda m: (not m.exact, -m.score, m.name.casefold()))
        return ranked[:limit]


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
