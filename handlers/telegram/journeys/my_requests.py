"""The following-up journey: /my lists a salesperson's requests with their status in Jira."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.delivery import moves
from bot.delivery.notices import plain_text
from bot.i18n.catalog import t
from bot.jira.gateway import DeliveryError
from bot.storage.store import Request
from bot.text.dates import format_day
from bot.text.screen import clip
from handlers.telegram.callbacks import MY_PAGE, OPEN, MyPage, OpenIssue
from handlers.telegram.common import acknowledge, edit, language, page_row, send, services, tapped
from handlers.telegram.journeys.replies import reply_markup

PAGE = 5


def _line(request: Request, status: str | None, lang: str, svc: App) -> str:
    moment = datetime.fromtimestamp(request.created_at, svc.config.timezone)
    when = format_day(moment, lang, year=moment.year != svc.now().year)
    summary = clip(request.ticket.summary, 60)
    if request.jira_key:
        return f"{request.jira_key} · {summary} — {status or t('my_unknown', lang)} ({when})"
    state, icon = {"needs-attention": ("my_attention", "⚠️"), "approval": ("my_approval", "🛂"),
                   "declined": ("my_declined", "❌")}.get(request.state, ("my_waiting", "⏳"))
    return f"{icon} {summary} — {t(state, lang)} ({when})"


async def _page(bot: Bot, svc: App, user_id: int, lang: str, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    shown, page, total = svc.store.requests_page(user_id, page, PAGE)
    if not shown:
        return t("my_empty", lang), None
    pages = (total + PAGE - 1) // PAGE
    keys = [r.jira_key for r in shown if r.jira_key]
    try:
        statuses, moved = await moves.statuses(svc.store, svc.gateway, keys) if keys else ({}, False)
    except DeliveryError:
        statuses, moved = {}, False
    if moved:
        # Issues an engineer moved to another project are listed under their new keys.
        shown, page, total = svc.store.requests_page(user_id, page, PAGE)
        keys = [r.jira_key for r in shown if r.jira_key]
    lines = [t("my_title", lang, first=page * PAGE + 1, last=page * PAGE + len(shown), total=total)]
    lines += [_line(r, statuses.get(r.jira_key or ""), lang, svc) for r in shown]
    rows = [[InlineKeyboardButton(key, callback_data=OPEN.data(OpenIssue(key))) for key in keys]] if keys else []
    navigation = page_row(page, pages, t("my_newer", lang), t("my_older", lang), lambda to: MY_PAGE.data(MyPage(to)))
    if navigation:
        rows.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def my_requests(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the user's requests, newest first, with their status in Jira."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    text, markup = await _page(context.bot, svc, user.id, lang, 0)
    await send(context.bot, chat.id, html.escape(text), markup)


async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turns the list to another page, in place."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    tap = await tapped(query, MY_PAGE)
    if tap is None:
        return
    await acknowledge(query)
    text, markup = await _page(context.bot, svc, user.id, lang, tap.page)
    if query.message is not None:
        await edit(context.bot, query.message.chat.id, query.message.message_id, html.escape(text), markup)


async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows one issue: status, the ask in short, the latest comments, and Reply."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    tap = await tapped(query, OPEN)
    if tap is None:
        return
    # A button sent before the issue was moved to another project names its old key.
    key = svc.store.current_key(tap.key)
    request = svc.store.request_by_key(key)
    if request is None or request.user_id != user.id:
        await acknowledge(query, t("my_unknown", lang))
        return
    await acknowledge(query)
    chat_id = query.message.chat.id if query.message else user.id
    try:
        issue = await svc.gateway.issue_view(key)
    except DeliveryError:
        await send(context.bot, chat_id, html.escape(f"{key} · {request.ticket.summary}\n{t('my_unknown', lang)}"))
        return
    key = moves.seen_as(svc.store, key, str(issue.get("key") or key))
    fields = issue.get("fields") or {}
    status = (fields.get("status") or {}).get("name") or t("my_unknown", lang)
    description = clip(plain_text(str(fields.get("description") or ""), one_line=True), 300)
    comments = ((fields.get("comment") or {}).get("comments") or [])[-3:]
    lines = [f"{key} · {clip(str(fields.get('summary') or request.ticket.summary), 80)}", f"{status}", "",
             description, "", t("my_comments", lang) if comments else t("my_no_comments", lang)]
    for comment in comments:
        author = (comment.get("author") or {}).get("displayName") or "?"
        lines.append(f"💬 {author}: {clip(plain_text(str(comment.get('body') or ''), one_line=True), 200)}")
    lines.append(svc.gateway.issue_url(key))
    message_id = await send(context.bot, chat_id, html.escape("\n".join(lines)), reply_markup(key, lang))
    if message_id is not None:
        svc.store.remember_notice(chat_id, message_id, key, request.id)
