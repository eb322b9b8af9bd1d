"""The bot's texts about users, roles, invites and access requests, in every supported language."""

from __future__ import annotations

from bot.i18n.plural import Catalog

TEXTS: Catalog = {
    # Roles, as admins and users read them.
    "role_sales": {"en": "salesperson", "ru": "продавец", "de": "Vertrieb"},
    "role_admin": {"en": "admin", "ru": "администратор", "de": "Admin"},
    "role_revoked": {"en": "access revoked", "ru": "доступ отозван", "de": "Zugang entzogen"},
    "role_none": {"en": "no access", "ru": "нет доступа", "de": "kein Zugang"},
    "ago_now": {"en": "just now", "ru": "только что", "de": "gerade eben"},
    "ago_minutes": {"en": "{count} min ago", "ru": "{count} мин назад", "de": "vor {count} Min."},
    "ago_hours": {"en": "{count} h ago", "ru": "{count} ч назад", "de": "vor {count} Std."},
    "ago_days": {"en": "{count} d ago", "ru": "{count} дн. назад",
                 "de": {"one": "vor {count} Tag", "other": "vor {count} Tagen"}},
    # Strangers and asking for access.
    "access_unknown": {
        "en": "Sorry, this bot files requests for our sales team only, and you are not on its list yet.\n\n"
        "Tap “🙋 Ask for access” and I'll ask the admins for you. Your Telegram id is {user_id}.",
        "ru": "Извините, этот бот принимает запросы только от отдела продаж, а вас пока нет в списке.\n\n"
        "Нажмите «🙋 Запросить доступ» — я передам просьбу администраторам. Ваш Telegram id: {user_id}.",
        "de": "Entschuldigung, dieser Bot nimmt nur Anfragen des Vertriebsteams an, und du stehst noch nicht auf "
        "der Liste.\n\nTippe auf „🙋 Zugang anfragen“, dann frage ich die Admins für dich. Deine Telegram-ID ist "
        "{user_id}.",
    },
    "access_ask_button": {"en": "🙋 Ask for access", "ru": "🙋 Запросить доступ", "de": "🙋 Zugang anfragen"},
    "access_asked": {
        "en": "✅ Your request went to the admins. I'll message you here as soon as one of them decides.",
        "ru": "✅ Запрос отправлен администраторам. Я напишу вам здесь, как только кто-то из них решит.",
        "de": "✅ Deine Anfrage ist bei den Admins. Ich melde mich hier, sobald einer von ihnen entschieden hat.",
    },
    "access_asked_nobody": {
        "en": "Your request is saved, but I can't reach any admin right now. They will see it in their list of "
        "users, and I'll message you here once one of them decides.",
        "ru": "Запрос сохранён, но сейчас я не могу связаться ни с одним администратором. Они увидят его в списке "
        "пользователей, а я напишу вам здесь, когда решение будет принято.",
        "de": "Deine Anfrage ist gespeichert, aber ich erreiche gerade keinen Admin. Die Admins sehen sie in "
        "ihrer Benutzerliste, und ich melde mich hier, sobald einer entschieden hat.",
    },
    "access_waiting": {
        "en": "⏳ Your request for access is waiting for an admin. I'll message you here as soon as one decides.",
        "ru": "⏳ Ваш запрос на доступ ждёт администратора. Я напишу вам здесь, как только он решит.",
        "de": "⏳ Deine Zugangsanfrage wartet auf einen Admin. Ich melde mich hier, sobald einer entschieden hat.",
    },
    "access_denied": {
        "en": "Sorry, an admin declined your request for access. If you think that is a mistake, talk to your "
        "manager; you can ask again after {date}.",
        "ru": "К сожалению, администратор отклонил ваш запрос на доступ. Если это ошибка, обратитесь к "
        "руководителю; снова запросить доступ можно после {date}.",
        "de": "Leider hat ein Admin deine Zugangsanfrage abgelehnt. Wenn das ein Irrtum ist, sprich mit deiner "
        "Führungskraft; du kannst nach {date} erneut anfragen.",
    },
    "access_denied_wait": {
        "en": "An admin declined your request for access. You can ask again after {date}.",
        "ru": "Администратор отклонил ваш запрос на доступ. Снова запросить доступ можно после {date}.",
        "de": "Ein Admin hat deine Zugangsanfrage abgelehnt. Du kannst nach {date} erneut anfragen.",
    },
    "access_approved": {
        "en": "✅ Welcome, {name}! An admin gave you access.\n\nTap “📝 New request” or send /new to file a "
        "request; /help shows everything I can do.",
        "ru": "✅ Добро пожаловать, {name}! Администратор открыл вам доступ.\n\nНажмите «📝 Новый запрос» или "
        "отправьте /new, чтобы оформить запрос; /help — всё, что я умею.",
        "de": "✅ Willkommen, {name}! Ein Admin hat dir Zugang gegeben.\n\nTippe auf „📝 Neue Anfrage“ oder sende "
        "/new, um eine Anfrage zu stellen; /help zeigt alles, was ich kann.",
    },
    "access_admin_extra": {
        "en": "As an admin you also have /users (people and their access) and /invite (one-time invite links).",
        "ru": "Как администратору вам также доступны /users (пользователи и их доступ) и /invite (одноразовые "
        "приглашения).",
        "de": "Als Admin hast du außerdem /users (Personen und ihr Zugang) und /invite (einmalige "
        "Einladungslinks).",
    },
    "access_have_it": {"en": "You already have access.", "ru": "У вас уже есть доступ.",
                       "de": "Du hast bereits Zugang."},
    "access_revoked": {
        "en": "🚫 Your access to this bot was revoked by an admin. If you think that is a mistake, please talk "
        "to an admin.",
        "ru": "🚫 Администратор отозвал ваш доступ к этому боту. Если это ошибка, обратитесь к администратору.",
        "de": "🚫 Ein Admin hat dir den Zugang zu diesem Bot entzogen. Wenn das ein Irrtum ist, sprich bitte mit "
        "einem Admin.",
    },
    "revoked_draft_dropped": {
        "en": "Your unfinished request was discarded.",
        "ru": "Ваш незаконченный запрос удалён.",
        "de": "Deine angefangene Anfrage wurde verworfen.",
    },
    # The admins' side of a request for access.
    "access_request_card": {
        "en": "🙋 {who} asks for access to the bot.\nTelegram id: {user_id} · language: {lang}",
        "ru": "🙋 {who} просит доступ к боту.\nTelegram id: {user_id} · язык: {lang}",
        "de": "🙋 {who} bittet um Zugang zum Bot.\nTelegram-ID: {user_id} · Sprache: {lang}",
    },
    "access_approve": {"en": "✅ Approve", "ru": "✅ Одобрить", "de": "✅ Freigeben"},
    "access_approve_admin": {"en": "👑 Approve as admin", "ru": "👑 Одобрить как админа",
                             "de": "👑 Als Admin freigeben"},
    "access_deny": {"en": "⛔ Deny", "ru": "⛔ Отклонить", "de": "⛔ Ablehnen"},
    "access_outcome_sales": {"en": "✅ Approved as salesperson by {admin}.",
                             "ru": "✅ Одобрено ({admin}): продавец.",
                             "de": "✅ Von {admin} als Vertrieb freigegeben."},
    "access_outcome_admin": {"en": "👑 Approved as admin by {admin}.",
                             "ru": "👑 Одобрено ({admin}): администратор.",
                             "de": "👑 Von {admin} als Admin freigegeben."},
    "access_outcome_denied": {"en": "⛔ Denied by {admin}.", "ru": "⛔ Отклонено ({admin}).",
                              "de": "⛔ Von {admin} abgelehnt."},
    "access_already": {"en": "Already decided by {admin}.", "ru": "Уже решено: {admin}.",
                       "de": "Bereits entschieden von {admin}."},
    "access_gone": {"en": "This request is no longer open.", "ru": "Этот запрос уже закрыт.",
                    "de": "Diese Anfrage ist nicht mehr offen."},
    # Invites.
    "invite_usage": {
        "en": "Usage: /invite [role] [validity]\n• role: sales (default) or admin\n• validity: e.g. 30m, 12h, 3d, "
        "2w; 7 days if left out, at most 90 days\n\nExamples: /invite · /invite sales 3d · /invite admin 12h",
        "ru": "Формат: /invite [роль] [срок]\n• роль: sales / продавец (по умолчанию) или admin / админ\n• срок: "
        "например 30m, 12h, 3d, 2w; без него — 7 дней, не больше 90 дней\n\nПримеры: /invite · /invite sales 3d "
        "· /invite админ 12h",
        "de": "So geht's: /invite [Rolle] [Gültigkeit]\n• Rolle: sales / Vertrieb (Standard) oder admin\n• "
        "Gültigkeit: z. B. 30m, 12h, 3d, 2w; ohne Angabe 7 Tage, höchstens 90 Tage\n\nBeispiele: /invite · "
        "/invite vertrieb 3d · /invite admin 12h",
    },
    "invite_made": {
        "en": "🎟 One-time invite for a new {role}, valid until {date}:\n\n{link}\n\nSend this link to the "
        "person; the first one to open it gets access.",
        "ru": "🎟 Одноразовое приглашение (роль: {role}), действует до {date}:\n\n{link}\n\nОтправьте ссылку "
        "человеку: доступ получит тот, кто первым её откроет.",
        "de": "🎟 Einmalige Einladung (Rolle: {role}), gültig bis {date}:\n\n{link}\n\nSchick den Link an die "
        "Person; wer ihn zuerst öffnet, bekommt Zugang.",
    },
    "invite_withdraw": {"en": "✖️ Withdraw this invite", "ru": "✖️ Отозвать приглашение",
                        "de": "✖️ Einladung zurückziehen"},
    "invite_withdrawn": {"en": "🎟 Invite withdrawn: the link no longer works.",
                         "ru": "🎟 Приглашение отозвано: ссылка больше не работает.",
                         "de": "🎟 Einladung zurückgezogen: der Link funktioniert nicht mehr."},
    "invite_not_withdrawn": {"en": "This invite was already used or withdrawn.",
                             "ru": "Это приглашение уже использовано или отозвано.",
                             "de": "Diese Einladung wurde schon benutzt oder zurückgezogen."},
    "invite_welcome": {
        "en": "✅ Welcome, {name}! The invite worked: you can use the bot now.\n\nTap “📝 New request” or send "
        "/new to file a request; /help shows everything I can do.",
        "ru": "✅ Добро пожаловать, {name}! Приглашение сработало: теперь вы можете пользоваться ботом.\n\n"
        "Нажмите «📝 Новый запрос» или отправьте /new, чтобы оформить запрос; /help — всё, что я умею.",
        "de": "✅ Willkommen, {name}! Die Einladung hat funktioniert: du kannst den Bot jetzt nutzen.\n\nTippe "
        "auf „📝 Neue Anfrage“ oder sende /new, um eine Anfrage zu stellen; /help zeigt alles, was ich kann.",
    },
    "invite_used_note": {"en": "🎟 {who} joined with your invite as {role}.",
                         "ru": "🎟 {who} присоединился(-ась) по вашему приглашению (роль: {role}).",
                         "de": "🎟 {who} ist über deine Einladung beigetreten (Rolle: {role})."},
    "invite_unknown": {
        "en": "This invite link is not valid. Please check that you opened the whole link, or ask for a new one.",
        "ru": "Эта ссылка-приглашение недействительна. Проверьте, что открыли её целиком, или попросите новую.",
        "de": "Dieser Einladungslink ist ungültig. Prüf bitte, ob du den ganzen Link geöffnet hast, oder bitte um "
        "einen neuen.",
    },
    "invite_used": {"en": "This invite link was already used. Please ask the admin for a new one.",
                    "ru": "Эта ссылка-приглашение уже использована. Попросите у администратора новую.",
                    "de": "Dieser Einladungslink wurde schon benutzt. Bitte den Admin um einen neuen."},
    "invite_expired": {"en": "This invite link has expired. Please ask the admin for a new one.",
                       "ru": "Срок действия ссылки-приглашения истёк. Попросите у администратора новую.",
                       "de": "Dieser Einladungslink ist abgelaufen. Bitte den Admin um einen neuen."},
    "invite_member": {
        "en": "You already have access, so the invite stays unused for the person it is meant for.",
        "ru": "У вас уже есть доступ, поэтому приглашение осталось неиспользованным — для того, кому оно "
        "предназначено.",
        "de": "Du hast schon Zugang, also bleibt die Einladung unbenutzt für die Person, für die sie gedacht ist.",
    },
    # /users: the list and a person's card.
    "users_title": {"en": "👥 People ({first}–{last} of {total})", "ru": "👥 Пользователи ({first}–{last} из {total})",
                    "de": "👥 Personen ({first}–{last} von {total})"},
    "users_pending": {"en": "🙋 Asking for access: {count}. Tap a name below to decide.",
                      "ru": "🙋 Просят доступ: {count}. Нажмите на имя ниже, чтобы решить.",
                      "de": "🙋 Bitten um Zugang: {count}. Tippe unten auf einen Namen, um zu entscheiden."},
    "users_pending_button": {"en": "🙋 {name}", "ru": "🙋 {name}", "de": "🙋 {name}"},
    "users_line": {"en": "{icon} {name} — {role}, {seen}, requests: {count}",
                   "ru": "{icon} {name} — {role}, {seen}, запросов: {count}",
                   "de": "{icon} {name} — {role}, {seen}, Anfragen: {count}"},
    "users_seen": {"en": "seen {when}", "ru": "был(а) {when}", "de": "zuletzt {when}"},
    "users_never": {"en": "never wrote to the bot", "ru": "ещё не писал(а) боту",
                    "de": "hat dem Bot noch nie geschrieben"},
    "users_prev": {"en": "◀️ Previous", "ru": "◀️ Назад", "de": "◀️ Zurück"},
    "users_next": {"en": "Next ▶️", "ru": "Дальше ▶️", "de": "Weiter ▶️"},
    "users_back": {"en": "⬅️ Back to the list", "ru": "⬅️ К списку", "de": "⬅️ Zurück zur Liste"},
    "users_gone": {"en": "This person is no longer known to the bot.", "ru": "Этот пользователь боту больше не "
                   "известен.", "de": "Diese Person kennt der Bot nicht mehr."},
    "card_id": {"en": "Telegram id: {user_id}", "ru": "Telegram id: {user_id}", "de": "Telegram-ID: {user_id}"},
    "card_role": {"en": "Role: {role}", "ru": "Роль: {role}", "de": "Rolle: {role}"},
    "card_seen": {"en": "Last active: {when}", "ru": "Последняя активность: {when}", "de": "Zuletzt aktiv: {when}"},
    "card_requests": {"en": "Requests filed: {count}", "ru": "Создано запросов: {count}",
                      "de": "Gestellte Anfragen: {count}"},
    "card_blocked": {"en": "⚠️ Has blocked the bot: messages do not reach them.",
                     "ru": "⚠️ Заблокировал(а) бота: сообщения не доходят.",
                     "de": "⚠️ Hat den Bot blockiert: Nachrichten kommen nicht an."},
    "card_bootstrap": {
        "en": "🔒 An admin listed in the bot's config file: this can only be changed there, not from Telegram.",
        "ru": "🔒 Администратор из файла конфигурации бота: изменить это можно только там, а не в Telegram.",
        "de": "🔒 Ein Admin aus der Konfigurationsdatei des Bots: das lässt sich nur dort ändern, nicht in "
        "Telegram.",
    },
    "card_self": {"en": "ℹ️ This is you. Another admin can change your role.",
                  "ru": "ℹ️ Это вы. Изменить вашу роль может другой администратор.",
                  "de": "ℹ️ Das bist du. Deine Rolle kann ein anderer Admin ändern."},
    "card_confirm_revoke": {
        "en": "Revoke access for {name}? They can no longer use the bot, and their unfinished request is "
        "discarded. You can restore access later.",
        "ru": "Отозвать доступ у пользователя {name}? Он(а) больше не сможет пользоваться ботом, а незаконченный "
        "запрос будет удалён. Доступ можно будет вернуть.",
        "de": "{name} den Zugang entziehen? Der Bot ist dann nicht mehr nutzbar, und eine angefangene Anfrage "
        "wird verworfen. Du kannst den Zugang später wiederherstellen.",
    },
    "users_make_admin": {"en": "👑 Make admin", "ru": "👑 Сделать админом", "de": "👑 Zum Admin machen"},
    "users_make_sales": {"en": "💼 Make salesperson", "ru": "💼 Сделать продавцом", "de": "💼 Zu Vertrieb machen"},
    "users_revoke": {"en": "🚫 Revoke access", "ru": "🚫 Отозвать доступ", "de": "🚫 Zugang entziehen"},
    "users_confirm_revoke": {"en": "🚫 Yes, revoke", "ru": "🚫 Да, отозвать", "de": "🚫 Ja, entziehen"},
    "users_keep": {"en": "✖️ Keep access", "ru": "✖️ Оставить доступ", "de": "✖️ Zugang behalten"},
    "users_restore": {"en": "♻️ Restore access", "ru": "♻️ Вернуть доступ", "de": "♻️ Zugang wiederherstellen"},
    "users_done_admin": {"en": "✅ {name} is an admin now.", "ru": "✅ {name} теперь администратор.",
                         "de": "✅ {name} ist jetzt Admin."},
    "users_done_sales": {"en": "✅ {name} is a salesperson now.", "ru": "✅ {name} теперь продавец.",
                         "de": "✅ {name} ist jetzt im Vertrieb."},
    "users_done_revoked": {"en": "🚫 {name} no longer has access.", "ru": "🚫 У пользователя {name} больше нет "
                           "доступа.", "de": "🚫 {name} hat keinen Zugang mehr."},
    "users_refused_forbidden": {"en": "Only admins can change roles.", "ru": "Менять роли могут только "
                                "администраторы.", "de": "Nur Admins können Rollen ändern."},
    "users_refused_bootstrap": {
        "en": "{name} is an admin in the bot's config file; that can only be changed there.",
        "ru": "{name} — администратор из файла конфигурации; изменить это можно только там.",
        "de": "{name} ist Admin laut Konfigurationsdatei; das lässt sich nur dort ändern.",
    },
    "users_refused_self": {
        "en": "You can't demote or revoke yourself; another admin can.",
        "ru": "Нельзя понизить или отключить самого себя — это может сделать другой администратор.",
        "de": "Du kannst dich nicht selbst herabstufen oder sperren; das kann ein anderer Admin.",
    },
    "users_refused_last_admin": {
        "en": "{name} is the last admin; make someone else an admin first.",
        "ru": "{name} — последний администратор; сначала назначьте другого.",
        "de": "{name} ist der letzte Admin; mach zuerst jemand anderen zum Admin.",
    },
    "users_refused_unchanged": {"en": "{name} already has that role.", "ru": "У пользователя {name} уже эта роль.",
                                "de": "{name} hat diese Rolle schon."},
    # What a person hears when an admin changes their role.
    "role_now_admin": {"en": "👑 An admin made you an admin of this bot.",
                       "ru": "👑 Администратор назначил вас администратором этого бота.",
                       "de": "👑 Ein Admin hat dich zum Admin dieses Bots gemacht."},
    "role_now_sales": {"en": "An admin changed your role: you are a salesperson now, no longer an admin.",
                       "ru": "Администратор изменил вашу роль: теперь вы продавец, а не администратор.",
                       "de": "Ein Admin hat deine Rolle geändert: du bist jetzt im Vertrieb, nicht mehr Admin."},
    "role_restored": {
        "en": "✅ You have access to the bot again. Tap “📝 New request” or send /new to file a request.",
        "ru": "✅ Доступ к боту снова открыт. Нажмите «📝 Новый запрос» или отправьте /new.",
        "de": "✅ Du hast wieder Zugang zum Bot. Tippe auf „📝 Neue Anfrage“ oder sende /new.",
    },
}
