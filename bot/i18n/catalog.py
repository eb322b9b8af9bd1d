"""The bot's own texts in every supported language, and texts given per language in templates."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import approval as i18n_approval
from bot.i18n import dashboard as i18n_dashboard
from bot.i18n import expectations as i18n_expectations
from bot.i18n import groups as i18n_groups
from bot.i18n import insights as i18n_insights
from bot.i18n import links as i18n_links
from bot.i18n import people as i18n_people
from bot.i18n import reading as i18n_reading
from bot.i18n import reports as i18n_reports
from bot.i18n import templates as i18n_templates
from bot.i18n import voice as i18n_voice
from bot.i18n import web as i18n_web
from bot.i18n.plural import Catalog, Count, Text, format_number, pick, variants

LANGUAGES = ("en", "ru", "de")
DEFAULT_LANGUAGE = "en"


def normalize_language(code: str | None) -> str:
    """Return the supported language closest to a Telegram language_code such as 'de-AT'."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class LocalText:
    """A text that a template gives either once or per language code."""

    variants: tuple[tuple[str, str], ...]
    default: str

    @classmethod
    def plain(cls, text: str, default: str = DEFAULT_LANGUAGE) -> LocalText:
        """Wrap one text for every language."""
        return cls(((default, text),), default)

    def get(self, lang: str) -> str:
        """Return the text in lang, falling back to the default language, then to any variant."""
        table = dict(self.variants)
        return table.get(lang) or table.get(self.default) or self.variants[0][1]


# A count stands either after a label ("questions: 3"), which reads right for any number, or inside a sentence,
# where a language whose words change with the number gives a form per plural category and t() picks it by count=.
TEXTS: Catalog = {
    "start": {
        "en": "Hi {name}! I turn your ask into a proper Jira ticket for engineering, in about a minute.\n\n"
        "Tap “New request” or send /new, answer a few short questions, check the card and press "
        "Create. I'll tell you the ticket number.\n\n/help shows everything I can do.",
        "ru": "Привет, {name}! Я превращаю вашу просьбу в понятную задачу для разработки в Jira — "
        "примерно за минуту.\n\nНажмите «Новый запрос» или отправьте /new, ответьте на несколько "
        "коротких вопросов, проверьте карточку и нажмите «Создать». Я пришлю номер задачи.\n\n"
        "/help — всё, что я умею.",
        "de": "Hallo {name}! Ich mache aus deiner Anfrage in etwa einer Minute ein sauberes "
        "Jira-Ticket für die Entwicklung.\n\nTippe auf „Neue Anfrage“ oder sende /new, beantworte ein "
        "paar kurze Fragen, prüfe die Karte und tippe auf „Erstellen“. Ich schicke dir die "
        "Ticketnummer.\n\n/help zeigt alles, was ich kann.",
    },
    "help": {
        "en": "/new – start a request\n/cancel – drop the request you are writing\n/help – this text\n\n"
        "While answering: tap the buttons or type. “Back” returns to the previous question, “Skip” "
        "leaves out an optional one. Your answers are saved as you go: you can stop and come back "
        "later.",
        "ru": "/new — новый запрос\n/cancel — отменить запрос, который вы заполняете\n/help — эта "
        "справка\n\nОтвечайте кнопками или текстом. «Назад» возвращает к предыдущему вопросу, "
        "«Пропустить» — для необязательных. Ответы сохраняются сразу: можно прерваться и вернуться "
        "позже.",
        "de": "/new – neue Anfrage\n/cancel – die angefangene Anfrage verwerfen\n/help – diese Hilfe\n\n"
        "Antworte per Button oder Text. „Zurück“ führt zur vorigen Frage, „Überspringen“ lässt eine "
        "optionale Frage aus. Deine Antworten werden sofort gespeichert: du kannst jederzeit "
        "unterbrechen und später weitermachen.",
    },
    "cmd_new": {"en": "Start a new request", "ru": "Новый запрос", "de": "Neue Anfrage starten"},
    "cmd_cancel": {"en": "Drop the current request", "ru": "Отменить текущий запрос",
                   "de": "Aktuelle Anfrage verwerfen"},
    "cmd_help": {"en": "What this bot does", "ru": "Что умеет бот", "de": "Was dieser Bot kann"},
    "cmd_start": {"en": "Welcome", "ru": "Начало", "de": "Willkommen"},
    "help_admin": {
        "en": "For admins:\n/templates – question templates: download, upload a new file, history, rollback\n"
        "/reload – read the templates file on disk again\n/users – people, roles, revoke\n"
        "/invite [sales|admin] [7d] – a one-time invite link\n/web – sign in to the admin page\n"
        "/outbox – requests waiting for Jira",
        "ru": "Для администраторов:\n/templates — шаблоны вопросов: скачать, загрузить новый файл, история, откат\n"
        "/reload — перечитать файл шаблонов с диска\n/users — люди, роли, отзыв доступа\n"
        "/invite [sales|admin] [7d] — одноразовая ссылка-приглашение\n/web — вход на страницу администратора\n"
        "/outbox — запросы, ожидающие Jira",
        "de": "Für Admins:\n/templates – Fragevorlagen: herunterladen, neue Datei hochladen, Verlauf, zurückrollen\n"
        "/reload – die Vorlagendatei neu einlesen\n/users – Personen, Rollen, Zugriff entziehen\n"
        "/invite [sales|admin] [7d] – ein einmaliger Einladungslink\n/web – Anmeldung zur Admin-Seite\n"
        "/outbox – Anfragen, die auf Jira warten",
    },
    "cmd_templates": {"en": "Admin: question templates", "ru": "Админ: шаблоны вопросов",
                      "de": "Admin: Fragevorlagen"},
    "cmd_users": {"en": "Admin: users and roles", "ru": "Админ: пользователи и роли",
                  "de": "Admin: Nutzer und Rollen"},
    "cmd_invite": {"en": "Admin: invite link", "ru": "Админ: ссылка-приглашение", "de": "Admin: Einladungslink"},
    "cmd_web": {"en": "Admin: sign in to the admin page", "ru": "Админ: вход на страницу администратора",
                "de": "Admin: Anmeldung zur Admin-Seite"},
    "cmd_outbox": {"en": "Admin: requests waiting for Jira", "ru": "Админ: запросы в очереди в Jira",
                   "de": "Admin: Anfragen, die auf Jira warten"},
    "cmd_reload": {"en": "Admin: reload the templates file", "ru": "Админ: перечитать файл шаблонов",
                   "de": "Admin: Vorlagendatei neu laden"},
    "new_request_button": {"en": "📝 New request", "ru": "📝 Новый запрос", "de": "📝 Neue Anfrage"},
    "choose_template": {"en": "What do you need?", "ru": "Что вам нужно?", "de": "Worum geht es?"},
    "choose_template_for_ask": {
        "en": "What kind of request is this? I'll fill in what your message already says.",
        "ru": "Что это за запрос? То, что уже есть в сообщении, я заполню сам.",
        "de": "Welche Art von Anfrage ist das? Was schon in deiner Nachricht steht, trage ich ein.",
    },
    "prefilled": {
        "en": "📝 {template}. What your message already says is filled in and marked ✎; I'll only ask the rest.",
        "ru": "📝 {template}. То, что есть в сообщении, уже заполнено и отмечено ✎; спрошу только остальное.",
        "de": "📝 {template}. Was deine Nachricht schon sagt, ist eingetragen und mit ✎ markiert; "
              "ich frage nur den Rest.",
    },
    "switch_template": {"en": "↔ Other type", "ru": "↔ Другой тип", "de": "↔ Andere Art"},
    "guessed_legend": {
        "en": "✎ taken from your message; tap below to correct it.",
        "ru": "✎ взято из вашего сообщения; исправить можно кнопкой ниже.",
        "de": "✎ aus deiner Nachricht übernommen; tippe unten, um es zu korrigieren.",
    },
    "fix_guess": {"en": "✎ {question}", "ru": "✎ {question}", "de": "✎ {question}"},
    "no_templates": {
        "en": "No request forms are available right now. An admin has been told.",
        "ru": "Сейчас нет доступных форм запроса. Администратор уже в курсе.",
        "de": "Im Moment sind keine Anfrageformulare verfügbar. Ein Admin wurde informiert.",
    },
    "draft_open": {
        "en": {"one": "You have an unfinished request ({template}, {count} answer so far). Continue it or start over?",
               "other": "You have an unfinished request ({template}, {count} answers so far). Continue it or start "
               "over?"},
        "ru": {"one": "У вас есть незаконченный запрос ({template}, {count} ответ). Продолжить или начать заново?",
               "few": "У вас есть незаконченный запрос ({template}, {count} ответа). Продолжить или начать заново?",
               "many": "У вас есть незаконченный запрос ({template}, {count} ответов). Продолжить или начать заново?",
               "other": "У вас есть незаконченный запрос ({template}, {count} ответа). Продолжить или начать заново?"},
        "de": {"one": "Du hast eine angefangene Anfrage ({template}, bisher {count} Antwort). Fortsetzen oder neu "
               "beginnen?",
               "other": "Du hast eine angefangene Anfrage ({template}, bisher {count} Antworten). Fortsetzen oder neu "
               "beginnen?"},
    },
    "continue": {"en": "▶️ Continue", "ru": "▶️ Продолжить", "de": "▶️ Fortsetzen"},
    "start_over": {"en": "🔄 Start over", "ru": "🔄 Начать заново", "de": "🔄 Neu beginnen"},
    "back": {"en": "⬅️ Back", "ru": "⬅️ Назад", "de": "⬅️ Zurück"},
    "skip": {"en": "Skip ⏭", "ru": "Пропустить ⏭", "de": "Überspringen ⏭"},
    "done": {"en": "✅ Done", "ru": "✅ Готово", "de": "✅ Fertig"},
    "create": {"en": "✅ Create", "ru": "✅ Создать", "de": "✅ Erstellen"},
    "edit": {"en": "✏️ Edit", "ru": "✏️ Изменить", "de": "✏️ Ändern"},
    "cancel": {"en": "✖️ Cancel", "ru": "✖️ Отмена", "de": "✖️ Abbrechen"},
    "to_summary": {"en": "⬅️ Back to summary", "ru": "⬅️ К карточке", "de": "⬅️ Zurück zur Übersicht"},
    "date_today": {"en": "Today", "ru": "Сегодня", "de": "Heute"},
    "date_tomorrow": {"en": "Tomorrow", "ru": "Завтра", "de": "Morgen"},
    "date_week": {"en": "In a week", "ru": "Через неделю", "de": "In einer Woche"},
    "date_none": {"en": "No deadline", "ru": "Без срока", "de": "Keine Frist"},
    "new_customer": {"en": "➕ Use “{name}” as a new customer", "ru": "➕ Новый клиент «{name}»",
                     "de": "➕ „{name}“ als neuen Kunden verwenden"},
    "pick_customer": {
        "en": "Did you mean one of these?",
        "ru": "Вы имели в виду одного из них?",
        "de": "Meintest du einen von diesen?",
    },
    "hint_text": {"en": "Type your answer.", "ru": "Напишите ответ.", "de": "Schreib deine Antwort."},
    "hint_choice": {"en": "Tap one of the buttons.", "ru": "Выберите вариант кнопкой.",
                    "de": "Tippe auf einen der Buttons."},
    "hint_customer": {"en": "Type the customer's name.", "ru": "Напишите название клиента.",
                      "de": "Schreib den Namen des Kunden."},
    "hint_date": {
        "en": "Tap a button or type a date: “Friday”, “25.12.”, “2026-12-25”.",
        "ru": "Нажмите кнопку или напишите дату: «пятница», «25.12.», «2026-12-25».",
        "de": "Tippe auf einen Button oder schreib ein Datum: „Freitag“, „25.12.“, „2026-12-25“.",
    },
    "hint_number": {"en": "Type a number, e.g. 40000 or 40k.", "ru": "Напишите число, например 40000 или 40k.",
                    "de": "Schreib eine Zahl, z. B. 40000 oder 40k."},
    "hint_attachments": {
        "en": "Send photos or files, then tap Done.",
        "ru": "Отправьте фото или файлы, затем нажмите «Готово».",
        "de": "Schick Fotos oder Dateien und tippe dann auf „Fertig“.",
    },
    "files_so_far": {
        "en": {"one": "📎 Got {count} file: {names}. Send more or tap Done.",
               "other": "📎 Got {count} files: {names}. Send more or tap Done."},
        "ru": {"one": "📎 Получен {count} файл ({names}). Отправьте ещё или нажмите «Готово».",
               "few": "📎 Получено {count} файла ({names}). Отправьте ещё или нажмите «Готово».",
               "many": "📎 Получено {count} файлов ({names}). Отправьте ещё или нажмите «Готово».",
               "other": "📎 Получено {count} файла ({names}). Отправьте ещё или нажмите «Готово»."},
        "de": {"one": "📎 {count} Datei erhalten: {names}. Schick weitere oder tippe auf „Fertig“.",
               "other": "📎 {count} Dateien erhalten: {names}. Schick weitere oder tippe auf „Fertig“."},
    },
    # {count} is the fewest characters the question wants.
    "err_too_short": {
        "en": {"one": "A little more detail, please: at least {count} character (you wrote {length}).",
               "other": "A little more detail, please: at least {count} characters (you wrote {length})."},
        "ru": {"one": "Чуть подробнее, пожалуйста: не меньше {count} символа (сейчас {length}).",
               "few": "Чуть подробнее, пожалуйста: не меньше {count} символов (сейчас {length}).",
               "many": "Чуть подробнее, пожалуйста: не меньше {count} символов (сейчас {length}).",
               "other": "Чуть подробнее, пожалуйста: не меньше {count} символа (сейчас {length})."},
        "de": "Bitte etwas ausführlicher: mindestens {count} Zeichen (bisher {length}).",
    },
    # {count} is how many characters the answer has.
    "err_too_long": {
        "en": {"one": "That is {count} character; please keep it under {max}. Long logs or emails are better sent as "
               "a file.",
               "other": "That is {count} characters; please keep it under {max}. Long logs or emails are better sent "
               "as a file."},
        "ru": {"one": "Здесь {count} символ, а можно не больше {max}. Длинные логи или письма лучше отправить "
               "файлом.",
               "few": "Здесь {count} символа, а можно не больше {max}. Длинные логи или письма лучше отправить "
               "файлом.",
               "many": "Здесь {count} символов, а можно не больше {max}. Длинные логи или письма лучше отправить "
               "файлом.",
               "other": "Здесь {count} символа, а можно не больше {max}. Длинные логи или письма лучше отправить "
               "файлом."},
        "de": {"one": "Das ist {count} Zeichen; bitte bleib unter {max}. Lange Logs oder E-Mails schickst du besser "
               "als Datei.",
               "other": "Das sind {count} Zeichen; bitte bleib unter {max}. Lange Logs oder E-Mails schickst du "
               "besser als Datei."},
    },
    "err_empty": {"en": "That answer is empty. Please write something.",
                  "ru": "Ответ пустой. Напишите, пожалуйста, текст.",
                  "de": "Die Antwort ist leer. Bitte schreib etwas."},
    "err_use_buttons": {"en": "Please tap one of the buttons below.",
                        "ru": "Пожалуйста, выберите один из вариантов кнопкой.",
                        "de": "Bitte tippe auf einen der Buttons unten."},
    "err_bad_date": {
        "en": "I couldn't read “{text}” as a date. Try “Friday”, “25.12.” or “2026-12-25”.",
        "ru": "Не получилось понять дату «{text}». Попробуйте «пятница», «25.12.» или «2026-12-25».",
        "de": "„{text}“ konnte ich nicht als Datum lesen. Versuch „Freitag“, „25.12.“ oder "
        "„2026-12-25“.",
    },
    "err_past_date": {"en": "{date} is in the past. Please give a date from today on.",
                      "ru": "{date} — это уже в прошлом. Укажите дату не раньше сегодняшней.",
                      "de": "{date} liegt in der Vergangenheit. Bitte gib ein Datum ab heute an."},
    "err_bad_number": {"en": "I couldn't read “{text}” as a number. Try 40000 or 40k.",
                       "ru": "Не получилось понять число «{text}». Попробуйте 40000 или 40k.",
                       "de": "„{text}“ konnte ich nicht als Zahl lesen. Versuch 40000 oder 40k."},
    "err_number_min": {"en": "The number must be at least {min}.", "ru": "Число должно быть не меньше {min}.",
                       "de": "Die Zahl muss mindestens {min} sein."},
    "err_number_max": {"en": "The number must be at most {max}.", "ru": "Число должно быть не больше {max}.",
                       "de": "Die Zahl darf höchstens {max} sein."},
    "err_need_file": {
        "en": "Please send a photo or a file here, or tap Done.",
        "ru": "Здесь нужно отправить фото или файл, либо нажать «Готово».",
        "de": "Bitte schick hier ein Foto oder eine Datei, oder tippe auf „Fertig“.",
    },
    "err_need_file_required": {
        "en": "This question needs at least one photo or file.",
        "ru": "Для этого вопроса нужен хотя бы один файл или фото.",
        "de": "Für diese Frage brauche ich mindestens ein Foto oder eine Datei.",
    },
    "err_unsupported": {
        "en": "I can't use a {kind} here.",
        "ru": "Здесь не получится использовать {kind}.",
        "de": "Mit einem {kind} kann ich hier nichts anfangen.",
    },
    "kind_sticker": {"en": "sticker", "ru": "стикер", "de": "Sticker"},
    "kind_file": {"en": "file", "ru": "файл", "de": "Datei"},
    "kind_other": {"en": "message like this", "ru": "такое сообщение", "de": "solche Nachricht"},
    "err_file_too_big": {
        "en": "“{name}” is {size}; Telegram lets bots download files only up to {limit}. Please send a "
        "smaller file or a link to it.",
        "ru": "«{name}» весит {size}, а бот может скачать из Telegram не больше {limit}. Отправьте "
        "файл поменьше или ссылку на него.",
        "de": "„{name}“ ist {size} groß; Bots können aus Telegram nur Dateien bis {limit} laden. Bitte "
        "schick eine kleinere Datei oder einen Link.",
    },
    "err_file_too_big_jira": {
        "en": "“{name}” is {size}; Jira accepts attachments only up to {limit}. Please send a smaller file or "
        "a link to it.",
        "ru": "«{name}» весит {size}, а Jira принимает вложения не больше {limit}. Отправьте файл поменьше или "
        "ссылку на него.",
        "de": "„{name}“ ist {size} groß; Jira nimmt Anhänge nur bis {limit} an. Bitte schick eine kleinere "
        "Datei oder einen Link.",
    },
    "stale_button": {
        "en": "That button belongs to an earlier step. Here is where you are now.",
        "ru": "Эта кнопка от предыдущего шага. Вот где вы сейчас.",
        "de": "Dieser Button gehört zu einem früheren Schritt. Hier bist du gerade.",
    },
    "not_optional": {"en": "This question needs an answer.", "ru": "На этот вопрос нужно ответить.",
                     "de": "Diese Frage braucht eine Antwort."},
    "summary_title": {"en": "Please check your request", "ru": "Проверьте запрос",
                      "de": "Bitte prüfe deine Anfrage"},
    "summary_ticket": {"en": "Ticket", "ru": "Задача", "de": "Ticket"},
    "summary_priority": {"en": "Priority", "ru": "Приоритет", "de": "Priorität"},
    "summary_priority_override": {
        "en": "{priority} — your call: {reason}",
        "ru": "{priority} — ваше решение: {reason}",
        "de": "{priority} — deine Wahl: {reason}",
    },
    "priority_disagree": {
        "en": "⚖️ Disagree with the priority",
        "ru": "⚖️ Не согласен с приоритетом",
        "de": "⚖️ Priorität anfechten",
    },
    "priority_pick": {
        "en": "The rules say: {rubric}.\nWhich priority should it be?",
        "ru": "По правилам: {rubric}.\nКакой приоритет должен быть?",
        "de": "Laut Regeln: {rubric}.\nWelche Priorität soll es sein?",
    },
    "priority_reason": {
        "en": "Why {priority}? One sentence for the engineers — they will see it in the issue.",
        "ru": "Почему {priority}? Одно предложение для инженеров — они увидят его в задаче.",
        "de": "Warum {priority}? Ein Satz für die Entwickler — sie sehen ihn im Ticket.",
    },
    "priority_reason_short": {
        "en": "Please give a reason in a few words (at least 10 characters).",
        "ru": "Пожалуйста, объясните в нескольких словах (не меньше 10 символов).",
        "de": "Bitte nenne einen Grund in ein paar Worten (mindestens 10 Zeichen).",
    },
    "priority_override_why": {
        "en": "{priority}, set by the salesperson: {reason} (the rules said: {rubric})",
        "ru": "{priority}, выбран продавцом: {reason} (по правилам: {rubric})",
        "de": "{priority}, vom Vertrieb gewählt: {reason} (laut Regeln: {rubric})",
    },
    "summary_due": {"en": "Due", "ru": "Срок", "de": "Fällig"},
    "summary_labels": {"en": "Labels", "ru": "Метки", "de": "Labels"},
    "summary_skipped": {"en": "(skipped)", "ru": "(пропущено)", "de": "(übersprungen)"},
    "summary_none": {"en": "—", "ru": "—", "de": "—"},
    "edit_pick": {"en": "Which answer do you want to change?", "ru": "Какой ответ изменить?",
                  "de": "Welche Antwort möchtest du ändern?"},
    "cancelled": {"en": "Request cancelled. Send /new whenever you need something.",
                  "ru": "Запрос отменён. Отправьте /new, когда что-то понадобится.",
                  "de": "Anfrage verworfen. Sende /new, wenn du etwas brauchst."},
    "nothing_to_cancel": {"en": "There is no request in progress. Send /new to start one.",
                          "ru": "Сейчас нет незаконченного запроса. Отправьте /new, чтобы начать.",
                          "de": "Gerade ist keine Anfrage offen. Sende /new, um eine zu beginnen."},
    "sending": {"en": "⏳ Sending to Jira…", "ru": "⏳ Отправляю в Jira…", "de": "⏳ Wird an Jira gesendet …"},
    "already_sent": {"en": "This request has already been sent.", "ru": "Этот запрос уже отправлен.",
                     "de": "Diese Anfrage wurde bereits gesendet."},
    "created": {"en": "✅ Created {key}: {summary}", "ru": "✅ Создана задача {key}: {summary}",
                "de": "✅ {key} erstellt: {summary}"},
    "open_in_jira": {"en": "Open {key} in Jira", "ru": "Открыть {key} в Jira", "de": "{key} in Jira öffnen"},
    "attachment_failed": {
        "en": "“{name}” could not be attached to {key}: {reason}",
        "ru": "Не удалось приложить «{name}» к {key}: {reason}",
        "de": "„{name}“ konnte nicht an {key} angehängt werden: {reason}",
    },
    "jira_unreachable": {
        "en": "Jira is not reachable right now. Your request is saved and will be filed "
        "automatically; I'll send you the ticket number as soon as it is there.",
        "ru": "Jira сейчас недоступна. Ваш запрос сохранён и будет отправлен автоматически — я "
        "пришлю номер задачи, как только она появится.",
        "de": "Jira ist gerade nicht erreichbar. Deine Anfrage ist gespeichert und wird automatisch "
        "angelegt; ich schicke dir die Ticketnummer, sobald sie da ist.",
    },
    "jira_refused": {
        "en": "Jira did not accept this request: {problems}\n\nYour request is saved and an admin has "
        "been told; nothing else is needed from you right now.",
        "ru": "Jira не приняла запрос: {problems}\n\nЗапрос сохранён, администратор уже в курсе; от "
        "вас сейчас ничего не требуется.",
        "de": "Jira hat die Anfrage nicht angenommen: {problems}\n\nDeine Anfrage ist gespeichert und "
        "ein Admin wurde informiert; du musst gerade nichts weiter tun.",
    },
    "fix_and_resend": {"en": "✏️ Fix and resend", "ru": "✏️ Исправить и отправить", "de": "✏️ Korrigieren und senden"},
    "cannot_reopen": {"en": "This request can no longer be changed.", "ru": "Этот запрос уже нельзя изменить.",
                      "de": "Diese Anfrage kann nicht mehr geändert werden."},
    "jira_field_problem": {
        "en": "“{field}”: {message}",
        "ru": "«{field}»: {message}",
        "de": "„{field}“: {message}",
    },
    "admin_delivery_failed": {
        "en": "⚠️ Request {request} from {reporter} ({template}) was not filed: {error}",
        "ru": "⚠️ Запрос {request} от {reporter} ({template}) не создан в Jira: {error}",
        "de": "⚠️ Anfrage {request} von {reporter} ({template}) wurde nicht angelegt: {error}",
    },
    "draft_expired": {
        "en": {"one": "Your unfinished request “{template}” expired after {count} hour without answers. Send /new to "
               "start again.",
               "other": "Your unfinished request “{template}” expired after {count} hours without answers. Send /new "
               "to start again."},
        "ru": {"one": "Незаконченный запрос «{template}» удалён: {count} час без ответов. Отправьте /new, чтобы "
               "начать заново.",
               "few": "Незаконченный запрос «{template}» удалён: {count} часа без ответов. Отправьте /new, чтобы "
               "начать заново.",
               "many": "Незаконченный запрос «{template}» удалён: {count} часов без ответов. Отправьте /new, чтобы "
               "начать заново.",
               "other": "Незаконченный запрос «{template}» удалён: {count} часа без ответов. Отправьте /new, чтобы "
               "начать заново."},
        "de": {"one": "Deine angefangene Anfrage „{template}“ ist nach {count} Stunde ohne Antwort verfallen. Sende "
               "/new, um neu zu beginnen.",
               "other": "Deine angefangene Anfrage „{template}“ ist nach {count} Stunden ohne Antwort verfallen. "
               "Sende /new, um neu zu beginnen."},
    },
    "no_draft": {
        "en": "Send /new or tap “New request” to file a request.",
        "ru": "Отправьте /new или нажмите «Новый запрос», чтобы оформить запрос.",
        "de": "Sende /new oder tippe auf „Neue Anfrage“, um eine Anfrage zu stellen.",
    },
    "reply_button": {"en": "↩️ Reply", "ru": "↩️ Ответить", "de": "↩️ Antworten"},
    "reply_prompt": {"en": "Write your answer for {key}; it goes into Jira as a comment. Photos and files are "
                           "welcome too.",
                     "ru": "Напишите ответ для {key} — он попадёт в Jira комментарием. Можно приложить фото и "
                           "файлы.",
                     "de": "Schreib deine Antwort für {key}; sie landet als Kommentar in Jira. Fotos und Dateien "
                           "gehen auch."},
    "reply_cancel": {"en": "✖️ Don't reply", "ru": "✖️ Не отвечать", "de": "✖️ Nicht antworten"},
    "reply_cancelled": {"en": "OK, no reply.", "ru": "Хорошо, без ответа.", "de": "OK, keine Antwort."},
    "reply_sending": {"en": "⏳ Sending your answer to {key}…", "ru": "⏳ Отправляю ваш ответ в {key}…",
                      "de": "⏳ Deine Antwort geht an {key} …"},
    "reply_posted": {"en": "✅ Added to {key} as a comment.", "ru": "✅ Добавлено в {key} комментарием.",
                     "de": "✅ Als Kommentar zu {key} hinzugefügt."},
    "reply_failed": {"en": "⚠️ Your answer could not be added to {key}: {reason}. An admin has been told.",
                     "ru": "⚠️ Не удалось добавить ответ в {key}: {reason}. Администратор уже в курсе.",
                     "de": "⚠️ Deine Antwort konnte nicht zu {key} hinzugefügt werden: {reason}. Ein Admin wurde "
                           "informiert."},
    "reply_not_yours": {"en": "You can answer only on your own requests and on issues you joined.",
                        "ru": "Отвечать можно только в своих запросах и в задачах, к которым вы присоединились.",
                        "de": "Antworten kannst du nur auf deine eigenen Anfragen und auf Tickets, denen du dich "
                              "angeschlossen hast."},
    "settings_title": {"en": "Which Jira changes should I tell you about?",
                       "ru": "О каких изменениях в Jira вам сообщать?",
                       "de": "Über welche Änderungen in Jira soll ich dich informieren?"},
    "settings_all": {"en": "Everything", "ru": "Обо всех", "de": "Alles"},
    "settings_quiet": {"en": "Only comments and resolution", "ru": "Только комментарии и решение",
                       "de": "Nur Kommentare und Erledigung"},
    "settings_saved": {"en": "Saved", "ru": "Сохранено", "de": "Gespeichert"},
    "cmd_settings": {"en": "What Jira changes to hear about", "ru": "Какие уведомления получать",
                     "de": "Welche Jira-Änderungen melden"},
    "my_title": {"en": "Your requests ({first}–{last} of {total}):", "ru": "Ваши запросы ({first}–{last} из {total}):",
                 "de": "Deine Anfragen ({first}–{last} von {total}):"},
    "my_empty": {"en": "You have no requests yet. Send /new to file one.",
                 "ru": "У вас пока нет запросов. Отправьте /new, чтобы создать.",
                 "de": "Du hast noch keine Anfragen. Sende /new, um eine zu stellen."},
    "my_waiting": {"en": "waiting for Jira", "ru": "ждёт Jira", "de": "wartet auf Jira"},
    "my_attention": {"en": "needs an admin", "ru": "нужен администратор", "de": "braucht einen Admin"},
    "my_unknown": {"en": "status unavailable", "ru": "статус недоступен", "de": "Status nicht verfügbar"},
    "my_newer": {"en": "◀️ Newer", "ru": "◀️ Новее", "de": "◀️ Neuer"},
    "my_older": {"en": "Older ▶️", "ru": "Старше ▶️", "de": "Älter ▶️"},
    "my_comments": {"en": "Latest comments:", "ru": "Последние комментарии:", "de": "Neueste Kommentare:"},
    "my_no_comments": {"en": "No comments yet.", "ru": "Комментариев пока нет.", "de": "Noch keine Kommentare."},
    "cmd_my": {"en": "Your requests and their status", "ru": "Ваши запросы и их статус",
               "de": "Deine Anfragen und ihr Status"},
    "similar_found": {"en": "Before I file it: this looks like something already in Jira.",
                      "ru": "Прежде чем создать: похоже, такое уже есть в Jira.",
                      "de": "Bevor ich es anlege: Das sieht nach etwas aus, das es in Jira schon gibt."},
    "join_button": {"en": "Same problem: add my customer to {key}", "ru": "То же самое: добавить клиента в {key}",
                    "de": "Gleiches Problem: meinen Kunden zu {key} hinzufügen"},
    "create_new": {"en": "No, create a new one", "ru": "Нет, создать новую", "de": "Nein, neu anlegen"},
    "joined": {"en": "👥 Added your customer to {key}. You'll hear about its progress here.",
               "ru": "👥 Ваш клиент добавлен в {key}. Я буду сообщать о ходе работы.",
               "de": "👥 Dein Kunde wurde zu {key} hinzugefügt. Ich halte dich hier auf dem Laufenden."},
    "joined_comment": {"en": "Also requested for {customer} by {reporter} (sales, via Telegram):",
                       "ru": "Также нужно клиенту {customer}, запросил(а) {reporter} (продажи, через Telegram):",
                       "de": "Auch angefragt für {customer} von {reporter} (Vertrieb, über Telegram):"},
    "join_not_offered": {"en": "I didn't suggest that issue for this request, so nothing was added to it. Your "
                               "request is still here.",
                         "ru": "Эту задачу я не предлагал для этого запроса, поэтому ничего в неё не добавил. Ваш "
                               "запрос сохранён.",
                         "de": "Dieses Ticket habe ich für diese Anfrage nicht vorgeschlagen, also habe ich nichts "
                               "hinzugefügt. Deine Anfrage ist noch da."},
    "lang_title": {"en": "Which language should I use?", "ru": "На каком языке общаться?",
                   "de": "Welche Sprache soll ich verwenden?"},
    "lang_auto": {"en": "As in my Telegram app", "ru": "Как в Telegram", "de": "Wie in meiner Telegram-App"},
    "lang_saved": {"en": "OK, English from now on.", "ru": "Хорошо, теперь по-русски.",
                   "de": "Alles klar, ab jetzt auf Deutsch."},
    "cmd_lang": {"en": "Choose the bot's language", "ru": "Выбрать язык бота", "de": "Sprache des Bots wählen"},
    "admins_only": {"en": "This command is for admins.", "ru": "Эта команда только для администраторов.",
                    "de": "Dieser Befehl ist nur für Admins."},
    "outbox_empty": {"en": "📭 Outbox: nothing waiting for Jira.", "ru": "📭 Очередь пуста: в Jira ничего не ждёт.",
                     "de": "📭 Postausgang: nichts wartet auf Jira."},
    # {count} requests wait for Jira; {age} is how long the oldest has waited.
    "outbox_status": {
        "en": "📬 Outbox: {count} waiting for Jira, the oldest for {age}.\nLast error: {error}\n"
        "Needing an admin: {attention}",
        "ru": {"one": "📬 Очередь: {count} запрос ждёт Jira, самый старый — {age}.\nПоследняя ошибка: {error}\n"
               "Требуют администратора: {attention}",
               "few": "📬 Очередь: {count} запроса ждут Jira, самый старый — {age}.\nПоследняя ошибка: {error}\n"
               "Требуют администратора: {attention}",
               "many": "📬 Очередь: {count} запросов ждут Jira, самый старый — {age}.\nПоследняя ошибка: {error}\n"
               "Требуют администратора: {attention}",
               "other": "📬 Очередь: {count} запроса ждут Jira, самый старый — {age}.\nПоследняя ошибка: {error}\n"
               "Требуют администратора: {attention}"},
        "de": {"one": "📬 Postausgang: {count} Anfrage wartet seit {age} auf Jira.\nLetzter Fehler: "
               "{error}\nBrauchen einen Admin: {attention}",
               "other": "📬 Postausgang: {count} Anfragen warten auf Jira, die älteste seit {age}.\nLetzter Fehler: "
               "{error}\nBrauchen einen Admin: {attention}"},
    },
    # How long something has waited, abbreviated as in "3 h 20 min".
    "span_seconds": {"en": "{count} s", "ru": "{count} с", "de": "{count} Sek."},
    "span_minutes": {"en": "{count} min", "ru": "{count} мин", "de": "{count} Min."},
    "span_hours": {"en": "{count} h", "ru": "{count} ч", "de": "{count} Std."},
    "span_days": {"en": "{count} d", "ru": "{count} дн.", "de": "{count} Tg."},
    "templates_refused": {
        "en": "⚠️ These templates are not offered because Jira would refuse them:\n{report}",
        "ru": "⚠️ Эти шаблоны не предлагаются, потому что Jira их не примет:\n{report}",
        "de": "⚠️ Diese Vorlagen werden nicht angeboten, weil Jira sie ablehnen würde:\n{report}",
    },
    "notice_status": {"en": "Status: {old} → {new}", "ru": "Статус: {old} → {new}", "de": "Status: {old} → {new}"},
    "notice_status_new": {"en": "Status: {new}", "ru": "Статус: {new}", "de": "Status: {new}"},
    "notice_comment": {"en": "💬 {name}: {text}", "ru": "💬 {name}: {text}", "de": "💬 {name}: {text}"},
    "notice_assigned": {"en": "Assigned to {name}", "ru": "Исполнитель: {name}", "de": "Zugewiesen an {name}"},
    "notice_unassigned": {"en": "No longer assigned to anyone", "ru": "Исполнитель снят",
                          "de": "Niemandem mehr zugewiesen"},
    "notice_resolved": {"en": "✅ Resolved: {resolution}", "ru": "✅ Решено: {resolution}",
                        "de": "✅ Erledigt: {resolution}"},
    "notice_reopened": {"en": "↩️ Reopened", "ru": "↩️ Снова открыта", "de": "↩️ Wieder geöffnet"},
    "notice_due": {"en": "Due date: {old} → {new}", "ru": "Срок: {old} → {new}", "de": "Fälligkeit: {old} → {new}"},
    "notice_due_set": {"en": "Due date: {new}", "ru": "Срок: {new}", "de": "Fälligkeit: {new}"},
    "notice_due_removed": {"en": "Due date removed (was {old})", "ru": "Срок снят (был {old})",
                           "de": "Fälligkeit entfernt (war {old})"},
    "notice_more_comments": {"en": "💬 +{count} more in Jira", "ru": "💬 ещё {count} в Jira",
                             "de": "💬 +{count} weitere in Jira"},
    "notice_someone": {"en": "Someone", "ru": "Кто-то", "de": "Jemand"},
    "needs_info_comment": {
        "en": "❓ {name} asks about {key} ({summary}): {question}",
        "ru": "❓ {name} спрашивает про {key} ({summary}): {question}",
        "de": "❓ {name} fragt zu {key} ({summary}): {question}",
    },
    "needs_info_status": {
        "en": "❓ {key} ({summary}) is waiting for you: status “{status}”.",
        "ru": "❓ {key} ({summary}) ждёт вашего ответа: статус «{status}».",
        "de": "❓ {key} ({summary}) wartet auf dich: Status „{status}“.",
    },
    "needs_info_reply": {
        "en": "Reply to this message and I'll add your answer to {key}.",
        "ru": "Ответьте на это сообщение — я добавлю ваш ответ в {key}.",
        "de": "Antworte auf diese Nachricht, dann füge ich deine Antwort zu {key} hinzu.",
    },
    "internal_error": {
        "en": "Sorry, something went wrong on my side. Your answers so far are saved; please try "
        "again.",
        "ru": "Извините, у меня что-то пошло не так. Ваши ответы сохранены, попробуйте ещё раз.",
        "de": "Entschuldigung, bei mir ist etwas schiefgelaufen. Deine bisherigen Antworten sind "
        "gespeichert; bitte versuch es noch einmal.",
    },
    "save_failed": {
        "en": "Sorry, I could not save this answer: my storage is not taking anything new right now. What you "
        "answered before is still saved. Please try again in a moment.",
        "ru": "Извините, не удалось сохранить этот ответ: хранилище сейчас не принимает ничего нового. Всё, что вы "
        "ответили раньше, по-прежнему сохранено. Попробуйте ещё раз чуть позже.",
        "de": "Entschuldigung, diese Antwort konnte ich nicht speichern: mein Speicher nimmt gerade nichts Neues an. "
        "Was du vorher beantwortet hast, ist weiterhin gespeichert. Bitte versuch es gleich noch einmal.",
    },
}


class DuplicateText(ValueError):
    """Two catalogs define the same message key."""


def register(*catalogs: tuple[str, Catalog]) -> dict[str, dict[str, Text]]:
    """Merge (module name, catalog) pairs into one register of texts; a key defined twice is refused.

    A key repeated inside one catalog's literal is caught by the linter (F601), so this checks across catalogs.
    """
    merged: dict[str, dict[str, Text]] = {}
    owners: dict[str, str] = {}
    for module, texts in catalogs:
        for key, text in texts.items():
            if key in owners:
                raise DuplicateText(f"the text {key!r} is defined in both {owners[key]} and {module}")
            owners[key] = module
            merged[key] = dict(text)
    return merged


# Each admin journey keeps its texts in a catalog of its own.
MESSAGES = register(
    (__name__, TEXTS),
    (i18n_templates.__name__, i18n_templates.TEXTS),
    (i18n_people.__name__, i18n_people.TEXTS),
    (i18n_web.__name__, i18n_web.TEXTS),
    (i18n_web.__name__, i18n_web.PAGE),
    (i18n_links.__name__, i18n_links.TEXTS),
    (i18n_approval.__name__, i18n_approval.TEXTS),
    (i18n_expectations.__name__, i18n_expectations.TEXTS),
    (i18n_reports.__name__, i18n_reports.TEXTS),
    (i18n_insights.__name__, i18n_insights.TEXTS),
    (i18n_voice.__name__, i18n_voice.TEXTS),
    (i18n_groups.__name__, i18n_groups.TEXTS),
    (i18n_reading.__name__, i18n_reading.TEXTS),
    (i18n_dashboard.__name__, i18n_dashboard.TEXTS),
)


class _Defaulting(dict[str, object]):
    """Leaves unknown placeholders visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: str, /, *, count: Count | None = None, **values: object) -> str:
    """Return the bot's message `key` in `lang` with placeholders filled.

    count fills {count}, written as the language writes numbers, and picks the plural form of a text that has them.
    """
    table = MESSAGES[key]
    used = lang if table.get(lang) else DEFAULT_LANGUAGE
    text = table[used]
    if count is None:
        if not isinstance(text, str):
            raise TypeError(f"the text {key!r} says a count: pass count=")
    else:
        text = pick(text, count, used)
        values["count"] = format_number(count, used)
    return string.Formatter().vformat(text, (), _Defaulting(values)) if values else text


def placeholders(text: Text) -> set[str]:
    """Return the placeholder names used in a catalog text (in any of its plural forms)."""
    return {name for variant in variants(text) for _, name, _, _ in string.Formatter().parse(variant) if name}


def localized(value: str | Mapping[str, str], lang: str) -> str:
    """Return a str-or-mapping text in lang, for texts not yet turned into LocalText."""
    if isinstance(value, str):
        return value
    return value.get(lang) or value.get(DEFAULT_LANGUAGE) or next(iter(value.values()))
