"""The optional extraction model: it settles the template and fills gaps, and the bot never waits long for it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.config import load_config
from bot.intake.customers import CustomerDirectory, load_customers
from bot.intake.extract import extract, is_sure
from bot.intake.model_hints import ModelHints, checked_answer, read_hints
from bot.templates.schema import TemplateSet, load_templates
from tests.conftest import ROOT, SALES_IDS, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram

TODAY = date(2026, 11, 23)
VAGUE = "Globex has trouble again with the thing, have a look please"


@pytest.fixture(scope="module")
def templates() -> TemplateSet:
    return load_templates(ROOT / "templates.example.yaml")


@pytest.fixture(scope="module")
def customers() -> CustomerDirectory:
    return CustomerDirectory(load_customers(ROOT / "customers.example.yaml"))


# -- what a model's reply may put into a draft --------------------------------------------------------------------


def test_a_reply_of_another_shape_is_no_hint(templates: TemplateSet) -> None:
    assert read_hints(["bug"], templates) is None
    assert read_hints({"template": "bug", "answers": ["x"]}, templates) is None
    assert read_hints({"template": "no-such-template", "answers": {}}, templates) == ModelHints(None, {})


def test_answers_are_checked_against_each_question(templates: TemplateSet, customers: CustomerDirectory) -> None:
    bug, feature = templates.get("bug"), templates.get("feature")
    assert bug is not None and feature is not None
    urgency, what, deadline = bug.question("urgency"), bug.question("what"), bug.question("deadline")
    assert checked_answer(urgency, "Клиент недоволен", customers, TODAY) == "soon"  # a label, in Russian
    assert checked_answer(urgency, "BLOCKER", customers, TODAY) == "blocker"
    assert checked_answer(urgency, "whenever", customers, TODAY) is None
    assert checked_answer(what, "too short", customers, TODAY) is None  # the question wants 10 characters
    assert checked_answer(deadline, "2026-11-27", customers, TODAY) == "2026-11-27"
    assert checked_answer(deadline, "2026-11-20", customers, TODAY) is None  # in the past
    assert checked_answer(deadline, "Friday", customers, TODAY) is None
    deal = feature.question("deal_size")
    assert checked_answer(deal, "40,000", customers, TODAY) == 40000
    assert checked_answer(deal, True, customers, TODAY) is None
    assert checked_answer(deal, float("nan"), customers, TODAY) is None
    customer = bug.question("customer")
    assert checked_answer(customer, "globex corporation", customers, TODAY) == "Globex Corporation"
    assert checked_answer(customer, "Hooli", customers, TODAY) == "Hooli"


def test_hints_settle_an_unsure_template_and_fill_only_the_gaps(templates: TemplateSet,
                                                                customers: CustomerDirectory) -> None:
    offline = extract(VAGUE, templates, customers, TODAY)
    assert not is_sure(offline)
    hints = ModelHints("bug", {"customer": "Initech Ltd", "urgency": "soon", "deadline": "2026-11-27"})
    hinted = extract(VAGUE, templates, customers, TODAY, hints=hints)
    assert is_sure(hinted) and hinted.template_id == "bug"
    answers = hinted.answers()
    assert answers["customer"] == "Globex Corporation"  # what the message itself says wins
    assert (answers["urgency"], answers["deadline"]) == ("soon", "2026-11-27")
    assert hinted.guess("urgency") is not None


def test_a_sure_offline_reading_keeps_its_template(templates: TemplateSet, customers: CustomerDirectory) -> None:
    text = "ACME export to Excel is broken since the update, error 500 every time"
    assert is_sure(extract(text, templates, customers, TODAY))
    hinted = extract(text, templates, customers, TODAY, hints=ModelHints("question", {}))
    assert hinted.template_id == "bug"


# -- the bot with a model endpoint on loopback ----------------------------------------------------------------------


@dataclass
class FakeModel:
    """An extraction endpoint that answers what the test sets, after an optional delay."""

    reply: Any = None
    status: int = 200
    delay: float = 0.0
    seen: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    answered: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(await request.json())
        self.headers.append(dict(request.headers))
        await asyncio.sleep(self.delay)
        self.answered += 1
        return web.Response(status=self.status, text=json.dumps(self.reply), content_type="application/json")


@pytest.fixture
async def model() -> AsyncIterator[FakeModel]:
    fake = FakeModel()
    app = web.Application()
    app.router.add_post("/extract", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}/extract"
    yield fake
    await runner.cleanup()


@pytest.fixture
async def modelled(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock, model: FakeModel
                   ) -> AsyncIterator[RunningBot]:
    config = write_config(tmp_path, jira.url, extractor={"url": model.url, "token": "model-token-secret",
                                                         "timeout": 0.5})
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    yield running
    await running.stop()


async def test_the_models_reading_prefills_a_vague_ask(modelled: RunningBot, model: FakeModel) -> None:
    model.reply = {"template": "bug", "answers": {"urgency": "Customer is unhappy",
                                                  "why": "Third complaint this week, renewal in December"}}
    user = modelled.user(SALES_IDS[0])
    await user.send(VAGUE)
    await modelled.tg.wait_for(lambda: "Please check" in user.last.text or "✎" in user.last.text, timeout=10)
    card = user.last.text
    assert "Globex Corporation" in card and "Customer is unhappy" in card
    assert "Third complaint this week" in card
    sent = model.seen[0]
    assert sent["text"] == VAGUE and sent["today"] == "2026-11-23"
    assert [t["id"] for t in sent["templates"]] == ["bug", "feature", "question"]
    assert model.headers[0]["Authorization"] == "Bearer model-token-secret"


async def test_an_ask_typed_after_new_is_read_by_the_model_too(modelled: RunningBot, model: FakeModel) -> None:
    model.reply = {"template": "bug", "answers": {"urgency": "Customer is unhappy"}}
    user = modelled.user(SALES_IDS[0])
    await modelled.say(user, "/new")
    await user.send(VAGUE)
    await modelled.tg.wait_for(lambda: "marked ✎" in user.last.text, timeout=10)
    assert [sent["text"] for sent in model.seen] == [VAGUE]
    # The model's urgency is taken, so the next open question is why it is urgent.
    assert "Something is broken" in user.last.text and "Why is it urgent?" in user.last.text


async def test_a_slow_model_is_not_waited_for(modelled: RunningBot, model: FakeModel) -> None:
    model.reply, model.delay = {"template": "bug", "answers": {}}, 3.0
    user = modelled.user(SALES_IDS[0])
    await user.send(VAGUE)
    await modelled.tg.wait_for(lambda: "Something is broken" in " ".join(user.last.buttons()), timeout=5)
    # The template choice, as without a model, shown before the model would have answered.
    assert len(model.seen) == 1 and model.answered == 0


async def test_a_failing_model_falls_back_to_the_offline_reading(modelled: RunningBot, model: FakeModel) -> None:
    model.reply, model.status = {"error": "overloaded"}, 503
    user = modelled.user(SALES_IDS[0])
    await user.send("ACME export to Excel is broken since the update, error 500 every time")
    await modelled.tg.wait_for(lambda: "ACME Corp GmbH" in user.last.text or "How urgent" in user.last.text,
                               timeout=10)


def test_the_model_token_is_a_secret(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "https://jira.example.com",
                                      extractor={"url": "https://model.example.com/x", "token": "${MODEL_TOKEN}"}),
                         env={"MODEL_TOKEN": "tok-123", "TELEGRAM_TOKEN": "1:x"})
    assert config.extractor is not None and config.extractor.token == "tok-123"
    assert "tok-123" in config.secrets and "tok-123" not in repr(config.extractor)


def test_a_slow_timeout_is_refused(tmp_path: Path) -> None:
    from bot.text.yamlfile import ConfigError

    with pytest.raises(ConfigError, match=r"extractor.timeout"):
        load_config(write_config(tmp_path, "https://jira.example.com",
                                 extractor={"url": "https://model.example.com/x", "timeout": 30}))
