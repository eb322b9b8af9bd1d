"""The bot under benchmark in a process of its own: ticketsmith as `ticketsmith run` starts it, or a bare echo bot.

bench/intake.py starts this script; it is not meant to be run by hand.

    python bench/bot_process.py ticketsmith CONFIG LOGFILE
    python bench/bot_process.py echo API_BASE_URL FILE_BASE_URL

ticketsmith is built from the config file as `ticketsmith run` builds it and runs through the same serve()
(long polling, a graceful stop on SIGTERM), logging at INFO to LOGFILE. The one difference: no
AIORateLimiter, because the fake Bot API has no global rate limit to respect, unless BENCH_RATE_LIMITER=1
asks for it as in production. The echo bot is a bare python-telegram-bot application with the same
ChatOrderedProcessor, echoing texts and answering taps.

Standard output is the channel to the benchmark: "ready" just before the bot starts polling (for
ticketsmith, after one serverInfo call has logged the Jira client in), then "<update_id> <time.monotonic()>"
each time an update has been handled, and at exit "rss <peak resident set size in KiB>".
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.logs import setup_logging  # noqa: E402
from handlers.serve import loop_factory, serve  # noqa: E402
from handlers.telegram.runtime.processor import ChatOrderedProcessor  # noqa: E402
from handlers.telegram.wiring import assemble  # noqa: E402

TOKEN = os.environ.get("BENCH_BOT_TOKEN", "123456:bench-token")
RATE_LIMITER = os.environ.get("BENCH_RATE_LIMITER") == "1"


def say(line: str) -> None:
    """Write one line to the benchmark, unbuffered (it waits on these lines)."""
    os.write(1, f"{line}\n".encode())


def handled(update_id: int) -> None:
    """Tell the benchmark that an update was handled, and when."""
    say(f"{update_id} {time.monotonic():.6f}")


def peak_rss_kib() -> int:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


async def run_ticketsmith(config_path: Path, log_path: Path) -> None:
    """Run ticketsmith as `ticketsmith run` does, until SIGTERM."""
    config = load_config(config_path)
    with log_path.open("a", encoding="utf-8") as log:
        setup_logging(config.log_format, config.secrets, stream=log)
        svc, app = assemble(config, rate_limit=RATE_LIMITER)
        processor = app.update_processor
        assert isinstance(processor, ChatOrderedProcessor)
        processor.on_handled = handled
        started = app.post_init
        assert started is not None
        gateway = svc.gateway

        async def started_and_logged_in(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
            await started(application)
            await gateway.server_info()  # logs the Jira client in before anything is timed
            say("ready")

        app.post_init = started_and_logged_in
        await serve(svc, app)


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await context.bot.send_message(message.chat_id, message.text)


async def echo_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button tap."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def announce(_: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Say the echo bot is about to poll."""
    say("ready")


def run_echo(api: str, files: str) -> None:
    """Run the bare echo bot with long polling until SIGTERM."""
    processor = ChatOrderedProcessor(on_handled=handled)
    app = (ApplicationBuilder().token(TOKEN).base_url(api).base_file_url(files).concurrent_updates(processor)
           .post_init(announce).build())
    app.add_handler(MessageHandler(filters.TEXT, echo_text))
    app.add_handler(CallbackQueryHandler(echo_answer))
    factory = loop_factory()
    if factory is not None:
        asyncio.set_event_loop(factory())  # the same event loop as ticketsmith's, for a fair comparison
    app.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY], close_loop=False)


def main(argv: list[str]) -> int:
    """Run the chosen bot, then report the peak RSS."""
    if len(argv) != 3 or argv[0] not in ("ticketsmith", "echo"):
        print(__doc__, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR)
    if argv[0] == "ticketsmith":
        # As `ticketsmith run` does, on the event loop it picks.
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(run_ticketsmith(Path(argv[1]), Path(argv[2])))
    else:
        run_echo(argv[1], argv[2])
    say(f"rss {peak_rss_kib()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
