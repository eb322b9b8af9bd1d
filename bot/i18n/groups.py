"""The bot's texts about filing requests from the team's group chats, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    "cmd_ticket": {"en": "Reply to a message to file it as a request",
                   "ru": "Ответьте на сообщение, чтобы оформить его как запрос",
                   "de": "Auf eine Nachricht antworten, um sie als Anfrage zu erfassen"},
    # In the group: one short line each, in the language of the person who asked.
    "group_filing": {"en": "📝 {name} is filing this as a request.", "ru": "📝 {name} оформляет это как запрос.",
                     "de": "📝 {name} erfasst das als Anfrage."},
    "group_filed": {"en": "✅ Filed as {key}: {summary}", "ru": "✅ Создан запрос {key}: {summary}",
                    "de": "✅ Erfasst als {key}: {summary}"},
    "group_open_bot": {
        "en": "{name}, I can't write to you yet: open a chat with me and tap Start, and this request continues there.",
        "ru": "{name}, я пока не могу вам написать: откройте чат со мной и нажмите «Старт» — запрос продолжится там.",
        "de": "{name}, ich kann dir noch nicht schreiben: öffne einen Chat mit mir und tippe auf Start, dann geht "
        "die Anfrage dort weiter.",
    },
    "group_open_bot_button": {"en": "Open the bot", "ru": "Открыть бота", "de": "Bot öffnen"},
    "group_reply_needed": {
        "en": "To file a message as a request, reply to it with /ticket.",
        "ru": "Чтобы оформить сообщение как запрос, ответьте на него командой /ticket.",
        "de": "Um eine Nachricht als Anfrage zu erfassen, antworte darauf mit /ticket.",
    },
    "group_nothing_to_file": {
        "en": "There is nothing in that message I can file: no text, caption, file or voice note.",
        "ru": "В этом сообщении нечего оформить: нет ни текста, ни подписи, ни файла, ни голосового.",
        "de": "In dieser Nachricht ist nichts, was ich erfassen kann: kein Text, keine Bildunterschrift, keine Datei "
        "und keine Sprachnachricht.",
    },
    # In private: the dialog the group message starts.
    "group_quote": {"en": "💬 {author} in “{group}”: {text}", "ru": "💬 {author} в «{group}»: {text}",
                    "de": "💬 {author} in „{group}“: {text}"},
    "group_draft_open": {
        "en": "You are in the middle of another request ({template}). Finish it or /cancel it, then file that "
        "message again.",
        "ru": "У вас уже есть незаконченный запрос ({template}). Завершите его или отмените (/cancel), затем "
        "оформите то сообщение снова.",
        "de": "Du schreibst gerade an einer anderen Anfrage ({template}). Schließe sie ab oder brich sie ab "
        "(/cancel) und erfasse die Nachricht dann noch einmal.",
    },
    "group_reaction_unseen": {
        "en": "You reacted with 🎫 to a message in “{group}” that I did not see (I see all messages only while I "
        "am an admin there). Reply to it with /ticket instead.",
        "ru": "Вы поставили 🎫 сообщению в «{group}», которого я не видел (я вижу все сообщения, только пока я там "
        "администратор). Ответьте на него командой /ticket.",
        "de": "Du hast mit 🎫 auf eine Nachricht in „{group}“ reagiert, die ich nicht gesehen habe (alle Nachrichten "
        "sehe ich nur als Admin dort). Antworte stattdessen mit /ticket darauf.",
    },
    "group_link_gone": {
        "en": "That group message is no longer known to me. Reply to it in the group with /ticket again.",
        "ru": "Этого сообщения из группы я уже не помню. Ответьте на него в группе командой /ticket ещё раз.",
        "de": "Diese Gruppennachricht kenne ich nicht mehr. Antworte in der Gruppe noch einmal mit /ticket darauf.",
    },
    "ticket_in_private": {
        "en": "/ticket works in your team's group chat: reply there to a message with /ticket and I'll open it "
        "here as a request. Here, just write or forward the ask.",
        "ru": "/ticket работает в групповом чате команды: ответьте там на сообщение командой /ticket, и я открою "
        "его здесь как запрос. Здесь просто напишите или перешлите запрос.",
        "de": "/ticket funktioniert im Gruppenchat deines Teams: antworte dort mit /ticket auf eine Nachricht, und "
        "ich öffne sie hier als Anfrage. Hier schreib oder leite die Anfrage einfach weiter.",
    },
}
