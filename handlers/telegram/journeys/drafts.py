"""A request being written: the draft kept between messages, the engine's step on it, and the prompt shown."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import Bot, Message

from bot.app import App
from bot.i18n.catalog import t
from bot.intake.confirm import Confirmed, confirm_request
from bot.intake.draft import Action, Prompt, Step
from bot.jira.ticket import Attachment
from bot.storage.store import StoredDraft
from handlers.telegram.common import edit, main_keyboard, send
from handlers.telegram.journeys.approval import ask_approvers, waiting_text
from handlers.telegram.render import keyboard, prompt_text


async def expire(bot: Bot, svc: App, stored: StoredDraft) -> None:
    """Drop a draft left alone too long and tell its owner."""
    # Its prompt keeps its buttons: a tap on them is answered as being about no request, which costs nothing.
    svc.store.delete_draft(stored.draft.user_id)
    if stored.draft.template_id:
        svc.metrics.dialogs.labels(stored.draft.template_id, "abandoned").inc()
    template = svc.engine.template_of(stored.draft)
    name = template.title.get(stored.draft.lang) if template else "—"
    hours = svc.config.draft_expire_hours
    await send(bot, stored.chat_id, html.escape(t("draft_expired", stored.draft.lang, template=name, count=hours)),
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
    """Show a prompt: edit the tapped message in place where possible, else send a new one.

    One message per step, within Telegram's ~30 a second for the whole bot: the older prompt keeps its buttons
    rather than costing a second call to remove them. They are harmless: a tap on them carries an older step's
    number, which the engine refuses with a note, and only the newest prompt is edited in place.
    """
    text, markup = prompt_text(prompt, notice, lead=lead), keyboard(prompt)
    if edit_id is not None and await edit(bot, chat_id, edit_id, text, markup):
        if edit_id != old_id:
            svc.store.set_prompt_message(user_id, edit_id)
        return
    message_id = await send(bot, chat_id, text, markup)
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
            await send(bot, chat_id, cancelled, main_keyboard(draft.lang))
        return
    if step.outcome == "confirmed":
        await confirm_request(svc, draft, chat_id, _sending(bot, svc, chat_id, stored, edit_id))
        return
    if step.changed:
        svc.store.save_draft(draft, chat_id, stored.prompt_message_id)
    if step.prompt is not None:
        if draft.stage == "summary" and not draft.checked_similar:
            # Searched while the salesperson reads the card, so Create need not wait for Jira.
            svc.searches.look_ahead(draft.user_id, svc.engine.preview(draft, svc.now()), draft.lang)
        await show(bot, svc, chat_id, draft.user_id, step.prompt, step.notice, edit_id=edit_id,
                   old_id=stored.prompt_message_id, lead=step.lead)


def _sending(bot: Bot, svc: App, chat_id: int, stored: StoredDraft, edit_id: int | None
             ) -> Callable[[Confirmed], Awaitable[None]]:
    """Return how to show a confirmed request: its card, without buttons, saying it is being sent.

    A request that waits for approval goes to its approvers first, and the card says whom it waits for.
    """

    async def show(confirmed: Confirmed) -> None:
        if confirmed.waiting:
            reached = await ask_approvers(bot, svc, stored.draft.id)
            extra = waiting_text(svc, stored.draft.id, reached, confirmed.lang)
        else:
            extra = t("sending", confirmed.lang)
        text = prompt_text(confirmed.card, extra=extra)
        if edit_id is None or not await edit(bot, chat_id, edit_id, text, None):
            await send(bot, chat_id, text)

    return show


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
