"""The account-linking journey: /link asks the admins to confirm a salesperson's Jira login, /link off undoes it."""

from __future__ import annotations

import html

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.jira.gateway import DeliveryError
from bot.people.links import MAX_LOGIN, UNLINK_WORDS, admins_to_ask, decide_link, request_link, unlink, who
from bot.storage.store import LinkRequest
from bot.text.screen import clip
from handlers.telegram.callbacks import LINK, LinkVerdict
from handlers.telegram.common import (
    acknowledge,
    admins_only,
    edit,
    language,
    language_of,
    send,
    services,
    tapped,
)

# How much of a login the salesperson's own answers repeat.
SHOWN_LOGIN = 100


async def link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Asks the admins to confirm the Jira login named after /link; bare /link tells where things stand."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    login = " ".join(context.args or []).strip()
    if login.casefold() in UNLINK_WORDS:
        await _unlink(context.bot, svc, chat.id, user.id, user.full_name, user.username, lang)
        return
    current = svc.store.jira_user_of(user.id)
    # Asking for the login they already file as only tells them so.
    already = current is not None and current.casefold() == login.casefold()
    if not login or len(login) > MAX_LOGIN or already:
        await send(context.bot, chat.id, html.escape(_status(svc, user.id, lang)))
        return
    try:
        asked = await request_link(svc.store, svc.gateway, user.id, chat.id, user.username, user.full_name, login)
    except DeliveryError:
        await send(context.bot, chat.id, html.escape(t("link_unavailable", lang)))
        return
    if asked.replaced is not None:
        await settle(context.bot, svc, asked.replaced)
    request = await _tell_admins(context.bot, svc, asked.request)
    if request.state != "pending":
        # An admin decided while the others were still being told: their copies must show it too.
        await settle(context.bot, svc, request)
    # The same answer whatever Jira said: the salesperson learns nothing about who is in Jira.
    key = "link_asked" if request.admin_messages else "link_asked_nobody"
    await send(context.bot, chat.id, html.escape(t(key, lang, login=clip(login, SHOWN_LOGIN))))


def _status(svc: App, user_id: int, lang: str) -> str:
    """Return how to use /link, after the user's current link and pending request."""
    lines = []
    current = svc.store.jira_user_of(user_id)
    if current is not None:
        lines.append(t("link_status_linked", lang, login=clip(current, SHOWN_LOGIN)))
    pending = svc.store.pending_link_request(user_id)
    if pending is not None:
        lines.append(t("link_status_pending", lang, login=clip(pending.query, SHOWN_LOGIN)))
    return "\n\n".join([*lines, t("link_usage", lang)])


async def _unlink(bot: Bot, svc: App, chat_id: int, user_id: int, name: str, username: str | None,
                  lang: str) -> None:
    """Stop filing as the linked Jira user, withdraw a pending request, and say what was undone."""
    undone = unlink(svc.store, user_id, name, username)
    if undone.withdrawn is not None:
        await settle(bot, svc, undone.withdrawn)
    if undone.login is not None:
        text = t("link_removed", lang, login=clip(undone.login, SHOWN_LOGIN))
    elif undone.withdrawn is not None:
        text = t("link_withdrawn", lang, login=clip(undone.withdrawn.query, SHOWN_LOGIN))
    else:
        text = t("link_not_linked", lang)
    await send(bot, chat_id, html.escape(text))


def _decider(svc: App, admin_id: int) -> str:
    """Return the name of the admin who decided, as the other admins know them."""
    person = svc.access.person(admin_id)
    return (person.name or person.label) if person else str(admin_id)


def _card(svc: App, request: LinkRequest, lang: str) -> str:
    """Return an admin's view of a link request, with the outcome once it is decided."""
    jira = request.jira_name or t("link_card_not_found", lang)
    lines = [t("link_card", lang, who=who(request), login=request.query, jira=jira)]
    if request.state == "pending":
        lines.append(t("link_card_hint" if request.jira_name is not None else "link_card_unmatched", lang))
    elif request.state in ("confirmed", "declined") and request.decided_by is not None:
        lines.append(t(f"link_outcome_{request.state}", lang, admin=_decider(svc, request.decided_by)))
    elif request.state in ("replaced", "withdrawn"):
        lines.append(t(f"link_outcome_{request.state}", lang))
    return html.escape("\n\n".join(lines))


def _markup(request: LinkRequest, lang: str) -> InlineKeyboardMarkup | None:
    """Return Confirm (only for an exact match in Jira) and Decline for a pending request."""
    if request.state != "pending":
        return None
    buttons = [InlineKeyboardButton(t("link_decline", lang), callback_data=LINK.data(LinkVerdict(False, request.id)))]
    if request.jira_name is not None:
        buttons.insert(0, InlineKeyboardButton(t("link_confirm", lang),
                                               callback_data=LINK.data(LinkVerdict(True, request.id))))
    return InlineKeyboardMarkup([buttons])


async def _tell_admins(bot: Bot, svc: App, request: LinkRequest) -> LinkRequest:
    """Show the request to every admin who decides it and has no copy yet; return it as it now stands."""
    shown = {chat for chat, _ in request.admin_messages}
    sent: list[tuple[int, int]] = []
    for chat_id in admins_to_ask(svc.access, request):
        if chat_id in shown:
            continue
        lang = language_of(svc, chat_id)
        message_id = await send(bot, chat_id, _card(svc, request, lang), _markup(request, lang))
        if message_id is not None:
            sent.append((chat_id, message_id))
    if not sent:
        return request
    return svc.store.add_link_request_messages(request.id, sent) or request


async def settle(bot: Bot, svc: App, request: LinkRequest) -> None:
    """Show the outcome on every admin's copy of the request."""
    for chat_id, message_id in request.admin_messages:
        await edit(bot, chat_id, message_id, _card(svc, request, language_of(svc, chat_id)), None)


async def _tell_requester(bot: Bot, svc: App, request: LinkRequest) -> None:
    """Tell the salesperson how the admins decided, in their language."""
    lang = language_of(svc, request.user_id)
    if request.state == "confirmed":
        text = t("link_confirmed", lang, name=request.jira_name or request.query)
    else:
        text = t("link_declined", lang, login=clip(request.query, SHOWN_LOGIN))
    await send(bot, request.chat_id, html.escape(text))


@admins_only
async def on_decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Applies an admin's Confirm / Decline; a tap that cannot apply learns why, and changes nothing."""
    query, actor = update.callback_query, update.effective_user
    assert query is not None and actor is not None
    tap = await tapped(query, LINK)
    if tap is None:
        return
    svc, lang = services(context), language(actor)
    try:
        decision = decide_link(svc.access, svc.store, tap.request_id, tap.confirm, actor.id, actor.full_name)
    except PermissionError:
        await acknowledge(query, t("admins_only", lang), show_alert=True)
        return
    request, message = decision.request, query.message
    if decision.refusal is None and request is not None:
        await acknowledge(query)
        await settle(context.bot, svc, request)
        await _tell_requester(context.bot, svc, request)
        return
    if decision.refusal == "decided" and request is not None and request.decided_by is not None:
        # Alerts hold at most 200 characters.
        alert = t("access_already", lang, admin=clip(_decider(svc, request.decided_by), 60))
    else:
        alert = t({"unmatched": "link_unmatched", "self": "link_self"}.get(decision.refusal or "", "access_gone"), lang)
    await acknowledge(query, alert, show_alert=True)
    # Only a copy of this very request is brought up to date: forged data must not touch any other message.
    if (message is not None and request is not None and request.state != "pending"
            and (message.chat.id, message.message_id) in request.admin_messages):
        await edit(context.bot, message.chat.id, message.message_id, _card(svc, request, lang), None)
