"""The bot's texts about voice notes read as typed text, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

_TYPE_IT = {
    "en": " The voice note will be attached to the request; please type the words instead.",
    "ru": " Голосовое сообщение будет приложено к запросу; пожалуйста, напишите то же самое текстом.",
    "de": " Die Sprachnachricht wird an die Anfrage angehängt; bitte schreib den Text stattdessen.",
}


def _unheard(en: str, ru: str, de: str) -> dict[str, str]:
    return {"en": en + _TYPE_IT["en"], "ru": ru + _TYPE_IT["ru"], "de": de + _TYPE_IT["de"]}


TEXTS: Catalog = {
    "voice_heard": {"en": "🎙 I heard: “{text}”", "ru": "🎙 Я услышал: «{text}»",
                    "de": "🎙 Ich habe verstanden: „{text}“"},
    "voice_unheard_off": _unheard(
        "🎙 I can't turn voice notes into text here: speech recognition is not set up.",
        "🎙 Здесь я не умею превращать голосовые сообщения в текст: распознавание речи не настроено.",
        "🎙 Sprachnachrichten kann ich hier nicht in Text umwandeln: Spracherkennung ist nicht eingerichtet."),
    "voice_unheard_long": _unheard(
        "🎙 This voice note is too long for me to transcribe: I take up to {limit}.",
        "🎙 Это голосовое сообщение слишком длинное, чтобы его расшифровать: я принимаю до {limit}.",
        "🎙 Diese Sprachnachricht ist zu lang für mich zum Abschreiben: Ich nehme bis zu {limit}."),
    "voice_unheard_big": _unheard(
        "🎙 This voice note is too large for me to transcribe.",
        "🎙 Это голосовое сообщение слишком большое, чтобы его расшифровать.",
        "🎙 Diese Sprachnachricht ist zu groß für mich zum Abschreiben."),
    "voice_unheard_download": _unheard(
        "🎙 I couldn't download this voice note from Telegram.",
        "🎙 Не удалось скачать это голосовое сообщение из Telegram.",
        "🎙 Ich konnte diese Sprachnachricht nicht von Telegram laden."),
    "voice_unheard_down": _unheard(
        "🎙 Speech recognition is not working right now.",
        "🎙 Распознавание речи сейчас не работает.",
        "🎙 Die Spracherkennung funktioniert gerade nicht."),
    "voice_unheard_slow": _unheard(
        "🎙 Speech recognition took too long to answer.",
        "🎙 Распознавание речи отвечало слишком долго.",
        "🎙 Die Spracherkennung hat zu lange gebraucht."),
    "voice_unheard_empty": _unheard(
        "🎙 I couldn't make out any words in this voice note.",
        "🎙 Я не разобрал в этом голосовом сообщении ни слова.",
        "🎙 In dieser Sprachnachricht konnte ich keine Worte erkennen."),
    # Words at the summary card, typed or spoken: the answers they change, or how to change one instead.
    "card_words_changed": {"en": "✎ Changed: {fields}", "ru": "✎ Изменено: {fields}", "de": "✎ Geändert: {fields}"},
    "card_words_unread": {
        "en": "I couldn't tell which answer that changes. Tap ✏️ Edit and pick it, or name it, e.g. “deadline Friday”.",
        "ru": "Не понял, какой ответ это меняет. Нажмите ✏️ «Изменить» и выберите его или назовите, например: "
        "«срок — пятница».",
        "de": "Ich konnte nicht erkennen, welche Antwort das ändert. Tippe auf ✏️ Ändern und wähle sie, oder "
        "nenne sie, z. B. „Frist Freitag“.",
    },
}
