"""The bot's texts about what engineers ask on filed requests and suggested questions, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    "ins_header": {
        "en": {"one": "What engineers asked (requests of the last {count} day):",
               "other": "What engineers asked (requests of the last {count} days):"},
        "ru": {"one": "О чём спрашивали инженеры (запросы за последний {count} день):",
               "few": "О чём спрашивали инженеры (запросы за последние {count} дня):",
               "many": "О чём спрашивали инженеры (запросы за последние {count} дней):",
               "other": "О чём спрашивали инженеры (запросы за последние {count} дня):"},
        "de": {"one": "Was Entwickler nachgefragt haben (Anfragen des letzten {count} Tages):",
               "other": "Was Entwickler nachgefragt haben (Anfragen der letzten {count} Tage):"},
    },
    "ins_ready": {
        "en": {"one": "{title}: ready on first pass {ready} of {count} request ({share})",
               "other": "{title}: ready on first pass {ready} of {count} requests ({share})"},
        "ru": {"one": "{title}: без уточнений {ready} из {count} запроса ({share})",
               "few": "{title}: без уточнений {ready} из {count} запросов ({share})",
               "many": "{title}: без уточнений {ready} из {count} запросов ({share})",
               "other": "{title}: без уточнений {ready} из {count} запроса ({share})"},
        "de": {"one": "{title}: ohne Rückfrage {ready} von {count} Anfrage ({share})",
               "other": "{title}: ohne Rückfrage {ready} von {count} Anfragen ({share})"},
    },
    "ins_asked": {
        "en": {"one": "  • In {asked} of {count} request engineers asked for “{label}”, e.g. “{example}”",
               "other": "  • In {asked} of {count} requests engineers asked for “{label}”, e.g. “{example}”"},
        "ru": {"one": "  • В {asked} из {count} запроса инженеры спросили про «{label}», например: «{example}»",
               "few": "  • В {asked} из {count} запросов инженеры спросили про «{label}», например: «{example}»",
               "many": "  • В {asked} из {count} запросов инженеры спросили про «{label}», например: «{example}»",
               "other": "  • В {asked} из {count} запроса инженеры спросили про «{label}», например: «{example}»"},
        "de": {"one": "  • Bei {asked} von {count} Anfrage fragten Entwickler nach „{label}“, z. B. „{example}“",
               "other": "  • Bei {asked} von {count} Anfragen fragten Entwickler nach „{label}“, z. B. „{example}“"},
    },
    "ins_none": {
        "en": "No follow-up questions from engineers on record yet.",
        "ru": "Уточняющих вопросов от инженеров пока нет.",
        "de": "Bisher keine Rückfragen von Entwicklern.",
    },
    "ins_add_button": {"en": "➕ {title}: {label}", "ru": "➕ {title}: {label}", "de": "➕ {title}: {label}"},
    "ins_yaml_caption": {
        "en": "The templates with the question “{label}” added to {title} (id {id}). Check its wording in the "
              "file, then send the file back: I check it and show the changes before you publish.",
        "ru": "Шаблоны с вопросом «{label}», добавленным в {title} (id {id}). Проверьте формулировку в файле и "
              "пришлите файл обратно: я проверю его и покажу изменения перед публикацией.",
        "de": "Die Vorlagen mit der Frage „{label}“ in {title} (ID {id}). Prüfe die Formulierung in der Datei und "
              "schick sie zurück: Ich prüfe sie und zeige die Änderungen, bevor du veröffentlichst.",
    },
    "ins_note": {
        "en": {"one": "Engineers asked for this on {asked} of {count} request; check the wording before publishing.",
               "other": "Engineers asked for this on {asked} of {count} requests; check the wording before "
                        "publishing."},
        "ru": {"one": "Инженеры спрашивали об этом в {asked} из {count} запроса; проверьте формулировку перед "
                      "публикацией.",
               "few": "Инженеры спрашивали об этом в {asked} из {count} запросов; проверьте формулировку перед "
                      "публикацией.",
               "many": "Инженеры спрашивали об этом в {asked} из {count} запросов; проверьте формулировку перед "
                       "публикацией.",
               "other": "Инженеры спрашивали об этом в {asked} из {count} запроса; проверьте формулировку перед "
                        "публикацией."},
        "de": {"one": "Entwickler fragten bei {asked} von {count} Anfrage danach; Formulierung vor dem "
                      "Veröffentlichen prüfen.",
               "other": "Entwickler fragten bei {asked} von {count} Anfragen danach; Formulierung vor dem "
                        "Veröffentlichen prüfen."},
    },
    "ins_gone": {
        "en": "That suggestion is no longer current. /templates shows the latest ones.",
        "ru": "Это предложение уже неактуально. Свежие — в /templates.",
        "de": "Dieser Vorschlag ist nicht mehr aktuell. /templates zeigt die neuesten.",
    },
    "ins_failed": {
        "en": "I couldn't add the question to the file: {error}",
        "ru": "Не получилось добавить вопрос в файл: {error}",
        "de": "Ich konnte die Frage nicht in die Datei einfügen: {error}",
    },
}
