"""The admin web page over HTTP: sign-in by a /web link, sessions, CSRF, and every page against the real bot."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import re
from collections.abc import AsyncIterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.config import ServerConfig, load_config
from bot.intake.draft import Draft
from bot.jira.ticket import Reporter, Ticket
from bot.people.signin import create_login
from bot.reports.dashboard_cache import Dashboards
from bot.text.yamlfile import ConfigError
from handlers.web.admin import dashboard_drawing, dashboard_page
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import (
    JIRA_SECRET,
    NEW_TEMPLATE,
    Page,
    Site,
    answer_bug_until_summary,
    file_directly,
    running_site,
    sign_in,
)

GET_PAGES = ("/admin/", "/admin/requests", "/admin/templates", "/admin/templates/history",
             "/admin/templates/versions/1", "/admin/users", "/admin/audit")
POST_ROUTES = ("/admin/logout", "/admin/templates/check", "/admin/templates/publish",
               "/admin/templates/versions/1/rollback", "/admin/users/role", "/admin/users/access",
               "/admin/users/invite", "/admin/users/invite/cancel")
@pytest.fixture
async def site(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Site]:
    """The bot and its web server, with the example templates."""
    async with running_site(tg, jira, tmp_path, clock) as running:
        yield running


def signin_page(page: Page) -> bool:
    """Say whether a page is the one that explains how to sign in."""
    return "send <b>/web</b>" in page.text and "Sign in" in page.text


# -- signing in ----------------------------------------------------------------------------------------------


async def test_web_sends_a_one_time_link_that_signs_in_with_a_safe_cookie(site: Site) -> None:
    admin = site.bot.user(ADMIN_ID, "Olga")
    url = await site.link(admin)
    assert "works once, within 10 minutes" in admin.last.text
    assert url.startswith(site.base + "/admin/login?token=")
    client = site.client()
    page = await sign_in(client, url, follow=False)
    assert page.status == 303 and page.headers["Location"] == "/admin/"
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Max-Age=43200" in cookie and "Secure" not in cookie
    dashboard = await client.open("/admin/")
    assert dashboard.status == 200 and "<h1>Dashboard</h1>" in dashboard.text
    assert "Olga Petrova (@olga)" in dashboard.text
    entry = site.svc.audit.recent(1)[0]
    assert (entry.actor_id, entry.action) == (ADMIN_ID, "web.signin")
    # Only a hash of the token is kept.
    token = url.split("token=")[1]
    assert site.svc.store.db.execute("SELECT count(*) FROM web_logins WHERE token_hash = ?", [token]).fetchone()[0] == 0


async def test_a_used_link_is_refused(site: Site) -> None:
    url = await site.link(site.bot.user(ADMIN_ID, "Olga"))
    assert (await sign_in(site.client(), url)).status == 200
    again = await site.client().open(url)
    assert again.status == 403 and "already used" in again.text and signin_page(again)
    token = url.split("token=")[1]
    pressed = await site.client().post("/admin/login", {"token": token}, csrf="")
    assert pressed.status == 403 and "already used" in pressed.text


async def test_opening_the_link_does_not_use_it_only_the_button_does(site: Site) -> None:
    url = await site.link(site.bot.user(ADMIN_ID, "Olga"))
    # A link preview or a mail scanner fetches the address, perhaps more than once: the link still works after.
    for _ in range(3):
        scanner = site.client()
        page = await scanner.open(url)
        assert page.status == 200 and "Sign in to the admin page" in page.text
        assert "ticketsmith_admin" not in page.headers.get("Set-Cookie", "")
    assert site.svc.store.db.execute("SELECT used_at FROM web_logins").fetchone()[0] is None
    assert [e.action for e in site.svc.audit.recent(5)] == []
    client = site.client()
    signed = await sign_in(client, url)
    assert signed.status == 200 and signed.url.endswith("/admin/") and "<h1>Dashboard</h1>" in signed.text
    assert site.svc.store.db.execute("SELECT used_at FROM web_logins").fetchone()[0] is not None


async def test_the_button_works_only_in_the_browser_that_opened_the_link(site: Site) -> None:
    url = await site.link(site.bot.user(ADMIN_ID, "Olga"))
    token = url.split("token=")[1]
    # Another site's form posting someone's token (with or without a made-up nonce) signs nobody in.
    for nonce in ("", "made-up"):
        stranger = site.client()
        page = await stranger.post("/admin/login", {"token": token}, csrf=nonce, follow=False)
        assert page.status == 303 and page.headers["Location"] == f"/admin/login?token={token}"
        assert "ticketsmith_admin" not in page.headers.get("Set-Cookie", "")
    assert site.svc.store.db.execute("SELECT used_at FROM web_logins").fetchone()[0] is None
    assert (await sign_in(site.client(), url)).url.endswith("/admin/")


async def test_an_expired_link_is_refused(site: Site, clock: Clock) -> None:
    url = await site.link(site.bot.user(ADMIN_ID, "Olga"))
    clock.advance(10 * 60 + 1)
    page = await site.client().open(url)
    assert page.status == 403 and "expired" in page.text and signin_page(page)


async def test_a_made_up_link_is_refused(site: Site) -> None:
    page = await site.client().open("/admin/login?token=not-a-real-token")
    assert page.status == 403 and "not valid" in page.text


async def test_without_a_session_every_page_is_the_sign_in_page_and_no_data(site: Site) -> None:
    await site.bot.say(site.bot.user(101, "Anna"), "/help")
    await file_directly(site, [(101, "bug", "Secret summary of ACME", "ACME Corp GmbH", "High")])
    client = site.client()
    for path in GET_PAGES:
        page = await client.open(path)
        assert page.status == 401 and signin_page(page), path
        assert "@ticketsmith_bot" in page.text
        assert "Secret summary" not in page.text and "templates:" not in page.text and "Anna" not in page.text
    before = site.svc.audit.count()
    for path in POST_ROUTES:
        page = await client.post(path, {"text": "templates: []", "user_id": "101", "role": "admin"}, csrf="x")
        assert page.status == 401 and signin_page(page), path
    assert site.svc.audit.count() == before
    assert site.svc.access.role_of(101, "anna") == "sales"


async def test_a_tampered_cookie_is_refused(site: Site) -> None:
    client = await site.signed_in()
    cookie = next(c for c in client.http.cookie_jar if c.key == "ticketsmith_admin")
    session_id, signature = cookie.value.rsplit(".", 1)
    forged = {"ticketsmith_admin": f"{session_id}.{'0' * len(signature)}"}
    other = {"ticketsmith_admin": f"{session_id[:-1]}{'A' if session_id[-1] != 'A' else 'B'}.{signature}"}
    for value in (forged, other, {"ticketsmith_admin": session_id}):
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), cookies=value) as http, \
                http.get(site.base + "/admin/users") as response:
            text = await response.text()
            assert response.status == 401 and "send <b>/web</b>" in text and "Anna" not in text


async def test_an_expired_session_is_refused(site: Site, clock: Clock) -> None:
    client = await site.signed_in()
    clock.advance(11 * 3600)
    assert (await client.open("/admin/users")).status == 200
    clock.advance(3600 + 1)
    page = await client.open("/admin/users")
    assert page.status == 401 and "session has ended" in page.text and signin_page(page)


async def test_a_salesperson_gets_no_link_and_a_link_of_theirs_does_not_work(site: Site) -> None:
    anna = site.bot.user(SALES_IDS[0], "Anna")
    await site.bot.say(anna, "/web")
    assert anna.last.text == "This command is for admins."
    assert not anna.last.entities
    token = create_login(site.svc.store, SALES_IDS[0], 600)
    page = await site.client().open(f"/admin/login?token={token}")
    assert page.status == 403 and "not an admin" in page.text
    pressed = await site.client().post("/admin/login", {"token": token}, csrf="")
    assert "ticketsmith_admin" not in pressed.headers.get("Set-Cookie", "")


async def test_a_demoted_admin_is_out_at_once(site: Site) -> None:
    site.svc.access.set_role(SALES_IDS[1], "admin", ADMIN_ID, name="Boris Petrova", username="boris2")
    second = await site.signed_in(SALES_IDS[1], "Boris")
    assert (await second.open("/admin/users")).status == 200
    olga = await site.signed_in()
    await olga.open("/admin/users")
    done = await olga.post("/admin/users/role", {"user_id": SALES_IDS[1], "role": "sales"})
    assert "is now a salesperson" in done.text
    page = await second.open("/admin/users")
    assert page.status == 403 and "not an admin" in page.text and signin_page(page)


async def test_sign_out_ends_the_session(site: Site) -> None:
    client = await site.signed_in()
    page = await client.post("/admin/logout")
    assert page.status == 200 and "signed out" in page.text
    assert signin_page(await client.open("/admin/"))
    assert site.svc.store.db.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0


async def test_every_form_needs_the_sessions_csrf_token(site: Site) -> None:
    await site.bot.say(site.bot.user(101, "Anna"), "/help")
    client = await site.signed_in()
    before = (site.svc.audit.count(), site.svc.engine.templates.version)
    data = {"text": site.svc.engine.templates.text + NEW_TEMPLATE, "user_id": "101", "role": "admin",
            "verdict": "sales", "valid": "7d", "code": "x"}
    for token in ("", "wrong-token"):
        for path in POST_ROUTES:
            page = await client.post(path, data, csrf=token)
            assert page.status == 403 and "nothing was changed" in page.text, path
    assert (site.svc.audit.count(), site.svc.engine.templates.version) == before
    assert site.svc.access.role_of(101, "anna") == "sales"
    assert (await client.open("/admin/")).status == 200, "still signed in"


async def test_web_says_when_the_page_is_off(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Olga")
    await bot.say(admin, "/web")
    assert "switched off" in admin.last.text and "server.port" in admin.last.text


async def test_cookie_is_secure_behind_https(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> None:
    async with running_site(tg, jira, tmp_path, clock, public_url="https://bot.example.com/") as https_site:
        url = await https_site.link(https_site.bot.user(ADMIN_ID, "Olga"))
        assert url.startswith("https://bot.example.com/admin/login?token=")
        shown = await https_site.client().open(url.replace("https://bot.example.com", https_site.base))
        assert "Secure" in shown.headers["Set-Cookie"] and "SameSite=Strict" in shown.headers["Set-Cookie"]
        # The browser sends the Secure cookie back only over HTTPS, as the proxy in front of the bot does.
        nonce = re.search(r'name="csrf" value="([^"]+)"', shown.text)
        assert nonce is not None
        form = {"csrf": nonce[1], "token": url.split("token=")[1]}
        async with aiohttp.ClientSession() as http, http.post(
                https_site.base + "/admin/login", data=form, allow_redirects=False,
                headers={"Cookie": f"ticketsmith_login={nonce[1]}"}) as response:
            assert response.status == 303 and "Secure" in response.headers["Set-Cookie"]


def test_the_page_address_comes_from_public_url_or_the_listening_port(tmp_path: Path) -> None:
    for wrong in ("ftp://bot.example.com", "https://bot.example.com/ts", "bot.example.com"):
        path = write_config(tmp_path, "https://jira.example.com", server={"port": 8080, "public_url": wrong})
        with pytest.raises(ConfigError) as error:
            load_config(path)
        assert any("'server.public_url' must be an http:// or https:// address" in p for p in error.value.problems)
    assert ServerConfig(listen="0.0.0.0", port=8080).base_url == "http://localhost:8080"
    assert ServerConfig(port=8080, public_url="https://bot.example.com").base_url == "https://bot.example.com"
    good = write_config(tmp_path, "https://jira.example.com",
                        server={"port": 8080, "public_url": "https://bot.example.com:8443/", "admin_link_minutes": 5})
    server = load_config(good).server
    assert (server.base_url, server.admin_link_minutes, server.admin_session_hours) == (
        "https://bot.example.com:8443", 5.0, 12.0)


# -- templates -----------------------------------------------------------------------------------------------


async def test_validation_errors_are_shown_on_their_lines(site: Site) -> None:
    client = await site.signed_in()
    text = site.svc.engine.templates.text
    lines = text.splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if line.strip() == "type: choice")
    lines[number - 1] = lines[number - 1].replace("choice", "choise")
    await client.open("/admin/templates")
    page = await client.post("/admin/templates/check", {"text": "\n".join(lines)})
    assert page.status == 422
    assert "nothing was published" in page.text
    assert f'data-line="{number}">Line {number}</a>: ' in page.text
    assert "unknown type &#39;choise&#39;" in page.text
    assert f'<span id="L{number}" class="err">{number}</span>' in page.text
    assert f"{number:>4} │ " in page.text and "type: choise" in page.text
    assert "<textarea" in page.text and "choise" in page.text.split("<textarea", 1)[1]
    broken_yaml = await client.post("/admin/templates/publish", {"text": "templates:\n  - id: [oops\n"})
    assert broken_yaml.status == 422 and "Line 3" in broken_yaml.text
    assert site.svc.library.latest().number == 1


async def test_a_file_nested_thousands_deep_is_refused_on_its_line(site: Site) -> None:
    client = await site.signed_in()
    await client.open("/admin/templates")
    deep = "templates:\n  - id: bug\n    title: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n"
    for path in ("/admin/templates/check", "/admin/templates/publish"):
        page = await client.post(path, {"text": deep})
        assert page.status == 422 and "nothing was published" in page.text
        assert 'data-line="3">Line 3</a>: nested too deeply (more than 64 levels)' in page.text
    assert site.svc.library.latest().number == 1


async def test_check_shows_the_changes_and_the_new_dialog(site: Site) -> None:
    client = await site.signed_in()
    await client.open("/admin/templates")
    page = await client.post("/admin/templates/check", {"text": site.svc.engine.templates.text + NEW_TEMPLATE,
                                                        "lang": "de"})
    assert page.status == 200 and "No problems found" in page.text
    assert "Changes against the live version" in page.text and "onboarding" in page.text
    assert "Neuen Kunden anbinden" in page.text and "Welcher Tarif?" in page.text
    assert '<span class="tgbtn">Pro</span>' in page.text and "“Pro” sets priority High" in page.text
    assert site.svc.library.latest().number == 1, "checking publishes nothing"


async def test_preview_lists_questions_with_buttons_and_conditions(site: Site) -> None:
    client = await site.signed_in()
    page = await client.open("/admin/templates")
    assert "Preview of the live version" in page.text
    assert "How urgent is it?" in page.text and '<span class="tgbtn">Can wait</span>' in page.text
    assert "Asked only when “How urgent is it?” is “Deal or go-live blocked” or “Customer is unhappy”." in page.text
    assert '<span class="tgbtn nav">Skip ⏭</span>' in page.text
    russian = await client.open("/admin/templates?lang=ru")
    assert "Насколько срочно?" in russian.text


async def test_publish_offers_the_new_template_to_salespeople_at_once(site: Site) -> None:
    client = await site.signed_in()
    await client.open("/admin/templates")
    page = await client.post("/admin/templates/publish", {"text": site.svc.engine.templates.text + NEW_TEMPLATE,
                                                          "base": site.svc.engine.templates.version,
                                                          "note": "onboarding form"})
    assert page.status == 200 and "Published v2. New requests use it now." in page.text
    anna = site.bot.user(SALES_IDS[0], "Anna")
    await site.bot.say(anna, "/new")
    assert "Onboard a new customer" in anna.last.buttons()
    version = site.svc.library.latest()
    assert (version.number, version.source, version.author_id, version.note) == (2, "web", ADMIN_ID,
                                                                                 "onboarding form")
    assert version.author_name == "Olga Petrova (@olga)"
    again = await client.post("/admin/templates/publish", {"text": site.svc.engine.templates.text})
    assert "Nothing to publish" in again.text


async def test_publishing_over_a_newer_version_asks_first(site: Site) -> None:
    first, second = await site.signed_in(), await site.signed_in()
    base = site.svc.engine.templates.version
    await first.open("/admin/templates")
    await second.open("/admin/templates")
    text = site.svc.engine.templates.text
    assert "Published v2" in (await first.post("/admin/templates/publish", {"text": text + NEW_TEMPLATE,
                                                                           "base": base})).text
    mine = text.replace("How urgent is it?", "How urgent is this?")
    page = await second.post("/admin/templates/publish", {"text": mine, "base": base})
    assert page.status == 409 and "v2 was published while you were editing" in page.text
    assert site.svc.library.latest().number == 2
    confirmed = await second.post("/admin/templates/publish", {"text": mine,
                                                               "base": site.svc.engine.templates.version})
    assert "Published v3" in confirmed.text


async def test_history_diff_and_rollback(site: Site) -> None:
    client = await site.signed_in()
    await client.open("/admin/templates")
    await client.post("/admin/templates/publish", {"text": site.svc.engine.templates.text + NEW_TEMPLATE})
    history = await client.open("/admin/templates/history")
    assert ">v2</a>" in history.text and ">v1</a>" in history.text and "Roll back" in history.text
    version = await client.open("/admin/templates/versions/2")
    assert "Changes from v1" in version.text and "Onboard a new customer" in version.text
    assert '<span class="add">+  - id: onboarding</span>' in version.text
    assert (await client.open("/admin/templates/versions/99")).status == 404
    page = await client.post("/admin/templates/versions/1/rollback")
    assert "Published v3" in page.text
    latest = site.svc.library.latest()
    assert (latest.number, latest.source, latest.note) == (3, "rollback", "v1")
    anna = site.bot.user(SALES_IDS[0], "Anna")
    await site.bot.say(anna, "/new")
    assert "Onboard a new customer" not in anna.last.buttons()


# -- requests and dashboard ----------------------------------------------------------------------------------


async def test_requests_are_listed_filtered_and_searched(site: Site) -> None:
    site.bot.user(SALES_IDS[1], "Boris")
    await site.bot.say(site.bot.user(SALES_IDS[1], "Boris"), "/help")
    await file_directly(site, [
        (101, "bug", "Export fails", "ACME Corp GmbH", "High"),
        (102, "feature", "Needs SSO login", "Globex Corporation", "Low"),
        (101, "question", "Is there an API?", "ACME Corp GmbH", None),
    ])
    client = await site.signed_in()
    page = await client.open("/admin/requests")
    assert page.text.count('<tr><td data-label="Created"') == 3 and "3 requests" in page.text
    assert f'href="{site.bot.jira.url}/browse/SUP-1"' in page.text
    assert "Export fails" in page.text and "Boris" in page.text

    async def summaries(query: str) -> set[str]:
        """Return which of the requests the list shows for a query."""
        found = await client.open("/admin/requests?" + query)
        return {s for s in ("Export fails", "Needs SSO login", "Is there an API?") if s in found.text}

    assert await summaries("customer=ACME") == {"Export fails", "Is there an API?"}
    assert await summaries("template=feature") == {"Needs SSO login"}
    assert await summaries("urgency=High") == {"Export fails"}
    assert await summaries("requester=102") == {"Needs SSO login"}
    assert await summaries("text=SSO") == {"Needs SSO login"}
    assert await summaries("status=open") == {"Export fails", "Needs SSO login", "Is there an API?"}
    assert await summaries("status=resolved") == set()
    assert "No request matches" in (await client.open("/admin/requests?text=nothing-like-it")).text


def link_to(page: Page, label: str) -> str:
    """Return where the link with this label on the page leads."""
    found = re.search(r'href="([^"]*)">' + re.escape(label) + "<", page.text)
    assert found, f"no {label!r} link"
    return html.unescape(found[1])


async def test_a_heading_sorts_by_its_column_and_a_second_click_turns_the_order_round(site: Site) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "Globex Corporation", "High"),
                               (102, "feature", "Needs SSO", "ACME Corp GmbH", "Low")])
    client = await site.signed_in()

    def order(page: Page) -> list[str]:
        """Return the customers as the table lists them."""
        return [c for c in re.findall(r'data-label="Customer"><div>([^<]+)<', page.text)]

    first = await client.open("/admin/requests")
    assert order(first) == ["ACME Corp GmbH", "Globex Corporation"] and 'aria-sort="descending"' in first.text
    by_customer = await client.open(link_to(first, "Customer"))
    assert order(by_customer) == ["ACME Corp GmbH", "Globex Corporation"]
    assert "Customer ▲</a>" in by_customer.text and "sort=customer" in by_customer.url
    turned = await client.open(link_to(by_customer, "Customer ▲"))
    assert order(turned) == ["Globex Corporation", "ACME Corp GmbH"] and "Customer ▼</a>" in turned.text
    # The export link carries the same filter and order.
    assert "/admin/requests.csv?sort=customer" in html.unescape(turned.text)


async def test_requests_are_paginated(site: Site) -> None:
    site.bot.jira.go_down()
    store = site.svc.store
    for n in range(55):
        draft = Draft(id=f"p{n:03d}", user_id=101, lang="en", reporter=Reporter(101, "Anna"), template_id="bug")
        store.confirm(draft, 101, Ticket("SUP", "Bug", f"Problem {n:02d}", "d"))
        site.bot.clock.advance(1)
    client = await site.signed_in()
    first = await client.open("/admin/requests")
    assert "Page 1 of 2 · 55 requests" in first.text and "Problem 54" in first.text and "Problem 04" not in first.text
    second = await client.open(link_to(first, "Next ▶"))
    assert "Page 2 of 2" in second.text and "Problem 04" in second.text and "Problem 54" not in second.text
    assert "Next ▶" not in second.text and "Page 1 of 2" in (await client.open(link_to(second, "◀ Previous"))).text
    site.bot.jira.come_up()


async def test_odd_numbers_in_addresses_and_forms_are_ignored_not_a_crash(site: Site) -> None:
    client = await site.signed_in()
    # "²" passes str.isdigit() but not int(); 19 digits overflow SQLite's integers.
    for odd in ("%C2%B2", "9999999999999999999", "99999999999999999990"):
        for url in (f"/admin/requests?page={odd}", f"/admin/audit?page={odd}", f"/admin/?weeks={odd}",
                    f"/admin/users?user={odd}", f"/admin/requests?requester={odd}",
                    f"/admin/templates?published={odd}"):
            page = await client.open(url)
            assert page.status == 200, (url, page.status)
    for path in ("/admin/users/role", "/admin/users/access"):
        page = await client.post(path, {"user_id": "²", "role": "sales", "verdict": "sales"})
        assert page.status < 500, (path, page.status)


async def test_dashboard_draws_the_requests_filed_through_the_bot(site: Site, clock: Clock) -> None:
    anna = site.bot.user(SALES_IDS[0], "Anna")
    await answer_bug_until_summary(site.bot, anna)
    await site.bot.tap(anna, "✅ Create")
    # Filed in the background: its notice would otherwise land between the next request's prompts.
    await site.bot.tg.wait_for(lambda: any("Created SUP-1" in m.text for m in anna.messages), timeout=15)
    await answer_bug_until_summary(site.bot, anna, urgency="Can wait", deadline="No deadline")
    await site.bot.tap(anna, "✅ Create")
    await site.bot.tap(anna, "No, create a new one")
    await site.bot.tg.wait_for(lambda: sum("Created SUP-" in m.text for m in anna.messages) == 2, timeout=15)
    jira = site.bot.jira
    jira.add_webhook(f"{site.base}/jira/webhook", secret=JIRA_SECRET)
    jira.comment("SUP-1", "Looking at it")
    jira.resolve("SUP-1")
    await jira.aflush_webhooks()
    clock.advance(61)
    site.svc.inbox.kick()
    await site.bot.tg.wait_for(lambda: site.svc.store.db.execute(
        "SELECT resolved_at FROM requests WHERE jira_key = 'SUP-1'").fetchone()[0] is not None, timeout=10)
    client = await site.signed_in()
    page = await client.open("/admin/")
    assert page.text.count("<svg") == 6
    assert "<b>2</b><span>requests in 12 weeks</span>" in page.text
    assert "<b>1</b><span>resolved</span>" in page.text
    assert "<b>0%</b><span>needed a follow-up question</span>" in page.text
    # The week of 23 Nov is not over yet: its marks say so.
    assert "23 Nov (so far): Something is broken 2</title>" in page.text
    assert "23 Nov (so far): Highest 1</title>" in page.text and "23 Nov (so far): Medium 1</title>" in page.text
    assert "ACME Corp GmbH: 2</title>" in page.text and "The last week is not over yet" in page.text
    assert "median time to first engineer response" in page.text
    four = await client.open("/admin/?weeks=4")
    assert "requests in 4 weeks" in four.text and 'id="counting"' not in four.text
    # Counting that takes longer than a page waits: the figures kept are shown, saying when they were counted.
    site.svc.dashboards = Dashboards(site.svc.store, clock, wait=0.0)
    counted = datetime.fromtimestamp(clock(), site.svc.config.timezone).strftime("%H:%M")
    clock.advance(600)
    site.svc.store.db.execute("UPDATE requests SET followups = 1 WHERE jira_key = 'SUP-1'")
    kept = await client.open("/admin/")
    assert f"{counted}; requests changed since are being counted" in kept.text
    assert "<b>0%</b><span>needed a follow-up" in kept.text
    for _ in range(100):
        fresh = await client.open("/admin/")
        if 'id="counting"' not in fresh.text:
            break
        await asyncio.sleep(0.05)
    assert "<b>50%</b><span>needed a follow-up question</span>" in fresh.text


async def test_a_span_counted_for_the_first_time_says_so_and_reloads_until_its_figures_are_there(
        site: Site, clock: Clock) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High")])
    # As at a size where a year of figures takes longer to count than a page waits.
    site.svc.dashboards = Dashboards(site.svc.store, clock, quick=0)
    client = await site.signed_in()
    page = await client.open("/admin/?weeks=52")
    assert 'id="first-count"' in page.text and "being counted for the first time" in page.text
    assert '<meta http-equiv="refresh" content="3">' in page.text and "<svg" not in page.text
    assert "<b>52 weeks</b>" in page.text  # the other spans can still be chosen meanwhile
    for _ in range(200):
        page = await client.open("/admin/?weeks=52")
        if 'id="first-count"' not in page.text:
            break
        await asyncio.sleep(0.05)
    assert "<b>1</b><span>requests in 52 weeks</span>" in page.text and 'http-equiv="refresh"' not in page.text
    # A download does not say "being counted": it waits for the figures.
    site.svc.dashboards = Dashboards(site.svc.store, clock, quick=0)
    download = await client.open("/admin/urgency.csv?weeks=26")
    assert download.text.splitlines()[1:] == ["template,bug,High,1,0,0,0,0,,0,", "requester,101,High,1,0,0,0,0,,0,"]


async def test_a_first_count_that_fails_says_so_and_is_tried_again(site: Site, clock: Clock) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High")])
    # As at a size where a year of figures is counted apart, in a database the count cannot read.
    site.svc.store.db.execute("DROP INDEX requests_urgency")
    site.svc.dashboards = Dashboards(site.svc.store, clock, quick=0)
    client = await site.signed_in()
    assert "being counted for the first time" in (await client.open("/admin/?weeks=52")).text
    for _ in range(200):
        page = await client.open("/admin/?weeks=52")
        if "could not be counted" in page.text:
            break
        await asyncio.sleep(0.05)
    assert "log says why" in page.text and '<meta http-equiv="refresh" content="30">' in page.text
    assert "every 30 seconds" in page.text and "<svg" not in page.text


async def test_dashboards_read_back_after_a_restart_are_drawn_before_anyone_opens_them(site: Site,
                                                                                      clock: Clock) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High")])
    client = await site.signed_in()
    await client.open("/admin/?weeks=26")
    await client.post("/admin/language", {"lang": "de", "back": "/admin/"})
    # As after a restart: the figures read back from the database and drawn in the admin's language meanwhile.
    zone = site.svc.config.timezone
    site.svc.dashboards = Dashboards(site.svc.store, clock)
    site.svc.dashboards.watch(dashboard_drawing.draw_ahead(site.svc))
    await site.svc.dashboards.read_back(dashboard_page.SPANS, zone)
    kept = site.svc.dashboards.kept(26, zone)
    assert kept is not None and site.svc.dashboards.kept(52, zone) is None
    for _ in range(100):
        if dashboard_drawing.DRAWINGS.has(kept, "de"):
            break
        await asyncio.sleep(0.02)
    shown = await site.svc.dashboards.page(26, zone)
    assert shown is not None and shown.board is kept
    charts = [chart.svg for _, chart in dashboard_drawing.DRAWINGS.get(site.svc, kept, shown.urgency, "de")[0]]
    page = await client.open("/admin/?weeks=26")
    assert "Anfragen in 26 Wochen" in page.text and all(svg in page.text for svg in charts)
    # Requests changed while it was down: read back, the figures are counted again and those drawn.
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High"),  # the same one again
                               (102, "bug", "Import fails", "ACME Corp GmbH", "Low")])
    site.svc.dashboards = Dashboards(site.svc.store, clock)
    site.svc.dashboards.watch(dashboard_drawing.draw_ahead(site.svc))
    await site.svc.dashboards.read_back(dashboard_page.SPANS, zone)
    for _ in range(100):
        fresh = site.svc.dashboards.kept(26, zone)
        if fresh is not None and fresh.total == 2 and dashboard_drawing.DRAWINGS.has(fresh, "de"):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the changed figures were not counted and drawn")


# -- users ---------------------------------------------------------------------------------------------------


async def test_invites_are_made_shown_and_withdrawn(site: Site) -> None:
    client = await site.signed_in()
    await client.open("/admin/users")
    page = await client.post("/admin/users/invite", {"role": "admin", "valid": "3d"})
    assert "Invite link made" in page.text
    invite = site.svc.store.db.execute("SELECT code, role, expires_at - created_at FROM invites").fetchone()
    assert invite[1] == "admin" and invite[2] == 3 * 86400
    assert f'value="https://t.me/ticketsmith_bot?start={invite[0]}"' in page.text
    bad = await client.post("/admin/users/invite", {"role": "admin", "valid": "400d"})
    assert "from 1 hour to 90 days" in bad.text
    withdrawn = await client.post("/admin/users/invite/cancel", {"code": invite[0]})
    assert "no longer works" in withdrawn.text and invite[0] not in withdrawn.text
    actions = [e.action for e in site.svc.audit.recent(10)]
    assert "invite.create" in actions and "invite.cancel" in actions


async def test_promote_revoke_and_restore_with_the_telegram_rules(site: Site) -> None:
    anna, boris = site.bot.user(101, "Anna"), site.bot.user(102, "Boris")
    await site.bot.say(anna, "/help")
    await site.bot.say(boris, "/new")
    await site.bot.tap(boris, "Something is broken")
    client = await site.signed_in()
    page = await client.open("/admin/users")
    assert "Anna Petrova" in page.text and "admin in the config file" in page.text
    promoted = await client.post("/admin/users/role", {"user_id": "101", "role": "admin"})
    assert "Anna Petrova (@anna) is now an admin. They were told in Telegram." in promoted.text
    assert site.svc.access.is_admin(101, "anna")
    assert "made you an admin" in anna.last.text
    revoked = await client.post("/admin/users/role", {"user_id": "102", "role": "revoked"})
    assert "can no longer use the bot" in revoked.text
    assert "Their unfinished request was discarded." in revoked.text
    assert site.svc.store.get_draft(102) is None
    await site.bot.tg.wait_for(lambda: "revoked" in boris.last.text)
    await site.bot.say(boris, "/new")
    assert "revoked" in boris.last.text
    restored = await client.post("/admin/users/role", {"user_id": "102", "role": "sales"})
    assert "is now a salesperson" in restored.text and site.svc.access.allowed(102, "boris")
    self_demotion = await client.post("/admin/users/role", {"user_id": str(ADMIN_ID), "role": "sales"})
    assert "admin in the config file" in self_demotion.text and site.svc.access.is_admin(ADMIN_ID, "olga")
    actions = [e.action for e in site.svc.audit.recent(10)]
    assert actions.count("role.change") == 1 and "user.revoke" in actions and "user.restore" in actions


async def test_the_page_says_only_what_happened(site: Site) -> None:
    anna = site.bot.user(101, "Anna")
    await site.bot.say(anna, "/help")
    client = await site.signed_in()
    await client.open("/admin/users")
    revoked = await client.post("/admin/users/role", {"user_id": "101", "role": "revoked"})
    assert "can no longer use the bot. They were told in Telegram." in revoked.text
    assert "unfinished request" not in revoked.text
    site.bot.tg.block(101)
    restored = await client.post("/admin/users/role", {"user_id": "101", "role": "sales"})
    assert "is now a salesperson. Telegram could not be reached to tell them." in restored.text
    await client.post("/admin/users/invite", {"role": "sales", "valid": "1d"})
    code = site.svc.store.db.execute("SELECT code FROM invites").fetchone()[0]
    await client.post("/admin/users/invite/cancel", {"code": code})
    again = await client.post("/admin/users/invite/cancel", {"code": code})
    assert "already used or withdrawn" in again.text and "no longer works" not in again.text


async def test_an_admin_cannot_demote_themselves(site: Site) -> None:
    site.svc.access.set_role(103, "admin", ADMIN_ID, name="Carl", username="carl")
    carl = await site.signed_in(103, "Carl")
    await carl.open("/admin/users")
    page = await carl.post("/admin/users/role", {"user_id": "103", "role": "sales"})
    assert "You cannot demote or revoke yourself" in page.text and site.svc.access.is_admin(103, "carl")


async def test_an_access_request_is_approved_from_the_page_and_the_person_told(site: Site) -> None:
    client = await site.signed_in()
    eve = site.bot.user(555, "Eve")
    await site.bot.say(eve, "/start")
    await site.bot.tap(eve, "🙋 Ask for access")
    admin = site.bot.user(ADMIN_ID, "Olga")
    await site.bot.tg.wait_for(lambda: any("Eve" in m.text for m in admin.messages))
    page = await client.open("/admin/users")
    assert "Waiting for access (1)" in page.text and "Eve Petrova (@eve)" in page.text
    done = await client.post("/admin/users/access", {"user_id": "555", "verdict": "sales"})
    assert "may use the bot now. They were told in Telegram." in done.text
    assert "Waiting for access" not in done.text
    assert "Welcome" in eve.last.text
    card = next(m for m in admin.messages if "Eve" in m.text)
    assert "Approved as salesperson by" in card.text and not card.buttons()
    twice = await client.post("/admin/users/access", {"user_id": "555", "verdict": "deny"})
    assert "already decided" in twice.text
    await site.bot.say(eve, "/new")
    assert "What do you need?" in eve.last.text


# -- audit, headers, offline ---------------------------------------------------------------------------------


async def test_audit_shows_who_changed_what(site: Site) -> None:
    await site.bot.say(site.bot.user(101, "Anna"), "/help")
    client = await site.signed_in()
    await client.open("/admin/templates")
    await client.post("/admin/templates/publish", {"text": site.svc.engine.templates.text + NEW_TEMPLATE})
    await client.post("/admin/users/role", {"user_id": "101", "role": "admin"})
    page = await client.open("/admin/audit")
    rows = re.findall(r"<tr><td data-label=\"When\"(.*?)</tr>", page.text)
    assert len(rows) == 3
    assert "role.change" in rows[0] and "Olga Petrova (@olga)" in rows[0] and "sales → admin" in rows[0]
    assert "templates.publish" in rows[1] and "v2 (web)" in rows[1]
    assert "web.signin" in rows[2] and "23 Nov 2026 09:00" in rows[2]


class _Links(HTMLParser):
    """Every address a page refers to, by tag and attribute."""

    def __init__(self) -> None:
        """Start with no addresses."""
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note the addresses of one tag."""
        for name, value in attrs:
            if name in ("src", "href", "action", "formaction", "poster", "data") and value:
                self.found.append((tag, name, value))


async def test_every_page_is_offline_and_sends_strict_headers(site: Site) -> None:
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High")])
    client = await site.signed_in()
    pages = [await client.open(path) for path in GET_PAGES]
    pages.append(await client.post("/admin/templates/check", {"text": "templates: 1"}))
    pages.append(await site.client().open("/admin/users"))
    pages.append(await site.client().open("/admin/login?token=used-or-not"))
    jira = urlsplit(site.bot.jira.url).netloc
    for page in pages:
        headers = page.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'"), page.url
        assert re.search(r"style-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;", headers["Content-Security-Policy"])
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        # No inline script or style attribute; an inline stylesheet (a chart's) only as the policy names its hash.
        assert not re.search(r"<script>|\sstyle=", page.text), page.url
        for css in re.findall(r"<style[^>]*>(.*?)</style>", page.text, flags=re.S):
            digest = base64.b64encode(hashlib.sha256(html.unescape(css).encode()).digest()).decode()
            assert f"'sha256-{digest}'" in headers["Content-Security-Policy"], page.url
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
        assert "@import" not in page.text and "url(" not in page.text
        parser = _Links()
        parser.feed(page.text)
        for tag, attribute, value in parser.found:
            if not value.startswith(("http://", "https://", "//")):
                continue
            # Only a link to the configured Jira may leave the page; nothing is ever loaded from elsewhere.
            assert tag == "a" and attribute == "href" and urlsplit(value).netloc == jira, (page.url, value)
    script = await client.open("/admin/assets/editor.js")
    assert script.status == 200 and "http" not in script.text
    sheet = await client.open("/admin/assets/admin.css")
    assert sheet.status == 200 and sheet.headers["Content-Type"].startswith("text/css") and "http" not in sheet.text


async def test_unknown_admin_paths_still_get_the_headers(site: Site) -> None:
    client = await site.signed_in()
    page = await client.open("/admin/nothing-here")
    assert page.status == 404 and page.headers["X-Frame-Options"] == "DENY"
    plain = await client.open("/healthz")
    assert "X-Frame-Options" not in plain.headers
