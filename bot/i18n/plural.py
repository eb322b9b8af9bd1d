"""Texts that say a count, their forms per CLDR plural category, and numbers as each language writes them."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal, format_percent

# A text in one language: one string, or, where it says a count, one string per CLDR plural category
# ("one", "few", "many", "other"; which of them a language needs, Babel knows).
Forms = Mapping[str, str]
Text = str | Forms
# A catalog: message key -> language -> text.
Catalog = Mapping[str, Mapping[str, Text]]
Count = int | float | Decimal


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def _exact(count: Count) -> int | float | Decimal:
    # 24.0 from a config file is the whole number 24: CLDR reads the float as "24.0", which is never "one".
    return int(count) if isinstance(count, float) and count.is_integer() else count


def categories(lang: str) -> frozenset[str]:
    """Return the plural categories a language tells apart, "other" included: {one, few, many, other} for ru."""
    return frozenset(_locale(lang).plural_form.tags | {"other"})


def category(count: Count, lang: str) -> str:
    """Return the plural category a count takes in a language: 1, 21 -> one, 3 -> few, 5, 11 -> many in ru."""
    return str(_locale(lang).plural_form(_exact(count)))


def format_number(value: Count, lang: str) -> str:
    """Write a number as the language does: 5,000 in en, 5 000 in ru, 5.000 in de."""
    return str(format_decimal(_exact(value), locale=_locale(lang)))


def format_share(share: float, lang: str) -> str:
    """Write a share as the language writes percentages: 65% in en, 65 % in ru and de."""
    return str(format_percent(share, locale=_locale(lang)))


def variants(text: Text) -> tuple[str, ...]:
    """Return every string of a text: itself, or each of its plural forms."""
    return (text,) if isinstance(text, str) else tuple(text.values())


def pick(text: Text, count: Count, lang: str) -> str:
    """Return the form of a text that a count takes in lang ("other" when the form is missing)."""
    if isinstance(text, str):
        return text
    return text.get(category(count, lang)) or text["other"]
