"""The customer directory and fuzzy matching of what a salesperson typed against it."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz, process

from bot.text.yamlfile import ConfigError, LineDict, LineList, parse_yaml, read_text

# Legal forms say nothing about which customer is meant: "ACME" and "Acme Corp GmbH" are the same one.
_LEGAL_FORMS = {
    "gmbh", "mbh", "ag", "kg", "se", "ug", "ohg", "inc", "llc", "ltd", "limited", "corp", "corporation",
    "co", "company", "plc", "sa", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "oao", "ooo", "zao",
    "pao", "ао", "ооо", "зао", "оао", "пао", "ип", "group", "holding",
}
MIN_SCORE = 60.0
_PUNCTUATION = re.compile(r"[^\w\s]")
_ALIAS_SEPARATORS = re.compile(r"[;|]")
_SAMPLE_EVERY = 32  # a bisection among every 32nd spelling narrows the slower one over the buffer to 32
_BATCH = 4096  # customers whose names are folded together while loading


def is_legal_form(word: str) -> bool:
    """Whether a word is a legal form ("GmbH", "ООО"), which names no customer by itself."""
    return word.casefold() in _LEGAL_FORMS


def normalize_name(name: str) -> str:
    """Fold case, accents, punctuation and legal forms out of a company name."""
    text = (name if name.isascii() else unicodedata.normalize("NFKC", name)).casefold()
    text = _PUNCTUATION.sub(" ", text)
    words = [w for w in text.split() if w not in _LEGAL_FORMS]
    return " ".join(words) or text.strip()


def normalize_names(names: Sequence[str]) -> list[str]:
    """Return each name as normalize_name folds it, folding them all in one pass (100,000 at start-up)."""
    # Joined by line breaks, the names fold as each would alone: case and punctuation fold a character at a time,
    # NFKC composes nothing across a line break, and no step makes or takes one.
    text = "\n".join(names)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    lines = _PUNCTUATION.sub(" ", text.casefold()).split("\n")
    if len(lines) != len(names):  # a name with a line break of its own
        return [normalize_name(name) for name in names]
    return [" ".join([w for w in line.split() if w not in _LEGAL_FORMS]) or line.strip() for line in lines]


class Customer(NamedTuple):
    """A known customer and the other names salespeople use for it (a tuple: quick to make 100,000 of)."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """A directory entry that resembles the typed text."""

    name: str
    score: float
    exact: bool


class CustomerDirectory:
    """Finds the customers a salesperson most likely meant.

    Kept compact, as 100,000 customers must fit a small bot: the spellings and the names each in one buffer
    rather than a Python string each, each spelling's customer as a number in an array, and the spellings'
    sorted order as an array, so an exact spelling is a bisection away and the spellings sharing a first word
    are one run of that order.
    """

    def __init__(self, customers: Iterable[Customer] = ()) -> None:
        owners: dict[str, int] = {}  # scratch while loading: each spelling's customer
        self._names = _Texts()  # each customer's canonical name, once
        # The names a few thousand at a time, folded together. The customers themselves are let go at once:
        # thousands of them kept meanwhile would wake the garbage collector, which then walks all the bot holds.
        names: list[str] = []
        aliases: dict[int, tuple[str, ...]] = {}  # the aliases of those that have some, by place among names
        for customer in customers:
            if customer.aliases:
                aliases[len(names)] = customer.aliases
            names.append(customer.name)
            if len(names) == _BATCH:
                self._take(names, aliases, owners)
                names, aliases = [], {}
        self._take(names, aliases, owners)
        in_order = sorted(owners)
        self._keys = _Texts(in_order)  # every normalized spelling (names and aliases)
        self._owner = array("I", map(owners.__getitem__, in_order))  # each spelling's customer's place in _names
        self._order = array("I", range(len(self._keys)))  # the spellings in sorted order
        self._leads = _Leads(self._keys, in_order)
        del owners, in_order  # first: the samples then take fresh memory instead of pinning the scratch's
        self._samples = self._sampled()

    def _take(self, names: list[str], aliases: dict[int, tuple[str, ...]], owners: dict[str, int]) -> None:
        """Take in some customers while loading: their names and, by place among those, their aliases."""
        named: list[str] = []  # the new customers' names, in order
        for place, name_key in enumerate(normalize_names(names)):
            spellings = aliases.get(place)
            if spellings is None:  # most customers: a name alone, either new or known
                if name_key and name_key not in owners:
                    owners[name_key] = len(self._names) + len(named)
                    named.append(names[place])
                continue
            canonical = owners.get(name_key)
            for key in (name_key, *map(normalize_name, spellings)):
                if key and key not in owners:
                    if canonical is None:
                        canonical = len(self._names) + len(named)
                        named.append(names[place])
                    owners[key] = canonical
        self._names.extend(named)

    def add(self, customer: Customer) -> None:
        """Add a customer (or more aliases of a known one)."""
        name_key = normalize_name(customer.name)
        canonical = self._find(name_key)
        for key in (name_key, *map(normalize_name, customer.aliases)):
            at = self._position(key)
            if key and (at == len(self._order) or self._keys[self._order[at]] != key):
                if canonical is None:
                    canonical = self._names.append(customer.name)
                new_first = not self._starting(key.partition(" ")[0])
                place = self._keys.append(key)
                self._order.insert(at, place)
                self._owner.append(canonical)
                self._samples = self._sampled()
                if new_first:
                    self._leads.learn(place)

    def _sampled(self) -> list[str]:
        """Every 32nd spelling of the sorted order, as strings."""
        return [self._keys[place] for place in self._order[::_SAMPLE_EVERY]]

    def _find(self, key: str) -> int | None:
        """The customer a normalized spelling belongs to, if it is known."""
        at = self._position(key)
        if at < len(self._order) and self._keys[self._order[at]] == key:
            return self._owner[self._order[at]]
        return None

    def __len__(self) -> int:
        return len(self._names)

    def spellings(self) -> list[str]:
        """Return every normalized spelling (names and aliases), sorted."""
        return [self._keys[i] for i in self._order]

    def spelling(self, index: int) -> str:
        """Return the normalized spelling an index from starting_like stands for."""
        return self._keys[index]

    def names(self) -> list[str]:
        """Return every canonical customer name."""
        return sorted((self._names[i] for i in range(len(self._names))), key=str.casefold)

    def starting_like(self, word: str) -> Sequence[int]:
        """Which spellings begin with word, or with a word one typo away from it ("umbrela", "Globx")."""
        first = next(iter(normalize_name(word).split()), "")
        if not first:
            return []
        found: Sequence[int] = self._starting(first)
        if len(first) >= 4:
            for other in self._leads.near(first):
                found = [*found, *self._starting(other)]
        return found

    def _starting(self, first: str) -> Sequence[int]:
        """The spellings whose first word is first: one run of the sorted order (a space sorts before any letter)."""
        return self._order[self._position(first):self._position(first + "!")]

    def _position(self, key: str) -> int:
        """Where key is, or would go, in the sorted order: found among the samples, then within their block."""
        block = bisect_right(self._samples, key)
        low = max(block - 1, 0) * _SAMPLE_EVERY
        high = min(block * _SAMPLE_EVERY, len(self._order))
        return bisect_left(self._order, key, low, max(high, low), key=self._keys.__getitem__)

    def match(self, typed: str, limit: int = 5, among: Sequence[int] | None = None) -> list[Match]:
        """Return up to `limit` customers resembling typed, best first; exact ones are flagged.

        among, when given, limits the search to those spellings (indexes from starting_like).
        """
        query = normalize_name(typed)
        if not query or not len(self._keys):
            return []
        keys: Sequence[str] | dict[int, str] = (self._keys.all() if among is None
                                                 else {i: self._keys[i] for i in among})
        found = process.extract(query, keys, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=MIN_SCORE)
        best: dict[str, Match] = {}
        for key, score, index in found:
            owner = self._names[self._owner[index]]
            exact = key == query
            current = best.get(owner)
            if current is None or (exact, score) > (current.exact, current.score):
                best[owner] = Match(owner, 100.0 if exact else float(score), exact)
        ranked = sorted(best.values(), key=lambda m: (not m.exact, -m.score, m.name.casefold()))
        return ranked[:limit]


class _Texts:
    """Many strings kept in one UTF-8 buffer, each followed by a NUL, and where each ends.

    A few bytes per string instead of a Python object of 50 bytes or more each.
    """

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self._buffer = bytearray()
        self._ends = array("I")
        self.extend(texts)

    def extend(self, texts: Sequence[str]) -> None:
        """Keep several more strings, in order."""
        if not texts:
            return
        joined = "\0".join(texts)
        # In UTF-8 an ASCII string is as many bytes long as it has characters; only other ones need encoding.
        sizes = map(len, texts) if joined.isascii() else (len(text.encode()) for text in texts)
        # Where each one's NUL stands: its length plus one after the one before's, the first after the buffer's end.
        self._ends.extend(islice(accumulate((size + 1 for size in sizes), initial=len(self._buffer) - 1), 1, None))
        self._buffer += joined.encode()
        self._buffer += b"\0"

    def append(self, text: str) -> int:
        """Keep one more string; return its place."""
        self._buffer += text.encode()
        self._ends.append(len(self._buffer))
        self._buffer += b"\0"
        return len(self._ends) - 1

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] + 1 if index else 0
        return self._buffer[start:self._ends[index]].decode()

    def all(self) -> list[str]:
        """Every string, in the order kept (for strings without a NUL, as normalized spellings are)."""
        return self._buffer.decode().split("\0")[:-1]


class _Leads:
    """The spellings' first words by their first five letters give or take one.

    A word a typo away from a first word shares one of these prefixes with it, so finding the customers a word
    may start takes a few bisections and a fuzzy comparison with a handful of words, however long the list.
    Kept as one sorted array of numbers, each a prefix's hash, the word's length and the place of a spelling that
    starts with the word: eight bytes per prefix, not a dictionary of strings. The words of about the same length
    under a prefix are one run of the array; two prefixes with the same hash only bring a word more to compare.
    """

    CUTOFF = 75.0
    _PLACE_BITS = 24  # up to 16 million spellings
    _LENGTH_BITS = 6  # lengths above 63 count as 63
    _HASH_MASK = (1 << (64 - _PLACE_BITS - _LENGTH_BITS)) - 1

    def __init__(self, keys: _Texts, sorted_keys: Iterable[str] = ()) -> None:
        self._keys = keys
        firsts: dict[str, int] = {}  # each first word and the place of the first spelling it starts
        for place, key in enumerate(sorted_keys):
            firsts.setdefault(key.partition(" ")[0], place)
        shift, mask = self._LENGTH_BITS + self._PLACE_BITS, self._HASH_MASK
        entries = []
        for first, place in firsts.items():
            tail = min(len(first), 63) << self._PLACE_BITS | place  # _entry, unrolled: 100,000s of them at start
            entries += [(hash(prefix) & mask) << shift | tail for prefix in self.prefixes(first)]
        entries.sort()
        self._entries = array("Q", entries)

    @classmethod
    def _entry(cls, prefix: str, length: int, place: int) -> int:
        head = (hash(prefix) & cls._HASH_MASK) << cls._LENGTH_BITS | min(max(length, 0), 63)
        return head << cls._PLACE_BITS | place

    @staticmethod
    def prefixes(word: str) -> set[str]:
        """The word's first five letters, and those with one letter left out (words of four letters or more)."""
        head = word[:5]
        if len(word) < 4:
            return {head}
        return {head, *(head[:i] + head[i + 1:] for i in range(len(head)))}

    def learn(self, place: int) -> None:
        """Take in the first word of the spelling at place, which no other spelling starts with."""
        first = self._keys[place].partition(" ")[0]
        for prefix in self.prefixes(first):
            insort(self._entries, self._entry(prefix, len(first), place))

    def near(self, first: str) -> list[str]:
        """The other first words one typo away from first (and at most two letters longer or shorter)."""
        places: set[int] = set()
        mask = (1 << self._PLACE_BITS) - 1
        for prefix in self.prefixes(first):
            low = bisect_left(self._entries, self._entry(prefix, len(first) - 2, 0))
            end = self._entry(prefix, len(first) + 3, 0) if len(first) + 2 < 63 else self._entry(prefix, 63, mask) + 1
            high = bisect_left(self._entries, end, low)
            places.update(entry & mask for entry in self._entries[low:high])
        candidates = {self._keys[place].partition(" ")[0] for place in places} - {first}
        return [other for other, _, _ in process.extract(first, candidates, scorer=fuzz.ratio,
                                                         score_cutoff=self.CUTOFF, limit=None)]


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


def _from_csv(text: str) -> Iterator[Customer]:
    rows = csv.reader(io.StringIO(text))
    for first in rows:
        if [c.strip().lower() for c in first][:1] != ["name"]:  # a list without a header row
            yield from _from_rows([first])
        break
    yield from _from_rows(rows)


def _from_rows(rows: Iterable[list[str]]) -> Iterator[Customer]:
    for row in rows:
        name = row[0].strip() if row else ""
        if not name:
            continue
        if len(row) == 1:  # most rows: a name without aliases
            yield Customer(name)
            continue
        yield Customer(name, tuple(a.strip() for cell in row[1:] for a in _ALIAS_SEPARATORS.split(cell) if a.strip()))


def read_customers(path: Path) -> Iterator[Customer]:
    """Read a customer list from a YAML or CSV file, one customer at a time (CSV rows read as they are needed)."""
    text = read_text(path, "customers file", encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return _from_csv(text)
    return iter(_from_yaml(text, path.name))


def load_customers(path: Path) -> list[Customer]:
    """Read a customer list from a YAML or CSV file."""
    return list(read_customers(path))
