"""The team's group chats: a reply with /ticket, or a reaction, files a message in a private dialog with who asked.

In a group the bot says nothing unless someone with access asks it to: one line when the request is being written
("Anna is filing this as a request"), and the key once it is filed. Strangers are ignored without a word, so a team
chat is never cluttered with refusals.
"""

from __future__ import annotations

import functools
import html
import logging
import re

from telegram import (
    Bot,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.app import App
from bot.i18n.catalog import normalize_language, t
from bot.intake.group_ask import busy, file_group_message, may_file, voice_of
from bot.intake.speech import hear
from bot.logs import USER_ID
from bot.storage.store import GroupMessage
from handlers.telegram.common import (
    CURRENT_LANGUAGE,
    NO_PREVIEW,
    Handler,
    reporter,
    send,
    services,
)
from handlers.telegram.journeys.drafts import active_draft, attachment_of
from handlers.telegram.render import keyboard, prompt_text

log = logging.getLogger(__name__)
GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
# A /start parameter naming a group message: g<chat id>_<message id> (the chat id of a group is negative).
LINK = re.compile(r"^g(-?\d{1,20})_(\d{1,12})$")


def group_message_of(message: Message) -> GroupMessage:
    """Describe a group message as a request needs it: who wrote it in which group, its words and its file."""
    sender = message.from_user
    author = sender.full_name if sender is not None else message.sender_chat.title if message.sender_chat else None
    item = attachment_of(message)
    return GroupMessage(message.chat.id, message.message_id, message.chat.title or "", author or "?",
                        message.text or message.caption, (item.to_dict(),) if item else (),
                        sender.id if sender is not None else None)


def _language(svc: App, user: User) -> str:
    """Return the language to talk to this person in (their /lang choice first), and log and speak in it."""
    USER_ID.set(user.id)
    lang = svc.store.language_choice(user.id) or normalize_language(user.language_code)
    CURRENT_LANGUAGE.set((user.id, lang))
    return lang


async def _say_in_group(bot: Bot, message: GroupMessage, text: str, markup: InlineKeyboardMarkup | None = None
                        ) -> None:
    """Post one line in the group, as a reply to the message it is about; a group that removed the bot is let be."""
    try:
        await bot.send_message(message.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                               link_preview_options=NO_PREVIEW,
                               reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True))
    except TelegramError as error:
        log.info("group %s could not be told: %s", message.chat_id, error)


def link_of(bot: Bot, message: GroupMessage) -> str:
    """Return the deep link that opens the bot and files this group message."""
    return f"https://t.me/{bot.username}?start=g{message.chat_id}_{message.message_id}"


async def _ask_to_open_the_bot(bot: Bot, message: GroupMessage, user: User, lang: str) -> None:
    """Tell someone the bot cannot write to yet, in the group, how to let it: a button that opens it."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("group_open_bot_button", lang),
                                                         url=link_of(bot, message))]])
    await _say_in_group(bot, message, html.escape(t("group_open_bot", lang, name=user.first_name)), markup)


async def file(bot: Bot, svc: App, user: User, lang: str, message: GroupMessage, via: str) -> None:
    """Start the person's private request from the group message, and tell the group in one line."""
    stored = await active_draft(bot, svc, user.id)
    spoken = voice_of(message)
    # Only a request that can start is worth the wait for the speech server.
    heard = await hear(svc.speech, svc.files, spoken, None, lang) if spoken is not None and not busy(stored) else None
    ask = await file_group_message(svc, reporter(user), lang, message, stored, heard)
    svc.metrics.group_asks.labels(via, ask.kind).inc()
    if ask.kind == "empty":
        await _say_in_group(bot, message, html.escape(t("group_nothing_to_file", lang)))
        return
    if ask.kind == "busy":
        if await send(bot, user.id, html.escape(t("group_draft_open", lang, template=ask.busy_with))) is None:
            await _ask_to_open_the_bot(bot, message, user, lang)
        return
    assert ask.step is not None and ask.step.prompt is not None
    prompt = ask.step.prompt
    sent = await send(bot, user.id, prompt_text(prompt, ask.step.notice, lead=ask.step.lead), keyboard(prompt))
    if sent is None:
        # Telegram lets a bot write only to people who started it: the request waits behind the link instead.
        svc.store.delete_draft(user.id)
        svc.metrics.group_asks.labels(via, "not_started").inc()
        await _ask_to_open_the_bot(bot, message, user, lang)
        return
    # The replaced draft's prompt keeps its buttons, harmless: a tap on them is refused as an earlier step's.
    svc.store.set_prompt_message(user.id, sent)
    await _say_in_group(bot, message, html.escape(t("group_filing", lang, name=user.first_name)))


def group_only(handler: Handler) -> Handler:
    """Run a group chat handler and stop the update there: the journeys behind the gate are for private chats."""

    @functools.wraps(handler)
    async def stopping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await handler(update, context)
        raise ApplicationHandlerStop

    return stopping


@group_only
async def on_ticket(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Files the message a /ticket in a group replies to, for someone with access; strangers hear nothing."""
    user, message = update.effective_user, update.effective_message
    svc = services(context)
    if user is None or message is None or not may_file(svc, user.id, user.username):
        svc.metrics.group_asks.labels("command", "stranger").inc()
        log.info("a /ticket in group %s from someone without access is ignored", message.chat.id if message else "?")
        return
    lang = _language(svc, user)
    target = message.reply_to_message
    if target is None or target.forum_topic_created is not None:
        # In a forum a message that replies to nothing still points at its topic's first message.
        await _say_in_group(context.bot, group_message_of(message), html.escape(t("group_reply_needed", lang)))
        return
    found = group_message_of(target)
    # Kept for the link a person the bot cannot write to yet gets, whether or not reactions are on.
    svc.store.remember_group_message(found, keep_seconds=svc.config.groups.remember_hours * 3600)
    await file(context.bot, svc, user, lang, found, "command")


@group_only
async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keeps a group message for a while when reactions may file it (a reaction carries only the message's id)."""
    message, svc = update.effective_message, services(context)
    if message is not None and svc.config.groups.reactions and message.chat.type in GROUPS:
        found = group_message_of(message)
        if found.text or found.files:
            svc.store.remember_group_message(found, keep_seconds=svc.config.groups.remember_hours * 3600)


async def _is_ticket(bot: Bot, added: list[ReactionType], wanted: str) -> bool:
    """Say whether one of the added reactions is the configured one (a custom emoji counts by the emoji it shows)."""
    plain = wanted.replace("\ufe0f", "")
    if any(isinstance(r, ReactionTypeEmoji) and r.emoji.replace("\ufe0f", "") == plain for r in added):
        return True
    custom = [r.custom_emoji_id for r in added if isinstance(r, ReactionTypeCustomEmoji)]
    if not custom:
        return False
    try:
        stickers = await bot.get_custom_emoji_stickers(custom)
    except TelegramError as error:
        log.info("custom reactions could not be looked up: %s", error)
        return False
    return any((s.emoji or "").replace("\ufe0f", "") == plain for s in stickers)


@group_only
async def on_reaction(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Files the message someone with access reacted to with the configured reaction."""
    change, svc = update.message_reaction, services(context)
    if change is None or change.user is None or change.chat.type not in GROUPS or not svc.config.groups.reactions:
        return
    added = [r for r in change.new_reaction if r not in change.old_reaction]
    if not added or not await _is_ticket(context.bot, added, svc.config.groups.reaction):
        return
    user = change.user
    if not may_file(svc, user.id, user.username):
        svc.metrics.group_asks.labels("reaction", "stranger").inc()
        log.info("a reaction in group %s from someone without access is ignored", change.chat.id)
        return
    lang = _language(svc, user)
    found = svc.store.group_message(change.chat.id, change.message_id)
    if found is None:
        svc.metrics.group_asks.labels("reaction", "unseen").inc()
        await send(context.bot, user.id, html.escape(t("group_reaction_unseen", lang, group=change.chat.title or "")))
        return
    await file(context.bot, svc, user, lang, found, "reaction")


def link_target(argument: str) -> tuple[int, int] | None:
    """Return the group chat and message a /start parameter names, if it names one."""
    match = LINK.match(argument)
    return (int(match[1]), int(match[2])) if match else None


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> None:
    """Files the group message a deep link names, for someone who opened the bot from the group to do so."""
    user, svc = update.effective_user, services(context)
    assert user is not None
    lang = _language(svc, user)
    found = svc.store.group_message(chat_id, message_id)
    # Anyone can type a /start parameter: only a member of the group may file (and so read) its message. The
    # answer is the same as for a forgotten message, so a link reveals nothing of a group one is not in.
    if found is None or not await _is_member(context.bot, chat_id, user.id):
        await send(context.bot, user.id, html.escape(t("group_link_gone", lang)))
        return
    await file(context.bot, svc, user, lang, found, "link")


async def _is_member(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Say whether the person is in the group now (False when Telegram cannot tell)."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        log.info("membership of %s in %s unknown: %s", user_id, chat_id, error)
        return False
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER)


async def ticket_in_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explains that /ticket is for group chats."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    await send(context.bot, chat.id, html.escape(t("ticket_in_private", _language(services(context), user))))
