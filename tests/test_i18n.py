"""The bot's own texts: complete in every language, with matching placeholders and plural forms, du in German."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n.catalog import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    MESSAGES,
    TEXTS,
    DuplicateText,
    LocalText,
    localized,
    normalize_language,
    placeholders,
    register,
    t,
)
from bot.i18n.plural import categories, format_number, variants
from bot.templates.schema import QUESTION_TYPES
from bot.text.dates import QUICK_DATES

KEYS = sorted(MESSAGES)
PLURAL_KEYS = sorted(key for key, table in MESSAGES.items() if any(not isinstance(v, str) for v in table.values()))
ROOT = Path(__file__).resolve().parent.parent


def test_languages() -> None:
    assert LANGUAGES == ("en", "ru", "de")
    assert DEFAULT_LANGUAGE == "en"


@pytest.mark.parametrize("key", KEYS)
def test_every_message_exists_in_every_language(key: str) -> None:
    assert set(MESSAGES[key]) == set(LANGUAGES)
    assert all(text.strip() for lang in LANGUAGES for text in variants(MESSAGES[key][lang]))


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_match_across_languages(key: str) -> None:
    english = placeholders(MESSAGES[key]["en"])
    for lang in LANGUAGES:
        assert placeholders(MESSAGES[key][lang]) == english, lang


@pytest.mark.parametrize("key", KEYS)
def test_every_message_formats_with_its_placeholders(key: str) -> None:
    names = placeholders(MESSAGES[key]["en"])
    values = {name: f"<{name}>" for name in names - {"count"}}
    counts: tuple[float | None, ...] = (0, 1, 2, 3, 5, 11, 21, 1.5) if "count" in names else (None,)
    for lang in LANGUAGES:
        for count in counts:
            text = t(key, lang, count=count, **values)
            assert all(f"<{name}>" in text for name in values)
            assert count is None or format_number(count, lang) in text
            assert "{" not in text and "}" not in text


def test_languages_have_the_plural_categories_of_cldr() -> None:
    assert categories("en") == categories("de") == {"one", "other"}
    assert categories("ru") == {"one", "few", "many", "other"}


@pytest.mark.parametrize("key", PLURAL_KEYS)
def test_plural_texts_give_exactly_the_forms_their_language_needs(key: str) -> None:
    for lang in LANGUAGES:
        text = MESSAGES[key][lang]
        if isinstance(text, Mapping):
            assert set(text) == categories(lang), lang
            # "one" is also 21 and 101 in Russian, so every form shows the number.
            assert all("{count}" in form for form in text.values()), lang


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_match_in_every_plural_form(key: str) -> None:
    english = placeholders(MESSAGES[key]["en"])
    for lang in LANGUAGES:
        for form in variants(MESSAGES[key][lang]):
            assert placeholders(form) == english, (lang, form)


@pytest.mark.parametrize(("key", "lang", "count", "expected"), [
    ("files_so_far", "en", 1, "📎 Got 1 file: a.png. Send more or tap Done."),
    ("files_so_far", "en", 2, "📎 Got 2 files: a.png. Send more or tap Done."),
    ("files_so_far", "ru", 1, "📎 Получен 1 файл (a.png). Отправьте ещё или нажмите «Готово»."),
    ("files_so_far", "ru", 3, "📎 Получено 3 файла (a.png). Отправьте ещё или нажмите «Готово»."),
    ("files_so_far", "ru", 5, "📎 Получено 5 файлов (a.png). Отправьте ещё или нажмите «Готово»."),
    ("files_so_far", "ru", 11, "📎 Получено 11 файлов (a.png). Отправьте ещё или нажмите «Готово»."),
    ("files_so_far", "ru", 21, "📎 Получен 21 файл (a.png). Отправьте ещё или нажмите «Готово»."),
    ("files_so_far", "ru", 22, "📎 Получено 22 файла (a.png). Отправьте ещё или нажмите «Готово»."),
    ("files_so_far", "de", 1, "📎 1 Datei erhalten: a.png. Schick weitere oder tippe auf „Fertig“."),
    ("files_so_far", "de", 2, "📎 2 Dateien erhalten: a.png. Schick weitere oder tippe auf „Fertig“."),
])
def test_a_count_takes_the_form_its_language_gives_it(key: str, lang: str, count: int, expected: str) -> None:
    assert t(key, lang, count=count, names="a.png") == expected


@pytest.mark.parametrize(("lang", "count", "expected"), [
    ("en", 1, "1 question"), ("en", 15, "15 questions"), ("de", 1, "1 Frage"), ("de", 0, "0 Fragen"),
    ("ru", 1, "1 вопрос"), ("ru", 2, "2 вопроса"), ("ru", 12, "12 вопросов"), ("ru", 101, "101 вопрос"),
    ("ru", 1.5, "1,5 вопроса"), ("en", 1.0, "1 question"),
])
def test_counted_words(lang: str, count: float, expected: str) -> None:
    assert t("count_questions", lang, count=count) == expected


def test_numbers_in_texts_are_written_as_the_language_writes_them() -> None:
    assert t("err_too_long", "en", count=5000, max=format_number(3000, "en")).startswith(
        "That is 5,000 characters; please keep it under 3,000.")
    assert t("err_too_long", "ru", count=5000, max=format_number(3000, "ru")).startswith(
        "Здесь 5\u00a0000 символов, а можно не больше 3\u00a0000.")
    assert t("err_too_long", "de", count=5000, max=format_number(3000, "de")).startswith(
        "Das sind 5.000 Zeichen; bitte bleib unter 3.000.")


@given(st.sampled_from(PLURAL_KEYS), st.sampled_from(LANGUAGES),
       st.integers(min_value=0, max_value=10**9) | st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_every_plural_text_reads_for_any_count(key: str, lang: str, count: float) -> None:
    values = {name: f"<{name}>" for name in placeholders(MESSAGES[key]["en"]) - {"count"}}
    text = t(key, lang, count=count, **values)
    assert format_number(count, lang) in text
    assert "{" not in text and "}" not in text


def test_a_plural_text_needs_its_count() -> None:
    with pytest.raises(TypeError, match="files_so_far"):
        t("files_so_far", "en", names="a.png")


def test_the_register_refuses_a_key_two_catalogs_define() -> None:
    mine = {"greeting": {"en": "Hi", "ru": "Привет", "de": "Hallo"}}
    with pytest.raises(DuplicateText, match=r"'greeting' is defined in both bot\.i18n\.one and bot\.i18n\.two"):
        register(("bot.i18n.one", mine), ("bot.i18n.other", {}), ("bot.i18n.two", mine))
    with pytest.raises(DuplicateText, match=r"'start' is defined in both bot\.i18n\.catalog and bot\.i18n\.extra"):
        register(("bot.i18n.catalog", TEXTS), ("bot.i18n.extra", {"start": TEXTS["start"]}))
    assert register(("bot.i18n.one", mine), ("bot.i18n.two", {})) == mine


# German speaks to the user with "du". "Sie" meaning "she" or "it" (die Version, die Anfrage) starts its sentence and
# takes a singular verb; anywhere else, or before a plural verb, it reads as the formal "you" ("they" reads the same,
# so such a text names who is meant).
_FORMAL = re.compile(r"\b(?:Ihnen|Ihre[mnrs]?|Ihr)\b")
_SIE = re.compile(r"\bSie\b")
_SINGULAR_VERB = re.compile(r"\s+(?:ist|wird|hat|kann|muss|darf|soll|bleibt|geht|läuft|funktioniert|gilt|steht)\b")


def formal_address(text: str) -> list[str]:
    """Return the formal-address words in a German text."""
    found = _FORMAL.findall(text)
    for match in _SIE.finditer(text):
        before = text[:match.start()].rstrip(" „“\"«(")
        starts_sentence = not before or before[-1] in ".!?…\n"
        if not (starts_sentence and _SINGULAR_VERB.match(text, match.end())):
            found.append(match[0])
    return found


@pytest.mark.parametrize(("text", "found"), [
    ("Was Ihre Nachricht schon sagt", ["Ihre"]), ("Tippen Sie auf „Fertig“.", ["Sie"]),
    ("Sie haben eine angefangene Anfrage.", ["Sie"]), ("Ich schicke Ihnen die Nummer.", ["Ihnen"]),
    ("Zurück auf v2? Sie wird als v3 aktiv.", []), ("Schick sie und tippe dann auf „Fertig“.", []),
    ("Die Admins sehen sie in ihrer Benutzerliste.", []), ("Deine Anfrage ist da. Sie ist gespeichert.", []),
])
def test_formal_address_is_recognised(text: str, found: list[str]) -> None:
    assert formal_address(text) == found


def _german(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "de" and isinstance(value, str):
                yield value
            else:
                yield from _german(value)
    elif isinstance(node, list):
        for item in node:
            yield from _german(item)


def test_german_texts_say_du() -> None:
    texts = [(key, text) for key in KEYS for text in variants(MESSAGES[key]["de"])]
    example = yaml.safe_load((ROOT / "templates.example.yaml").read_text(encoding="utf-8"))
    texts += [("templates.example.yaml", text) for text in _german(example)]
    assert len(texts) > len(KEYS)
    assert [(where, text) for where, text in texts if formal_address(text)] == []


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
