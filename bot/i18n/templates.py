"""The bot's texts for admins managing templates from Telegram, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    # -- /templates
    "tpl_header": {
        "en": "🗂 Templates v{number} · {who}, {when}",
        "ru": "🗂 Шаблоны v{number} · {who}, {when}",
        "de": "🗂 Vorlagen v{number} · {who}, {when}",
    },
    "tpl_header_unknown": {"en": "🗂 Templates", "ru": "🗂 Шаблоны", "de": "🗂 Vorlagen"},
    "tpl_offered": {
        "en": "✅ {title} ({id}) · questions: {count}",
        "ru": "✅ {title} ({id}) · вопросов: {count}",
        "de": "✅ {title} ({id}) · Fragen: {count}",
    },
    "tpl_refused": {
        "en": "⛔ {title} ({id}) · questions: {count} — not offered, Jira would refuse it: {why}",
        "ru": "⛔ {title} ({id}) · вопросов: {count} — не предлагается, Jira его не примет: {why}",
        "de": "⛔ {title} ({id}) · Fragen: {count} — nicht angeboten, Jira würde sie ablehnen: {why}",
    },
    "tpl_jira_unchecked_live": {
        "en": "⚠️ Jira could not be asked ({error}), so every template is offered.",
        "ru": "⚠️ Не удалось спросить Jira ({error}), поэтому предлагаются все шаблоны.",
        "de": "⚠️ Jira war nicht erreichbar ({error}), daher werden alle Vorlagen angeboten.",
    },
    "tpl_how_to_change": {
        "en": "To change them: download the file, edit it and send it back to me as a document. "
        "/templates history shows earlier versions; /reload reads the file on the server again.",
        "ru": "Чтобы изменить: скачайте файл, отредактируйте и пришлите мне обратно документом. "
        "/templates history — прежние версии; /reload — перечитать файл на сервере.",
        "de": "Zum Ändern lade die Datei herunter, bearbeite sie und schick sie mir als Dokument zurück. "
        "/templates history zeigt frühere Versionen; /reload liest die Datei auf dem Server neu.",
    },
    "tpl_download_button": {"en": "⬇️ Download", "ru": "⬇️ Скачать", "de": "⬇️ Herunterladen"},
    "tpl_history_button": {"en": "🕘 History", "ru": "🕘 История", "de": "🕘 Verlauf"},
    "tpl_download_caption": {
        "en": "Templates v{number}. Edit and send it back to publish a new version.",
        "ru": "Шаблоны v{number}. Отредактируйте и пришлите обратно, чтобы опубликовать новую версию.",
        "de": "Vorlagen v{number}. Bearbeite sie und schick sie zurück, um eine neue Version zu veröffentlichen.",
    },
    "tpl_download_failed": {
        "en": "Sorry, I could not send the file right now. Please try again.",
        "ru": "Не получилось отправить файл. Попробуйте ещё раз.",
        "de": "Die Datei ließ sich gerade nicht senden. Bitte versuch es noch einmal.",
    },
    # Where a version came from; {target} is the version a rollback brought back.
    "tpl_src_file": {"en": "from the file at start-up", "ru": "из файла при запуске", "de": "aus der Datei beim Start"},
    "tpl_src_upload": {"en": "uploaded", "ru": "загружена", "de": "hochgeladen"},
    "tpl_src_web": {"en": "from the web page", "ru": "с веб-страницы", "de": "über die Webseite"},
    "tpl_src_rollback": {"en": "rolled back to {target}", "ru": "откат к {target}", "de": "zurück auf {target}"},
    "tpl_src_reload": {"en": "reloaded from the file", "ru": "перечитана из файла", "de": "aus der Datei neu geladen"},
    "tpl_by_file": {"en": "from the file, by {name}", "ru": "из файла, {name}", "de": "aus der Datei, von {name}"},
    "tpl_by_upload": {"en": "published by {name}", "ru": "опубликовал(а) {name}", "de": "veröffentlicht von {name}"},
    "tpl_by_web": {"en": "published by {name} on the web page", "ru": "опубликовал(а) {name} на веб-странице",
                   "de": "veröffentlicht von {name} über die Webseite"},
    "tpl_by_rollback": {"en": "{name} rolled back to {target}", "ru": "{name}: откат к {target}",
                        "de": "{name} ging zurück auf {target}"},
    "tpl_by_reload": {"en": "reloaded from the file by {name}", "ru": "перечитал(а) из файла {name}",
                      "de": "von {name} aus der Datei neu geladen"},
    # -- uploads
    "tpl_upload_too_big": {
        "en": "📄 {name} is {size}; a templates file can be at most {limit}.",
        "ru": "📄 {name} весит {size}; файл шаблонов может быть не больше {limit}.",
        "de": "📄 {name} ist {size} groß; eine Vorlagendatei darf höchstens {limit} haben.",
    },
    "tpl_upload_download_failed": {
        "en": "📄 I could not download {name} from Telegram ({error}). Please send it again.",
        "ru": "📄 Не удалось скачать {name} из Telegram ({error}). Пришлите файл ещё раз.",
        "de": "📄 Ich konnte {name} nicht von Telegram laden ({error}). Bitte schick die Datei noch einmal.",
    },
    "tpl_upload_not_text": {
        "en": "📄 {name} is not a text file. Please save it as UTF-8 text and send it again.",
        "ru": "📄 {name} — не текстовый файл. Сохраните его как текст UTF-8 и пришлите ещё раз.",
        "de": "📄 {name} ist keine Textdatei. Bitte speichere sie als UTF-8-Text und schick sie noch einmal.",
    },
    "tpl_upload_problems": {
        "en": "❌ {name} was not published — problems found: {count}. Nothing changed, v{number} stays live.",
        "ru": "❌ {name} не опубликован — найдено проблем: {count}. Ничего не изменилось, действует v{number}.",
        "de": "❌ {name} wurde nicht veröffentlicht — gefundene Probleme: {count}. Nichts geändert, v{number} "
        "bleibt aktiv.",
    },
    "tpl_problem_line": {"en": "• Line {line}: {message}", "ru": "• Строка {line}: {message}",
                         "de": "• Zeile {line}: {message}"},
    "tpl_problem": {"en": "• {message}", "ru": "• {message}", "de": "• {message}"},
    "tpl_more_lines": {"en": "… and {count} more", "ru": "… и ещё {count}", "de": "… und {count} weitere"},
    # {templates} and {questions} are count_templates and count_questions.
    "tpl_upload_checked": {
        "en": "📄 {name} checked: {templates}, {questions}. Changes against v{number}:",
        "ru": "📄 {name} проверен: {templates}, {questions}. Изменения относительно v{number}:",
        "de": "📄 {name} geprüft: {templates}, {questions}. Änderungen gegenüber v{number}:",
    },
    "count_templates": {
        "en": {"one": "{count} template", "other": "{count} templates"},
        "ru": {"one": "{count} шаблон", "few": "{count} шаблона", "many": "{count} шаблонов",
               "other": "{count} шаблона"},
        "de": {"one": "{count} Vorlage", "other": "{count} Vorlagen"},
    },
    "count_questions": {
        "en": {"one": "{count} question", "other": "{count} questions"},
        "ru": {"one": "{count} вопрос", "few": "{count} вопроса", "many": "{count} вопросов",
               "other": "{count} вопроса"},
        "de": {"one": "{count} Frage", "other": "{count} Fragen"},
    },
    "tpl_upload_same": {
        "en": "📄 {name} is the same as the live v{number}; nothing to publish.",
        "ru": "📄 {name} совпадает с действующей v{number}; публиковать нечего.",
        "de": "📄 {name} ist identisch mit der aktiven v{number}; nichts zu veröffentlichen.",
    },
    "tpl_diff_none": {
        "en": "No changes to templates or questions (only comments or formatting).",
        "ru": "Шаблоны и вопросы не изменились (только комментарии или оформление).",
        "de": "Keine Änderungen an Vorlagen oder Fragen (nur Kommentare oder Formatierung).",
    },
    "tpl_jira_refuses": {
        "en": "⛔ Jira would refuse these templates, so this file cannot be published (v{number} stays live):",
        "ru": "⛔ Jira не примет эти шаблоны, поэтому файл нельзя опубликовать (действует v{number}):",
        "de": "⛔ Jira würde diese Vorlagen ablehnen, daher kann die Datei nicht veröffentlicht werden "
        "(v{number} bleibt aktiv):",
    },
    "tpl_refused_item": {"en": "• {id}: {problem}", "ru": "• {id}: {problem}", "de": "• {id}: {problem}"},
    "tpl_jira_not_checked": {
        "en": "⚠️ Jira could not be asked ({error}). Publish only if you are sure Jira accepts these templates.",
        "ru": "⚠️ Не удалось спросить Jira ({error}). Публикуйте, только если уверены, что Jira примет эти "
        "шаблоны.",
        "de": "⚠️ Jira war nicht erreichbar ({error}). Veröffentliche nur, wenn du sicher bist, dass Jira diese "
        "Vorlagen annimmt.",
    },
    "tpl_publish_button": {"en": "✅ Publish v{number}", "ru": "✅ Опубликовать v{number}",
                           "de": "✅ v{number} veröffentlichen"},
    "tpl_discard_button": {"en": "🗑 Discard", "ru": "🗑 Отменить", "de": "🗑 Verwerfen"},
    "tpl_published": {
        "en": "✅ Published v{number}. New requests use it now.",
        "ru": "✅ Опубликована v{number}. Новые запросы уже идут по ней.",
        "de": "✅ v{number} veröffentlicht. Neue Anfragen nutzen sie ab sofort.",
    },
    "tpl_published_pinned": {
        "en": "✅ Published v{number}. New requests use it now; {pinned}.",
        "ru": "✅ Опубликована v{number}. Новые запросы уже идут по ней; {pinned}.",
        "de": "✅ v{number} veröffentlicht. Neue Anfragen nutzen sie ab sofort; {pinned}.",
    },
    "tpl_pinned": {
        "en": {"one": "{count} draft in progress finishes on v{old}",
               "other": "{count} drafts in progress finish on v{old}"},
        "ru": {"one": "{count} начатый черновик будет закончен по v{old}",
               "few": "{count} начатых черновика будут закончены по v{old}",
               "many": "{count} начатых черновиков будут закончены по v{old}",
               "other": "{count} начатого черновика будут закончены по v{old}"},
        "de": {"one": "{count} angefangener Entwurf wird mit v{old} abgeschlossen",
               "other": "{count} angefangene Entwürfe werden mit v{old} abgeschlossen"},
    },
    "tpl_pinned_mixed": {
        "en": "drafts in progress ({count}) finish on the versions they started with",
        "ru": "начатые черновики ({count}) будут закончены по своим версиям",
        "de": "angefangene Entwürfe ({count}) werden mit ihrer jeweiligen Version abgeschlossen",
    },
    "tpl_discarded": {
        "en": "🗑 Discarded. v{number} stays live.",
        "ru": "🗑 Отменено. Действует v{number}.",
        "de": "🗑 Verworfen. v{number} bleibt aktiv.",
    },
    "tpl_nothing_pending": {
        "en": "Nothing is waiting to be published. Send me a templates file first.",
        "ru": "Нечего публиковать. Сначала пришлите файл шаблонов.",
        "de": "Nichts wartet auf Veröffentlichung. Schick mir zuerst eine Vorlagendatei.",
    },
    "tpl_upload_replaced": {
        "en": "You sent a newer file since; use the buttons under that one.",
        "ru": "С тех пор вы прислали более новый файл — используйте кнопки под ним.",
        "de": "Du hast inzwischen eine neuere Datei geschickt; nutze die Tasten darunter.",
    },
    "tpl_changed_meanwhile": {
        "en": "⚠️ v{number} was published in the meantime. Here are your changes against it:",
        "ru": "⚠️ Тем временем опубликовали v{number}. Ваши изменения относительно неё:",
        "de": "⚠️ Inzwischen wurde v{number} veröffentlicht. Hier sind deine Änderungen dagegen:",
    },
    # -- history and rollback
    "tpl_history_title": {
        "en": "🕘 Template versions, newest first:",
        "ru": "🕘 Версии шаблонов, сначала новые:",
        "de": "🕘 Vorlagenversionen, neueste zuerst:",
    },
    "tpl_history_item": {"en": "v{number} · {when} · {who}", "ru": "v{number} · {when} · {who}",
                         "de": "v{number} · {when} · {who}"},
    "tpl_history_live": {"en": " · ● live", "ru": " · ● действует", "de": " · ● aktiv"},
    "tpl_rollback_button": {"en": "↩️ Roll back to v{number}", "ru": "↩️ Откатить к v{number}",
                            "de": "↩️ Zurück auf v{number}"},
    "tpl_rollback_confirm": {
        "en": "Roll back to v{number} ({who}, {when})? It goes live as v{next}. Changes against the live v{live}:",
        "ru": "Откатить к v{number} ({who}, {when})? Она станет действующей как v{next}. Изменения относительно "
        "действующей v{live}:",
        "de": "Zurück auf v{number} ({who}, {when})? Sie wird als v{next} aktiv. Änderungen gegenüber der "
        "aktiven v{live}:",
    },
    "tpl_rollback_yes": {"en": "↩️ Yes, roll back to v{number}", "ru": "↩️ Да, откатить к v{number}",
                         "de": "↩️ Ja, zurück auf v{number}"},
    "tpl_rollback_no": {"en": "Cancel", "ru": "Отмена", "de": "Abbrechen"},
    "tpl_rollback_cancelled": {
        "en": "Rollback cancelled. v{number} stays live.",
        "ru": "Откат отменён. Действует v{number}.",
        "de": "Zurücksetzen abgebrochen. v{number} bleibt aktiv.",
    },
    "tpl_rolled_back": {
        "en": "↩️ Rolled back: v{number} has the templates of v{old}. New requests use it now.",
        "ru": "↩️ Откат выполнен: v{number} содержит шаблоны v{old}. Новые запросы уже идут по ней.",
        "de": "↩️ Zurückgesetzt: v{number} hat die Vorlagen von v{old}. Neue Anfragen nutzen sie ab sofort.",
    },
    "tpl_rollback_refused": {
        "en": "❌ v{number} cannot go live again:",
        "ru": "❌ v{number} нельзя сделать действующей снова:",
        "de": "❌ v{number} kann nicht wieder aktiv werden:",
    },
    "tpl_unknown_version": {"en": "There is no version v{number}.", "ru": "Версии v{number} нет.",
                            "de": "Es gibt keine Version v{number}."},
    "tpl_already_live": {"en": "v{number} is already live.", "ru": "v{number} уже действует.",
                         "de": "v{number} ist bereits aktiv."},
    "tpl_version_unreadable": {
        "en": "v{number} can no longer be read by this version of the bot.",
        "ru": "Эта версия бота больше не может прочитать v{number}.",
        "de": "Diese Version des Bots kann v{number} nicht mehr lesen.",
    },
    # -- reload and start-up
    "tpl_reload_unchanged": {
        "en": "📄 {file} has not changed since v{number}; nothing to reload.",
        "ru": "📄 {file} не менялся со времени v{number}; перечитывать нечего.",
        "de": "📄 {file} hat sich seit v{number} nicht geändert; nichts neu zu laden.",
    },
    "tpl_reload_changed": {
        "en": "🔄 Reloaded {file}: v{number} is live. Changes:",
        "ru": "🔄 {file} перечитан: действует v{number}. Изменения:",
        "de": "🔄 {file} neu geladen: v{number} ist aktiv. Änderungen:",
    },
    "tpl_reload_problems": {
        "en": "❌ {file} on the server was not loaded — problems found: {count}. v{number} stays live.",
        "ru": "❌ {file} на сервере не загружен — найдено проблем: {count}. Действует v{number}.",
        "de": "❌ {file} auf dem Server wurde nicht geladen — gefundene Probleme: {count}. v{number} bleibt aktiv.",
    },
    "tpl_boot_problems": {
        "en": "⚠️ {file} has problems, so it was not used at start-up; v{number} stays live:",
        "ru": "⚠️ В {file} есть ошибки, поэтому при запуске он не использован; действует v{number}:",
        "de": "⚠️ {file} hat Fehler und wurde beim Start nicht verwendet; v{number} bleibt aktiv:",
    },
    # -- the diff
    "diff_template_added": {
        "en": "➕ New template {title} ({id}) · questions: {count}",
        "ru": "➕ Новый шаблон {title} ({id}) · вопросов: {count}",
        "de": "➕ Neue Vorlage {title} ({id}) · Fragen: {count}",
    },
    "diff_template_removed": {
        "en": "➖ Removed template {title} ({id})",
        "ru": "➖ Удалён шаблон {title} ({id})",
        "de": "➖ Entfernte Vorlage {title} ({id})",
    },
    "diff_template_changed": {"en": "✏️ {title} ({id}):", "ru": "✏️ {title} ({id}):", "de": "✏️ {title} ({id}):"},
    "diff_template_changed_what": {
        "en": "✏️ {title} ({id}): changed {what}",
        "ru": "✏️ {title} ({id}): изменено — {what}",
        "de": "✏️ {title} ({id}): geändert: {what}",
    },
    "diff_question_added": {
        "en": "    ➕ question “{text}” ({id})",
        "ru": "    ➕ вопрос «{text}» ({id})",
        "de": "    ➕ Frage „{text}“ ({id})",
    },
    "diff_question_removed": {
        "en": "    ➖ question “{text}” ({id})",
        "ru": "    ➖ вопрос «{text}» ({id})",
        "de": "    ➖ Frage „{text}“ ({id})",
    },
    "diff_question_changed": {
        "en": "    ✏️ question “{text}” ({id}): {what}",
        "ru": "    ✏️ вопрос «{text}» ({id}): {what}",
        "de": "    ✏️ Frage „{text}“ ({id}): {what}",
    },
    "diff_rubric_changed": {
        "en": "⚖️ Priority rules changed",
        "ru": "⚖️ Изменены правила приоритета",
        "de": "⚖️ Prioritätsregeln geändert",
    },
    "diff_q_text": {"en": "wording", "ru": "текст", "de": "Wortlaut"},
    "diff_q_type": {"en": "type", "ru": "тип", "de": "Typ"},
    "diff_q_options": {"en": "options", "ru": "варианты", "de": "Optionen"},
    "diff_q_required": {"en": "required", "ru": "обязательность", "de": "Pflichtfeld"},
    "diff_q_condition": {"en": "when it is asked", "ru": "когда задаётся", "de": "wann sie gestellt wird"},
    "diff_q_jira": {"en": "Jira field", "ru": "поле Jira", "de": "Jira-Feld"},
    "diff_q_hint": {"en": "hint", "ru": "подсказка", "de": "Hinweis"},
    "diff_q_limits": {"en": "limits", "ru": "ограничения", "de": "Grenzen"},
    "diff_t_title": {"en": "title", "ru": "название", "de": "Titel"},
    "diff_t_description": {"en": "description", "ru": "описание", "de": "Beschreibung"},
    "diff_t_keywords": {"en": "keywords", "ru": "ключевые слова", "de": "Stichwörter"},
    "diff_t_issue_type": {"en": "Jira issue type", "ru": "тип задачи Jira", "de": "Jira-Vorgangstyp"},
    "diff_t_project": {"en": "Jira project", "ru": "проект Jira", "de": "Jira-Projekt"},
    "diff_t_priority": {"en": "Jira priority", "ru": "приоритет Jira", "de": "Jira-Priorität"},
    "diff_t_labels": {"en": "Jira labels", "ru": "метки Jira", "de": "Jira-Labels"},
    "diff_t_summary": {"en": "Jira summary", "ru": "заголовок задачи Jira", "de": "Jira-Zusammenfassung"},
    "diff_t_components": {"en": "Jira components", "ru": "компоненты Jira", "de": "Jira-Komponenten"},
    "diff_t_fields": {"en": "Jira fields", "ru": "поля Jira", "de": "Jira-Felder"},
    "diff_t_order": {"en": "question order", "ru": "порядок вопросов", "de": "Reihenfolge der Fragen"},
}
