"""Wiring: the bot assembled from its config, and every handler registered in the order that matters."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable

from telegram import Bot, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ExtBot,
    MessageHandler,
    MessageReactionHandler,
    TypeHandler,
    filters,
)

from bot.app import App, ExpectationSink, build_app
from bot.config import Config, TelegramConfig
from bot.delivery.inbox import NoticeSink
from bot.delivery.outbox import DeliveryListener, FileSource
from bot.delivery.outcomes import backfill_questions
from bot.jira.gateway import DeliveryError
from handlers.telegram import callbacks, errors, menus
from handlers.telegram import gate as access
from handlers.telegram.admin import access_requests, invites, users, web_signin
from handlers.telegram.admin import outbox as admin
from handlers.telegram.admin import templates as templates_admin
from handlers.telegram.common import NEW_REQUEST_LABELS
from handlers.telegram.journeys import (
    approval,
    expectations,
    groups,
    intake,
    language,
    link,
    membership,
    my_requests,
    replies,
    settings,
    start,
)
from handlers.telegram.journeys import similar as duplicates
from handlers.telegram.journeys.delivery import TelegramFiles, TelegramNotices
from handlers.telegram.journeys.expectations import TelegramExpectationSink
from handlers.telegram.journeys.notices import TelegramNoticeSink
from handlers.telegram.runtime.expiry import sweep_forever
from handlers.telegram.runtime.flood import PatientRateLimiter, background_sends
from handlers.telegram.runtime.processor import ChatOrderedProcessor
from handlers.telegram.runtime.transport import BotApiRequest

log = logging.getLogger(__name__)


class TelegramChat:
    """The chat the core's background workers speak through: this bot's messages, and the files sent to it."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def files(self) -> FileSource:
        """Return the Bot API's downloads of what salespeople sent."""
        return TelegramFiles(self.bot)

    def delivery_listener(self, app: App) -> DeliveryListener:
        """Return the notices that tell requesters and admins how delivery went."""
        return TelegramNotices(self.bot, app)

    def notice_sink(self, app: App) -> NoticeSink:
        """Return the sink that brings Jira's changes to the salespeople's chats."""
        return TelegramNoticeSink(self.bot, app)

    def expectation_sink(self, app: App) -> ExpectationSink:
        """Return the sink that brings deadline notices and "was it solved?" to the salespeople's chats."""
        return TelegramExpectationSink(self.bot, app)


def allowed_updates(config: Config) -> list[str]:
    """Return the kinds of update to ask Telegram for: reactions only when group reactions may file messages."""
    kinds = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
    return [*kinds, Update.MESSAGE_REACTION] if config.groups.reactions else kinds


def telegram_bot(telegram: TelegramConfig, *, rate_limit: bool = True) -> ExtBot:  # type: ignore[type-arg]
    """Return the bot's connection to the Bot API; with rate_limit, what Telegram throttles waits and goes out."""
    return ExtBot(
        telegram.token,
        base_url=telegram.api_base_url,
        base_file_url=telegram.file_base_url,
        local_mode=telegram.local_mode,
        request=BotApiRequest(),
        get_updates_request=BotApiRequest(connection_pool_size=1),
        rate_limiter=PatientRateLimiter() if rate_limit else None,
    )


def assemble(config: Config, *, clock: Callable[[], float] = time.time, rate_limit: bool = True,
             sweep_interval: float = 60.0) -> tuple[App, Application]:  # type: ignore[type-arg]
    """Build the app and the Telegram application that runs it, as `ticketsmith run` does."""
    assert config.telegram is not None, "running the bot needs the telegram section"
    bot = telegram_bot(config.telegram, rate_limit=rate_limit)
    svc = build_app(config, TelegramChat(bot), clock=clock)
    return svc, build_application(svc, bot, sweep_interval=sweep_interval)


def build_application(svc: App, bot: ExtBot, *, sweep_interval: float = 60.0) -> Application:  # type: ignore[type-arg]
    """Create the Telegram application around the app and bot: every journey's handlers, the workers' start and stop."""
    app = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(ChatOrderedProcessor(metrics=svc.metrics))
        .post_init(_started)
        .post_stop(_stopping)
        .build()
    )
    app.bot_data["services"] = svc
    app.bot_data["sweep_interval"] = sweep_interval

    # Before the gate: blocking the bot is recorded for anyone, and nobody who blocked it gets an answer.
    app.add_handler(ChatMemberHandler(membership.member_changed, ChatMemberHandler.MY_CHAT_MEMBER), group=-2)
    # Group -1 runs next for every update. Group chats first: a /ticket reply, a reaction, the messages a reaction
    # may file; each stops there, so only private chats go on to the gate, where unknown users stop.
    app.add_handler(CommandHandler("ticket", groups.on_ticket, filters=filters.ChatType.GROUPS), group=-1)
    app.add_handler(MessageReactionHandler(groups.on_reaction), group=-1)
    app.add_handler(MessageHandler(filters.ChatType.GROUPS, groups.remember), group=-1)
    app.add_handler(TypeHandler(Update, access.gate), group=-1)
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("new", intake.new_request))
    app.add_handler(CommandHandler("ticket", groups.ticket_in_private))
    app.add_handler(CommandHandler("cancel", intake.cancel))
    app.add_handler(CommandHandler("outbox", admin.outbox))
    # Templates: an admin's .yaml document is an upload unless their draft waits for files at a question.
    app.add_handler(CommandHandler("templates", templates_admin.templates_command))
    app.add_handler(CommandHandler("reload", templates_admin.reload_command))
    app.add_handler(CallbackQueryHandler(templates_admin.on_button, pattern=callbacks.TEMPLATES.pattern))
    app.add_handler(templates_admin.upload_handler(svc))
    app.add_handler(CommandHandler("invite", invites.invite))
    app.add_handler(CommandHandler("users", users.users))
    app.add_handler(CommandHandler("web", web_signin.web_link))
    app.add_handler(CommandHandler("link", link.link))
    app.add_handler(CommandHandler("settings", settings.settings))
    app.add_handler(CommandHandler("my", my_requests.my_requests))
    app.add_handler(CommandHandler("lang", language.choose))
    app.add_handler(CallbackQueryHandler(language.on_button, pattern=callbacks.LANGUAGE.pattern))
    app.add_handler(CallbackQueryHandler(my_requests.on_page, pattern=callbacks.MY_PAGE.pattern))
    app.add_handler(CallbackQueryHandler(my_requests.on_open, pattern=callbacks.OPEN.pattern))
    app.add_handler(CallbackQueryHandler(settings.on_button, pattern=callbacks.MUTE.pattern))
    # People and access: the gate lets a stranger's Ask through to on_ask; the rest are admins' buttons.
    app.add_handler(CallbackQueryHandler(access_requests.on_ask, pattern=callbacks.ASK_ACCESS.pattern))
    app.add_handler(CallbackQueryHandler(access_requests.on_decide, pattern=callbacks.ACCESS.pattern))
    app.add_handler(CallbackQueryHandler(link.on_decide, pattern=callbacks.LINK.pattern))
    app.add_handler(CallbackQueryHandler(approval.on_decide, pattern=callbacks.APPROVAL.pattern))
    app.add_handler(CallbackQueryHandler(invites.on_cancel, pattern=callbacks.INVITE.pattern))
    app.add_handler(CallbackQueryHandler(users.on_page, pattern=callbacks.USERS_PAGE.pattern))
    app.add_handler(CallbackQueryHandler(users.on_user, pattern=callbacks.USER.pattern))
    app.add_handler(MessageHandler(filters.Text(list(NEW_REQUEST_LABELS)), intake.new_request))
    app.add_handler(CallbackQueryHandler(replies.on_button, pattern=callbacks.REPLY.pattern))
    app.add_handler(CallbackQueryHandler(duplicates.on_choice, pattern=callbacks.SIMILAR.pattern))
    app.add_handler(CallbackQueryHandler(expectations.on_feedback, pattern=callbacks.FEEDBACK.pattern))
    app.add_handler(CallbackQueryHandler(expectations.on_update, pattern=callbacks.UPDATE.pattern))
    # The dialog's buttons, and a draft's Continue / Start over and a refused request's Fix; it answers any tap
    # no other handler takes, so none is left spinning.
    app.add_handler(CallbackQueryHandler(intake.on_button))
    # A message answering an issue (a Telegram reply to a notice, or after Reply) becomes a comment; the
    # handler stops the update there. Anything else goes on to group 1: an answer to the current question.
    answers = (filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL
               & ~filters.Text(list(NEW_REQUEST_LABELS)))
    # An approver who tapped Decline types the reason next: that text is neither a comment nor an answer.
    app.add_handler(approval.reason_handler(svc))
    app.add_handler(MessageHandler(answers, replies.on_message))
    app.add_handler(MessageHandler(answers, intake.on_message), group=1)
    app.add_error_handler(errors.on_error)
    return app


async def _learn_upload_limit(app: Application) -> None:  # type: ignore[type-arg]
    """Let the dialog refuse files Jira would not take, while the salesperson is still there."""
    svc: App = app.bot_data["services"]
    try:
        svc.engine.upload_limit = await svc.gateway.upload_limit()
    except DeliveryError as error:
        log.warning("Jira's attachment limit is unknown (%s)", error)


async def _start_inbox(app: Application) -> None:  # type: ignore[type-arg]
    """Start telling salespeople about Jira's changes (webhook and/or polling feed the inbox)."""
    svc: App = app.bot_data["services"]
    try:
        identity = await svc.gateway.own_identity()
        if identity:
            svc.inbox.policy = dataclasses.replace(svc.inbox.policy, bot_actor_ids=frozenset({identity}))
    except DeliveryError as error:
        log.warning("the bot's own Jira account is unknown (%s); its own changes may be announced", error)
    found = backfill_questions(svc.store, svc.inbox.policy)
    if found:
        log.info("collected %d engineers' questions kept before questions were recorded", found)
    with background_sends():
        app.bot_data["inbox_task"] = asyncio.create_task(
            svc.inbox.run(svc.gateway, svc.config.notices.poll_seconds), name="inbox")


async def _started(app: Application) -> None:  # type: ignore[type-arg]
    svc: App = app.bot_data["services"]
    await menus.register_everyones(app.bot)
    await menus.register_admins(app.bot, svc)
    await templates_admin.on_startup(app)
    await _learn_upload_limit(app)
    await _start_inbox(app)
    # What these tasks send is nobody's reply: it gives way to replies under Telegram's limits.
    with background_sends():
        app.bot_data["outbox_task"] = asyncio.create_task(svc.outbox.run(), name="outbox")
        # What to expect is refreshed, and deadlines checked, in the background: never on a card's way to the user.
        app.bot_data["estimates_task"] = asyncio.create_task(
            svc.estimates.run(svc.gateway, lambda: svc.engine.templates.templates, svc.config.jira_project),
            name="estimates")
        app.bot_data["deadlines_task"] = asyncio.create_task(svc.deadlines.run(), name="deadlines")
        app.bot_data["feedback_task"] = asyncio.create_task(svc.feedback.run(), name="feedback")
        app.bot_data["sweep_task"] = asyncio.create_task(
            sweep_forever(app.bot, svc, app.bot_data["sweep_interval"]), name="draft-expiry")


async def _stopping(app: Application) -> None:  # type: ignore[type-arg]
    svc: App = app.bot_data["services"]
    svc.outbox.stop()
    svc.inbox.stop()
    svc.estimates.stop()
    svc.deadlines.stop()
    svc.feedback.stop()
    for name in ("sweep_task", "outbox_task", "inbox_task", "estimates_task", "deadlines_task",
                 "feedback_task"):
        task = app.bot_data.pop(name, None)
        if task is None:
            continue
        if name == "sweep_task":
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=30)
    if svc.model is not None:
        await svc.model.close()
    if svc.speech is not None:
        await svc.speech.close()
    await svc.gateway.close()
