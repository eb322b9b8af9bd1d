"""The customer directory: fuzzy matching of typed names and loading YAML or CSV lists."""

from __future__ import annotations

import gc
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intake.customers import (
    Customer,
    CustomerDirectory,
    Match,
    load_customers,
    normalize_name,
    normalize_names,
)
from bot.text.yamlfile import ConfigError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def directory() -> CustomerDirectory:
    return CustomerDirectory(load_customers(ROOT / "customers.example.yaml"))


def test_example_file_loads(directory: CustomerDirectory) -> None:
    assert len(directory) == 7
    assert directory.names() == ["ACME Corp GmbH", "Globex Corporation", "Initech Ltd", "Stark Industries",
                                 "Umbrella Pharma AG", "Wayne Enterprises", "ООО Ромашка"]


@pytest.mark.parametrize(("typed", "name"), [
    ("acme", "ACME Corp GmbH"),
    ("ACME", "ACME Corp GmbH"),
    ("Acme Corp", "ACME Corp GmbH"),
    ("acme corp gmbh", "ACME Corp GmbH"),
    ("АКМЕ", "ACME Corp GmbH"),
    ("romashka", "ООО Ромашка"),
    ("ромашка", "ООО Ромашка"),
    ("Umbrella", "Umbrella Pharma AG"),
    ("globex corp.", "Globex Corporation"),
])
def test_exact_match(directory: CustomerDirectory, typed: str, name: str) -> None:
    matches = directory.match(typed)
    assert matches[0].name == name
    assert matches[0].exact is True
    assert matches[0].score == 100.0
    assert [m for m in matches if m.exact] == [matches[0]]


@pytest.mark.parametrize(("typed", "name"), [("Globx", "Globex Corporation"), ("Initek", "Initech Ltd"),
                                             ("stark industry", "Stark Industries")])
def test_typo_finds_the_customer_first(directory: CustomerDirectory, typed: str, name: str) -> None:
    matches = directory.match(typed)
    assert matches[0].name == name
    assert matches[0].exact is False
    assert 60 <= matches[0].score < 100


@pytest.mark.parametrize("typed", ["Zyxw", "", "   ", "!!!", "GmbH"])
def test_unknown_customer_gives_nothing(directory: CustomerDirectory, typed: str) -> None:
    assert directory.match(typed) == []


@pytest.mark.parametrize("typed", ["a", "e", "in"])
def test_at_most_five_results_best_first(directory: CustomerDirectory, typed: str) -> None:
    matches = directory.match(typed)
    assert 1 <= len(matches) <= 5
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert len({m.name for m in matches}) == len(matches)


def test_limit_is_respected(directory: CustomerDirectory) -> None:
    assert len(directory.match("e", limit=2)) == 2


def test_aliases_of_a_known_customer_can_be_added() -> None:
    directory = CustomerDirectory([Customer("ACME Corp GmbH")])
    directory.add(Customer("Acme Corp GmbH", ("Roadrunner Supplies",)))
    assert len(directory) == 1
    assert directory.match("roadrunner supplies")[0].name == "ACME Corp GmbH"


def test_empty_directory_matches_nothing() -> None:
    assert CustomerDirectory().match("acme") == []


@pytest.mark.parametrize(("name", "key"), [
    ("ACME Corp GmbH", "acme"),
    ("ООО «Ромашка»", "ромашка"),
    ("Globex, Inc.", "globex"),
    ("GmbH", "gmbh"),
    ("Café Müller KG", "café müller"),
])
def test_normalize_name(name: str, key: str) -> None:
    assert normalize_name(name) == key


# Pieces of names that fold in every way normalize_name folds: case (ß, Σ, İ), accents composed or not,
# compatibility forms (ﬁ, ½, ①), punctuation, legal forms, and breaks and spaces of every kind.
_PIECES = st.sampled_from(["acme", "ACME", "GmbH", "ООО", "Ромашка", "Café", "e\u0301", "ﬁ", "½", "①", "Σ", "ß", "İ",
                           "ǅ", " ", "  ", "\t", "\n", "\r\n", "\r", "\u2028", "\x85", "\x1c", ".", "«»", "-", "_",
                           "&", "x1", "ag", "inc."])
_ODD_NAMES = st.lists(_PIECES, max_size=6).map("".join) | st.text(max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ODD_NAMES, max_size=20))
def test_names_folded_together_fold_as_each_alone(names: list[str]) -> None:
    assert normalize_names(names) == [normalize_name(name) for name in names]


def test_a_directory_loaded_in_batches_is_the_one_grown_a_customer_at_a_time() -> None:
    # More customers than are folded at once, naming and aliasing each other across the batches.
    customers = [Customer(f"Firm {n % 6000} {('GmbH', 'ООО', 'AG')[n % 3]}", (f"F{n % 7000}",) if n % 5 == 0 else ())
                 for n in range(10_000)]
    loaded = CustomerDirectory(customers)
    grown = CustomerDirectory()
    for customer in customers:
        grown.add(customer)
    assert loaded.spellings() == grown.spellings()
    assert len(loaded) == len(grown) == 6000 and loaded.names() == grown.names()
    for word in ("firm 5999", "f6995", "firm 42", "Firm 4100 AG"):
        assert loaded.match(word) == grown.match(word)


# -- loading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "name,aliases\nAcme,ACME;Acme Inc|AI\nGlobex\n\n,ignored\n",
    "Acme,ACME; Acme Inc | AI\nGlobex\n",
    "\ufeffName,Aliases\nAcme,ACME,Acme Inc;AI\nGlobex,\n",
], ids=["header", "no-header", "bom-and-columns"])
def test_csv_loading(tmp_path: Path, text: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    assert load_customers(path) == [Customer("Acme", ("ACME", "Acme Inc", "AI")), Customer("Globex")]


def test_yaml_plain_list_and_single_alias(tmp_path: Path) -> None:
    path = tmp_path / "customers.yaml"
    path.write_text("- Acme\n- name: Globex\n  aliases: Gx\n", encoding="utf-8")
    assert load_customers(path) == [Customer("Acme"), Customer("Globex", ("Gx",))]


@pytest.mark.parametrize(("text", "problem"), [
    ("customers:\n  - name: A\n  - aliases: [x]\n",
     "customers.yaml, line 3: each customer is a name or a mapping with 'name'"),
    ("customers:\n  - name: A\n    aliases: 5\n", "customers.yaml, line 3: 'aliases' must be a list"),
    ("customers:\n  - name: A\n   - bad: [\n",
     "customers.yaml, line 3: expected <block end>, but found '<block sequence start>'"),
    ("customers:\n  - name: A\n  - name: A2\n    name: B\n", "customers.yaml, line 4: duplicate key 'name'"),
    ("clients: [A]\n", "customers.yaml: expected a list of customers (or a 'customers:' list)"),
    ("", "customers.yaml: expected a list of customers (or a 'customers:' list)"),
], ids=["mapping-without-name", "aliases-not-list", "syntax", "duplicate-key", "wrong-key", "empty"])
def test_yaml_errors_name_the_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "customers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_customers(path)
    assert caught.value.problems == [problem]


@pytest.mark.parametrize("entry", ["42", "''", "[a, b]"])
def test_yaml_error_for_a_scalar_entry_names_its_line(tmp_path: Path, entry: str) -> None:
    path = tmp_path / "customers.yaml"
    path.write_text(f"customers:\n  - name: A\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_customers(path)
    expected = "customers.yaml, line 3: each customer is a name or a mapping with 'name'"
    assert caught.value.problems == [expected]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_customers(tmp_path / "nope.csv")
    assert caught.value.problems == [f"{tmp_path / 'nope.csv'}: customers file not found"]


def test_a_large_customer_list_loads_in_linear_time() -> None:
    # 100,000 customers with an alias each: a list scan per add took minutes; a set takes well under a second.
    customers = [Customer(f"Customer {n} GmbH", (f"C{n}",)) for n in range(100_000)]
    started = time.perf_counter()
    directory = CustomerDirectory(customers)
    assert time.perf_counter() - started < 10
    assert len(directory) == 100_000 and len(directory.spellings()) == 200_000
    assert directory.match("customer 4711")[0].name == "Customer 4711 GmbH"


def test_a_large_customer_list_stays_small_in_memory() -> None:
    # The bot must start with 100,000 customers within 120 MB: a few bytes per spelling, not a few objects each
    # (Python objects for each took 38 MB for as many customers without aliases).
    customers = (Customer(f"Customer {n:05d} {('GmbH', 'ООО', 'AG')[n % 3]}", (f"C{n}",)) for n in range(100_000))
    gc.collect()
    tracemalloc.start()
    try:
        directory = CustomerDirectory(customers)
        gc.collect()
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(directory) == 100_000
    assert kept < 16_000_000
    assert directory.match("customer 04711")[0] == Match("Customer 04711 ООО", 100.0, True)
    assert len(directory.starting_like("Custommer")) == 100_000


# -- adding customers while the bot runs --------------------------------------------------------

_WORDS = st.sampled_from(["acme", "acne", "globex", "globx", "stark", "GmbH", "ООО", "Ромашка", "a", "ab", "x1"])
_NAMES = st.lists(_WORDS, min_size=1, max_size=3).map(" ".join)
_CUSTOMERS = st.lists(st.builds(Customer, _NAMES, st.lists(_NAMES, max_size=2).map(tuple)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(_CUSTOMERS, _CUSTOMERS, _WORDS)
def test_customers_added_later_are_found_as_if_loaded_at_start(first: list[Customer], later: list[Customer],
                                                                 word: str) -> None:
    grown = CustomerDirectory(first)
    for customer in later:
        grown.add(customer)
    loaded = CustomerDirectory([*first, *later])
    assert grown.spellings() == loaded.spellings() == sorted(grown.spellings())
    assert len(grown) == len(loaded) and grown.names() == loaded.names()
    assert ({grown.spelling(i) for i in grown.starting_like(word)}
            == {loaded.spelling(i) for i in loaded.starting_like(word)})
    assert grown.match(word, limit=50) == loaded.match(word, limit=50)
    assert (grown.match(word, limit=50, among=grown.starting_like(word))
            == loaded.match(word, limit=50, among=loaded.starting_like(word)))


def test_many_customers_added_later_are_found_as_if_loaded_at_start() -> None:
    # Enough spellings that finding one goes through several blocks of the sorted order.
    names = [f"{word} {n}" for n in range(300) for word in ("Acme", "Globex", "Initech", "Umbrella")]
    first, later = names[::3], [name for index, name in enumerate(names) if index % 3]
    grown = CustomerDirectory(Customer(name) for name in first)
    for name in reversed(later):
        grown.add(Customer(name))
    loaded = CustomerDirectory(Customer(name) for name in names)
    assert grown.spellings() == loaded.spellings() == sorted(grown.spellings())
    for word in ("acme", "globx", "initech 17", "umbrella 299", "zzz"):
        assert ({grown.spelling(i) for i in grown.starting_like(word)}
                == {loaded.spelling(i) for i in loaded.starting_like(word)})
    for name in names[::7]:
        assert grown.match(name)[0] == Match(name, 100.0, True)
