"""The bot's own texts: complete in every language, with matching placeholders."""

from __future__ import annotations

import pytest

from bot.i18n.catalog import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    MESSAGES,
    LocalText,
    localized,
    normalize_language,
    placeholders,
    t,
)
from bot.templates.schema import QUESTION_TYPES
from bot.text.dates import QUICK_DATES

KEYS = sorted(MESSAGES)


def test_languages() -> None:
    assert LANGUAGES == ("en", "ru", "de")
    assert DEFAULT_LANGUAGE == "en"


@pytest.mark.parametrize("key", KEYS)
def test_every_message_exists_in_every_language(key: str) -> None:
    assert set(MESSAGES[key]) == set(LANGUAGES)
    assert all(MESSAGES[key][lang].strip() for lang in LANGUAGES)


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_match_across_languages(key: str) -> None:
    english = placeholders(MESSAGES[key]["en"])
    for lang in LANGUAGES:
        assert placeholders(MESSAGES[key][lang]) == english, lang


@pytest.mark.parametrize("key", KEYS)
def test_every_message_formats_with_its_placeholders(key: str) -> None:
    values = {name: f"<{name}>" for name in placeholders(MESSAGES[key]["en"])}
    for lang in LANGUAGES:
        text = t(key, lang, **values)
        assert all(f"<{name}>" in text for name in values)
        assert "{" not in text and "}" not in text


@pytest.mark.parametrize("key", [*(f"hint_{q}" for q in QUESTION_TYPES), *(f"date_{d}" for d in QUICK_DATES),
                                 "date_none", "kind_other", "kind_file", "kind_sticker"])
def test_keys_the_engine_builds_exist(key: str) -> None:
    assert key in MESSAGES


@pytest.mark.parametrize(("code", "lang"), [
    (None, "en"), ("", "en"), ("en", "en"), ("ru", "ru"), ("de", "de"), ("de-AT", "de"), ("ru_RU", "ru"),
    ("DE", "de"), ("pt-BR", "en"), ("uk", "en"), ("EN-gb", "en"),
])
def test_normalize_language(code: str | None, lang: str) -> None:
    assert normalize_language(code) == lang


def test_t_fills_placeholders() -> None:
    assert t("created", "en", key="SUP-1", summary="Export fails") == "✅ Created SUP-1: Export fails"
    assert t("created", "ru", key="SUP-1", summary="x") == "✅ Создана задача SUP-1: x"
    assert t("created", "de", key="SUP-1", summary="x") == "✅ SUP-1 erstellt: x"


def test_t_falls_back_to_english_for_unknown_languages() -> None:
    assert t("back", "fr") == "⬅️ Back"


def test_t_leaves_missing_placeholders_visible() -> None:
    assert t("created", "en", key="SUP-1") == "✅ Created SUP-1: {summary}"


def test_t_without_values_returns_the_text_unformatted() -> None:
    assert t("start", "en").startswith("Hi {name}!")


def test_t_unknown_key_raises() -> None:
    with pytest.raises(KeyError):
        t("no_such_message", "en")


def test_local_text() -> None:
    text = LocalText((("ru", "Привет"), ("de", "Hallo")), "de")
    assert text.get("ru") == "Привет"
    assert text.get("en") == "Hallo"
    assert LocalText.plain("Hi").get("de") == "Hi"


def test_localized() -> None:
    assert localized("plain", "ru") == "plain"
    assert localized({"en": "Hi", "ru": "Привет"}, "ru") == "Привет"
    assert localized({"en": "Hi", "ru": "Привет"}, "de") == "Hi"
    assert localized({"ru": "Привет"}, "de") == "Привет"
