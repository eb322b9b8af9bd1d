"""The bot's texts about approval for the top priority and the lead role, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    # The lead role: files requests and approves those waiting for approval.
    "role_lead": {"en": "lead", "ru": "руководитель", "de": "Leitung"},
    "users_make_lead": {"en": "🎖 Make lead", "ru": "🎖 Сделать руководителем", "de": "🎖 Zur Leitung machen"},
    "users_done_lead": {"en": "✅ {name} is a lead now.", "ru": "✅ {name} теперь руководитель.",
                        "de": "✅ {name} gehört jetzt zur Leitung."},
    "role_now_lead": {
        "en": "🎖 An admin made you a lead: you file requests as before, and approve requests that wait for "
        "approval.",
        "ru": "🎖 Администратор назначил вас руководителем: вы создаёте запросы, как раньше, и одобряете запросы, "
        "которые ждут одобрения.",
        "de": "🎖 Ein Admin hat dich zur Leitung gemacht: Du stellst Anfragen wie bisher und genehmigst Anfragen, "
        "die auf Genehmigung warten.",
    },
    "role_lead_to_sales": {
        "en": "An admin changed your role: you are a salesperson now, no longer a lead.",
        "ru": "Администратор изменил вашу роль: теперь вы продавец, а не руководитель.",
        "de": "Ein Admin hat deine Rolle geändert: Du bist jetzt im Vertrieb, nicht mehr in der Leitung.",
    },
    # What a new templates file changes in a template (see bot/templates/diff.py).
    "diff_t_approval": {"en": "approval", "ru": "одобрение", "de": "Genehmigung"},
    # The requester, after Create.
    "approval_waiting": {
        "en": "⏳ {priority} needs approval. I sent it to {approvers}; it goes to Jira as soon as one of them "
        "approves, and I'll tell you.",
        "ru": "⏳ Для приоритета {priority} нужно одобрение. Я отправил запрос: {approvers}. Он уйдёт в Jira, как "
        "только кто-то одобрит, и я вам сообщу.",
        "de": "⏳ {priority} braucht eine Genehmigung. Ich habe die Anfrage an {approvers} geschickt; sie geht nach "
        "Jira, sobald jemand genehmigt, und ich sage dir Bescheid.",
    },
    "approval_waiting_nobody": {
        "en": "⏳ {priority} needs approval, but I can't reach any approver right now. Your request is saved and "
        "waits; I'll tell you once someone decides.",
        "ru": "⏳ Для приоритета {priority} нужно одобрение, но сейчас я не могу связаться ни с кем из "
        "одобряющих. Запрос сохранён и ждёт; я сообщу, когда кто-то решит.",
        "de": "⏳ {priority} braucht eine Genehmigung, aber ich erreiche gerade niemanden, der genehmigen kann. "
        "Deine Anfrage ist gespeichert und wartet; ich sage dir Bescheid, sobald jemand entscheidet.",
    },
    # The approvers' card.
    "approval_card": {
        "en": "🛂 Approval needed: {who} asks for {priority}.",
        "ru": "🛂 Нужно одобрение: {who} просит приоритет {priority}.",
        "de": "🛂 Genehmigung nötig: {who} möchte {priority}.",
    },
    "approval_card_hint": {
        "en": "The first decision counts. “Approve as High” files it with priority High.",
        "ru": "Считается первое решение. «Одобрить как High» создаст задачу с приоритетом High.",
        "de": "Die erste Entscheidung zählt. „Als High genehmigen“ legt sie mit Priorität High an.",
    },
    "approval_card_hint_plain": {
        "en": "The first decision counts.",
        "ru": "Считается первое решение.",
        "de": "Die erste Entscheidung zählt.",
    },
    "approval_reminder": {
        "en": "⏰ Still waiting for a decision, since {when}.",
        "ru": "⏰ Всё ещё ждёт решения, с {when}.",
        "de": "⏰ Wartet noch auf eine Entscheidung, seit {when}.",
    },
    "approval_approve": {"en": "✅ Approve", "ru": "✅ Одобрить", "de": "✅ Genehmigen"},
    "approval_high": {"en": "⬇️ Approve as High", "ru": "⬇️ Одобрить как High", "de": "⬇️ Als High genehmigen"},
    "approval_decline": {"en": "❌ Decline", "ru": "❌ Отклонить", "de": "❌ Ablehnen"},
    "approval_outcome_approve": {"en": "✅ Approved by {name}.", "ru": "✅ Одобрено: {name}.",
                                 "de": "✅ Genehmigt von {name}."},
    "approval_outcome_high": {"en": "✅ Approved as High by {name}.", "ru": "✅ Одобрено как High: {name}.",
                              "de": "✅ Als High genehmigt von {name}."},
    "approval_outcome_decline": {"en": "❌ Declined by {name}: {reason}",
                                 "ru": "❌ Отклонено: {name}. Причина: {reason}",
                                 "de": "❌ Abgelehnt von {name}: {reason}"},
    "approval_outcome_expired": {
        "en": {"one": "⌛ Nobody decided within {count} hour; it went back to the requester.",
               "other": "⌛ Nobody decided within {count} hours; it went back to the requester."},
        "ru": {"one": "⌛ За {count} час никто не принял решение; запрос возвращён автору.",
               "few": "⌛ За {count} часа никто не принял решение; запрос возвращён автору.",
               "many": "⌛ За {count} часов никто не принял решение; запрос возвращён автору.",
               "other": "⌛ За {count} часа никто не принял решение; запрос возвращён автору."},
        "de": {"one": "⌛ Niemand hat innerhalb von {count} Stunde entschieden; die Anfrage ging zurück.",
               "other": "⌛ Niemand hat innerhalb von {count} Stunden entschieden; die Anfrage ging zurück."},
    },
    # Declining: the reason is typed.
    "approval_reason_ask": {
        "en": "Why do you decline “{summary}”? Type a short reason; {who} will read it.",
        "ru": "Почему вы отклоняете «{summary}»? Напишите коротко причину — её прочитает {who}.",
        "de": "Warum lehnst du „{summary}“ ab? Schreib kurz den Grund; {who} liest ihn.",
    },
    "approval_keep": {"en": "↩️ Keep it waiting", "ru": "↩️ Пусть ждёт", "de": "↩️ Warten lassen"},
    "approval_kept": {"en": "OK, it still waits for a decision.", "ru": "Хорошо, запрос по-прежнему ждёт решения.",
                      "de": "Gut, die Anfrage wartet weiter auf eine Entscheidung."},
    "approval_declined_done": {"en": "❌ Declined; {who} has your reason.",
                               "ru": "❌ Отклонено; {who} получит вашу причину.",
                               "de": "❌ Abgelehnt; {who} bekommt deinen Grund."},
    # Taps that change nothing.
    "approval_refused_self": {"en": "You can't approve your own request.",
                              "ru": "Нельзя одобрить собственный запрос.",
                              "de": "Du kannst deine eigene Anfrage nicht genehmigen."},
    "approval_refused_forbidden": {"en": "Only this request's approvers can decide it.",
                                   "ru": "Решать по этому запросу могут только его одобряющие.",
                                   "de": "Nur die Genehmigenden dieser Anfrage können entscheiden."},
    "approval_refused_decided": {"en": "{name} decided already.", "ru": "{name} уже принял(а) решение.",
                                 "de": "{name} hat schon entschieden."},
    "approval_refused_expired": {"en": "Nobody decided in time, so this request went back to its requester.",
                                 "ru": "Решение не приняли вовремя, и запрос вернулся к автору.",
                                 "de": "Niemand hat rechtzeitig entschieden; die Anfrage ging an ihren Absender "
                                 "zurück."},
    "approval_refused_no_high": {"en": "Jira has no priority High for this request: approve or decline it.",
                                 "ru": "В Jira нет приоритета High для этого запроса: одобрите или отклоните его.",
                                 "de": "Jira hat für diese Anfrage keine Priorität High: genehmige oder lehne sie ab."},
    "approval_refused_gone": {"en": "This request no longer waits for approval.",
                              "ru": "Этот запрос больше не ждёт одобрения.",
                              "de": "Diese Anfrage wartet nicht mehr auf Genehmigung."},
    # The requester, once decided.
    "approval_approved": {
        "en": "✅ {name} approved your request “{summary}”. Sending it to Jira…",
        "ru": "✅ {name} одобрил(а) ваш запрос «{summary}». Отправляю в Jira…",
        "de": "✅ {name} hat deine Anfrage „{summary}“ genehmigt. Ich sende sie an Jira…",
    },
    "approval_approved_high": {
        "en": "✅ {name} approved your request “{summary}” with priority High. Sending it to Jira…",
        "ru": "✅ {name} одобрил(а) ваш запрос «{summary}» с приоритетом High. Отправляю в Jira…",
        "de": "✅ {name} hat deine Anfrage „{summary}“ mit Priorität High genehmigt. Ich sende sie an Jira…",
    },
    "approval_declined": {
        "en": "❌ {name} declined your request “{summary}”: {reason}\n\nYour answers are kept: change them (the "
        "priority too) and send it again.",
        "ru": "❌ {name} отклонил(а) ваш запрос «{summary}». Причина: {reason}\n\nВаши ответы сохранены: измените "
        "их (и приоритет) и отправьте снова.",
        "de": "❌ {name} hat deine Anfrage „{summary}“ abgelehnt: {reason}\n\nDeine Antworten bleiben: Ändere sie "
        "(auch die Priorität) und sende sie erneut.",
    },
    "approval_expired": {
        "en": {"one": "⌛ Nobody decided on your request “{summary}” within {count} hour, so it was not filed.\n\n"
               "Your answers are kept: change them (the priority too) and send it "
               "again.",
               "other": "⌛ Nobody decided on your request “{summary}” within {count} hours, so it was not filed.\n\n"
               "Your answers are kept: change them (the priority too) and send it "
               "again."},
        "ru": {"one": "⌛ За {count} час никто не принял решение по вашему запросу «{summary}», поэтому он не "
               "создан.\n\nВаши ответы сохранены: измените их (и приоритет) и "
               "отправьте снова.",
               "few": "⌛ За {count} часа никто не принял решение по вашему запросу «{summary}», поэтому он не "
               "создан.\n\nВаши ответы сохранены: измените их (и приоритет) и "
               "отправьте снова.",
               "many": "⌛ За {count} часов никто не принял решение по вашему запросу «{summary}», поэтому он не "
               "создан.\n\nВаши ответы сохранены: измените их (и приоритет) и "
               "отправьте снова.",
               "other": "⌛ За {count} часа никто не принял решение по вашему запросу «{summary}», поэтому он не "
               "создан.\n\nВаши ответы сохранены: измените их (и приоритет) и "
               "отправьте снова."},
        "de": {"one": "⌛ Über deine Anfrage „{summary}“ hat innerhalb von {count} Stunde niemand entschieden, "
               "daher wurde sie nicht angelegt.\n\nDeine Antworten bleiben: Ändere sie (auch die "
               "Priorität) und sende sie erneut.",
               "other": "⌛ Über deine Anfrage „{summary}“ hat innerhalb von {count} Stunden niemand entschieden, "
               "daher wurde sie nicht angelegt.\n\nDeine Antworten bleiben: Ändere sie (auch die "
               "Priorität) und sende sie erneut."},
    },
    "approval_change": {"en": "✏️ Change and resend", "ru": "✏️ Изменить и отправить снова",
                        "de": "✏️ Ändern und erneut senden"},
    # /my
    "my_approval": {"en": "waiting for approval", "ru": "ждёт одобрения", "de": "wartet auf Genehmigung"},
    "my_declined": {"en": "declined", "ru": "отклонён", "de": "abgelehnt"},
    # The admins' request list and its CSV export.
    "log_status_approval": {"en": "Waiting for approval", "ru": "Ждёт одобрения", "de": "Wartet auf Genehmigung"},
    "log_status_declined": {"en": "Declined", "ru": "Отклонён", "de": "Abgelehnt"},
    # In the Jira issue, in the Jira language.
    "approval_jira_heading": {"en": "Approved", "ru": "Одобрено", "de": "Genehmigt"},
    "approval_jira_approved": {"en": "by {who}, {when}", "ru": "{who}, {when}", "de": "von {who}, {when}"},
    "approval_jira_lowered": {"en": "(priority lowered from {before} to {after})",
                              "ru": "(приоритет снижен с {before} до {after})",
                              "de": "(Priorität von {before} auf {after} gesenkt)"},
}
