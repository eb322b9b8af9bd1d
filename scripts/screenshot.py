"""Take the dashboard screenshot that README shows: the real bot and its admin page, a year of made-up requests.

Usage, from the project root with the venv active (Debian's Chromium drives the page, as in the browser test):

    python scripts/screenshot.py [--out docs/dashboard.png] [--weeks 12] [--lang en] [--width 1280] [--full]

Starts the fake Telegram and fake Jira from tests/ on loopback, the bot with its web server against them, imports
the same year of requests each time (a fixed seed), signs in with a /web link as an admin and saves the dashboard's
figures and charts (with --full the whole page) as PNG. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from tests.conftest import ADMIN_ID, START, TOKEN, Clock  # noqa: E402
from tests.fakes.jira import FakeJira  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.helpers import running_site, year_of_requests  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# A Thursday afternoon: the current week is under way, so the page shows how it marks an unfinished week.
THURSDAY = START + 3 * 86400 + 6 * 3600


async def shoot(out: Path, weeks: int, lang: str, width: int, full: bool) -> None:
    """Run the bot with a year of requests and save its dashboard as a PNG."""
    clock = Clock(THURSDAY)
    tg = FakeTelegram(token=TOKEN)
    await tg.start()
    try:
        with FakeJira("cloud", email="bot@example.com", api_token="jira-api-token-secret") as jira, \
                tempfile.TemporaryDirectory() as folder:
            async with running_site(tg, jira, Path(folder), clock) as site:
                site.svc.store.import_requests(year_of_requests(clock()))
                link = await site.link(site.bot.user(ADMIN_ID, "Olga", language_code=lang))
                async with async_playwright() as playwright:
                    browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                    page = await browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
                    await page.goto(link)
                    await page.click("form[action='/admin/login'] button")
                    await page.goto(f"{site.base}/admin/?weeks={weeks}")
                    out.parent.mkdir(parents=True, exist_ok=True)
                    # From the top of the page to the end of the charts; --full takes the tables under them too.
                    charts = await page.locator(".charts").bounding_box()
                    clip = None if full or charts is None else {
                        "x": 0, "y": 0, "width": width, "height": charts["y"] + charts["height"] + 16}
                    await page.screenshot(path=str(out), full_page=True, clip=clip)
                    await browser.close()
    finally:
        await tg.stop()


def main() -> None:
    """Read the options and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "dashboard.png")
    parser.add_argument("--weeks", type=int, choices=(4, 12, 26, 52), default=12)
    parser.add_argument("--lang", choices=("en", "ru", "de"), default="en")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--full", action="store_true", help="the whole page, not only the figures and charts")
    options = parser.parse_args()
    asyncio.run(shoot(options.out, options.weeks, options.lang, options.width, options.full))
    print(f"saved {options.out}")


if __name__ == "__main__":
    main()
