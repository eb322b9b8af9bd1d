"""Texts of the dashboard's urgency tables when they show only their largest rows, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    "urg_more_in_csv": {
        "en": {"one": "{count} more row in the CSV.", "other": "{count} more rows in the CSV."},
        "ru": {"one": "Ещё {count} строка — в CSV.", "few": "Ещё {count} строки — в CSV.",
               "many": "Ещё {count} строк — в CSV.", "other": "Ещё {count} строки — в CSV."},
        "de": {"one": "{count} weitere Zeile in der CSV-Datei.", "other": "{count} weitere Zeilen in der CSV-Datei."},
    },
}
