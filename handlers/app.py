"""Wiring: every handler registered in one place, in the order that matters."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import LANGUAGES, t
from bot.inbox import Inbox
from bot.jira_check import check_templates, format_report, offered
from bot.jira_events import kinds
from bot.notices import NoticePolicy
from bot.outbox import Outbox
from bot.services import Services
from bot.tracker import DeliveryError
from handlers import (
    access,
    admin,
    duplicates,
    errors,
    intake,
    language,
    link,
    membership,
    my_requests,
    replies,
    settings,
    start,
)
from handlers.common import NEW_REQUEST_LABELS
from handlers.delivery import TelegramFiles, TelegramNotices, tell_admins
from handlers.expiry import sweep_forever
from handlers.notify import TelegramNoticeSink
from handlers.processor import ChatOrderedProcessor
from handlers.transport import BoundedRequest

log = logging.getLogger(__name__)
COMMANDS = ("new", "my", "cancel", "settings", "lang", "help", "start")


def build_application(svc: Services, *, rate_limit: bool = True, sweep_interval: float = 60.0) -> Application:  # type: ignore[type-arg]
    """Create the Telegram application with every journey's handlers and the background workers."""
    telegram = svc.config.telegram
    assert telegram is not None, "running the bot needs the telegram section"
    builder = (
        ApplicationBuilder()
        .token(telegram.token)
        .base_url(telegram.api_base_url)
        .base_file_url(telegram.file_base_url)
        .local_mode(telegram.local_mode)
        .concurrent_updates(ChatOrderedProcessor(metrics=svc.metrics))
        .request(BoundedRequest())
        .post_init(_started)
        .post_stop(_stopping)
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    app = builder.build()
    app.bot_data["services"] = svc
    app.bot_data["sweep_interval"] = sweep_interval

    # Before the gate: blocking the bot is recorded for anyone, and nobody who blocked it gets an answer.
    app.add_handler(ChatMemberHandler(membership.member_changed, ChatMemberHandler.MY_CHAT_MEMBER), group=-2)
    # Group -1 runs next for every update: unknown users stop here.
    app.add_handler(TypeHandler(Update, access.gate), group=-1)
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("new", intake.new_request))
    app.add_handler(CommandHandler("cancel", intake.cancel))
    app.add_handler(CommandHandler("outbox", admin.outbox))
    app.add_handler(CommandHandler("link", link.link))
    app.add_handler(CommandHandler("settings", settings.settings))
    app.add_handler(CommandHandler("my", my_requests.my_requests))
    app.add_handler(CommandHandler("lang", language.choose))
    app.add_handler(CallbackQueryHandler(language.on_button, pattern=r"^lang:(en|ru|de|auto)$"))
    app.add_handler(CallbackQueryHandler(my_requests.on_page, pattern=r"^my:\d+$"))
    app.add_handler(CallbackQueryHandler(my_requests.on_open, pattern=r"^open:"))
    app.add_handler(CallbackQueryHandler(settings.on_button, pattern=r"^mute:(on|off)$"))
    app.add_handler(MessageHandler(filters.Text(list(NEW_REQUEST_LABELS)), intake.new_request))
    app.add_handler(CallbackQueryHandler(replies.on_button, pattern=r"^(reply:|reply-cancel$)"))
    app.add_handler(CallbackQueryHandler(duplicates.on_choice, pattern=r"^(join:|create-new$)"))
    app.add_handler(CallbackQueryHandler(intake.on_button))
    # A message answering an issue (a Telegram reply to a notice, or after Reply) becomes a comment; the
    # handler stops the update there. Anything else goes on to group 1: an answer to the current question.
    answers = (filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL
               & ~filters.Text(list(NEW_REQUEST_LABELS)))
    app.add_handler(MessageHandler(answers, replies.on_message))
    app.add_handler(MessageHandler(answers, intake.on_message), group=1)
    app.add_error_handler(errors.on_error)
    return app


async def _register_commands(app: Application) -> None:  # type: ignore[type-arg]
    for lang in LANGUAGES:
        commands = [BotCommand(name, t(f"cmd_{name}", lang)) for name in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)


async def _vet_templates(app: Application) -> None:  # type: ignore[type-arg]
    """Offer only templates Jira would accept; tell admins about the others."""
    svc: Services = app.bot_data["services"]
    if svc.gateway is None:
        return
    templates = svc.engine.templates
    projects = {template.jira.project or svc.config.jira_project for template in templates.templates}
    try:
        meta = await svc.gateway.create_meta(projects)
    except DeliveryError as error:
        log.warning("templates not checked against Jira (%s); offering all of them", error)
        return
    results = check_templates(templates, meta, svc.config.jira_project)
    svc.engine.templates = offered(templates, results)
    refused = {template_id: problems for template_id, problems in results.items() if problems}
    if refused:
        report = "\n".join(format_report(refused))
        log.error("templates refused by the Jira check:\n%s", report)
        await tell_admins(app.bot, svc, t("templates_refused", "en", report=report))


async def _learn_upload_limit(app: Application) -> None:  # type: ignore[type-arg]
    """Let the dialog refuse files Jira would not take, while the salesperson is still there."""
    svc: Services = app.bot_data["services"]
    if svc.gateway is None:
        return
    try:
        svc.engine.upload_limit = await svc.gateway.upload_limit()
    except DeliveryError as error:
        log.warning("Jira's attachment limit is unknown (%s)", error)


async def _start_inbox(app: Application) -> None:  # type: ignore[type-arg]
    """Start telling salespeople about Jira's changes (webhook and/or polling feed the inbox)."""
    svc: Services = app.bot_data["services"]
    if svc.gateway is None:
        return
    notices = svc.config.notices
    own: frozenset[str] = frozenset()
    try:
        identity = await svc.gateway.own_identity()
        own = frozenset({identity}) if identity else own
    except DeliveryError as error:
        log.warning("the bot's own Jira account is unknown (%s); its own changes may be announced", error)
    policy = NoticePolicy(kinds=kinds(notices.events), bot_actor_ids=own,
                          needs_info_markers=notices.needs_info_markers,
                          needs_info_statuses=notices.needs_info_statuses)
    svc.inbox = Inbox(svc.store, TelegramNoticeSink(app.bot, svc), policy, issue_url=svc.gateway.issue_url,
                      window=notices.merge_seconds, clock=svc.clock)
    app.bot_data["inbox_task"] = asyncio.create_task(
        svc.inbox.run(svc.gateway, notices.poll_seconds), name="inbox")


def _answer_transition(svc: Services) -> tuple[tuple[str, ...], str] | None:
    notices = svc.config.notices
    return (notices.needs_info_statuses, notices.answer_transition) if notices.answer_transition else None


async def _started(app: Application) -> None:  # type: ignore[type-arg]
    svc: Services = app.bot_data["services"]
    await _register_commands(app)
    await _vet_templates(app)
    await _learn_upload_limit(app)
    await _start_inbox(app)
    if svc.gateway is not None:
        svc.outbox = Outbox(svc.store, svc.gateway, TelegramNotices(app.bot, svc), svc.config.delivery,
                            files=TelegramFiles(app.bot), clock=svc.clock, metrics=svc.metrics,
                            answer_transition=_answer_transition(svc))
        app.bot_data["outbox_task"] = asyncio.create_task(svc.outbox.run(), name="outbox")
    app.bot_data["sweep_task"] = asyncio.create_task(
        sweep_forever(app.bot, svc, app.bot_data["sweep_interval"]), name="draft-expiry")


async def _stopping(app: Application) -> None:  # type: ignore[type-arg]
    svc: Services = app.bot_data["services"]
    if svc.outbox is not None:
        svc.outbox.stop()
    if svc.inbox is not None:
        svc.inbox.stop()
    for name in ("sweep_task", "outbox_task", "inbox_task"):
        task = app.bot_data.pop(name, None)
        if task is None:
            continue
        if name == "sweep_task":
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=30)
    if svc.gateway is not None:
        await svc.gateway.close()
