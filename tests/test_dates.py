"""Reading deadlines as salespeople type them, in English, Russian and German."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text.dates import format_date, format_duration, format_length, format_moment, parse_date, quick_date

TODAY = date(2026, 11, 23)  # a Monday


def test_today_is_a_monday() -> None:
    assert TODAY.weekday() == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("tomorrow", date(2026, 11, 24)),
    ("Friday", date(2026, 11, 27)),
    ("friday!", date(2026, 11, 27)),
    ("by Friday", date(2026, 11, 27)),
    ("25.12.", date(2026, 12, 25)),
    ("25.12", date(2026, 12, 25)),
    ("25.12.2026", date(2026, 12, 25)),
    ("25.12.26", date(2026, 12, 25)),
    ("2026-12-25", date(2026, 12, 25)),
    ("12/25", date(2026, 12, 25)),
    ("Dec 25", date(2026, 12, 25)),
    ("пятница", date(2026, 11, 27)),
    ("в пятницу", date(2026, 11, 27)),
    ("к 25 декабря", date(2026, 12, 25)),
    ("до 25.12", date(2026, 12, 25)),
    ("завтра", date(2026, 11, 24)),
    ("bis Freitag", date(2026, 11, 27)),
    ("morgen", date(2026, 11, 24)),
    ("25. Dezember", date(2026, 12, 25)),
    ("Ende nächster Woche", date(2026, 12, 4)),
    ("end of week", date(2026, 11, 27)),
    ("end of next week", date(2026, 12, 4)),
    ("к концу недели", date(2026, 11, 27)),
    ("end of month", date(2026, 11, 30)),
    ("end of next month", date(2026, 12, 31)),
    ("Ende des Monats", date(2026, 11, 30)),
    ("к концу месяца", date(2026, 11, 30)),
    ("today", TODAY),
    ("  Friday  ", date(2026, 11, 27)),
])
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("до пятницы", date(2026, 11, 27)),
    ("к пятнице", date(2026, 11, 27)),
    ("до понедельника", date(2026, 11, 30)),
])
def test_russian_weekday_after_a_preposition(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("конец месяца", date(2026, 11, 30)),
    ("конец недели", date(2026, 11, 27)),
])
def test_russian_end_of_period(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_bis_zum_prefix() -> None:
    assert parse_date("bis zum 25.12.", TODAY) == date(2026, 12, 25)


@pytest.mark.parametrize("text", ["nonsense", "asdf qwer", "5", "42", "", "   ", "31.02.", "13/25", "x" * 61])
def test_unreadable_text_is_none(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("1.1.2020", date(2020, 1, 1)),
    ("2025-12-25", date(2025, 12, 25)),
    ("yesterday", date(2026, 11, 22)),
])
def test_past_dates_are_returned_as_past(text: str, expected: date) -> None:
    # The dialog engine refuses them with a message naming the date.
    assert parse_date(text, TODAY) == expected


def test_day_and_month_already_passed_mean_next_year() -> None:
    assert parse_date("1.2.", TODAY) == date(2027, 2, 1)
    assert parse_date("23.11.", TODAY) == TODAY


def test_29_february_after_it_passed_does_not_raise() -> None:
    today = date(2028, 3, 1)
    found = parse_date("29.02.", today)
    assert found is None or found > today


def test_numeric_dates_far_ahead_are_refused_like_other_dates() -> None:
    assert parse_date("31.12.99", TODAY) is None


@pytest.mark.parametrize(("token", "expected"), [
    ("today", TODAY), ("tomorrow", date(2026, 11, 24)), ("week", date(2026, 11, 30))])
def test_quick_date(token: str, expected: date) -> None:
    assert quick_date(token, TODAY) == expected


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Fri 25 Dec 2026"),
    ("ru", "пт 25.12.2026"),
    ("de", "Fr 25.12.2026"),
])
def test_format_date(lang: str, expected: str) -> None:
    assert format_date(date(2026, 12, 25), lang) == expected


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Mon 5 Jan 2026"), ("ru", "пн 05.01.2026"), ("de", "Mo 05.01.2026")])
def test_format_date_pads_day_and_month_outside_english(lang: str, expected: str) -> None:
    assert format_date(date(2026, 1, 5), lang) == expected


_PIECES = st.sampled_from(["25", ".", "12", "/", "2026", "-", " ", "до ", "bis ", "by ", "Friday", "пятница",
                           "end of ", "month", "99", "0", "31", "29", "02", "Ende ", "конец ", "９", "\n"])


@settings(max_examples=120, deadline=None, database=None)
@given(st.one_of(st.text(max_size=40), st.lists(_PIECES, max_size=8).map("".join)))
def test_parse_date_never_raises(text: str) -> None:
    found = parse_date(text, TODAY)
    assert found is None or isinstance(found, date)


BERLIN = ZoneInfo("Europe/Berlin")
# 23 Nov 2026 08:05 UTC is 09:05 in Berlin.
AT = datetime(2026, 11, 23, 8, 5, tzinfo=ZoneInfo("UTC")).timestamp()


@pytest.mark.parametrize(("lang", "full", "short", "short_other_year"), [
    ("en", "Mon 23 Nov 2026 09:05", "23 Nov 09:05", "23 Nov 2026 09:05"),
    ("ru", "пн 23.11.2026 09:05", "23.11 09:05", "23.11.2026 09:05"),
    ("de", "Mo 23.11.2026 09:05", "23.11. 09:05", "23.11.2026 09:05"),
])
def test_format_moment_in_the_readers_zone_and_language(lang: str, full: str, short: str,
                                                         short_other_year: str) -> None:
    assert format_moment(AT, BERLIN, lang) == full
    assert format_moment(AT, BERLIN, lang, short=True, this_year=2026) == short
    assert format_moment(AT, BERLIN, lang, short=True, this_year=2027) == short_other_year
    assert format_moment(AT, BERLIN, lang, short=True) == short_other_year


@pytest.mark.parametrize(("seconds", "lang", "expected"), [
    (None, "ru", "—"), (45 * 60, "en", "45 min"), (3 * 3600 + 120, "en", "3 h 2 min"),
    (3 * 3600 + 120, "ru", "3 ч 2 мин"), (3 * 3600 + 120, "de", "3 Std. 2 Min."), (3 * 3600, "de", "3 Std."),
    (50 * 3600, "en", "2 d 2 h"), (50 * 3600, "ru", "2 дн. 2 ч"), (48 * 3600, "de", "2 Tg."),
])
def test_format_duration_in_the_readers_language(seconds: float | None, lang: str, expected: str) -> None:
    assert format_duration(seconds, lang) == expected


@pytest.mark.parametrize(("seconds", "lang", "expected"), [
    (300, "en", "5 min"), (90, "en", "90 s"), (45, "ru", "45 с"), (5400, "de", "1 Std. 30 Min."), (3600, "ru", "1 ч"),
])
def test_a_length_limit_reads_in_whole_minutes_or_seconds(seconds: int, lang: str, expected: str) -> None:
    assert format_length(seconds, lang) == expected
