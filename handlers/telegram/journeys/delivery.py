"""Telling people how delivery went: the requester gets the issue key, admins get Jira's exact error."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.app import App
from bot.i18n.catalog import t
from bot.jira.gateway import CreatedIssue, DeliveryError
from bot.jira.ticket import jira_problem_text
from bot.storage.store import OutgoingComment, Request
from bot.text.screen import clip
from handlers.telegram.callbacks import FIX, REPLY, Fix, ReplyTap
from handlers.telegram.common import NO_PREVIEW, replace, send
from handlers.telegram.journeys.notices import has_access

log = logging.getLogger(__name__)


async def tell_admins(bot: Bot, svc: App, text: str) -> None:
    """Send a plain-text notice to every admin who can be reached."""
    for chat_id in svc.access.admin_chats():
        await send(bot, chat_id, html.escape(clip(text, 3500)))


class TelegramFiles:
    """A FileSource that downloads what salespeople sent from the Bot API."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, file_id: str) -> bytes:
        """Download one file; a refusal (too big, expired) is permanent, a network fault is not."""
        try:
            file = await self.bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        except RetryAfter as exc:
            retry = exc.retry_after
            seconds = float(retry.total_seconds()) if hasattr(retry, "total_seconds") else float(retry)
            raise DeliveryError("Telegram asked to slow down", True, retry_after=seconds) from None
        except BadRequest as exc:
            raise DeliveryError(f"Telegram refused the file: {exc.message}", False) from None
        except (NetworkError, TelegramError) as exc:
            raise DeliveryError(f"Telegram could not be reached: {exc}", True) from None


class TelegramNotices:
    """A DeliveryListener that speaks through the bot."""

    def __init__(self, bot: Bot, svc: App) -> None:
        self.bot = bot
        self.svc = svc

    async def _tell(self, request: Request, text: str, markup: InlineKeyboardMarkup | None, kind: str
                    ) -> int | None:
        """Send a notice to the requester; one who blocked the bot is marked inactive, not retried."""
        if not has_access(self.svc, request.user_id):
            return None
        message_id = await send(self.bot, request.chat_id, html.escape(text), markup)
        if message_id is None:
            self.svc.store.set_active(request.user_id, False)
            return None
        self.svc.metrics.notices.labels(kind).inc()
        return message_id

    async def comment_posted(self, comment: OutgoingComment) -> None:
        """Turns 'sending your answer' into 'added as a comment'."""
        if comment.automatic or not has_access(self.svc, comment.user_id):
            return
        text = html.escape(t("reply_posted", comment.lang, key=comment.issue_key))
        await replace(self.bot, comment.chat_id, comment.ack_message_id, text)

    async def comment_failed(self, comment: OutgoingComment, error: DeliveryError) -> None:
        """Tells the salesperson their answer did not make it, and admins why."""
        reason = "; ".join([*error.messages, *error.field_errors.values()]) or error.message
        if not comment.automatic and has_access(self.svc, comment.user_id):
            await send(self.bot, comment.chat_id,
                       html.escape(t("reply_failed", comment.lang, key=comment.issue_key, reason=reason)))
        await tell_admins(self.bot, self.svc, f"⚠️ A reply to {comment.issue_key} was not posted: {error.message}")

    async def created(self, request: Request, issue: CreatedIssue) -> None:
        """Sends the requester the new issue's key and link; replying to it adds a comment."""
        text = t("created", request.lang, key=issue.key, summary=request.ticket.summary)
        template = self.svc.engine.templates.get(request.template_id)
        if template is not None:
            expected = self.svc.estimates.line(template, request.ticket.priority, request.lang,
                                               self.svc.config.jira_project, before=request.created_at)
            text = f"{text}\n\n{expected}" if expected else text
        markup = InlineKeyboardMarkup([
            [InlineKeyboardButton(t("open_in_jira", request.lang, key=issue.key), url=issue.url)],
            [InlineKeyboardButton(t("reply_button", request.lang), callback_data=REPLY.data(ReplyTap(issue.key)))],
        ])
        message_id = await self._tell(request, text, markup, "created")
        if message_id is not None:
            self.svc.store.remember_notice(request.chat_id, message_id, issue.key, request.id)
        origin = self.svc.store.request_origin(request.id)
        if origin is not None:
            await self._tell_group(origin, request, issue)

    async def _tell_group(self, origin: dict[str, Any], request: Request, issue: CreatedIssue) -> None:
        """Answer the group message a request was filed from with the issue's key, linked to the issue."""
        text = html.escape(t("group_filed", request.lang, key=issue.key, summary=clip(request.ticket.summary, 200)))
        link = f'<a href="{html.escape(issue.url)}">{html.escape(issue.key)}</a>'
        try:
            await self.bot.send_message(
                int(origin["chat_id"]), text.replace(html.escape(issue.key), link, 1), parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_parameters=ReplyParameters(int(origin["message_id"]), allow_sending_without_reply=True))
        except TelegramError as error:
            # The bot may have left the group since: the requester has the key all the same.
            log.info("group %s was not told of %s: %s", origin.get("chat_id"), issue.key, error)

    async def delayed(self, request: Request, error: DeliveryError) -> None:
        """Tells the requester, once, that Jira is unreachable and the request is safe."""
        await self._tell(request, t("jira_unreachable", request.lang), None, "delayed")
        if error.status == 401:
            await tell_admins(self.bot, self.svc, f"Jira refuses the bot's credentials: {error.message}")

    async def attachment_failed(self, request: Request, name: str, error: DeliveryError) -> None:
        """Tells the requester which file did not make it into the issue."""
        reason = "; ".join(error.messages) or error.message
        text = t("attachment_failed", request.lang, name=name, key=request.jira_key or "Jira", reason=reason)
        await self._tell(request, text, None, "attachment_failed")

    async def refused(self, request: Request, error: DeliveryError) -> None:
        """Explains Jira's refusal to the requester and gives admins the exact error."""
        template = self.svc.engine.templates.get(request.template_id)
        if error.field_errors and template is not None:
            problems = jira_problem_text(error.field_errors, template, request.lang)
        else:
            problems = "; ".join(error.messages) or error.message
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("fix_and_resend", request.lang),
                                                             callback_data=FIX.data(Fix(request.id)))]])
        await self._tell(request, t("jira_refused", request.lang, problems=problems), markup, "refused")
        reporter = f"user {request.user_id}"
        await tell_admins(self.bot, self.svc, t("admin_delivery_failed", "en", request=request.id, reporter=reporter,
                                                template=request.template_id, error=error.message))
