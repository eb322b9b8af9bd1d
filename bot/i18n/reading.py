"""The bot's texts about what it read in an informal ask, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    # After a guessed choice on the card: the words of the ask that decided it.
    "guessed_because": {"en": " ✎ “{words}”", "ru": " ✎ «{words}»", "de": " ✎ „{words}“"},
    # The ask names a deadline too loosely for a date ("after the holidays"): the date question is asked.
    "unclear_deadline": {
        "en": "You wrote “{words}”: which date is that?",
        "ru": "Вы написали «{words}»: какая это дата?",
        "de": "Du hast „{words}“ geschrieben: welches Datum ist das?",
    },
}
