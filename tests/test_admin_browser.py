"""The admin page in headless Chromium: sign in, fix a template, publish it, see the dashboard, on a phone too."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.reports.dashboard_cache import Dashboards
from tests.conftest import ADMIN_ID, SALES_IDS, Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import NEW_TEMPLATE, Site, file_directly, running_site, year_of_requests

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PAGES = ("/admin/", "/admin/requests", "/admin/templates", "/admin/templates/history", "/admin/users",
         "/admin/audit")

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


async def test_dashboard_draws_its_charts_within_the_pages_policy(site: Site, browser: Browser) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High"),
                               (102, "feature", "Needs SSO", "Globex Corporation", "Low")])
    page, errors = await signed_in_page(site, browser)
    assert await page.locator("svg.chart").count() == 6
    assert await page.locator("svg.chart g.bar rect").count() >= 6
    box = await page.locator("svg.chart").first.bounding_box()
    assert box is not None and box["height"] > 100
    # The charts' own stylesheets apply (allowed by their hashes): pygal's axis text is not the default black serif.
    family = await page.evaluate("() => getComputedStyle(document.querySelector('svg.chart .axis text')).fontFamily")
    assert "system-ui" in family
    assert not errors, errors


async def test_a_span_counted_for_the_first_time_shows_its_charts_by_itself(site: Site, browser: Browser,
                                                                            clock: Clock) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High")])
    page, errors = await signed_in_page(site, browser)
    # As at a size where a year of figures takes longer to count than a page waits.
    site.svc.dashboards = Dashboards(site.svc.store, clock, quick=0)
    await page.click("text=52 weeks")
    assert "counted for the first time" in await page.locator("#first-count").inner_text()
    # The page reloads itself, without a script, until the figures are there.
    await page.locator("svg.chart").first.wait_for(timeout=15_000)
    assert await page.locator("#first-count").count() == 0 and page.url.endswith("/admin/?weeks=52")
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


async def test_every_page_reads_in_english_russian_and_german(site: Site, browser: Browser) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High")])
    page, errors = await signed_in_page(site, browser)
    words = {"en": ("Dashboard", "Requests", "Templates", "Users", "Audit"),
             "ru": ("Сводка", "Запросы", "Шаблоны", "Пользователи", "Журнал"),
             "de": ("Übersicht", "Anfragen", "Vorlagen", "Benutzer", "Protokoll")}
    for lang in ("ru", "de", "en"):
        await page.click(f"header button.lang[value='{lang}']")
        for path in PAGES:
            await page.goto(site.base + path)
            assert await page.get_attribute("html", "lang") == lang, path
            assert [await link.inner_text() for link in await page.locator("nav a").all()] == list(words[lang])
    assert not errors, errors


async def test_requests_are_sorted_by_a_heading_and_exported(site: Site, browser: Browser, tmp_path: Path) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "Globex Corporation", "High"),
                               (102, "feature", "Needs SSO", "ACME Corp GmbH", "Low"),
                               (101, "question", "Is there an API?", "Initech", None)])
    page, errors = await signed_in_page(site, browser, viewport=DESKTOP)
    await page.click("nav >> text=Requests")

    async def customers() -> list[str]:
        """Return the customers as the table lists them."""
        return [text.strip() for text in await page.locator("td[data-label='Customer']").all_inner_texts()]

    assert await customers() == ["Initech", "ACME Corp GmbH", "Globex Corporation"]
    await page.click("th >> text=Customer")
    assert await customers() == ["ACME Corp GmbH", "Globex Corporation", "Initech"]
    await page.click("th >> text=Customer")
    assert await customers() == ["Initech", "Globex Corporation", "ACME Corp GmbH"]
    async with page.expect_download() as started:
        await page.click("text=Export CSV")
    download = await started.value
    saved = tmp_path / "export.csv"
    await download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"), newline="")))
    assert [row[4] for row in rows[1:]] == ["Initech", "Globex Corporation", "ACME Corp GmbH"]
    assert not errors, errors


def overlaps(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    """Return the pairs of boxes that overlap (touching edges do not count)."""
    found = []
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1:], start=i + 1):
            if (a["x"] < b["x"] + b["width"] - 0.5 and b["x"] < a["x"] + a["width"] - 0.5
                    and a["y"] < b["y"] + b["height"] - 0.5 and b["y"] < a["y"] + a["height"] - 0.5):
                found.append((i, j))
    return found


# Each group of texts of a chart whose members must not run into each other.
GROUPS = {"x labels": ".axis.x text", "y labels": ".axis.y text", "legend": ".legends text"}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_chart_labels_never_overlap_and_stay_readable(site: Site, browser: Browser,
                                                            viewport: dict[str, int]) -> None:
    site.svc.store.import_requests(year_of_requests(site.bot.clock()))
    phone = viewport is PHONE
    page, errors = await signed_in_page(site, browser, viewport=viewport, is_mobile=phone, has_touch=phone)
    for weeks in (4, 12, 26, 52):
        await page.goto(f"{site.base}/admin/?weeks={weeks}")
        charts = await page.locator("svg.chart").all()
        assert len(charts) == 6
        for number, chart in enumerate(charts):
            frame = await chart.bounding_box()
            assert frame is not None
            for group, selector in GROUPS.items():
                texts = [t for t in await chart.locator(selector).all() if ((await t.text_content()) or "").strip()]
                boxes = [box for t in texts if (box := await t.bounding_box()) is not None]
                assert not overlaps(boxes), (weeks, number, group, [await t.text_content() for t in texts])
                # Readable on a phone too: no text drawn smaller than 10 px.
                assert all(box["height"] >= 10 for box in boxes), (weeks, number, group)
                # Inside the chart: nothing cut off at its edges.
                assert all(frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
                           and frame["y"] - 1 <= box["y"]
                           and box["y"] + box["height"] <= frame["y"] + frame["height"] + 1 for box in boxes), (
                    weeks, number, group)
        weekly = charts[0].locator(".axis.x text")
        assert 2 <= await weekly.count() <= 7, weeks
        # The week not yet over is marked: its bars are paler.
        assert await charts[0].locator("g.bar.partial").count() >= 1
    assert not errors, errors


async def test_the_audit_tab_is_reachable_on_a_phone(site: Site, browser: Browser) -> None:
    page, errors = await signed_in_page(site, browser, viewport=PHONE, is_mobile=True, has_touch=True)
    for lang in ("en", "ru", "de"):
        await page.click(f"header button.lang[value='{lang}']")
        for tab in await page.locator("nav a").all():
            box = await tab.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], lang
        await page.locator("nav a").last.click()
        assert page.url.endswith("/admin/audit")
    assert not errors, errors
