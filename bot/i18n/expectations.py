"""The bot's texts about what to expect: how long requests take, deadlines guarded, and "was it solved?"."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    # How long, before filing: on the summary card and under "Created".
    "expect_label": {"en": "What to expect", "ru": "Чего ожидать", "de": "Was dich erwartet"},
    "expect_days": {"en": {"one": "{count} day", "other": "{count} days"},
                    "ru": {"one": "{count} день", "few": "{count} дня", "many": "{count} дней",
                           "other": "{count} дня"},
                    "de": {"one": "{count} Tag", "other": "{count} Tagen"}},
    "expect_resolved": {
        "en": "Requests like this ({kind}) were resolved in {median} (median; 8 of 10 within {p80}).",
        "ru": "Похожие запросы ({kind}) решались за {median} (медиана; 8 из 10 — за {p80}).",
        "de": "Anfragen wie diese ({kind}) wurden in {median} gelöst (Median; 8 von 10 innerhalb von {p80}).",
    },
    "expect_ahead": {
        "en": {"one": "{count} open one is ahead of yours.", "other": "{count} open ones are ahead of yours."},
        "ru": {"one": "Перед вашим в работе {count} такой запрос.",
               "few": "Перед вашим в работе {count} таких запроса.",
               "many": "Перед вашим в работе {count} таких запросов.",
               "other": "Перед вашим в работе {count} таких запроса."},
        "de": {"one": "{count} offene ist vor deiner dran.", "other": "{count} offene sind vor deiner dran."},
    },
    "expect_none_ahead": {"en": "None are open ahead of yours.", "ru": "Сейчас перед вашим таких нет.",
                          "de": "Vor deiner ist gerade keine offen."},
    # The deadline guard: to the salesperson, and (in Jira's language) to the assignee.
    "deadline_in_days": {"en": {"one": "in {count} day", "other": "in {count} days"},
                         "ru": {"one": "через {count} день", "few": "через {count} дня", "many": "через {count} дней",
                                "other": "через {count} дня"},
                         "de": {"one": "in {count} Tag", "other": "in {count} Tagen"}},
    "deadline_today": {"en": "today", "ru": "сегодня", "de": "heute"},
    "deadline_nobody": {"en": "nobody yet", "ru": "пока никто", "de": "noch niemand"},
    "deadline_warn": {
        "en": "⏰ {key} · {summary}\nDue {due}, {when}: the date you promised. Status: {status}; assignee: {assignee}."
              "\n{url}",
        "ru": "⏰ {key} · {summary}\nСрок {due}, {when}: дата, которую вы обещали. Статус: {status}; исполнитель: "
              "{assignee}.\n{url}",
        "de": "⏰ {key} · {summary}\nFällig am {due}, {when}: das Datum, das du zugesagt hast. Status: {status}; "
              "zuständig: {assignee}.\n{url}",
    },
    "deadline_overdue": {
        "en": "🔴 {key} · {summary}\nThe due date {due} has passed and the issue is not done. Status: {status}; "
              "assignee: {assignee}.\n{url}",
        "ru": "🔴 {key} · {summary}\nСрок {due} прошёл, а задача не закрыта. Статус: {status}; исполнитель: "
              "{assignee}.\n{url}",
        "de": "🔴 {key} · {summary}\nDas Fälligkeitsdatum {due} ist vorbei und das Ticket ist nicht erledigt. "
              "Status: {status}; zuständig: {assignee}.\n{url}",
    },
    "deadline_jira_warn": {
        "en": "{mention}The due date of this request, {due}, is {when}: the salesperson promised it to the customer.",
        "ru": "{mention}Срок этой задачи, {due}, наступает {when}: продавец обещал его клиенту.",
        "de": "{mention}Das Fälligkeitsdatum dieser Anfrage, {due}, ist {when}: der Vertrieb hat es dem Kunden "
              "zugesagt.",
    },
    "deadline_jira_overdue": {
        "en": "{mention}The due date of this request, {due}, has passed and the customer is waiting.",
        "ru": "{mention}Срок этой задачи, {due}, прошёл, а клиент ждёт.",
        "de": "{mention}Das Fälligkeitsdatum dieser Anfrage, {due}, ist vorbei und der Kunde wartet.",
    },
    "update_button": {"en": "📝 Update for the customer", "ru": "📝 Статус для клиента",
                      "de": "📝 Update für den Kunden"},
    "update_intro": {"en": "Copy or forward this to the customer:", "ru": "Скопируйте или перешлите клиенту:",
                     "de": "Zum Kopieren oder Weiterleiten an den Kunden:"},
    "update_head": {"en": "Update on “{summary}”:", "ru": "Новости по запросу «{summary}»:",
                    "de": "Stand zu „{summary}“:"},
    "update_status": {"en": "Status: {status}.", "ru": "Статус: {status}.", "de": "Status: {status}."},
    "update_next_new": {"en": "Next: an engineer picks it up.", "ru": "Дальше: задачу возьмёт инженер.",
                        "de": "Als Nächstes: ein Entwickler nimmt es sich vor."},
    "update_next_working": {"en": "Next: our engineers are working on it.",
                            "ru": "Дальше: наши инженеры уже работают над ней.",
                            "de": "Als Nächstes: unsere Entwickler arbeiten daran."},
    "update_next_waiting": {"en": "Next: we are collecting the details engineering asked for.",
                            "ru": "Дальше: мы собираем детали, которые запросили инженеры.",
                            "de": "Als Nächstes: wir sammeln die Details, die die Entwicklung braucht."},
    "update_next_done": {"en": "It is solved; please check it on your side.",
                         "ru": "Задача решена, проверьте, пожалуйста, у себя.",
                         "de": "Es ist gelöst; bitte prüft es bei euch."},
    "update_expected": {"en": "Expected by {date}.", "ru": "Ожидаемый срок: {date}.", "de": "Erwartet bis {date}."},
    "update_expected_moved": {"en": "New expected date: {date} (was {old}).",
                              "ru": "Новый ожидаемый срок: {date} (был {old}).",
                              "de": "Neuer erwarteter Termin: {date} (statt {old})."},
    "update_not_yours": {"en": "That issue is not one of yours.", "ru": "Это не ваша задача.",
                         "de": "Das ist nicht dein Ticket."},
    "update_unavailable": {"en": "Jira cannot be reached right now; please try again in a few minutes.",
                           "ru": "Jira сейчас недоступна; попробуйте через несколько минут.",
                           "de": "Jira ist gerade nicht erreichbar; versuch es in ein paar Minuten noch einmal."},
    # Was it solved?
    "feedback_ask": {
        "en": "✅ {key} · {summary} is resolved: {resolution}.{comment}\n\nWas the customer's problem solved?",
        "ru": "✅ {key} · {summary} решена: {resolution}.{comment}\n\nПроблема клиента решена?",
        "de": "✅ {key} · {summary} ist erledigt: {resolution}.{comment}\n\nIst das Problem des Kunden gelöst?",
    },
    "feedback_comment": {"en": "\n💬 {name}: {text}", "ru": "\n💬 {name}: {text}", "de": "\n💬 {name}: {text}"},
    "feedback_yes": {"en": "👍 Solved", "ru": "👍 Решено", "de": "👍 Gelöst"},
    "feedback_no": {"en": "👎 Not solved", "ru": "👎 Не решено", "de": "👎 Nicht gelöst"},
    "feedback_answered_yes": {"en": "Your answer: 👍 solved.", "ru": "Ваш ответ: 👍 решено.",
                              "de": "Deine Antwort: 👍 gelöst."},
    "feedback_answered_no": {"en": "Your answer: 👎 not solved.", "ru": "Ваш ответ: 👎 не решено.",
                             "de": "Deine Antwort: 👎 nicht gelöst."},
    "feedback_thanks": {"en": "👍 Thanks, noted as solved.", "ru": "👍 Спасибо, отмечено как решённое.",
                        "de": "👍 Danke, als gelöst vermerkt."},
    "feedback_unsolved": {
        "en": "👎 Noted: I'm telling the engineers on {key}. Write one sentence on what is still wrong and I'll add "
              "it to the issue.",
        "ru": "👎 Понятно: сообщаю инженерам в {key}. Напишите одним предложением, что ещё не так, — я добавлю это "
              "в задачу.",
        "de": "👎 Verstanden: ich sage es den Entwicklern in {key}. Schreib in einem Satz, was noch nicht stimmt, "
              "dann füge ich es zum Ticket hinzu.",
    },
    "feedback_stale": {"en": "This question is already answered.", "ru": "На этот вопрос уже ответили.",
                       "de": "Diese Frage ist schon beantwortet."},
    "feedback_not_yours": {"en": "Only the person who filed this request can answer that.",
                           "ru": "Ответить может только автор запроса.",
                           "de": "Das kann nur beantworten, wer die Anfrage gestellt hat."},
    "feedback_jira_unsolved": {"en": "👎 The customer's problem is not solved yet.",
                               "ru": "👎 Проблема клиента пока не решена.",
                               "de": "👎 Das Problem des Kunden ist noch nicht gelöst."},
    # The admin page's dashboard.
    "page_expect_deadlines": {"en": "Deadlines kept, per template", "ru": "Соблюдённые сроки, по шаблонам",
                              "de": "Eingehaltene Termine, nach Vorlage"},
    "page_expect_solved_template": {"en": "“Was it solved?”, per template", "ru": "«Решено?», по шаблонам",
                                    "de": "„Gelöst?“, nach Vorlage"},
    "page_expect_solved_month": {"en": "“Was it solved?”, per month", "ru": "«Решено?», по месяцам",
                                 "de": "„Gelöst?“, nach Monat"},
    "page_expect_template": {"en": "Template", "ru": "Шаблон", "de": "Vorlage"},
    "page_expect_month": {"en": "Month", "ru": "Месяц", "de": "Monat"},
    "page_expect_kept": {"en": "Kept", "ru": "Соблюдено", "de": "Eingehalten"},
    "page_expect_solved": {"en": "Solved", "ru": "Решено", "de": "Gelöst"},
    "page_expect_share": {"en": "Share", "ru": "Доля", "de": "Anteil"},
    "page_expect_of": {"en": "{good} of {total}", "ru": "{good} из {total}", "de": "{good} von {total}"},
}
