"""The bot's texts about linking a salesperson to their Jira user, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    # The salesperson's side.
    "link_usage": {
        "en": "Send /link followed by your Jira login (your work email on Jira Cloud, your user name on Jira "
        "Data Center), e.g. /link anna@company.com. Once an admin confirms that it is you, your requests are filed "
        "in your name. /link off undoes it.",
        "ru": "Отправьте /link и ваш логин в Jira (рабочий email в Jira Cloud или имя пользователя в Jira "
        "Data Center), например /link anna@company.com. Когда администратор подтвердит, что это вы, запросы будут "
        "создаваться от вашего имени. /link off отменяет привязку.",
        "de": "Sende /link und deinen Jira-Login (deine Arbeits-E-Mail bei Jira Cloud, deinen Benutzernamen bei "
        "Jira Data Center), z. B. /link anna@company.com. Sobald ein Admin bestätigt, dass du das bist, werden "
        "deine Anfragen in deinem Namen angelegt. /link off hebt das wieder auf.",
    },
    "link_status_linked": {"en": "🔗 Your requests are filed in Jira as {login}.",
                           "ru": "🔗 Ваши запросы создаются в Jira от имени {login}.",
                           "de": "🔗 Deine Anfragen werden in Jira als {login} angelegt."},
    "link_status_pending": {"en": "⏳ An admin has yet to confirm that {login} is you.",
                            "ru": "⏳ Администратор ещё не подтвердил, что {login} — это вы.",
                            "de": "⏳ Ein Admin muss noch bestätigen, dass {login} du bist."},
    "link_asked": {
        "en": "Asked an admin to confirm that {login} is you; I'll tell you when it's done.",
        "ru": "Попросил администратора подтвердить, что {login} — это вы; я сообщу, когда всё будет готово.",
        "de": "Ich habe einen Admin gebeten zu bestätigen, dass {login} du bist; ich sage dir Bescheid, sobald es "
        "erledigt ist.",
    },
    "link_asked_nobody": {
        "en": "I saved your request to file as {login}, but I can't reach any admin right now. Please ask an admin "
        "to write to me, then send the same /link again.",
        "ru": "Я сохранил просьбу создавать запросы от имени {login}, но сейчас не могу связаться ни с одним "
        "администратором. Попросите администратора написать мне и затем отправьте тот же /link ещё раз.",
        "de": "Ich habe deine Bitte gespeichert, als {login} anzulegen, erreiche aber gerade keinen Admin. Bitte "
        "einen Admin, mir zu schreiben, und sende dann dasselbe /link noch einmal.",
    },
    "link_unavailable": {"en": "Jira is not reachable right now; please try /link again later.",
                         "ru": "Jira сейчас недоступна; попробуйте /link позже.",
                         "de": "Jira ist gerade nicht erreichbar; bitte versuch /link später noch einmal."},
    "link_confirmed": {"en": "✅ An admin confirmed it: your requests are now filed as {name} in Jira.",
                       "ru": "✅ Администратор подтвердил: теперь ваши запросы создаются в Jira от имени {name}.",
                       "de": "✅ Ein Admin hat es bestätigt: deine Anfragen werden jetzt in Jira als {name} angelegt."},
    "link_declined": {
        "en": "An admin did not confirm that {login} is you, so your requests are filed as before. If that is a "
        "mistake, please talk to an admin.",
        "ru": "Администратор не подтвердил, что {login} — это вы, поэтому запросы создаются как прежде. Если это "
        "ошибка, обратитесь к администратору.",
        "de": "Ein Admin hat nicht bestätigt, dass {login} du bist; deine Anfragen werden also weiter wie bisher "
        "angelegt. Wenn das ein Irrtum ist, sprich bitte mit einem Admin.",
    },
    "link_removed": {"en": "✅ Unlinked: your requests are no longer filed as {login} in Jira.",
                     "ru": "✅ Привязка снята: запросы больше не создаются в Jira от имени {login}.",
                     "de": "✅ Verknüpfung aufgehoben: deine Anfragen werden in Jira nicht mehr als {login} angelegt."},
    "link_withdrawn": {"en": "Withdrawn: no admin needs to confirm {login} any more.",
                       "ru": "Отменено: администраторам больше не нужно подтверждать {login}.",
                       "de": "Zurückgezogen: kein Admin muss {login} mehr bestätigen."},
    "link_not_linked": {
        "en": "Your requests are not linked to a Jira user. Send /link followed by your Jira login to ask for it.",
        "ru": "Ваши запросы не привязаны к пользователю Jira. Чтобы привязать, отправьте /link и ваш логин в Jira.",
        "de": "Deine Anfragen sind mit keinem Jira-Benutzer verknüpft. Sende /link und deinen Jira-Login, um das "
        "anzufragen.",
    },
    # The admins' side.
    "link_card": {"en": "🔗 {who} asks to file as {login} — Jira: {jira}",
                  "ru": "🔗 {who} просит создавать запросы от имени {login} — Jira: {jira}",
                  "de": "🔗 {who} möchte Anfragen als {login} anlegen — Jira: {jira}"},
    "link_card_not_found": {"en": "not found in Jira", "ru": "в Jira не найден", "de": "in Jira nicht gefunden"},
    "link_card_hint": {"en": "Confirm only if you know that this Jira user is the person asking.",
                       "ru": "Подтверждайте, только если знаете, что этот пользователь Jira — тот, кто просит.",
                       "de": "Bestätige nur, wenn du weißt, dass dieser Jira-Benutzer die anfragende Person ist."},
    "link_card_unmatched": {
        "en": "No Jira user has exactly this email or user name, so it cannot be confirmed.",
        "ru": "Ни у одного пользователя Jira нет именно такого email или имени пользователя, поэтому подтвердить "
        "нельзя.",
        "de": "Kein Jira-Benutzer hat genau diese E-Mail oder diesen Benutzernamen, deshalb lässt es sich nicht "
        "bestätigen.",
    },
    "link_confirm": {"en": "✅ Confirm", "ru": "✅ Подтвердить", "de": "✅ Bestätigen"},
    "link_decline": {"en": "⛔ Decline", "ru": "⛔ Отклонить", "de": "⛔ Ablehnen"},
    "link_outcome_confirmed": {"en": "✅ Confirmed by {admin}.", "ru": "✅ Подтверждено ({admin}).",
                               "de": "✅ Von {admin} bestätigt."},
    "link_outcome_declined": {"en": "⛔ Declined by {admin}.", "ru": "⛔ Отклонено ({admin}).",
                              "de": "⛔ Von {admin} abgelehnt."},
    "link_outcome_replaced": {"en": "↪️ Replaced by a newer request.", "ru": "↪️ Заменено более новым запросом.",
                              "de": "↪️ Durch eine neuere Anfrage ersetzt."},
    "link_outcome_withdrawn": {"en": "↩️ Withdrawn by the person asking.", "ru": "↩️ Отозвано автором запроса.",
                               "de": "↩️ Von der anfragenden Person zurückgezogen."},
    "link_unmatched": {"en": "Jira has no user with exactly this login: this request can only be declined.",
                       "ru": "В Jira нет пользователя именно с таким логином: этот запрос можно только отклонить.",
                       "de": "Jira hat keinen Benutzer mit genau diesem Login: diese Anfrage lässt sich nur ablehnen."},
    "link_self": {"en": "Another admin has to confirm your own link.",
                  "ru": "Вашу собственную привязку должен подтвердить другой администратор.",
                  "de": "Deine eigene Verknüpfung muss ein anderer Admin bestätigen."},
}
