"""The admin page in headless Chromium: sign in, fix a template, publish it, see the dashboard, on a phone too."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_ID, SALES_IDS, Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import NEW_TEMPLATE, Site, file_directly, running_site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}

if not CHROMIUM.exists() and os.environ.get("TICKETSMITH_REQUIRE_BROWSER") != "1":
    pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium, or set TICKETSMITH_REQUIRE_BROWSER=1 to fail "
                "instead of skipping)", allow_module_level=True)

from playwright.async_api import Browser, Page, async_playwright  # noqa: E402  (only once Chromium is known)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, kept off the network."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def site(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Site]:
    """The bot and its web server, with the example templates."""
    async with running_site(tg, jira, tmp_path, clock) as running:
        yield running


async def signed_in_page(site: Site, browser: Browser, **context: Any) -> tuple[Page, list[str]]:
    """Open the /web link in a fresh browser context; return the page and the console errors it logs."""
    page = await (await browser.new_context(**context)).new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    link = await site.link(site.bot.user(ADMIN_ID, "Olga"))
    await page.goto(link)
    await page.click("button:has-text('Sign in to the admin page')")
    assert page.url.endswith("/admin/")
    assert await page.locator("h1").inner_text() == "Dashboard"
    return page, errors


async def test_fix_a_template_publish_it_and_see_it_in_telegram(site: Site, browser: Browser) -> None:
    page, errors = await signed_in_page(site, browser)
    await page.click("nav >> text=Templates")
    text = await page.input_value("#yaml")
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if line.strip() == "type: choice")
    lines[number - 1] = lines[number - 1].replace("choice", "choise")
    await page.fill("#yaml", "\n".join(lines))
    await page.click("button:has-text('Check')")
    problems = page.locator("#problems")
    assert "nothing was published" in await problems.inner_text()
    assert f"Line {number}: " in await problems.inner_text()
    assert await page.locator(f".gutter span.err#L{number}").is_visible()
    # The editor's script (served by the bot, allowed by the page's policy) selects the offending line.
    await page.click(f"a[data-line='{number}']")
    selected = await page.evaluate("() => { const a = document.getElementById('yaml');"
                                   " return a.value.slice(a.selectionStart, a.selectionEnd); }")
    assert selected.strip() == "type: choise"
    await page.fill("#yaml", text + NEW_TEMPLATE)
    await page.click("button:has-text('Publish')")
    assert "Published v2" in await page.locator(".flash").inner_text()
    anna = site.bot.user(SALES_IDS[0], "Anna")
    await site.bot.say(anna, "/new")
    assert "Onboard a new customer" in anna.last.buttons()
    assert not [e for e in errors if "Content Security Policy" in e], errors


async def test_dashboard_draws_bars(site: Site, browser: Browser) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High"),
                               (102, "feature", "Needs SSO", "Globex Corporation", "Low")])
    page, errors = await signed_in_page(site, browser)
    assert await page.locator("svg.chart").count() == 3
    assert await page.locator("svg.chart rect").count() >= 6
    box = await page.locator("svg.chart").first.bounding_box()
    assert box is not None and box["height"] > 100
    assert not errors, errors


async def test_every_page_fits_a_phone_screen(site: Site, browser: Browser) -> None:
    await file_directly(site, [(101, "bug", "A rather long summary that would not fit on one narrow line at all",
                                "ACME Corp GmbH", "High")])
    page, errors = await signed_in_page(site, browser, viewport=PHONE, is_mobile=True, has_touch=True)
    for path in ("/admin/", "/admin/requests", "/admin/templates", "/admin/templates/history", "/admin/users",
                 "/admin/audit"):
        await page.goto(site.base + path)
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    assert not errors, errors
