"""Texts about what engineers ask on filed requests, suggested questions and urgency claimed against what was done."""

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
    # The admin page: the templates' insights.
    "ins_page_heading": {
        "en": {"one": "What engineers asked (requests of the last {count} day)",
               "other": "What engineers asked (requests of the last {count} days)"},
        "ru": {"one": "О чём спрашивали инженеры (запросы за последний {count} день)",
               "few": "О чём спрашивали инженеры (запросы за последние {count} дня)",
               "many": "О чём спрашивали инженеры (запросы за последние {count} дней)",
               "other": "О чём спрашивали инженеры (запросы за последние {count} дня)"},
        "de": {"one": "Was Entwickler nachgefragt haben (Anfragen des letzten {count} Tages)",
               "other": "Was Entwickler nachgefragt haben (Anfragen der letzten {count} Tage)"},
    },
    "ins_page_asked": {
        "en": {"one": "In {asked} of {count} request engineers asked for “{label}”, e.g. “{example}”",
               "other": "In {asked} of {count} requests engineers asked for “{label}”, e.g. “{example}”"},
        "ru": {"one": "В {asked} из {count} запроса инженеры спросили про «{label}», например: «{example}»",
               "few": "В {asked} из {count} запросов инженеры спросили про «{label}», например: «{example}»",
               "many": "В {asked} из {count} запросов инженеры спросили про «{label}», например: «{example}»",
               "other": "В {asked} из {count} запроса инженеры спросили про «{label}», например: «{example}»"},
        "de": {"one": "Bei {asked} von {count} Anfrage fragten Entwickler nach „{label}“, z. B. „{example}“",
               "other": "Bei {asked} von {count} Anfragen fragten Entwickler nach „{label}“, z. B. „{example}“"},
    },
    "ins_page_add": {"en": "Add to the editor", "ru": "Добавить в редактор", "de": "In den Editor übernehmen"},
    "ins_page_added": {
        "en": "The question “{label}” is added to {title} as “{id}”, below. Check its wording, then Check and "
              "Publish as any change.",
        "ru": "Вопрос «{label}» добавлен в {title} как «{id}» (ниже). Проверьте формулировку, затем нажмите "
              "«Проверить» и «Опубликовать», как при любом изменении.",
        "de": "Die Frage „{label}“ steht jetzt als „{id}“ in {title} (unten). Prüfe die Formulierung, dann "
              "„Prüfen“ und „Veröffentlichen“ wie bei jeder Änderung.",
    },
    "ins_page_gone": {
        "en": "That suggestion is no longer current; the latest ones are listed below the editor.",
        "ru": "Это предложение уже неактуально; свежие — под редактором.",
        "de": "Dieser Vorschlag ist nicht mehr aktuell; die neuesten stehen unter dem Editor.",
    },
    # The admin page: urgency claimed at filing against what engineering did.
    "urg_title": {"en": "Urgency in the open", "ru": "Срочность: заявлено и сделано",
                  "de": "Dringlichkeit: behauptet und erlebt"},
    "urg_intro": {
        "en": "The priority claimed at filing against what engineering did, for the requests filed in Jira in "
              "these weeks.",
        "ru": "Приоритет, заявленный при подаче, и что с запросом сделали инженеры — для запросов, заведённых в "
              "Jira за эти недели.",
        "de": "Die beim Einreichen behauptete Priorität und was die Entwicklung daraus machte, für die in diesen "
              "Wochen in Jira angelegten Anfragen.",
    },
    "urg_by_template": {"en": "By template", "ru": "По шаблонам", "de": "Nach Vorlage"},
    "urg_by_requester": {"en": "By requester", "ru": "По авторам", "de": "Nach Einreichenden"},
    "urg_urgent_share": {"en": "{share} claimed urgent", "ru": "{share} заявлены срочными",
                         "de": "{share} als dringend gemeldet"},
    "urg_none": {"en": "No requests filed in Jira in these weeks.", "ru": "За эти недели в Jira ничего не заведено.",
                 "de": "In diesen Wochen wurde nichts in Jira angelegt."},
    "urg_download": {"en": "⬇️ Download CSV", "ru": "⬇️ Скачать CSV", "de": "⬇️ CSV herunterladen"},
    "urg_col_by": {"en": "by", "ru": "разрез", "de": "nach"},
    "urg_by_template_value": {"en": "template", "ru": "шаблон", "de": "Vorlage"},
    "urg_by_requester_value": {"en": "requester", "ru": "автор", "de": "Einreichende(r)"},
    "urg_col_name": {"en": "name", "ru": "название", "de": "Name"},
    "urg_col_claimed": {"en": "claimed priority", "ru": "заявленный приоритет", "de": "behauptete Priorität"},
    "urg_col_requests": {"en": "requests", "ru": "запросов", "de": "Anfragen"},
    "urg_col_changed": {"en": "changed in Jira", "ru": "изменён в Jira", "de": "in Jira geändert"},
    "urg_col_lowered": {"en": "lowered", "ru": "понижен", "de": "gesenkt"},
    "urg_col_raised": {"en": "raised", "ru": "повышен", "de": "erhöht"},
    "urg_col_answered": {"en": "answered", "ru": "с ответом", "de": "beantwortet"},
    "urg_col_response": {"en": "median hours to first response", "ru": "медиана часов до первого ответа",
                         "de": "Median Stunden bis zur ersten Antwort"},
    "urg_col_resolved": {"en": "resolved", "ru": "решено", "de": "gelöst"},
    "urg_col_resolution": {"en": "median hours to resolution", "ru": "медиана часов до решения",
                           "de": "Median Stunden bis zur Lösung"},
    "urg_col_first_response": {"en": "first response (median)", "ru": "первый ответ (медиана)",
                               "de": "erste Antwort (Median)"},
    "urg_col_resolution_time": {"en": "resolution (median)", "ru": "решение (медиана)", "de": "Lösung (Median)"},
}
