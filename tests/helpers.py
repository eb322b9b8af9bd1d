"""What several test files share: walking the intake dialog, the bot behind its HTTP server, the admin page."""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from hypothesis import strategies as st

from bot.app import App
from bot.intake.draft import Draft
from bot.jira.ticket import Reporter, Ticket
from bot.storage.requests import PastRequest, Request
from bot.storage.store import Store
from handlers.serve import serve, web_app
from tests.conftest import ADMIN_ID, SALES_IDS, TOKEN, Clock, RunningBot, build_bot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import BotMessage, FakeTelegram, FakeUser

TELEGRAM_SECRET = "webhook-secret_123"  # the secret token Telegram sends with each webhook update
JIRA_SECRET = "jira-hook-secret"  # the secret Jira signs its webhooks with


# -- walking the intake dialog -------------------------------------------------------------------------------


BUG = "Something is broken"


async def open_bug(bot: RunningBot, user: FakeUser) -> None:
    """Start a request and pick the bug template."""
    await bot.say(user, "/new")
    await bot.tap(user, BUG)


async def answer_bug_until_summary(bot: RunningBot, user: FakeUser, *, urgency: str = "Deal or go-live blocked",
                                   deadline: str = "Friday") -> None:
    """Walk the bug template to the summary card with typical answers."""
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "acme")
    await bot.tap(user, urgency)
    if urgency != "Can wait":
        await bot.say(user, "They sign on Friday, 40k deal")
    await bot.say(user, deadline)
    await bot.tap(user, "✅ Done")


async def finish_with_defaults(bot: RunningBot, user: FakeUser) -> None:
    """From the urgency question: not urgent, no deadline, no files — reaching the summary card."""
    await bot.tap(user, "Can wait")
    await bot.tap(user, "No deadline")
    await bot.tap(user, "Skip ⏭")


# -- generated inputs ----------------------------------------------------------------------------------------


# Any JSON, and the kinds of update it may come as.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20)
UPDATE_KINDS = st.sampled_from(["message", "callback_query", "my_chat_member", "poll", "edited_message", "x"])


# -- the bot behind its HTTP server, as `ticketsmith run` serves it ------------------------------------------


def free_port() -> int:
    """Return a loopback TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A bot run by handlers.serve, as `ticketsmith run` runs it."""

    svc: App
    app: Any
    base: str
    http: aiohttp.ClientSession


async def serving(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock, *, webhook: bool,
                  server: dict[str, Any] | None = None, **sections: Any) -> AsyncIterator[Served]:
    """Run the bot with handlers.serve and its HTTP server; extra config sections as keyword arguments."""
    port = free_port()
    hook = {"webhook": {"url": "https://bot.example.com", "secret_token": TELEGRAM_SECRET}} if webhook else {}
    config = write_config(tmp_path, jira.url, server={"port": port, **(server or {})},
                          telegram={"token": TOKEN, **hook}, **sections)
    svc, app = build_bot(config, tg, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(svc, app, stop))
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.02)
        for _ in range(200):
            if app.running:
                break
            await asyncio.sleep(0.02)
        yield Served(svc, app, base, http)
    stop.set()
    await asyncio.wait_for(task, timeout=30)


async def served_by_webhook(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock
                            ) -> AsyncIterator[Served]:
    """Run the bot with its HTTP server, told of Jira's changes by webhook alone, Jira stamping the test clock."""
    notices = {"webhook_secret": JIRA_SECRET, "poll_seconds": 0, "merge_seconds": 60}
    jira.clock = clock
    async for running in serving(tg, jira, tmp_path, clock, webhook=False, notices=notices):
        jira.add_webhook(f"{running.base}/jira/webhook", secret=JIRA_SECRET)
        yield running


async def post_update(served: Served, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET,
                      body: bytes | None = None) -> int:
    """Post an update to the bot's Telegram webhook as Telegram does; return the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with served.http.post(f"{served.base}/telegram", json=None if body else update, data=body,
                                headers=headers) as response:
        return response.status


async def file_request(tg: FakeTelegram, jira: FakeJira) -> tuple[FakeUser, str]:
    """A salesperson files a request through the dialog; return them and the issue key."""
    user = tg.user(SALES_IDS[0], "Anna", username="anna")
    steps = [("send", "/new", "What do you need?"), ("tap", "Something is broken", "What is wrong?"),
             ("send", "Export to Excel fails since the update", "Which customer?"), ("send", "acme", "How urgent"),
             ("tap", "Can wait", "By when"), ("tap", "No deadline", "Screenshots"),
             ("tap", "Skip ⏭", "Please check"), ("tap", "✅ Create", "Created SUP-")]
    for how, what, expect in steps:
        await (user.send(what) if how == "send" else user.tap(what))
        await tg.wait_for(lambda expect=expect: any(expect in m.text for m in user.messages[-3:]), timeout=10)
    return user, next(iter(jira.issues))


async def file_bug(tg: FakeTelegram, user: FakeUser, what: str, customer: str, *, urgency: str = "Can wait",
                   why: str = "They sign on Friday") -> str:
    """A salesperson files a bug through the dialog (a new issue, even when a similar one is open); return its key."""
    steps = [("send", "/new", "What do you need?"), ("tap", "Something is broken", "What is wrong?"),
             ("send", what, "Which customer?"), ("send", customer, "How urgent"),
             ("tap", urgency, "By when" if urgency == "Can wait" else "Why is it urgent")]
    if urgency != "Can wait":
        steps.append(("send", why, "By when"))
    steps += [("tap", "No deadline", "Screenshots"), ("tap", "Skip ⏭", "Please check")]
    for how, label, expect in steps:
        await (user.send(label) if how == "send" else user.tap(label))
        await tg.wait_for(lambda expect=expect: expect in user.last.text, timeout=10)
    await user.tap("✅ Create")
    await tg.wait_for(lambda: "Created SUP-" in user.last.text or "No, create a new one" in user.last.buttons(),
                      timeout=10)
    if "Created SUP-" not in user.last.text:
        await user.tap("No, create a new one")
        await tg.wait_for(lambda: "Created SUP-" in user.last.text, timeout=10)
    found = re.search(r"Created (SUP-\d+)", user.last.text)
    assert found is not None
    return found.group(1)


async def told(served: Served, clock: Clock, seconds: float = 61) -> None:
    """Let the merge window pass and the inbox flush."""
    await asyncio.sleep(0.3)  # webhook deliveries are in flight
    clock.advance(seconds)
    assert served.svc.inbox is not None
    served.svc.inbox.kick()
    await asyncio.sleep(0.3)


# -- the admin web page --------------------------------------------------------------------------------------


NEW_TEMPLATE = """
  - id: onboarding
    title: {en: Onboard a new customer, ru: Подключить клиента, de: Neuen Kunden anbinden}
    jira:
      issue_type: Task
      summary: "Onboarding: {customer}"
    questions:
      - id: customer
        text: {en: "Which customer?", ru: "Какой клиент?", de: "Welcher Kunde?"}
        type: customer
      - id: plan
        text: {en: "Which plan?", ru: "Какой тариф?", de: "Welcher Tarif?"}
        type: choice
        options:
          - {value: basic, label: Basic}
          - {value: pro, label: Pro, priority: High}
"""


@dataclass
class Page:
    """One HTTP answer as the browser got it."""

    status: int
    text: str
    headers: Any
    url: str


class Client:
    """A browser of sorts: its own cookies, and the CSRF token of the last signed-in page."""

    def __init__(self, base: str) -> None:
        """Open a cookie jar for the site at base."""
        self.base = base
        # The server is on 127.0.0.1: aiohttp keeps cookies for IP hosts only when told to.
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def close(self) -> None:
        """Close the client's connections."""
        await self.http.close()

    def _keep_csrf(self, text: str) -> None:
        """Remember the CSRF token a signed-in page carries, as its forms would send it."""
        found = re.search(r'name="csrf" value="([^"]+)"', text)
        if found:
            self.csrf = found.group(1)

    async def open(self, url: str, *, follow: bool = True) -> Page:
        """GET a page (a path on the site, or a whole URL such as a sign-in link)."""
        async with self.http.get(url if url.startswith("http") else self.base + url,
                                 allow_redirects=follow) as response:
            page = Page(response.status, await response.text(), response.headers, str(response.url))
        self._keep_csrf(page.text)
        return page

    async def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: str | None = None,
                   follow: bool = True) -> Page:
        """Submit a form, with the session's CSRF token unless another (or none: "") is given."""
        form = dict(data or {})
        token = self.csrf if csrf is None else csrf
        if token:
            form["csrf"] = token
        async with self.http.post(self.base + path, data=form, allow_redirects=follow) as response:
            page = Page(response.status, await response.text(), response.headers, str(response.url))
        self._keep_csrf(page.text)
        return page


@dataclass
class Site:
    """The real bot and its HTTP server, with the admin page on it."""

    bot: RunningBot
    base: str
    clients: list[Client]

    @property
    def svc(self) -> Any:
        """Return the running bot's services."""
        assert self.bot.svc is not None
        return self.bot.svc

    def client(self) -> Client:
        """Return a new browser with no cookies."""
        client = Client(self.base)
        self.clients.append(client)
        return client

    async def link(self, user: FakeUser) -> str:
        """Have the user send /web and return the sign-in link the bot answered with."""
        await self.bot.say(user, "/web")
        return sign_in_link(user.last)

    async def signed_in(self, user_id: int = ADMIN_ID, name: str = "Olga") -> Client:
        """Return a client signed in as this Telegram user, through the /web link and its button."""
        client = self.client()
        page = await sign_in(client, await self.link(self.bot.user(user_id, name)))
        assert page.status == 200 and page.url.endswith("/admin/"), page.text
        return client


async def sign_in(client: Client, link: str, *, follow: bool = True) -> Page:
    """Open a sign-in link and press its button, as an admin does; return the page that follows."""
    shown = await client.open(link)
    assert shown.status == 200 and "<form method=\"post\" action=\"/admin/login\">" in shown.text, shown.text
    token = link.split("token=", 1)[1]
    return await client.post("/admin/login", {"token": token}, follow=follow)


def sign_in_link(message: BotMessage) -> str:
    """Return the one link in the bot's /web answer."""
    links = [e["url"] for e in message.entities if e.get("type") == "text_link"]
    assert len(links) == 1, message.text
    return str(links[0])


@asynccontextmanager
async def running_site(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock,
                       sections: dict[str, Any] | None = None, **server: Any) -> AsyncIterator[Site]:
    """Start the bot with its HTTP server, as `ticketsmith run` does with server.port set (and more config sections)."""
    port = free_port()
    notices = {"webhook_secret": JIRA_SECRET, "poll_seconds": 0, "merge_seconds": 60}
    config = write_config(tmp_path, jira.url, server={"port": port, **server}, notices=notices, **(sections or {}))
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    assert running.svc is not None
    runner = web.AppRunner(web_app(running.svc, running.app), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    site = Site(running, f"http://127.0.0.1:{port}", [])
    try:
        yield site
    finally:
        for client in site.clients:
            await client.close()
        await runner.cleanup()
        await running.stop()


async def file_directly(site: Site, requests: list[tuple[int, str, str, str | None, str | None]]) -> None:
    """Confirm requests (user, template, summary, customer, priority) as intake does; wait until Jira has them."""
    store = site.svc.store
    for n, (user_id, template_id, summary, customer, priority) in enumerate(requests):
        site.bot.clock.advance(60)
        draft = Draft(id=f"web{n:04d}", user_id=user_id, lang="en", reporter=Reporter(user_id, "Anna"),
                      template_id=template_id)
        store.confirm(draft, user_id, Ticket("SUP", "Bug", summary, "d", priority=priority, customer=customer))
    site.svc.outbox.kick()
    await site.bot.tg.wait_for(
        lambda: store.db.execute("SELECT count(*) FROM requests WHERE jira_key IS NULL").fetchone()[0] == 0,
        timeout=15)


# -- the command line --------------------------------------------------------------------------------------

SCRIPT = Path(sys.executable).parent / "ticketsmith"
ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ticketsmith console script and capture what it prints."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "JIRA_"))}
    return subprocess.run([str(SCRIPT), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={**clean, **(env or {})}, cwd=ROOT)


def write_cli_config(folder: Path, jira_url: str, access: str = "{admins: [900]}", storage: str = "t.db") -> Path:
    """Write a config for `ticketsmith` commands: the example templates, Jira at jira_url."""
    config = folder / "config.yaml"
    config.write_text(
        "telegram: {token: '123:abc', api_base_url: 'http://127.0.0.1:9/bot'}\n"
        f"jira: {{url: '{jira_url}', project: SUP, email: bot@example.com, api_token: tok, timeout: 5}}\n"
        f"templates: {ROOT / 'templates.example.yaml'}\n"
        f"access: {access}\n"
        f"storage: {{path: '{storage}'}}\n", encoding="utf-8")
    return config


def filed_earlier(store: Store, jira: FakeJira, count: int, *, user_id: int = SALES_IDS[0],
                  resolved: bool = True) -> list[str]:
    """Issues the bot filed long ago, in Jira (resolved unless told) and in the store; return their keys."""
    keys: list[str] = []
    long_ago = datetime.now(UTC) - timedelta(days=400)
    for _ in range(count):
        issue = jira.add_issue("Old request", status="Done" if resolved else "To Do", created=long_ago,
                               updated=long_ago)
        request_id = f"old-{issue['key']}"
        draft = Draft(id=request_id, user_id=user_id, lang="en", reporter=Reporter(user_id, "Anna"),
                      template_id="bug")
        store.confirm(draft, user_id, Ticket("SUP", "Bug", "Old request", "d"))
        store.mark_created(request_id, issue["key"], f"https://jira/browse/{issue['key']}")
        keys.append(issue["key"])
    return keys


def searches(jira: FakeJira) -> list[str]:
    """The JQL of every search Jira received, in order."""
    return [str(r.json.get("jql") if isinstance(r.json, dict) else r.query.get("jql")) for r in jira.requests
            if r.path.endswith(("/search", "/search/jql"))]


# -- a year of history, for the dashboard ------------------------------------------------------------------------

HISTORY_CUSTOMERS = ("ACME Corp GmbH", "Globex Corporation", "Initech", "Umbrella Pharmaceuticals AG",
                     "Stark Industries", "Wayne Enterprises", "Müller & Söhne KG", "ООО «Ромашка»")


def year_of_requests(now: float, per_week: int = 14, seed: int = 22) -> list[PastRequest]:
    """Return a year of requests filed before now, with responses, resolutions and follow-ups as engineering gave.

    The same seed gives the same history, so a screenshot or a test sees the same charts each time.
    """
    chance = random.Random(seed)
    found = []
    for week in range(52):
        for _ in range(max(0, per_week + chance.randint(-6, 6) + week // 8)):
            created = now - (week * 7 + chance.random() * 7) * 86400
            if created >= now - 3600:
                continue
            template = chance.choices(("bug", "feature", "question"), (5, 3, 2))[0]
            priority = chance.choices(("Highest", "High", "Medium", "Low", None), (1, 3, 4, 2, 1))[0]
            responded = created + chance.uniform(0.3, 30) * 3600 if chance.random() < 0.85 else None
            resolved = (created + chance.uniform(0.5, 12) * 86400
                        if responded is not None and chance.random() < 0.7 else None)
            number = len(found)
            ticket = Ticket("SUP", "Bug", f"Request {number}", "d", priority=priority,
                            customer=chance.choice(HISTORY_CUSTOMERS))
            request = Request(id=f"h{number:05d}", user_id=101, chat_id=101, lang="en", template_id=template,
                              ticket=ticket, state="created", attempts=1, created_at=created,
                              jira_key=f"SUP-{1000 + number}", jira_url=f"https://jira.example.com/browse/SUP-{number}")
            found.append(PastRequest(request, responded if responded is None or responded < now else None,
                                     resolved if resolved is None or resolved < now else None,
                                     chance.choices((0, 1, 2), (6, 3, 1))[0]))
    return found
