"""The invite journey: /invite makes a one-time link, and opening it (/start <code>) registers the person."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n.catalog import t
from bot.people.invites import InviteError, Invites, invite_link, looks_like_code, parse_invite_args
from bot.people.roles import cancel_invite, create_invite, describe, redeem_invite
from bot.text.dates import format_moment
from handlers.telegram import menus
from handlers.telegram.admin.access_requests import ask_markup, settle
from handlers.telegram.callbacks import INVITE, WithdrawInvite
from handlers.telegram.common import (
    acknowledge,
    admins_only,
    drop_buttons,
    language,
    language_of,
    main_keyboard,
    replace,
    send,
    services,
    tapped,
)


@admins_only
async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Makes a one-time invite link: /invite [role] [validity], e.g. /invite admin 12h."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    try:
        role, ttl = parse_invite_args(list(context.args or []))
    except ValueError:
        await send(context.bot, chat.id, html.escape(t("invite_usage", lang)))
        return
    made = create_invite(svc.access, Invites(svc.store), role, user.id, user.full_name, ttl)
    expires = format_moment(made.expires_at, svc.config.timezone, lang)
    text = t("invite_made", lang, role=t(f"role_{role}", lang), date=expires,
             link=invite_link(context.bot.username, made.code))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("invite_withdraw", lang),
                                                         callback_data=INVITE.data(WithdrawInvite(made.code)))]])
    await send(context.bot, chat.id, html.escape(text), markup)


@admins_only
async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Withdraws an invite that nobody used yet."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    tap = await tapped(query, INVITE)
    if tap is None:
        return
    message = query.message
    if not cancel_invite(svc.access, Invites(svc.store), tap.code, user.id, user.full_name):
        await acknowledge(query, t("invite_not_withdrawn", lang), show_alert=True)
        if message is not None:
            await drop_buttons(context.bot, message.chat.id, message.message_id)
        return
    await acknowledge(query)
    text = html.escape(t("invite_withdrawn", lang))
    await replace(context.bot, message.chat.id if message else user.id, message.message_id if message else None, text)


async def redeem_from_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Handle "/start <invite code>" for anyone, known or not; say whether the message was such a link."""
    message, user, chat = update.message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return False
    words = message.text.split()
    if len(words) != 2 or words[0].split("@")[0] != "/start" or not looks_like_code(words[1]):
        return False
    svc, lang = services(context), language(user)
    try:
        made, settled = redeem_invite(svc.access, Invites(svc.store), words[1], user.id, user.full_name,
                                      user.username)
    except InviteError as error:
        await _refused(update, context, error.reason)
        return True
    svc.store.remember_user(user.id, chat.id, user.username, user.full_name, lang)
    if settled is not None:
        await settle(context.bot, svc, settled)
    text = t("invite_welcome", lang, name=user.first_name)
    if made.role == "admin":
        text += "\n\n" + t("access_admin_extra", lang)
        await menus.show_menu(context.bot, svc, user.id)
    await send(context.bot, chat.id, html.escape(text), main_keyboard(lang))
    if made.created_by is not None:
        creator_lang = language_of(svc, made.created_by)
        note = t("invite_used_note", creator_lang, who=describe(user.full_name, user.username, user.id),
                 role=t(f"role_{made.role}", creator_lang))
        chat_id = svc.store.user_chat(made.created_by)
        if chat_id is not None:
            await send(context.bot, chat_id, html.escape(note))
    return True


async def _refused(update: Update, context: ContextTypes.DEFAULT_TYPE, reason: str) -> None:
    """Explain why the link did not work; strangers may still ask for access."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    if reason == "revoked":
        await send(context.bot, chat.id, html.escape(t("access_revoked", lang)))
        return
    if svc.access.allowed(user.id, user.username):
        svc.store.remember_user(user.id, chat.id, user.username, user.full_name, lang)
        await send(context.bot, chat.id, html.escape(t(f"invite_{reason}", lang)), main_keyboard(lang))
        return
    await send(context.bot, chat.id, html.escape(t(f"invite_{reason}", lang)), ask_markup(lang))
