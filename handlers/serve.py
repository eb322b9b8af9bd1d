"""Running the bot: polling or webhook, the HTTP server, a graceful stop on SIGTERM or SIGINT, reload on SIGHUP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

from aiohttp import web
from telegram.ext import Application

from bot.app import App
from handlers.telegram.admin import templates as templates_admin
from handlers.telegram.messenger import TelegramMessenger, TelegramUpdates
from handlers.telegram.runtime.processor import ChatOrderedProcessor
from handlers.telegram.wiring import allowed_updates
from handlers.web.server import build_web_app

log = logging.getLogger(__name__)
DRAIN_SECONDS = 30.0


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed, else None for asyncio's own."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def web_app(svc: App, app: Application) -> web.Application:  # type: ignore[type-arg]
    """Create the HTTP server's app, reaching Telegram through the running application."""
    return build_web_app(svc, TelegramMessenger(app, svc), TelegramUpdates(app))


def run(svc: App, app: Application) -> None:  # type: ignore[type-arg]
    """Serve until a stop signal, on the fastest event loop at hand."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(serve(svc, app))


async def serve(svc: App, app: Application, stop: asyncio.Event | None = None) -> None:  # type: ignore[type-arg]
    """Run until stop is set or a stop signal arrives; then stop taking updates, finish, and close."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    telegram = svc.config.telegram
    assert telegram is not None
    webhook, server = telegram.webhook, svc.config.server
    # The same order as Application.run_polling, so post_init and post_stop run as they do there.
    try:
        await app.initialize()
    except BaseException:
        # The connections to the Bot API were opened before Telegram refused or could not be reached.
        await app.bot.shutdown()
        svc.store.close()
        raise
    runner: web.AppRunner | None = None
    try:
        if app.post_init is not None:
            await app.post_init(app)
        if server.port:
            runner = web.AppRunner(web_app(svc, app), access_log=None)
            await runner.setup()
            await web.TCPSite(runner, server.listen, server.port).start()
            log.info("HTTP server on %s:%d (/healthz, /readyz, /metrics%s)", server.listen, server.port,
                     f", {webhook.path}" if webhook else "")
        if webhook is not None:
            await app.bot.set_webhook(webhook.full_url, secret_token=webhook.secret_token,
                                      allowed_updates=allowed_updates(svc.config))
            log.info("receiving updates by webhook at %s", webhook.full_url)
        else:
            assert app.updater is not None
            # A webhook left from an earlier run would make getUpdates fail with 409.
            await app.bot.delete_webhook()
            await app.updater.start_polling(allowed_updates=allowed_updates(svc.config))
            log.info("receiving updates by long polling")
        await app.start()
        # SIGHUP (systemctl reload) re-reads the templates file with the same checks as /reload.
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            loop.add_signal_handler(signal.SIGHUP, templates_admin.reload_on_signal, app)
        templates = svc.engine.templates.templates
        log.info("ready: @%s with %d templates (%s), Jira project %s", app.bot.username, len(templates),
                 ", ".join(template.id for template in templates), svc.config.jira_project)
        await stop.wait()
        log.info("stopping: no new updates, finishing the ones in progress")
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            loop.remove_signal_handler(signal.SIGHUP)
        await _stop(svc, app, runner)


async def _stop(svc: App, app: Application, runner: web.AppRunner | None) -> None:  # type: ignore[type-arg]
    webhook = svc.config.telegram.webhook if svc.config.telegram else None
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    processor = app.update_processor
    if isinstance(processor, ChatOrderedProcessor) and not await processor.drained(DRAIN_SECONDS):
        log.warning("some updates were still being handled after %.0fs", DRAIN_SECONDS)
    if runner is not None:
        # After draining: a webhook call in progress gets its answer before the server goes away.
        await runner.cleanup()
    if app.running:
        await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    if webhook is not None and webhook.delete_on_stop:
        with contextlib.suppress(Exception):
            await app.bot.delete_webhook()
    await app.shutdown()
    svc.store.close()
    log.info("stopped")
