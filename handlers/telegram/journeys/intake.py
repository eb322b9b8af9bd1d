"""The intake journey: /new, one question per message, the summary card, Create, Edit and Cancel."""

from __future__ import annotations

import asyncio
import dataclasses
import html

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.intake.customers import Customer
from bot.intake.dialog import Action, Files, Prompt, Step, Tap, Text, Unsupported
from bot.jira.ticket import Attachment
from bot.storage.store import StoredDraft
from handlers.telegram.common import acknowledge, drop_buttons, edit, language, main_keyboard, reporter, send, services
from handlers.telegram.render import keyboard, parse_callback, prompt_text


async def expire(bot: Bot, svc: App, stored: StoredDraft) -> None:
    """Drop a draft left alone too long and tell its owner."""
    svc.store.delete_draft(stored.draft.user_id)
    await drop_buttons(bot, stored.chat_id, stored.prompt_message_id)
    if stored.draft.template_id:
        svc.metrics.dialogs.labels(stored.draft.template_id, "abandoned").inc()
    template = svc.engine.template_of(stored.draft)
    name = template.title.get(stored.draft.lang) if template else "—"
    hours = f"{svc.config.draft_expire_hours:g}"
    await send(bot, stored.chat_id, html.escape(t("draft_expired", stored.draft.lang, template=name, hours=hours)),
               main_keyboard(stored.draft.lang))
    svc.metrics.notices.labels("draft_expired").inc()


async def active_draft(bot: Bot, svc: App, user_id: int) -> StoredDraft | None:
    """Return the user's draft, expiring it first if it was left alone too long."""
    stored = svc.store.get_draft(user_id)
    if stored is not None and stored.updated_at < svc.clock() - svc.config.draft_expire_hours * 3600:
        await expire(bot, svc, stored)
        return None
    return stored


async def show(bot: Bot, svc: App, chat_id: int, user_id: int, prompt: Prompt, notice: str | None,
               *, edit_id: int | None, old_id: int | None, lead: str | None = None) -> None:
    """Show a prompt: edit the tapped message in place where possible, else send a new one."""
    text, markup = prompt_text(prompt, notice, lead=lead), keyboard(prompt)
    if edit_id is not None and await edit(bot, chat_id, edit_id, text, markup):
        if edit_id != old_id:
            svc.store.set_prompt_message(user_id, edit_id)
        return
    message_id = await send(bot, chat_id, text, markup)
    if old_id is not None and old_id != message_id:
        await drop_buttons(bot, chat_id, old_id)
    svc.store.set_prompt_message(user_id, message_id)


def step_of(svc: App, stored: StoredDraft, action: Action) -> Step:
    """Let the engine take the action, and count dialogs that start, finish or are abandoned."""
    before = stored.draft.template_id
    step = svc.engine.handle(stored.draft, action)
    template = stored.draft.template_id or before
    if before is None and template is not None:
        svc.metrics.dialogs.labels(template, "started").inc()
    if step.outcome is not None and template is not None:
        svc.metrics.dialogs.labels(template, "completed" if step.outcome == "confirmed" else "abandoned").inc()
    return step


async def apply(bot: Bot, svc: App, chat_id: int, stored: StoredDraft, step: Step,
                edit_id: int | None = None) -> None:
    """Persist what the engine changed, then show the user the result."""
    draft = stored.draft
    if step.outcome == "cancelled":
        svc.store.delete_draft(draft.user_id)
        svc.searches.forget(draft.user_id)
        cancelled = html.escape(t("cancelled", draft.lang))
        if edit_id is None or not await edit(bot, chat_id, edit_id, cancelled, None):
            await drop_buttons(bot, chat_id, stored.prompt_message_id)
            await send(bot, chat_id, cancelled, main_keyboard(draft.lang))
        return
    if step.outcome == "confirmed":
        card = dataclasses.replace(svc.engine.prompt(draft), buttons=())
        ticket = svc.engine.preview(draft, svc.now())
        jira_user = svc.store.jira_user_of(draft.user_id) or (
            svc.config.jira.reporter_for(draft.user_id, draft.reporter.username) if svc.config.jira else None)
        ticket = dataclasses.replace(ticket, reporter_query=jira_user)
        # Written before Jira is called: from here on the request cannot be lost.
        svc.store.confirm(draft, chat_id, ticket)
        if ticket.customer:
            svc.engine.customers.add(Customer(ticket.customer))
        text = prompt_text(card, extra=t("sending", draft.lang))
        if edit_id is None or not await edit(bot, chat_id, edit_id, text, None):
            await drop_buttons(bot, chat_id, stored.prompt_message_id)
            await send(bot, chat_id, text)
        svc.outbox.kick()
        return
    if step.changed:
        svc.store.save_draft(draft, chat_id, stored.prompt_message_id)
    if step.prompt is not None:
        if draft.stage == "summary" and not draft.checked_similar:
            # Searched while the salesperson reads the card, so Create need not wait for Jira.
            svc.searches.look_ahead(draft.user_id, svc.engine.preview(draft, svc.now()), draft.lang)
        await show(bot, svc, chat_id, draft.user_id, step.prompt, step.notice, edit_id=edit_id,
                   old_id=stored.prompt_message_id, lead=step.lead)


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
            InlineKeyboardButton(t("continue", lang), callback_data="continue"),
            InlineKeyboardButton(t("start_over", lang), callback_data="restart"),
        ]])
        text = t("draft_open", lang, template=name, answered=len(stored.draft.answers))
        await send(context.bot, chat.id, html.escape(text), markup)
        return
    await _start_fresh(context.bot, svc, update, stored)


async def _start_fresh(bot: Bot, svc: App, update: Update, stored: StoredDraft | None) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    draft = svc.engine.new_draft(reporter(user), language(user))
    svc.store.save_draft(draft, chat.id)
    await show(bot, svc, chat.id, user.id, svc.engine.prompt(draft), None, edit_id=None,
               old_id=stored.prompt_message_id if stored else None)


async def _reopen(bot: Bot, svc: App, query: CallbackQuery, user_id: int, chat_id: int, request_id: str,
                  stored: StoredDraft | None) -> None:
    """Bring a refused request back as a draft at its summary card."""
    draft = svc.store.reopen(request_id, user_id)
    lang = draft.lang if draft else "en"
    await acknowledge(query, None if draft else t("cannot_reopen", lang))
    if draft is None:
        return
    if query.message is not None:
        await drop_buttons(bot, chat_id, query.message.message_id)
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


def attachment_of(message: Message) -> Attachment | None:
    """Describe the file a message carries, if any."""
    if message.photo:
        photo = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        return Attachment(photo.file_id, f"photo_{photo.file_unique_id}.jpg", photo.file_size, "image/jpeg", "photo")
    if message.document:
        doc = message.document
        return Attachment(doc.file_id, doc.file_name or f"file_{doc.file_unique_id}", doc.file_size,
                          doc.mime_type, "document")
    if message.voice:
        voice = message.voice
        return Attachment(voice.file_id, f"voice_{voice.file_unique_id}.ogg", voice.file_size,
                          voice.mime_type or "audio/ogg", "voice")
    if message.video:
        video = message.video
        return Attachment(video.file_id, video.file_name or f"video_{video.file_unique_id}.mp4", video.file_size,
                          video.mime_type or "video/mp4", "video")
    if message.audio:
        audio = message.audio
        return Attachment(audio.file_id, audio.file_name or f"audio_{audio.file_unique_id}.mp3", audio.file_size,
                          audio.mime_type, "audio")
    if message.video_note:
        note = message.video_note
        return Attachment(note.file_id, f"video_{note.file_unique_id}.mp4", note.file_size, "video/mp4", "video")
    return None


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
    if stored is None:
        # Imported here: the informal-ask journey builds on this one.
        from handlers.telegram.journeys.freeform import ask_text, start

        text = ask_text(message)
        if text is not None:
            await start(update, context, text)
            return
        await send(context.bot, chat.id, html.escape(t("no_draft", language(user))), main_keyboard(language(user)))
        return
    if message.text is not None and svc.engine.reads_as_ask(stored.draft, message.text):
        # A whole ask typed at the template choice is read as one sent without /new: with the model and off the
        # event loop. The empty draft and its template buttons give way to the one it starts.
        from handlers.telegram.journeys.freeform import start

        svc.store.delete_draft(user.id)
        await drop_buttons(context.bot, chat.id, stored.prompt_message_id)
        await start(update, context, message.text)
        return
    await apply(context.bot, svc, chat.id, stored, step_of(svc, stored, action_of(message)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handles a tap on any dialog button."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    message = query.message
    chat_id = message.chat.id if message is not None else user.id
    svc, lang = services(context), language(user)
    seq, token = parse_callback(query.data or "")
    stored = await active_draft(context.bot, svc, user.id)
    if token.startswith("fix:"):
        await _reopen(context.bot, svc, query, user.id, chat_id, token[4:], stored)
        return
    if token in ("continue", "restart"):
        await acknowledge(query)
        await drop_buttons(context.bot, chat_id, message.message_id if message else None)
        if stored is not None and token == "continue":
            await show(context.bot, svc, chat_id, user.id, svc.engine.prompt(stored.draft), None, edit_id=None,
                       old_id=stored.prompt_message_id)
        else:
            if stored is not None:
                svc.store.delete_draft(user.id)
            await _start_fresh(context.bot, svc, update, stored)
        return
    if stored is None:
        await acknowledge(query, t("already_sent" if token == "create" else "no_draft", lang))
        await drop_buttons(context.bot, chat_id, message.message_id if message else None)
        return
    live = message is not None and message.message_id == stored.prompt_message_id
    answered = False
    if token == "create" and seq == stored.draft.seq and stored.draft.stage == "summary":
        # Imported here: the duplicates journey builds on this one.
        from handlers.telegram.journeys.similar import offer

        offered, _ = await asyncio.gather(
            offer(context.bot, svc, chat_id, stored, message.message_id if live and message else None),
            acknowledge(query))
        if offered:
            return
        answered = True
    step = step_of(svc, stored, Tap(token, seq))
    stale = not step.changed and step.outcome is None and seq is not None and seq != stored.draft.seq
    # The reply first: it persists the draft before anything goes out. The answer to the tap goes out alongside
    # it rather than before it, so a busy bot's reply waits for one round trip to Telegram, not two.
    replies = [apply(context.bot, svc, chat_id, stored, step, edit_id=message.message_id if live and message else None)]
    if not answered:
        replies.append(acknowledge(query, step.notice if stale else None))
    if stale and message is not None and not live:
        replies.append(drop_buttons(context.bot, chat_id, message.message_id))
    await asyncio.gather(*replies)
