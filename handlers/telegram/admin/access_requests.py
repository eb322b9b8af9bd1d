"""The asking-for-access journey: a stranger taps Ask, every admin gets Approve/Deny, the first decision wins."""

from __future__ import annotations

import html

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.people.access_requests import AccessRequest, AccessRequests
from bot.people.roles import decide_request, granted_role
from bot.text.dates import format_moment
from bot.text.screen import clip
from handlers.telegram import menus
from handlers.telegram.callbacks import ACCESS, ASK_ACCESS, AccessVerdict, AskAccess
from handlers.telegram.common import (
    acknowledge,
    admins_only,
    drop_buttons,
    edit,
    language,
    language_of,
    main_keyboard,
    replace,
    send,
    services,
    tapped,
)


def ask_markup(lang: str) -> InlineKeyboardMarkup:
    """Return the stranger's "Ask for access" button."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("access_ask_button", lang),
                                                       callback_data=ASK_ACCESS.data(AskAccess()))]])


async def refuse(bot: Bot, svc: App, chat_id: int, user_id: int, lang: str) -> None:
    """Tell a stranger they have no access, and what they can do about it now."""
    found = AccessRequests(svc.store).get(user_id)
    if found is not None and found.state == "pending":
        await send(bot, chat_id, html.escape(t("access_waiting", lang)))
        return
    retry_at = found.retry_at() if found is not None else None
    if retry_at is not None and svc.clock() < retry_at:
        when = format_moment(retry_at, svc.config.timezone, lang)
        await send(bot, chat_id, html.escape(t("access_denied_wait", lang, date=when)))
        return
    await send(bot, chat_id, html.escape(t("access_unknown", lang, user_id=user_id)), ask_markup(lang))


def _card(svc: App, request: AccessRequest, lang: str) -> str:
    """Return an admin's view of a request, with the outcome once decided."""
    text = t("access_request_card", lang, who=request.label, user_id=request.user_id, lang=request.lang)
    if request.state == "pending" or request.decided_by is None:
        return html.escape(text)
    admin = _decider(svc, request.decided_by)
    if request.state == "denied":
        outcome = t("access_outcome_denied", lang, admin=admin)
    elif granted_role(svc.access, request) == "admin":
        outcome = t("access_outcome_admin", lang, admin=admin)
    else:
        outcome = t("access_outcome_sales", lang, admin=admin)
    return html.escape(f"{text}\n\n{outcome}")


def _decider(svc: App, admin_id: int) -> str:
    """Return the name of the admin who decided, as the other admins know them."""
    person = svc.access.person(admin_id)
    return (person.name or person.label) if person else str(admin_id)


def _decide_markup(user_id: int, lang: str) -> InlineKeyboardMarkup:
    """Return the Approve / Approve as admin / Deny buttons for a request."""
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t("access_approve", lang), callback_data=ACCESS.data(AccessVerdict("sales", user_id))),
         InlineKeyboardButton(t("access_approve_admin", lang),
                              callback_data=ACCESS.data(AccessVerdict("admin", user_id)))],
        [InlineKeyboardButton(t("access_deny", lang), callback_data=ACCESS.data(AccessVerdict("deny", user_id)))],
    ])


async def show_request(bot: Bot, svc: App, chat_id: int, request: AccessRequest) -> int | None:
    """Send one admin the request's card with its buttons; return the message id."""
    lang = language_of(svc, chat_id)
    markup = _decide_markup(request.user_id, lang) if request.state == "pending" else None
    return await send(bot, chat_id, _card(svc, request, lang), markup)


async def _tell_admins(bot: Bot, svc: App, request: AccessRequest) -> list[tuple[int, int]]:
    """Send every reachable admin the request; return the messages to edit once it is decided."""
    sent: list[tuple[int, int]] = []
    for chat_id in svc.access.admin_chats():
        message_id = await show_request(bot, svc, chat_id, request)
        if message_id is not None:
            sent.append((chat_id, message_id))
    return sent


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Records a stranger's request for access and puts it in front of every admin."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    message = query.message
    chat_id = message.chat.id if message is not None else user.id
    if svc.access.allowed(user.id, user.username):
        await acknowledge(query, t("access_have_it", lang))
        await drop_buttons(context.bot, chat_id, message.message_id if message else None)
        return
    requests = AccessRequests(svc.store)
    request, new = requests.ask(user.id, chat_id, user.username, user.full_name, lang)
    if not new:
        await acknowledge(query)
        await drop_buttons(context.bot, chat_id, message.message_id if message else None)
        await refuse(context.bot, svc, chat_id, user.id, lang)
        return
    await acknowledge(query)
    sent = await _tell_admins(context.bot, svc, request)
    requests.set_admin_messages(user.id, sent)
    latest = requests.get(user.id)
    if latest is not None and latest.state != "pending":
        # An admin decided while the others were still being told: their copies must show it too.
        await settle(context.bot, svc, latest)
    text = html.escape(t("access_asked" if sent else "access_asked_nobody", lang))
    await replace(context.bot, chat_id, message.message_id if message else None, text)


async def settle(bot: Bot, svc: App, request: AccessRequest) -> None:
    """Show the outcome on every admin's copy of the request."""
    for chat_id, message_id in request.admin_messages:
        await edit(bot, chat_id, message_id, _card(svc, request, language_of(svc, chat_id)), None)


async def tell_requester(bot: Bot, svc: App, request: AccessRequest) -> bool:
    """Tell the person who asked how it went, in their language; say whether the message reached them."""
    lang = request.lang
    if request.state == "denied":
        retry_at = request.retry_at() or svc.clock()
        text = t("access_denied", lang, date=format_moment(retry_at, svc.config.timezone, lang))
        return await send(bot, request.chat_id, html.escape(text)) is not None
    text = t("access_approved", lang, name=request.name or request.label)
    if granted_role(svc.access, request) == "admin":
        text += "\n\n" + t("access_admin_extra", lang)
        await menus.show_menu(bot, svc, request.user_id)
    return await send(bot, request.chat_id, html.escape(text), main_keyboard(lang)) is not None


@admins_only
async def on_decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Applies an admin's Approve / Approve as admin / Deny; a later tap learns who decided first."""
    query, actor = update.callback_query, update.effective_user
    assert query is not None and actor is not None
    svc, lang = services(context), language(actor)
    tap = await tapped(query, ACCESS)
    if tap is None:
        return
    requests = AccessRequests(svc.store)
    if tap.verdict == "show":
        await _show_again(context.bot, svc, query, actor.id, requests, tap.user_id, lang)
        return
    decision = decide_request(svc.access, requests, tap.user_id, tap.verdict, actor.id, actor.full_name)
    if decision.refusal == "forbidden":
        await acknowledge(query, t("admins_only", lang), show_alert=True)
        return
    if decision.refusal is not None or decision.request is None:
        await _already(context.bot, svc, update, decision.request, lang)
        return
    await acknowledge(query)
    # The tapped message may be a card sent by /users after the others: it is among admin_messages too.
    await settle(context.bot, svc, decision.request)
    await tell_requester(context.bot, svc, decision.request)


async def _already(bot: Bot, svc: App, update: Update, request: AccessRequest | None, lang: str) -> None:
    """Answer a tap on a request somebody else decided (or that is gone)."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if request is None or request.decided_by is None:
        await acknowledge(query, t("access_gone", lang), show_alert=True)
        if message is not None:
            await drop_buttons(bot, message.chat.id, message.message_id)
        return
    admin = clip(_decider(svc, request.decided_by), 60)  # alerts hold at most 200 characters
    await acknowledge(query, t("access_already", lang, admin=admin), show_alert=True)
    if message is not None:
        await edit(bot, message.chat.id, message.message_id, _card(svc, request, lang), None)


async def _show_again(bot: Bot, svc: App, query: CallbackQuery, admin_id: int, requests: AccessRequests,
                      target: int, lang: str) -> None:
    """Send the admin a fresh card for a pending request (from /users) and keep it in step with the others."""
    request = requests.get(target)
    if request is None or request.state != "pending":
        await acknowledge(query, t("access_gone", lang), show_alert=True)
        return
    await acknowledge(query)
    message_id = await show_request(bot, svc, admin_id, request)
    if message_id is not None:
        requests.add_admin_message(target, admin_id, message_id)
