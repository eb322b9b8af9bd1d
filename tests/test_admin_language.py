"""The admin page in the admin's language: their Telegram language as the bot knows it, switchable and remembered."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.i18n.catalog import LANGUAGES, MESSAGES
from bot.intake.draft import Draft
from bot.jira.ticket import Reporter, Ticket
from tests.conftest import ADMIN_ID, Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import Site, file_directly, running_site

TEMPLATES = Path(__file__).parent.parent / "handlers" / "web" / "admin" / "templates"
PAGES = ("/admin/", "/admin/requests", "/admin/templates", "/admin/templates/history", "/admin/templates/versions/1",
         "/admin/users", "/admin/audit")
# What the page says in each language, where the others would say something else.
NAV = {"en": ("Dashboard", "Requests", "Templates", "Users", "Audit", "Sign out"),
       "ru": ("Сводка", "Запросы", "Шаблоны", "Пользователи", "Журнал", "Выйти"),
       "de": ("Übersicht", "Anfragen", "Vorlagen", "Benutzer", "Protokoll", "Abmelden")}


@pytest.fixture
async def site(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Site]:
    """The bot and its web server, with the example templates."""
    async with running_site(tg, jira, tmp_path, clock) as running:
        yield running


def visible(html: str) -> str:
    """Return a page's text without its tags."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_page_speaks_the_language_the_bot_speaks_with_the_admin(site: Site, lang: str) -> None:
    site.bot.user(ADMIN_ID, "Olga", language_code=lang)
    await file_directly(site, [(101, "bug", "Export fails", "ACME Corp GmbH", "High")])
    client = await site.signed_in()
    others = {word for other in LANGUAGES if other != lang for word in NAV[other]} - set(NAV[lang])
    for path in PAGES:
        page = await client.open(path)
        assert page.status == 200 and f'<html lang="{lang}">' in page.text, path
        text = visible(page.text)
        assert all(word in text for word in NAV[lang][:5]), path
        assert not [word for word in others if re.search(rf"(?<!\w){word}(?!\w)", text)], path


async def test_a_language_chosen_with_lang_in_the_bot_is_the_pages_too(site: Site) -> None:
    olga = site.bot.user(ADMIN_ID, "Olga", language_code="en")
    await site.bot.say(olga, "/help")
    site.svc.store.set_language_choice(ADMIN_ID, "de")
    client = await site.signed_in()
    assert "Übersicht" in (await client.open("/admin/")).text


async def test_the_language_is_switched_on_the_page_and_remembered(site: Site) -> None:
    client = await site.signed_in()
    page = await client.open("/admin/requests?text=x")
    assert "Dashboard" in page.text
    switched = await client.post("/admin/language", {"lang": "ru", "back": "/admin/requests?text=x"})
    assert switched.url.endswith("/admin/requests?text=x") and "Запросы" in switched.text
    # Remembered for the admin, not the browser: a new sign-in elsewhere opens in Russian too.
    other = await site.signed_in()
    assert '<html lang="ru">' in (await other.open("/admin/")).text
    # The bot itself keeps speaking the admin's Telegram language.
    olga = site.bot.user(ADMIN_ID, "Olga")
    await site.bot.say(olga, "/help")
    assert "/new" in olga.last.text and "новый" not in olga.last.text.lower()


async def test_the_switch_goes_back_only_to_this_sites_admin_pages_and_knows_its_languages(site: Site) -> None:
    client = await site.signed_in()
    for back in ("https://evil.example/", "//evil.example/admin", "/\\evil.example", "/healthz"):
        page = await client.post("/admin/language", {"lang": "de", "back": back}, follow=False)
        assert page.status == 303 and page.headers["Location"] == "/admin/", back
    await client.post("/admin/language", {"lang": "xx", "back": "/admin/"})
    assert "Übersicht" in (await client.open("/admin/")).text
    refused = await client.post("/admin/language", {"lang": "en", "back": "/admin/"}, csrf="forged")
    assert refused.status == 403 and "Nichts geändert" in refused.text


async def test_counts_read_right_in_every_language(site: Site) -> None:
    site.bot.jira.go_down()
    store = site.svc.store
    for n, summary in enumerate(("solo", "pair one", "pair two", "other one", "other two")):
        draft = Draft(id=f"p{n}", user_id=101, lang="en", reporter=Reporter(101, "Anna"), template_id="bug")
        store.confirm(draft, 101, Ticket("SUP", "Bug", summary, "d"))
    client = await site.signed_in()
    expected = {"en": ("1 request<", "2 requests<", "5 requests<"),
                "ru": ("1 запрос<", "2 запроса<", "5 запросов<"),
                "de": ("1 Anfrage<", "2 Anfragen<", "5 Anfragen<")}
    pages = {"en": "Page 1 of 1 · ", "ru": "Страница 1 из 1 · ", "de": "Seite 1 von 1 · "}
    for lang, counts in expected.items():
        await client.post("/admin/language", {"lang": lang, "back": "/admin/"})
        for query, text in zip(("?text=solo", "?text=pair", ""), counts, strict=True):
            page = await client.open("/admin/requests" + query)
            assert pages[lang] + text in page.text, (lang, text)
    site.bot.jira.come_up()


async def test_before_signing_in_the_page_follows_the_browsers_language(site: Site) -> None:
    for header, expected in (("de-AT,de;q=0.9,en;q=0.5", "Anmelden"), ("fr, ru;q=0.8", "Вход"), ("", "Sign in"),
                             ("pt-BR", "Sign in"), ("en;q=0.1, de;q=0.5", "Anmelden"), ("de;q=nonsense", "Sign in")):
        async with aiohttp.ClientSession() as http, http.get(site.base + "/admin/users",
                                                             headers={"Accept-Language": header}) as response:
            text = await response.text()
            assert response.status == 401 and f"<h1>{expected}</h1>" in text, header


def test_every_text_the_templates_name_is_in_the_catalog() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt[m]?\(\s*["']([a-z_-]+)["']\s*[,)]""", template.read_text(encoding="utf-8")))
    assert len(used) > 80
    assert sorted(used - set(MESSAGES)) == []
    # Keys the pages build from a prefix and a code.
    built = ([f"page_nav_{k}" for k in ("dashboard", "requests", "templates", "users", "audit")]
             + [f"page_role_{r}" for r in ("admin", "sales", "revoked", "none")]
             + [f"page_type_{q}" for q in ("text", "choice", "customer", "date", "number", "attachments")]
             + [f"log_status_{s}" for s in ("waiting", "needs-attention", "open", "resolved")]
             + [f"page_link_{r}" for r in ("unknown", "used", "expired", "not_admin")])
    assert [key for key in built if key not in MESSAGES] == []
