"""Reading amounts as salespeople type them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text.numbers import parse_amount


@pytest.mark.parametrize(("text", "expected"), [
    ("40k", 40_000.0),
    ("40K", 40_000.0),
    ("40 000 €", 40_000.0),
    ("€40k", 40_000.0),
    ("$1.2M", 1_200_000.0),
    ("1,5 Mio", 1_500_000.0),
    ("2 млн", 2_000_000.0),
    ("40 тыс", 40_000.0),
    ("1.5bn", 1_500_000_000.0),
    ("1,5", 1.5),
    ("0.5", 0.5),
    ("40.000", 40_000.0),
    ("40,000", 40_000.0),
    ("40'000", 40_000.0),
    ("1.000.000", 1_000_000.0),
    ("1,234.56", 1234.56),
    ("1.234,56", 1234.56),
    ("12.345.678,9", 12_345_678.9),
    ("1,000,000.50", 1_000_000.5),
    ("100", 100.0),
    ("100 EUR", 100.0),
    ("5 руб.", 5.0),
    ("-5", -5.0),
    ("  7  ", 7.0),
])
def test_parse_amount(text: str, expected: float) -> None:
    assert parse_amount(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "12 apples", "", "   ", "€", "k", "40-50k", "1.2.3 apples", "forty"])
def test_not_a_number(text: str) -> None:
    assert parse_amount(text) is None


_PIECES = st.sampled_from(["1", "40", "000", ".", ",", " ", "'", "k", "M", "€", "$", "-", "+", "млн", "Mio",
                           "e", "٣", "²"])


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=10).map("".join)))
def test_parse_amount_never_raises(text: str) -> None:
    value = parse_amount(text)
    assert value is None or isinstance(value, float)


@pytest.mark.parametrize("text", ["40 40k", "1 2 3", "9" * 400, "12 345 6"])
def test_ambiguous_or_absurd_numbers_are_refused(text: str) -> None:
    assert parse_amount(text) is None


def test_grouped_thousands_with_spaces() -> None:
    assert parse_amount("1 234 567,5") == 1234567.5
