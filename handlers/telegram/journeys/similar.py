"""Before filing: offer to join an open issue that looks the same, instead of filing a duplicate."""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.intake.draft import Tap
from bot.intake.join import Joined, join_similar
from bot.jira.gateway import DeliveryError
from bot.jira.similar_search import query_for
from bot.storage.store import StoredDraft
from bot.text.screen import clip
from handlers.telegram.callbacks import SIMILAR, SimilarChoice
from handlers.telegram.common import acknowledge, drop_buttons, edit, language, replace, send, services, tapped
from handlers.telegram.journeys.drafts import active_draft, apply, step_of

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
    rows = [[InlineKeyboardButton(t("join_button", lang, key=key), callback_data=SIMILAR.data(SimilarChoice(key)))]
            for key, _, _ in found]
    rows.append([InlineKeyboardButton(t("create_new", lang), callback_data=SIMILAR.data(SimilarChoice(None)))])
    text, markup = html.escape("\n".join(lines)), InlineKeyboardMarkup(rows)
    if message_id is None or not await edit(bot, chat_id, message_id, text, markup):
        new_id = await send(bot, chat_id, text, markup)
        svc.store.set_prompt_message(draft.user_id, new_id)
    return True


async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Joins the chosen issue, or files the request as a new one."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    choice = await tapped(query, SIMILAR)
    if choice is None:
        return
    chat_id = query.message.chat.id if query.message else user.id
    message_id = query.message.message_id if query.message else None
    stored = await active_draft(context.bot, svc, user.id)
    if stored is None:
        await acknowledge(query, t("already_sent", lang))
        await drop_buttons(context.bot, chat_id, message_id)
        return
    # As in the dialog: the reply (which persists first) and the answer to the tap go out together.
    if choice.key is None:
        await asyncio.gather(
            apply(context.bot, svc, chat_id, stored, step_of(svc, stored, Tap("create")), edit_id=message_id),
            acknowledge(query))
        return

    async def joined(done: Joined) -> None:
        text = html.escape(t("joined", done.lang, key=done.key))
        await asyncio.gather(replace(context.bot, chat_id, message_id, text), acknowledge(query))

    if await join_similar(svc, stored.draft, chat_id, choice.key, joined) is None:
        await acknowledge(query, t("join_not_offered", lang), show_alert=True)
