"""The admins' reports' texts: the requests list's pager and its CSV export, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    "log_page_of": {"en": "Page {page} of {pages}", "ru": "Страница {page} из {pages}",
                    "de": "Seite {page} von {pages}"},
    "log_requests": {
        "en": {"one": "{count} request", "other": "{count} requests"},
        "ru": {"one": "{count} запрос", "few": "{count} запроса", "many": "{count} запросов",
               "other": "{count} запроса"},
        "de": {"one": "{count} Anfrage", "other": "{count} Anfragen"},
    },
    # The CSV export's column headings.
    "log_col_created": {"en": "Created", "ru": "Создан", "de": "Erstellt"},
    "log_col_summary": {"en": "Summary", "ru": "Тема", "de": "Zusammenfassung"},
    "log_col_requester": {"en": "Requester", "ru": "Автор", "de": "Angefragt von"},
    "log_col_username": {"en": "Telegram username", "ru": "Имя в Telegram", "de": "Telegram-Benutzername"},
    "log_col_customer": {"en": "Customer", "ru": "Клиент", "de": "Kunde"},
    "log_col_template": {"en": "Template", "ru": "Шаблон", "de": "Vorlage"},
    "log_col_urgency": {"en": "Urgency", "ru": "Срочность", "de": "Dringlichkeit"},
    "log_col_status": {"en": "Status", "ru": "Статус", "de": "Status"},
    "log_col_jira": {"en": "Jira", "ru": "Jira", "de": "Jira"},
    "log_col_link": {"en": "Link", "ru": "Ссылка", "de": "Link"},
    "log_col_response": {"en": "First response (hours)", "ru": "Первый ответ (часы)",
                         "de": "Erste Antwort (Stunden)"},
    "log_col_resolution": {"en": "Resolved in (hours)", "ru": "Решён за (часы)", "de": "Gelöst in (Stunden)"},
    "log_col_followups": {"en": "Follow-ups", "ru": "Уточнения", "de": "Rückfragen"},
    "log_status_waiting": {"en": "Waiting for Jira", "ru": "Ждёт Jira", "de": "Wartet auf Jira"},
    "log_status_needs-attention": {"en": "Needs attention", "ru": "Требует внимания", "de": "Braucht Aufmerksamkeit"},
    "log_status_open": {"en": "Open in Jira", "ru": "Открыт в Jira", "de": "Offen in Jira"},
    "log_status_resolved": {"en": "Resolved", "ru": "Решён", "de": "Gelöst"},
}
