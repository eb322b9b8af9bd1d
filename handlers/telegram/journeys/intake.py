"""The intake journey: /new, one question per message, the summary card, Create, Edit and Cancel."""

from __future__ import annotations

import asyncio
import html

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.intake.draft import Action, Files, Tap, Text, Unsupported
from bot.storage.store import StoredDraft
from handlers.telegram.callbacks import DIALOG, DRAFT, FIX, DraftChoice
from handlers.telegram.common import acknowledge, language, main_keyboard, reporter, send, services
from handlers.telegram.journeys import freeform, similar, voice
from handlers.telegram.journeys.drafts import active_draft, apply, attachment_of, show, step_of


async def new_request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Starts a request, or asks whether to continue the one already open."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    stored = await active_draft(context.bot, svc, user.id)
    if stored is not None and stored.draft.template_id is not None:
        template = svc.engine.template_of(stored.draft)
        name = template.title.get(lang) if template else "—"
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(t("continue", lang), callback_data=DRAFT.data(DraftChoice(keep=True))),
            InlineKeyboardButton(t("start_over", lang), callback_data=DRAFT.data(DraftChoice(keep=False))),
        ]])
        text = t("draft_open", lang, template=name, count=len(stored.draft.answers))
        await send(context.bot, chat.id, html.escape(text), markup)
        return
    await _start_fresh(context.bot, svc, update, stored)


async def _start_fresh(bot: Bot, svc: App, update: Update, stored: StoredDraft | None,
                       edit_id: int | None = None) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    draft = svc.engine.new_draft(reporter(user), language(user))
    svc.store.save_draft(draft, chat.id)
    await show(bot, svc, chat.id, user.id, svc.engine.prompt(draft), None, edit_id=edit_id,
               old_id=stored.prompt_message_id if stored else None)


async def _reopen(bot: Bot, svc: App, query: CallbackQuery, user_id: int, chat_id: int, request_id: str,
                  stored: StoredDraft | None) -> None:
    """Bring a refused request back as a draft at its summary card."""
    draft = svc.store.reopen(request_id, user_id)
    lang = draft.lang if draft else "en"
    await acknowledge(query, None if draft else t("cannot_reopen", lang))
    if draft is None:
        return
    # The refusal keeps its text and its button; tapped again, the button is answered that it cannot reopen.
    prompt = svc.engine.reopen(draft)
    svc.store.save_draft(draft, chat_id)
    old_id = stored.prompt_message_id if stored else None
    await show(bot, svc, chat_id, user_id, prompt, None, edit_id=None, old_id=old_id)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drops the request being written."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc = services(context)
    stored = await active_draft(context.bot, svc, user.id)
    if stored is None:
        await send(context.bot, chat.id, html.escape(t("nothing_to_cancel", language(user))),
                   main_keyboard(language(user)))
        return
    await apply(context.bot, svc, chat.id, stored, step_of(svc, stored, Tap("cancel")))


def action_of(message: Message) -> Action:
    """Translate a user's message into an engine action."""
    attachment = attachment_of(message)
    if attachment is not None:
        return Files((attachment,))
    if message.text is not None:
        return Text(message.text)
    if message.sticker:
        return Unsupported("sticker")
    return Unsupported("other")


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Takes a typed answer, a file or anything else as the answer to the current question, or starts an ask."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    svc = services(context)
    stored = await active_draft(context.bot, svc, user.id)
    if voice.takes(update, context, stored):
        await voice.take(update, context, stored)
        return
    if stored is None:
        text = freeform.ask_text(message)
        if text is not None:
            await freeform.start(update, context, text)
            return
        await send(context.bot, chat.id, html.escape(t("no_draft", language(user))), main_keyboard(language(user)))
        return
    if message.text is not None and svc.engine.reads_as_ask(stored.draft, message.text):
        # A whole ask typed at the template choice is read as one sent without /new: with the model and off the
        # event loop. The empty draft and its template buttons give way to the one it starts.
        svc.store.delete_draft(user.id)
        await freeform.start(update, context, message.text, kept=stored.draft.kept_files)
        return
    await apply(context.bot, svc, chat.id, stored, step_of(svc, stored, action_of(message)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handles a tap on any dialog button."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    message = query.message
    chat_id = message.chat.id if message is not None else user.id
    svc, lang = services(context), language(user)
    data = query.data
    stored = await active_draft(context.bot, svc, user.id)
    fix, choice = FIX.parse(data), DRAFT.parse(data)
    if fix is not None:
        await _reopen(context.bot, svc, query, user.id, chat_id, fix.request_id, stored)
        return
    if choice is not None:
        # The question "continue or start over?" becomes the answer's first prompt, in place.
        tapped_id = message.message_id if message else None
        await acknowledge(query)
        if stored is not None and choice.keep:
            await show(context.bot, svc, chat_id, user.id, svc.engine.prompt(stored.draft), None, edit_id=tapped_id,
                       old_id=stored.prompt_message_id)
        else:
            if stored is not None:
                svc.store.delete_draft(user.id)
            await _start_fresh(context.bot, svc, update, stored, edit_id=tapped_id)
        return
    tap = DIALOG.parse(data)
    if stored is None:
        # The buttons stay: each further tap on them is answered the same way, at no cost in messages.
        await acknowledge(query, t("already_sent" if tap and tap.token == "create" else "no_draft", lang))
        return
    if tap is None:
        # Data that no button of the bot carries: a tap on nothing.
        await acknowledge(query)
        return
    seq, token = tap.seq, tap.token
    live = message is not None and message.message_id == stored.prompt_message_id
    answered = False
    if token == "create" and seq == stored.draft.seq and stored.draft.stage == "summary":
        offered, _ = await asyncio.gather(
            similar.offer(context.bot, svc, chat_id, stored, message.message_id if live and message else None),
            acknowledge(query))
        if offered:
            return
        answered = True
    step = step_of(svc, stored, Tap(token, seq))
    stale = not step.changed and step.outcome is None and seq is not None and seq != stored.draft.seq
    # Where the user tapped, the message is edited in place: the live prompt into the next one, and an older
    # prompt (whose buttons were left, being harmless) into where they are now, with a note saying so.
    edit_id = message.message_id if message is not None and (live or stale) else None
    # The reply first: it persists the draft before anything goes out. The answer to the tap goes out alongside
    # it rather than before it, so a busy bot's reply waits for one round trip to Telegram, not two.
    replies = [apply(context.bot, svc, chat_id, stored, step, edit_id=edit_id)]
    if not answered:
        replies.append(acknowledge(query, step.notice if stale else None))
    await asyncio.gather(*replies)
