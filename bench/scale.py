"""Data-size benchmark: the admin pages, /my, chat replies, start-up and memory at 10k, 100k and 1M requests.

Usage, from the project root with the venv active:

    python bench/scale.py [--sizes 10000,100000,1000000] [--folder DIR] [--no-bot] [--python PYTHON]

Each size gets a synthetic database written through the project's own store (Store.import_requests, which is
also how a history is moved in): requests spread over five years from 300 salespeople (one of them with 5,000
requests), 200 templates, 100,000 customers (a few named far more often than the rest), urgencies, outcomes in
Jira (first response, resolution, follow-up questions) and a few refused requests. A database once built is
kept in --folder (by default the system's temporary folder, ticketsmith-scale/) and reused by later runs; opening
it applies the migrations added since (DATA_VERSION names the synthetic data: raise it to build afresh).

Two kinds of figures, each the median of several runs:
- the core as the pages call it, in this process: one page of the requests list (first, filtered, word search,
  last, sorted by customer) with the filters' values, the filters' values alone, the dashboard over 4, 12 and
  52 weeks, and /my's page for the person with 5,000 requests;
- the real bot (bench/bot_process.py, as `ticketsmith run` starts it, with 200 templates, 100,000 customers and
  the rate limiter on) against the loopback fake Telegram and Jira, started twice. First with no dashboard
  figures kept: start-up (process start to ready), each dashboard span's load when it was never counted before
  (at a size where that takes longer than a page waits, the page says they are being counted) and how long after
  it was asked for each span's page shows its figures.
  Then, after one request changed, as when an engineer answered while the bot was down: start-up again, each
  admin page's first load after the restart (the dashboard shows the figures kept, saying when they were counted,
  while the changed ones are counted) and later loads, a chat reply's p95 (/help) alone and while admin pages
  load one after another, and the bot's RSS after the pages. --no-bot skips this part. --python runs the bot on
  another Python: a virtualenv with only what the bot needs (`pip install .`) shows its memory as an operator's
  installation has it, without the development tools.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.intake import BotProcess, cpu_model, percentile, reply_time  # noqa: E402
from bench.jira_process import JiraProcess  # noqa: E402
from bot.jira.ticket import Ticket  # noqa: E402
from bot.people.signin import Sessions, signing_key  # noqa: E402
from bot.reports.dashboard import compute  # noqa: E402
from bot.reports.request_log import RequestFilter, RequestSort, facets, search  # noqa: E402
from bot.storage.reports import ReportReader  # noqa: E402
from bot.storage.requests import PastRequest, Request  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from handlers.web.admin import COMPILE_AFTER_SECONDS  # noqa: E402
from tests.conftest import ADMIN_ID, TOKEN, write_config  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402

ZONE = ZoneInfo("Europe/Berlin")
YEARS = 5
SALESPEOPLE = 300
HEAVY_USER = 20_000  # the salesperson with 5,000 requests
HEAVY_REQUESTS = 5_000
FIRST_USER = 20_001
TEMPLATES = 200
CUSTOMERS = 100_000
URGENCIES = ("Highest", "High", "Medium", "Low", None)
WORDS = ("export", "import", "invoice", "PDF", "Excel", "login", "SSO", "report", "dashboard", "sync", "API",
         "timeout", "slow", "crash", "price", "discount", "contract", "Rechnung", "Anmeldung", "счёт", "выгрузка",
         "отчёт", "doesn't", "fails", "since", "update", "missing", "wrong", "totals", "users", "mobile", "app")
BATCH = 20_000
BUDGET_PAGE_MS, BUDGET_MY_MS, BUDGET_REPLY_MS, BUDGET_START_S, BUDGET_RSS_MB = 200.0, 50.0, 50.0, 3.0, 120.0
DATA_VERSION = 1
NOW = 1_796_032_800.0  # Monday 30 Nov 2026 10:00 Berlin: the databases' "today", fixed so a cached one stays valid


def customer_name(n: int) -> str:
    """Return the n-th synthetic customer's name."""
    return f"Customer {n:05d} {('GmbH', 'Ltd', 'ООО', 'AG', 'Inc')[n % 5]}"


def build(path: Path, size: int) -> None:
    """Write a database of `size` requests through the store, in batches of one transaction each."""
    rnd = random.Random(size)
    store = Store(path, clock=lambda: NOW)
    for user in range(HEAVY_USER, FIRST_USER + SALESPEOPLE):
        store.remember_user(user, user, f"sales{user}", f"{rnd.choice(('Anna', 'Boris', 'Jörg', 'Ольга'))} "
                            f"{rnd.choice(('Berg', 'Ivanov', 'Müller', 'Petrova'))} {user}", "en")
    span = YEARS * 365 * 86400.0
    heavy = set(rnd.sample(range(size), min(HEAVY_REQUESTS, size // 2)))
    started = time.monotonic()
    for first in range(0, size, BATCH):
        batch = []
        for n in range(first, min(size, first + BATCH)):
            created = NOW - span + span * n / size + rnd.random() * 60
            user = HEAVY_USER if n in heavy else FIRST_USER + int(rnd.paretovariate(1.2) * 7) % SALESPEOPLE
            customer = customer_name(int(rnd.paretovariate(0.6)) % CUSTOMERS) if rnd.random() < 0.9 else None
            template = f"t{int(rnd.paretovariate(0.8)) % TEMPLATES:03d}"
            summary = f"{customer or 'Internal'}: {' '.join(rnd.sample(WORDS, 4))}"
            refused = rnd.random() < 0.005
            key = None if refused else f"SUP-{n + 1}"
            age = NOW - created
            responded = created + rnd.lognormvariate(9, 1.2) if key and rnd.random() < 0.9 else None
            resolved = (created + rnd.lognormvariate(12, 1.0) if key and age > 86400 * 3 and rnd.random() < 0.9
                        else None)
            ticket = Ticket("SUP", "Bug", summary, f"{summary}\n\n" + " ".join(rnd.choices(WORDS, k=60)),
                            priority=rnd.choice(URGENCIES), customer=customer)
            request = Request(id=f"scale{n:07d}", user_id=user, chat_id=user, lang="en", template_id=template,
                              ticket=ticket, state="needs-attention" if refused else "created", attempts=1,
                              created_at=created, jira_key=key,
                              jira_url=f"https://jira.example.com/browse/{key}" if key else None)
            batch.append(PastRequest(request, None if responded is None or responded > NOW else responded,
                                     None if resolved is None or resolved > NOW else resolved,
                                     int(rnd.random() < 0.2) + int(rnd.random() < 0.05)))
        store.import_requests(batch)
        done = min(size, first + BATCH)
        print(f"\r  building {size:,}: {done:,} requests, {time.monotonic() - started:.0f} s", end="", flush=True)
    store.optimize()
    store.close()
    print()


def database(folder: Path, size: int) -> Path:
    """Return the database of this size, built now unless an earlier run left one of the same schema."""
    path = folder / f"requests-{size}-v{DATA_VERSION}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for leftover in folder.glob(partial.name + "*"):
            leftover.unlink()
        started = time.monotonic()
        build(partial, size)
        partial.rename(path)
        print(f"  built {path.name} in {time.monotonic() - started:.0f} s ({path.stat().st_size / 1e6:.0f} MB)")
    Store(path).close()  # brought up to date with the migrations added since it was built
    return path


def timed(work: Callable[[], Any], runs: int = 5) -> float:
    """Return the median milliseconds of a few runs, after one to warm the cache."""
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def core_figures(path: Path) -> dict[str, float]:
    """Time what the pages and /my ask of the core, on a connection of the reports' own as the pages use."""
    reader = ReportReader(path)
    store = Store(path, clock=lambda: NOW)
    common = reader.request_facets().templates[0]
    word = customer_name(7).split()[1]
    figures = {
        "requests page: first": timed(lambda: (search(reader, RequestFilter()), facets(reader))),
        "requests page: filtered": timed(lambda: (search(reader, RequestFilter(template=common, status="open")),
                                                  facets(reader))),
        "requests page: search": timed(lambda: (search(reader, RequestFilter(text=word)), facets(reader))),
        "requests page: last": timed(lambda: (search(reader, RequestFilter(), last=True), facets(reader))),
        "requests page: by customer": timed(lambda: (search(reader, RequestFilter(), RequestSort("customer", False)),
                                                     facets(reader))),
        "facets": timed(lambda: facets(reader)),
        "dashboard 4 weeks": timed(lambda: compute(reader, NOW, 4, ZONE)),
        "dashboard 12 weeks": timed(lambda: compute(reader, NOW, 12, ZONE)),
        "dashboard 52 weeks": timed(lambda: compute(reader, NOW, 52, ZONE)),
        "/my (5,000 requests)": timed(lambda: store.requests_page(HEAVY_USER, 0, 5), runs=20),
        "/my, last page": timed(lambda: store.requests_page(HEAVY_USER, 10_000, 5), runs=20),
    }
    reader.close()
    store.close()
    return figures


# -- the real bot ------------------------------------------------------------------------------------------------


def bot_folder(folder: Path, path: Path, tg: FakeTelegram, jira_url: str, port: int) -> Path:
    """Write the bot's config beside the database: 200 templates, 100,000 customers, the admin page on a port."""
    config = write_config(folder, jira_url, storage={"path": str(path)}, server={"port": port, "listen": "127.0.0.1"},
                          jira={"timeout": 10}, access={"admins": [ADMIN_ID], "users": []},
                          telegram={"api_base_url": tg.base_url, "file_base_url": tg.base_file_url})
    example = yaml.safe_load((ROOT / "templates.example.yaml").read_text(encoding="utf-8"))
    models = example["templates"]
    many = list(models)  # the priority rules name some of them
    for n in range(TEMPLATES - len(models)):
        template = dict(models[n % len(models)])
        template["id"] = f"t{n:03d}"
        template["title"] = f"Form {n:03d}"
        many.append(template)
    (folder / "templates.yaml").write_text(yaml.safe_dump({**example, "templates": many}, allow_unicode=True),
                                           encoding="utf-8")
    (folder / "customers.csv").write_text("name,aliases\n" + "\n".join(
        customer_name(n) for n in range(CUSTOMERS)) + "\n", encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace("customers: customers.yaml", "customers: customers.csv")
    config.write_text(text, encoding="utf-8")
    return config


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Return a process's resident set size now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bot_figures(folder: Path, path: Path, python: str) -> dict[str, float]:
    """Start the real bot on the database and time it as admins and salespeople would meet it.

    Twice: first with no dashboard figures kept (each span counted on its first load), then after a restart, with
    one request changed in between, as when an engineer answered an issue while the bot was down.
    """
    tg = FakeTelegram(token=TOKEN)
    jira = JiraProcess("bot@example.com", "jira-api-token-secret")
    await tg.start()
    await jira.start()
    os.environ["BENCH_RATE_LIMITER"] = "1"  # as in production (read by bench/bot_process.py)
    port = free_port()
    config = bot_folder(folder, path, tg, jira.url, port)
    store = Store(path)
    store.forget_figures()
    cookie = Sessions(store, signing_key(store), 12, 10).open(ADMIN_ID)[1]
    common = store.request_facets().templates[0]
    store.close()
    word = customer_name(7).split()[1]
    pages = {"requests page: first": "/admin/requests", "requests page: filtered":
             f"/admin/requests?template={common}&status=open", "requests page: search": f"/admin/requests?text={word}",
             "requests page: last": "/admin/requests?last=1&page=2", "requests page: by customer":
             "/admin/requests?sort=customer&dir=asc", "dashboard 4 weeks": "/admin/?weeks=4",
             "dashboard 12 weeks": "/admin/?weeks=12", "dashboard 52 weeks": "/admin/?weeks=52"}
    dashboards = {name: url for name, url in pages.items() if name.startswith("dashboard")}
    figures: dict[str, float] = {}
    base = f"http://127.0.0.1:{port}"
    bot: BotProcess | None = None
    try:
        async with aiohttp.ClientSession(cookies={"ticketsmith_admin": cookie}) as http:
            async def load(url: str) -> float:
                begun = time.perf_counter()
                async with http.get(base + url) as response:
                    await response.read()
                    assert response.status == 200, (url, response.status)
                return (time.perf_counter() - begun) * 1000

            async def page(url: str) -> str:
                async with http.get(base + url) as response:
                    return await response.text()

            started = time.monotonic()
            bot = await BotProcess.start(tg, "ticketsmith", str(config), str(folder / "bot.log"), python=python)
            figures["start-up (s)"] = time.monotonic() - started
            asked = time.monotonic()
            for name, url in dashboards.items():
                # A large span never counted: the page says it is being counted and reloads itself until it is.
                figures[f"HTTP {name}, never counted before"] = await load(url)
            for name, url in dashboards.items():
                for _ in range(6000):  # polled as the page reloads itself, if less often; at most ten minutes
                    if 'id="first-count"' not in await page(url):
                        break
                    await asyncio.sleep(0.1)
                figures[f"never counted, figures shown after (s): {name}"] = time.monotonic() - asked
            await bot.stop()
            bot = None

            store = Store(path)
            changed = store.search_requests(RequestFilter(status="resolved"), limit=1).rows[0]
            store.set_request_outcome(changed.id, changed.first_response_at, changed.resolved_at, 0)
            store.close()
            started = time.monotonic()
            bot = await BotProcess.start(tg, "ticketsmith", str(config), str(folder / "bot.log"), python=python)
            figures["start-up, again (s)"] = time.monotonic() - started
            await asyncio.sleep(COMPILE_AFTER_SECONDS + 2)  # an admin arriving once the bot is up, pages readied
            for name, url in pages.items():
                # For the dashboard: the figures kept before the restart, shown while the changed ones are counted.
                figures[f"HTTP {name}, first load after a restart"] = await load(url)
            await asyncio.sleep(5)  # the changed figures counted
            for name, url in pages.items():
                figures[f"HTTP {name}"] = statistics.median([await load(url) for _ in range(3)])
            admin = tg.user(ADMIN_ID, first_name="Olga")

            async def replies(count: int) -> list[float]:
                times = []
                for _ in range(count):
                    begun = time.monotonic()
                    await admin.send("/help")
                    with contextlib.suppress(TimeoutError):
                        await tg.wait_for(lambda b=begun: reply_time(tg, admin, b) is not None, 10)
                    replied = reply_time(tg, admin, begun)
                    if replied is not None:
                        times.append((replied - begun) * 1000)
                    await asyncio.sleep(0.05)
                return sorted(times)

            figures["chat reply p95, alone (ms)"] = percentile(await replies(40), 0.95)
            loading = True

            async def admin_pages() -> None:
                while loading:
                    for url in pages.values():
                        await load(url)

            pager = asyncio.create_task(admin_pages())
            figures["chat reply p95, pages loading (ms)"] = percentile(await replies(80), 0.95)
            loading = False
            await pager
            figures["bot RSS after the pages (MB)"] = rss_mb(bot.proc.pid)
    finally:
        if bot is not None:
            await bot.stop()
        await jira.stop()
        await tg.stop()
    return figures


def verdict(name: str, value: float) -> str:
    """Return the budget a figure is held to and whether it is met."""
    if name.startswith("/my"):
        budget, unit = BUDGET_MY_MS, "ms"
    elif name.startswith("start-up"):
        budget, unit = BUDGET_START_S, "s"
    elif "RSS" in name:
        budget, unit = BUDGET_RSS_MB, "MB"
    elif "chat reply" in name:
        budget, unit = BUDGET_REPLY_MS, "ms"
    elif name.startswith(("HTTP", "requests page", "dashboard")):
        budget, unit = BUDGET_PAGE_MS, "ms"
    else:
        return ""
    return f"{budget:g} {unit} {'MET' if value <= budget else 'MISSED'}"


def table(results: dict[int, dict[str, float]]) -> Iterator[str]:
    """Yield the results as a Markdown table, one column per size."""
    sizes = sorted(results)
    names = list(dict.fromkeys(name for size in sizes for name in results[size]))
    yield "| path | " + " | ".join(f"{size:,} requests" for size in sizes) + " | budget |"
    yield "|---|" + "---|" * len(sizes) + "---|"
    for name in names:
        cells = [results[size].get(name) for size in sizes]
        shown = ["-" if c is None else f"{c:.2f}" if c < 10 else f"{c:.0f}" for c in cells]
        last = next((c for c in reversed(cells) if c is not None), None)
        yield f"| {name} | " + " | ".join(shown) + f" | {'' if last is None else verdict(name, last)} |"


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the databases, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "ticketsmith-scale")
    parser.add_argument("--no-bot", action="store_true", help="time the core only, without starting the bot")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python the bot runs on, with the libraries it has (default: this one); a virtualenv "
                             "with only what the bot needs, as an operator installs it, shows its memory as in "
                             "production")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs ({cpu_model()})")
    results: dict[int, dict[str, float]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        path = database(args.folder, size)
        results[size] = core_figures(path)
        if not args.no_bot:
            run_folder = Path(tempfile.mkdtemp(prefix="bot-", dir=args.folder))
            try:
                results[size] |= asyncio.run(bot_figures(run_folder, path, args.python))
            finally:
                shutil.rmtree(run_folder, ignore_errors=True)
        print("\n".join(table({size: results[size]})), flush=True)
    print()
    print("\n".join(table(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
