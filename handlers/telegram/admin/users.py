"""The people journey for admins: /users lists everyone, a card per person changes their role or access."""

from __future__ import annotations

import html

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.people.access import REVOKED, Person
from bot.people.access_requests import AccessRequests
from bot.people.roles import ago, give_role
from bot.storage.store import StoredDraft
from bot.text.dates import format_moment
from bot.text.screen import clip
from handlers.telegram import menus
from handlers.telegram.callbacks import ACCESS, USER, USERS_PAGE, AccessVerdict, UserAction, UsersPage, UserTap
from handlers.telegram.common import (
    acknowledge,
    admins_only,
    drop_buttons,
    language,
    language_of,
    main_keyboard,
    page_row,
    replace,
    send,
    services,
    tapped,
)

PAGE = 10
# Strangers waiting for a decision get a button each on the first page; more would crowd out the people.
PENDING_SHOWN = 5
_ICONS = {"admin": "👑", "lead": "🎖", "sales": "💼", REVOKED: "🚫", None: "❔"}
# What each card button asks for: the role it gives.
_TARGET_ROLE = {"admin": "admin", "lead": "lead", "sales": "sales", "revoke": REVOKED, "restore": "sales"}


def _role_name(role: str | None, lang: str) -> str:
    """Return a role's name in the admin's language."""
    return t(f"role_{role or 'none'}", lang)


def _seen(svc: App, person: Person, lang: str) -> str:
    """Say when the person last wrote to the bot."""
    if person.last_seen is None:
        return t("users_never", lang)
    return t("users_seen", lang, when=ago(svc.clock() - person.last_seen, lang))


def _line(svc: App, person: Person, lang: str) -> str:
    """Return one person's line in the list: icon, name, role, last activity, requests."""
    text = t("users_line", lang, icon=_ICONS.get(person.role, "❔"), name=clip(person.label, 48),
             role=_role_name(person.role, lang), seen=_seen(svc, person, lang), count=person.requests)
    return html.escape(text)


def users_page(svc: App, lang: str, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """Return one page of the people list with a button per person, and requests waiting on page one."""
    people = svc.access.people()
    pages = max(1, (len(people) + PAGE - 1) // PAGE)
    page = max(0, min(page, pages - 1))
    shown = people[page * PAGE:(page + 1) * PAGE]
    lines = [html.escape(t("users_title", lang, first=page * PAGE + 1 if shown else 0,
                           last=page * PAGE + len(shown), total=len(people)))]
    pending = AccessRequests(svc.store).pending()
    if pending:
        lines.append(html.escape(t("users_pending", lang, count=len(pending))))
    lines += ["", *(_line(svc, person, lang) for person in shown)]
    rows: list[list[InlineKeyboardButton]] = []
    if page == 0:
        rows += [[InlineKeyboardButton(t("users_pending_button", lang, name=clip(request.label, 40)),
                                       callback_data=ACCESS.data(AccessVerdict("show", request.user_id)))]
                 for request in pending[:PENDING_SHOWN]]
    buttons = [InlineKeyboardButton(f"{_ICONS.get(person.role, '❔')} {clip(person.name or person.label, 28)}",
                                    callback_data=USER.data(UserTap(person.id, "show", page))) for person in shown]
    rows += [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    navigation = page_row(page, pages, t("users_prev", lang), t("users_next", lang),
                          lambda to: USERS_PAGE.data(UsersPage(to)))
    if navigation:
        rows.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _card_buttons(person: Person, viewer_id: int, lang: str, page: int, confirm: bool
                  ) -> list[list[InlineKeyboardButton]]:
    """Return the card's buttons: the changes allowed on this person, then the way back to the list."""

    def button(key: str, action: UserAction) -> InlineKeyboardButton:
        """Return a card button that asks for action on this person."""
        return InlineKeyboardButton(t(key, lang), callback_data=USER.data(UserTap(person.id, action, page)))

    back = [InlineKeyboardButton(t("users_back", lang), callback_data=USERS_PAGE.data(UsersPage(page)))]
    if confirm:
        return [[button("users_confirm_revoke", "revoke"), button("users_keep", "show")], back]
    if person.bootstrap or person.id == viewer_id:
        return [back]
    actions = {
        "admin": [button("users_make_sales", "sales"), button("users_make_lead", "lead"),
                  button("users_revoke", "confirm")],
        "lead": [button("users_make_sales", "sales"), button("users_make_admin", "admin"),
                 button("users_revoke", "confirm")],
        "sales": [button("users_make_lead", "lead"), button("users_make_admin", "admin"),
                  button("users_revoke", "confirm")],
        REVOKED: [button("users_restore", "restore")],
    }.get(person.role or "", [button("users_make_sales", "sales"), button("users_make_admin", "admin")])
    return [actions, back]


def user_card(svc: App, person: Person, viewer_id: int, lang: str, page: int, *, notice: str | None = None,
              confirm: bool = False) -> tuple[str, InlineKeyboardMarkup]:
    """Return a person's card: who, role, activity, and the changes the viewing admin may make."""
    lines = [html.escape(notice), ""] if notice else []
    lines.append(f"{_ICONS.get(person.role, '❔')} <b>{html.escape(person.label)}</b>")
    details = [t("card_id", lang, user_id=person.id), t("card_role", lang, role=_role_name(person.role, lang))]
    seen = format_moment(person.last_seen, svc.config.timezone, lang) if person.last_seen is not None else None
    details.append(t("card_seen", lang, when=seen) if seen else t("users_never", lang))
    details.append(t("card_requests", lang, count=person.requests))
    if not person.reachable:
        details.append(t("card_blocked", lang))
    if person.bootstrap:
        details.append(t("card_bootstrap", lang))
    elif person.id == viewer_id:
        details.append(t("card_self", lang))
    if confirm:
        details += ["", t("card_confirm_revoke", lang, name=person.name or person.label)]
    lines += [html.escape(line) for line in details]
    return "\n".join(lines), InlineKeyboardMarkup(_card_buttons(person, viewer_id, lang, page, confirm))


@admins_only
async def users(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists everyone who uses the bot, for admins."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    text, markup = users_page(svc, lang, 0)
    await send(context.bot, chat.id, text, markup)


@admins_only
async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turns a page of the people list, in place."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    tap = await tapped(query, USERS_PAGE)
    if tap is None:
        return
    await acknowledge(query)
    text, markup = users_page(svc, lang, tap.page)
    await replace(context.bot, query.message.chat.id if query.message else user.id,
                  query.message.message_id if query.message else None, text, markup)


@admins_only
async def on_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Opens a person's card, or applies the role change its button asks for."""
    query, actor = update.callback_query, update.effective_user
    assert query is not None and actor is not None
    svc, lang = services(context), language(actor)
    tap = await tapped(query, USER)
    if tap is None:
        return
    chat_id = query.message.chat.id if query.message else actor.id
    message_id = query.message.message_id if query.message else None
    if tap.action in ("show", "confirm"):
        person = svc.access.person(tap.user_id)
        if person is None:
            await acknowledge(query, t("users_gone", lang), show_alert=True)
            return
        await acknowledge(query)
        text, markup = user_card(svc, person, actor.id, lang, tap.page, confirm=tap.action == "confirm")
        await replace(context.bot, chat_id, message_id, text, markup)
        return
    role = _TARGET_ROLE[tap.action]
    change = give_role(svc.access, tap.user_id, role, actor.id, actor.full_name)
    if change.before is None or change.after is None:
        await acknowledge(query, t("users_gone", lang), show_alert=True)
        return
    name = clip(change.before.name or change.before.label, 60)  # alerts hold at most 200 characters
    if change.refusal is not None:
        await acknowledge(query, t(f"users_refused_{change.refusal}", lang, name=name), show_alert=True)
        notice = None
    else:
        await acknowledge(query)
        await tell_target(context.bot, svc, change.before, role, change.discarded)
        notice = t(f"users_done_{role}", lang, name=name)
    text, markup = user_card(svc, change.after, actor.id, lang, tap.page, notice=notice)
    await replace(context.bot, chat_id, message_id, text, markup)


async def tell_target(bot: Bot, svc: App, before: Person, role: str, draft: StoredDraft | None) -> bool:
    """Tell the person what an admin changed about them, in their language, and give them their role's menu.

    draft is the unfinished request a revoke discarded: its prompt loses its buttons. Say whether the message
    reached them.
    """
    if draft is not None:
        await drop_buttons(bot, draft.chat_id, draft.prompt_message_id)
    await menus.show_menu(bot, svc, before.id)
    chat_id = svc.store.user_chat(before.id)
    if chat_id is None:
        return False
    lang = language_of(svc, before.id)
    if role == REVOKED:
        text = t("access_revoked", lang) + ("\n\n" + t("revoked_draft_dropped", lang) if draft else "")
        # The New request keyboard would only lead to refusals now.
        try:
            return await send(bot, chat_id, html.escape(text), ReplyKeyboardRemove()) is not None
        except TelegramError:
            return False
    if role == "admin":
        text, markup = t("role_now_admin", lang) + "\n\n" + t("access_admin_extra", lang), None
    elif role == "lead":
        text, markup = t("role_now_lead", lang), None if before.role in ("sales", "admin") else main_keyboard(lang)
    elif before.role == "lead":
        text, markup = t("role_lead_to_sales", lang), None
    elif before.role == "admin":
        text, markup = t("role_now_sales", lang), None
    else:
        text, markup = t("role_restored", lang), main_keyboard(lang)
    return await send(bot, chat_id, html.escape(text), markup) is not None
