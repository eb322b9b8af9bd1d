"""Before filing: offer to join an open issue that looks the same, instead of filing a duplicate."""

from __future__ import annotations

import asyncio
import html
import logging
import uuid

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.intake.dialog import Tap
from bot.jira.gateway import DeliveryError
from bot.jira.similar_search import query_for
from bot.storage.store import StoredDraft
from bot.text.screen import clip
from bot.text.wiki import escape, slug
from handlers.telegram.common import acknowledge, drop_buttons, edit, language, replace, send, services
from handlers.telegram.journeys.intake import active_draft, apply, step_of

log = logging.getLogger(__name__)
# The salesperson is waiting with a finger on Create: a slow search is skipped, not waited for.
SEARCH_SECONDS = 3.0


async def offer(bot: Bot, svc: App, chat_id: int, stored: StoredDraft, message_id: int | None) -> bool:
    """Show open issues like this request, if Jira has any; return whether an offer was shown."""
    draft = stored.draft
    if draft.checked_similar:
        return False
    ticket = svc.engine.preview(draft, svc.now())
    try:
        # Usually begun when the summary card appeared, and done by now.
        found = await svc.searches.result(draft.user_id, query_for(ticket, draft.lang), SEARCH_SECONDS)
    except (ValueError, DeliveryError, TimeoutError) as error:
        log.info("no similar-issue search for draft %s: %s", draft.id, error)
        found = []
    draft.checked_similar = True
    draft.offered = [key for key, _, _ in found]
    svc.store.save_draft(draft, chat_id, stored.prompt_message_id)
    if not found:
        return False
    lang = draft.lang
    lines = [t("similar_found", lang), ""] + [f"{key} {clip(summary, 70)} — {status}" for key, summary, status in found]
    rows = [[InlineKeyboardButton(t("join_button", lang, key=key), callback_data=f"join:{key}")]
            for key, _, _ in found]
    rows.append([InlineKeyboardButton(t("create_new", lang), callback_data="create-new")])
    text, markup = html.escape("\n".join(lines)), InlineKeyboardMarkup(rows)
    if message_id is None or not await edit(bot, chat_id, message_id, text, markup):
        new_id = await send(bot, chat_id, text, markup)
        svc.store.set_prompt_message(draft.user_id, new_id)
    return True


async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Joins the chosen issue, or files the request as a new one."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None and query.data is not None
    svc, lang = services(context), language(user)
    chat_id = query.message.chat.id if query.message else user.id
    message_id = query.message.message_id if query.message else None
    stored = await active_draft(context.bot, svc, user.id)
    if stored is None:
        await acknowledge(query, t("already_sent", lang))
        await drop_buttons(context.bot, chat_id, message_id)
        return
    # As in the dialog: the reply (which persists first) and the answer to the tap go out together.
    if query.data == "create-new":
        await asyncio.gather(
            apply(context.bot, svc, chat_id, stored, step_of(svc, stored, Tap("create")), edit_id=message_id),
            acknowledge(query))
        return
    key = query.data.removeprefix("join:")
    # Callback data is whatever the client sends, and a join comments on the issue and subscribes the sender to
    # it: only an issue offered for this very draft will do.
    if key not in stored.draft.offered:
        await acknowledge(query, t("join_not_offered", lang), show_alert=True)
        return
    await asyncio.gather(join(context.bot, svc, chat_id, stored, key, message_id), acknowledge(query))


async def join(bot: Bot, svc: App, chat_id: int, stored: StoredDraft, key: str, message_id: int | None) -> None:
    """Add this salesperson's customer and details to an existing issue and follow it."""
    draft = stored.draft
    template = svc.engine.template_of(draft)
    ticket = svc.engine.preview(draft, svc.now())
    customer = ticket.customer or "—"
    rows = svc.engine.card_rows(draft, template) if template else []
    head = t("joined_comment", svc.config.jira_language, customer=customer, reporter=draft.reporter.describe())
    table = "\n".join(f"||{escape(label)}|{escape(value)}|" for label, value in rows)
    labels = (slug(customer),) if ticket.customer else ()
    # Queued before anything else happens: the outbox adds label and comment exactly once.
    svc.store.queue_comment(uuid.uuid4().hex[:16], key, draft.user_id, chat_id, draft.lang,
                            f"{escape(head)}\n{table}", ticket.attachments, None, labels)
    svc.store.subscribe(key, draft.user_id, chat_id)
    svc.store.delete_draft(draft.user_id)
    if draft.template_id:
        svc.metrics.dialogs.labels(draft.template_id, "joined").inc()
    text = html.escape(t("joined", draft.lang, key=key))
    await replace(bot, chat_id, message_id, text)
    svc.outbox.kick()
