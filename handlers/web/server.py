"""The bot's HTTP server: Telegram's webhook, health, readiness, metrics and the admin page on one aiohttp app."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.app import App
from bot.intake.dialog import human_size
from bot.jira.events import SIGNATURE_HEADER, verify_signature
from bot.jira.gateway import DeliveryError
from bot.metrics import CONTENT_TYPE
from bot.ports import Messenger, Updates
from handlers.web.admin import add_admin_routes

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram gives up on a webhook call after about a minute and sends it again.
HANDLE_WITHIN = 50.0
PROBE_EVERY = 30.0
JIRA_FRESH = 300.0
# Less room than this and the next drafts and requests may not fit (the write-ahead log grows by whole pages).
DATABASE_ROOM = 1024 * 1024

SERVICES = web.AppKey("services", App)
MESSENGER = web.AppKey("messenger", Messenger)
UPDATES = web.AppKey("updates", Updates)
PROBES = web.AppKey("probes", dict)


@dataclass
class Probe:
    """The last answer of a readiness check, reused for a while so /readyz stays cheap."""

    ok: bool
    detail: str
    at: float


async def healthz(request: web.Request) -> web.Response:
    """Answer that the process is alive."""
    return web.json_response({"status": "ok"})


async def _cached(request: web.Request, name: str, check: Any) -> Probe:
    probes: dict[str, Probe] = request.app[PROBES]
    found = probes.get(name)
    if found is not None and time.monotonic() - found.at < PROBE_EVERY:
        return found
    try:
        ok, detail = await asyncio.wait_for(check(), timeout=10)
    except (TimeoutError, DeliveryError, OSError) as error:
        ok, detail = False, f"{type(error).__name__}: {error}"
    probes[name] = Probe(ok, detail, time.monotonic())
    return probes[name]


async def readyz(request: web.Request) -> web.Response:
    """Say whether the bot can do its job: Telegram, the database, Jira and the outbox."""
    svc, messenger = request.app[SERVICES], request.app[MESSENGER]

    async def jira() -> tuple[bool, str]:
        gateway = svc.gateway
        if gateway.last_success is not None and time.time() - gateway.last_success < JIRA_FRESH:
            return True, "reached recently"
        info = await gateway.server_info()
        return True, str(info.get("version", "reached"))

    async def database() -> tuple[bool, str]:
        try:
            room = svc.store.heartbeat()
        except sqlite3.Error as error:
            return False, f"cannot write: {error}"
        if room < DATABASE_ROOM:
            return False, f"full: {human_size(room)} left to grow (database or disk)"
        return True, f"writable, {human_size(room)} left to grow"

    checks: dict[str, dict[str, object]] = {}
    for name, check in (("telegram", messenger.reachable), ("jira", jira), ("database", database)):
        probe = await _cached(request, name, check)
        checks[name] = {"ok": probe.ok, "detail": probe.detail}
    summary = svc.store.outbox_summary()
    limit = svc.config.server.outbox_ready_limit
    checks["outbox"] = {"ok": summary.waiting <= limit, "detail": f"{summary.waiting} waiting (limit {limit})"}
    ready = all(bool(c["ok"]) for c in checks.values())
    return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """Return the Prometheus metrics, with the outbox measured now."""
    svc = request.app[SERVICES]
    summary = svc.store.outbox_summary()
    svc.metrics.outbox_depth.set(summary.waiting)
    svc.metrics.outbox_oldest.set(svc.clock() - summary.oldest_created_at if summary.oldest_created_at else 0)
    return web.Response(body=svc.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


def _json_body(body: bytes, source: str) -> tuple[Any, web.Response | None]:
    """The JSON in a webhook's body, or the 400 answer to give when there is none."""
    try:
        return json.loads(body), None
    except RecursionError:
        # Nested deeper than the parser's recursion limit: no real webhook is, a hostile one would end in a 500.
        log.warning("%s sent JSON nested too deeply (%d bytes); refused", source, len(body))
        return None, web.json_response({"error": "JSON nested too deeply"}, status=400)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return None, web.json_response({"error": "body is not JSON"}, status=400)


async def telegram_webhook(request: web.Request) -> web.Response:
    """Take one update from Telegram; answer only when it has been handled, so a crash loses nothing."""
    svc, updates = request.app[SERVICES], request.app[UPDATES]
    webhook = svc.config.telegram.webhook if svc.config.telegram else None
    assert webhook is not None
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), webhook.secret_token.encode()):
        return web.json_response({"error": "forbidden"}, status=403)
    data, refusal = _json_body(await request.read(), "Telegram's webhook")
    if refusal is not None:
        return refusal
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return web.json_response({"error": "not a Telegram update"}, status=400)
    update_id: int = data["update_id"]
    if updates.seen(update_id):
        return web.json_response({"ok": True, "duplicate": True})
    if not await updates.take(data):
        # Acknowledged, or Telegram would send it again and hold back everything after it.
        return web.json_response({"ok": True, "skipped": True})
    if not await updates.wait_handled(update_id, HANDLE_WITHIN):
        log.warning("update %s still being handled after %.0fs", update_id, HANDLE_WITHIN)
    return web.json_response({"ok": True})


async def jira_webhook(request: web.Request) -> web.Response:
    """Take Jira's webhook: check its signature or token, keep events not seen before."""
    svc = request.app[SERVICES]
    notices = svc.config.notices
    body = await request.read()
    if notices.webhook_secret:
        allowed = verify_signature(notices.webhook_secret, body, request.headers.get(SIGNATURE_HEADER))
    elif notices.webhook_token:
        allowed = hmac.compare_digest(request.query.get("token", "").encode(), notices.webhook_token.encode())
    else:
        allowed = False  # an unauthenticated endpoint would let anyone message the salespeople
    if not allowed:
        return web.json_response({"error": "forbidden"}, status=403)
    payload, refusal = _json_body(body, "Jira's webhook")
    if refusal is not None:
        return refusal
    if not isinstance(payload, dict):
        return web.json_response({"error": "not a Jira webhook"}, status=400)
    accepted = svc.inbox.take_webhook(payload, svc.clock())
    return web.json_response({"accepted": accepted})


def build_web_app(svc: App, messenger: Messenger, updates: Updates) -> web.Application:
    """Create the aiohttp app; the webhook route exists only in webhook mode."""
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[SERVICES] = svc
    app[MESSENGER] = messenger
    app[UPDATES] = updates
    app[PROBES] = {}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    webhook = svc.config.telegram.webhook if svc.config.telegram else None
    if webhook is not None:
        app.router.add_post(webhook.path, telegram_webhook)
    app.router.add_post("/jira/webhook", jira_webhook)
    add_admin_routes(app, svc, messenger)
    return app
