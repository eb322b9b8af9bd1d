"""Reading deadlines as salespeople write them, and writing dates and waits back, in English, Russian, German."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, tzinfo

import dateparser
from babel import Locale
from babel import dates as babel_dates

from bot.i18n.catalog import t

QUICK_DATES = ("today", "tomorrow", "week")
# Dates further out than this are almost always a misreading ("12/25" as the year 2125).
MAX_YEARS_AHEAD = 3

# Words that frame a deadline but carry no date: "by Friday", "до пятницы", "bis Freitag".
_PREFIXES = re.compile(
    r"^(?:no later than|не позднее|bis zum|bis zur|spätestens|by|until|till|before|on|due|до|ко|к|по|bis|zum|am)\s+",
    re.IGNORECASE,
)
# After "до" and "к" Russian weekdays change their ending ("до пятницы", "к пятнице"); dateparser knows only
# the plain form.
_RUSSIAN_WEEKDAYS = {
    "понедельника": "понедельник", "понедельнику": "понедельник", "вторника": "вторник", "вторнику": "вторник",
    "среды": "среда", "среде": "среда", "четверга": "четверг", "четвергу": "четверг", "пятницы": "пятница",
    "пятнице": "пятница", "субботы": "суббота", "субботе": "суббота", "воскресенья": "воскресенье",
    "воскресенью": "воскресенье",
}
_RUSSIAN_CASES = re.compile(r"\b(?:" + "|".join(_RUSSIAN_WEEKDAYS) + r")\b", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,2})\s*([./])\s*(\d{1,2})(?:\s*\2\s*(\d{2}|\d{4}))?\s*\.?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_END_OF = [
    (re.compile(r"^(?:the\s+)?end of (?:the\s+)?next week$|^ende nächster woche$|^конец следующей недели$",
                re.I), "next-week"),
    (re.compile(r"^(?:the\s+)?end of (?:the\s+|this\s+)?week$|^ende (?:der|dieser) woche$|^wochenende$|"
                r"^(?:к\s+)?(?:конец|концу) (?:этой\s+)?недели$", re.I), "week"),
    (re.compile(r"^(?:the\s+)?end of (?:the\s+)?next month$|^ende nächsten monats$|^конец следующего месяца$",
                re.I), "next-month"),
    (re.compile(r"^(?:the\s+)?end of (?:the\s+|this\s+)?month$|^ende (?:des|dieses) monats$|^monatsende$|"
                r"^(?:к\s+)?(?:конец|концу) (?:этого\s+)?месяца$", re.I), "month"),
]


def quick_date(token: str, today: date) -> date:
    """Return the date a quick button stands for."""
    offsets = {"today": 0, "tomorrow": 1, "week": 7}
    return today + timedelta(days=offsets[token])


def _end_of(kind: str, today: date) -> date:
    if kind in ("week", "next-week"):
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        return friday + timedelta(days=7) if kind == "next-week" else friday
    year, month = today.year, today.month
    if kind == "next-month":
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def _numeric(text: str, today: date) -> date | None:
    match = _ISO.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    match = _NUMERIC.match(text)
    if not match:
        return None
    first, second, year_text = int(match[1]), int(match[3]), match[4]
    # Day first as in most of Europe; "12/25" can only be month first.
    orders = [(first, second)] if match[2] == "." else [(first, second), (second, first)]
    for day, month in orders:
        year = today.year if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if year_text is None and found < today:
            try:
                found = found.replace(year=year + 1)
            except ValueError:
                return None
        return found if found.year <= today.year + MAX_YEARS_AHEAD else None
    return None


def parse_date(text: str, today: date, languages: tuple[str, ...] = ("en", "ru", "de")) -> date | None:
    """Return the date meant by free text ("Friday", "25.12.", "до пятницы"), or None if unreadable."""
    cleaned = " ".join(text.strip().split()).rstrip("!?,;")
    cleaned = _PREFIXES.sub("", cleaned).strip()
    if not cleaned or cleaned.isdigit() or len(cleaned) > 60:
        return None
    cleaned = _RUSSIAN_CASES.sub(lambda m: _RUSSIAN_WEEKDAYS[m[0].lower()], cleaned)
    numeric = _numeric(cleaned, today)
    if numeric is not None or _NUMERIC.match(cleaned) or _ISO.match(cleaned):
        return numeric
    for pattern, kind in _END_OF:
        if pattern.match(cleaned):
            return _end_of(kind, today)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    ordered = tuple(dict.fromkeys(languages))
    parsed: datetime | None = dateparser.parse(cleaned, languages=list(ordered), settings=settings)
    if parsed is None:
        return None
    found = parsed.date()
    if found.year > today.year + MAX_YEARS_AHEAD:
        return None
    return found


# How the bot writes a day, as CLDR skeletons: English names the month ("25 Dec 2026", day first as in British
# English), Russian and German write it in digits ("25.12.2026"). Names, order and punctuation come from Babel.
_LOCALES = {"en": Locale.parse("en_GB"), "ru": Locale.parse("ru"), "de": Locale.parse("de")}
_DAY = {"en": "MMMd", "ru": "MMdd", "de": "MMdd"}
_DAY_AND_YEAR = {"en": "yMMMd", "ru": "yMMdd", "de": "yMMdd"}


def _known(lang: str) -> str:
    return lang if lang in _LOCALES else "en"


def format_day(value: date | datetime, lang: str, *, year: bool = True) -> str:
    """Format a day: '25 Dec 2026' (ru, de 25.12.2026); without the year '25 Dec' (ru 25.12, de 25.12.)."""
    lang = _known(lang)
    skeleton = (_DAY_AND_YEAR if year else _DAY)[lang]
    return babel_dates.format_skeleton(skeleton, value, locale=_LOCALES[lang])


def format_date(value: date, lang: str) -> str:
    """Format a date for a salesperson: 'Fri 25 Dec 2026' (ru пт 25.12.2026, de Fr 25.12.2026)."""
    lang = _known(lang)
    # "ccc" is the weekday's abbreviation as it stands alone: German "Fr", not "Fr." as inside a date.
    weekday = babel_dates.format_date(value, "ccc", locale=_LOCALES[lang])
    return f"{weekday} {format_day(value, lang)}"


def format_moment(at: float, zone: tzinfo, lang: str, *, short: bool = False, this_year: int | None = None) -> str:
    """Format a point in time for a reader: 'Mon 23 Nov 2026 09:00' in their language.

    short drops the weekday for lists: '23 Nov 09:00' (ru 23.11 09:00, de 23.11. 09:00), with the year
    ('23.11.2026 09:00') unless it is this_year.
    """
    lang = _known(lang)
    moment = datetime.fromtimestamp(at, zone)
    clock = babel_dates.format_skeleton("Hm", moment, locale=_LOCALES[lang])
    if not short:
        return f"{format_date(moment.date(), lang)} {clock}"
    return f"{format_day(moment, lang, year=moment.year != this_year)} {clock}"


def format_length(seconds: int, lang: str) -> str:
    """Say how long a recording may be: '5 min', '90 s', '1 h 30 min'."""
    return t("span_seconds", lang, count=seconds) if seconds % 60 else format_duration(seconds, lang)


def format_duration(seconds: float | None, lang: str) -> str:
    """Say how long a wait is: '45 min', '3 h 20 min', '2 d 4 h' (ru 3 ч 20 мин, de 3 Std. 20 Min.); '—' if unknown."""
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    if minutes < 60:
        return t("span_minutes", lang, count=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        parts = [t("span_hours", lang, count=hours)] + ([t("span_minutes", lang, count=minutes)] if minutes else [])
    else:
        days, hours = divmod(hours, 24)
        parts = [t("span_days", lang, count=days)] + ([t("span_hours", lang, count=hours)] if hours else [])
    return " ".join(parts)
