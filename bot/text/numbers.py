"""Reading amounts as salespeople type them: 40k, 40 000 €, $1.2M, 1,5 Mio."""

from __future__ import annotations

import math
import re

_SCALES = {
    "k": 1e3, "к": 1e3, "тыс": 1e3, "tsd": 1e3, "thousand": 1e3, "tausend": 1e3,
    "m": 1e6, "mm": 1e6, "mio": 1e6, "million": 1e6, "millionen": 1e6, "млн": 1e6, "миллион": 1e6,
    "миллиона": 1e6, "миллионов": 1e6, "bn": 1e9, "b": 1e9, "mrd": 1e9, "billion": 1e9, "млрд": 1e9,
}
_CURRENCY = re.compile(r"[€$£₽]|\b(?:eur|euro|euros|usd|dollars?|rub|руб\.?|рублей|chf|gbp)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^([+-]?)(\d[\d\s'’.,]*)(?:\s*([a-zа-яё]+)\.?)?$", re.IGNORECASE)


_GROUPED = re.compile(r"\d{1,3}(?:[\s'’]\d{3})+(?:[.,]\d+)?")
MAX_AMOUNT = 1e15


def _digits(body: str) -> float | None:
    body = body.rstrip(" \t'’.,")
    if re.search(r"[\s'’]", body) and not _GROUPED.fullmatch(body):
        # Spaces group thousands ("40 000"); anything else with a space is two numbers.
        return None
    body = re.sub(r"[\s'’]", "", body)
    separators = [c for c in body if c in ".,"]
    if not separators:
        return float(body)
    last = body.rfind(separators[-1])
    decimals = body[last + 1:]
    if len(separators) == 1 and len(decimals) == 3 and body.count(separators[-1]) == 1 and len(body) > 4:
        # "40.000" or "40,000": a lone separator before three digits groups thousands.
        return float(body.replace(separators[-1], ""))
    if len(set(separators)) == 1 and len(separators) > 1:
        return float(body.replace(separators[0], ""))
    whole = re.sub(r"[.,]", "", body[:last])
    return float(f"{whole}.{decimals}") if decimals else float(whole)


def parse_amount(text: str) -> float | None:
    """Return the number meant by text, or None when it is not one number."""
    cleaned = _CURRENCY.sub(" ", text.strip()).strip()
    match = _NUMBER.match(cleaned)
    if not match:
        return None
    sign, body, unit = match[1], match[2].strip(), (match[3] or "").lower()
    if unit and unit not in _SCALES:
        return None
    try:
        value = _digits(body)
    except ValueError:
        return None
    if value is None:
        return None
    value *= _SCALES.get(unit, 1.0)
    if not math.isfinite(value) or value > MAX_AMOUNT:
        return None
    return -value if sign == "-" else value
