"""Templates that learn: engineers' follow-up questions per template, grouped, with a question one tap away."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.notices import NoticePolicy
from bot.delivery.outcomes import backfill_questions
from bot.intake.draft import Draft
from bot.jira.events import IssueEvent
from bot.jira.ticket import Reporter, Ticket
from bot.reports.followups import group_questions, template_insights, words
from bot.storage.store import Store
from bot.templates.schema import parse_templates
from bot.templates.suggest import SuggestedQuestion, with_question
from tests.conftest import ADMIN_ID, ROOT, SALES_IDS, START, Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import JIRA_SECRET, Served, file_bug, running_site, served_by_webhook, told

EXAMPLE = (ROOT / "templates.example.yaml").read_text(encoding="utf-8")
HOUR = 3600.0


@pytest.fixture
async def served(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    async for running in served_by_webhook(tg, jira, tmp_path, clock):
        yield running


async def test_engineers_questions_become_a_suggested_question_an_admin_publishes(
        served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    anna = tg.user(SALES_IDS[0], "Anna", username="anna")
    boris = tg.user(SALES_IDS[1], "Boris", username="boris")
    one = await file_bug(tg, anna, "Export to Excel fails since the update", "acme")
    two = await file_bug(tg, boris, "Invoices show the wrong tax rate", "globex")
    three = await file_bug(tg, anna, "The login page is blank on Safari", "initech")
    clock.advance(2 * HOUR)
    jira.comment(one, "[?] Which product version does ACME run?", actor="alice")
    jira.comment(one, "@sales and the exact product version number, please", actor="alice")
    jira.comment(two, "@sales which product version is Globex on?", actor="alice")
    jira.comment(three, "Looking into it, reproduced on our side", actor="alice")
    await told(served, clock)
    # Each salesperson was asked in the chat as before.
    assert any("Which product version does ACME run?" in m.text for m in anna.messages)
    assert any("which product version is Globex on?" in m.text for m in boris.messages)
    clock.advance(HOUR)
    jira.resolve(three, "Fixed", actor="alice")
    await told(served, clock)

    admin = tg.user(ADMIN_ID, "Olga", username="olga")
    await admin.send("/templates")
    await tg.wait_for(lambda: "What engineers asked" in admin.last.text, timeout=10)
    text = admin.last.text
    assert "Something is broken: ready on first pass 1 of 3 requests (33%)" in text
    # Two requests asked about the version (one of them twice: counted once), shown with the shortest question.
    assert ("• In 2 of 3 requests engineers asked for “product version”, e.g. “which product version is Globex "
            "on?”") in text
    assert admin.last.buttons()[0] == "➕ Something is broken: product version"

    await admin.tap("➕ Something is broken: product version")
    await tg.wait_for(lambda: admin.last.kind == "document", timeout=10)
    document = admin.last
    assert document.file is not None and document.file.file_name == "templates.yaml"
    edited = document.file.data().decode("utf-8")
    assert "Check its wording in the file, then send the file back" in document.text
    assert "      - id: product_version\n" in edited
    assert '        text: "which product version is Globex on?"\n' in edited
    assert "# Engineers asked for this on 2 of 3 requests" in edited
    assert edited.startswith(EXAMPLE.split("\n", 1)[0])  # the file's own comments stay
    assert served.svc.engine.templates.get("bug") is not None
    assert "product_version" not in [q.id for q in served.svc.engine.templates.get("bug").questions]  # type: ignore[union-attr]

    # Sent back, it goes through the usual check and preview before anything is published.
    await admin.send_document(edited.encode("utf-8"), "templates.yaml", "application/x-yaml")
    await tg.wait_for(lambda: "Publish" in " ".join(admin.last.buttons()), timeout=10)
    assert "product_version" in admin.last.text
    await admin.tap(next(b for b in admin.last.buttons() if b.startswith("✅ Publish") or "Publish" in b))
    await tg.wait_for(lambda: "Published v2" in admin.last.text, timeout=10)
    bug = served.svc.engine.templates.get("bug")
    # The question comes before the files, which stay last.
    assert bug is not None and [q.id for q in bug.questions][-2:] == ["product_version", "files"]
    assert not bug.questions[-2].required
    # Jira received nothing from the admin's taps: only the salespeople's three issues and the engineers' work.
    assert sorted(jira.issues) == sorted([one, two, three])


async def test_a_stale_or_forged_suggestion_changes_nothing(served: Served, tg: FakeTelegram) -> None:
    admin = tg.user(ADMIN_ID, "Olga", username="olga")
    await admin.send("/templates")
    await tg.wait_for(lambda: "No follow-up questions from engineers on record yet." in admin.last.text, timeout=10)
    assert admin.last.buttons() == ["⬇️ Download", "🕘 History"]
    message = admin.last
    update_id = await admin.tap_data("tmpl:add:0123456789abcdef", message.message_id)
    await tg.wait_delivered(update_id)
    await tg.wait_for(lambda: any("no longer current" in str(a.get("text")) for a in admin.callback_answers),
                      timeout=10)
    assert admin.last.message_id == message.message_id  # no file was sent
    sales = tg.user(SALES_IDS[0], "Anna", username="anna")
    await sales.send("/start")
    await tg.wait_for(lambda: bool(sales.messages), timeout=10)
    before = len(sales.messages)
    await sales.tap_data("tmpl:add:0123456789abcdef", sales.last.message_id)
    await told(served, Clock())
    assert all(m.kind != "document" for m in sales.messages[before:])


async def test_insights_count_only_handled_requests_per_template(served: Served, tg: FakeTelegram,
                                                                 jira: FakeJira, clock: Clock) -> None:
    anna = tg.user(SALES_IDS[0], "Anna", username="anna")
    answered = await file_bug(tg, anna, "Export to Excel fails since the update", "acme")
    await file_bug(tg, anna, "Reports time out for big accounts", "globex")  # nobody has looked at it yet
    jira.transition(answered, "Waiting for sales", actor="alice")
    await told(served, clock)
    found = template_insights(served.svc.store, clock() - 24 * HOUR)
    bug = found["bug"]
    # A move to the waiting status is a follow-up too, though it has no words to group.
    assert (bug.handled, bug.ready, bug.groups) == (1, 0, [])


def test_questions_kept_before_they_were_recorded_are_collected_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db", Clock())
    draft = Draft(id="r1", user_id=101, lang="en", reporter=Reporter(101, "Anna"), template_id="bug")
    store.confirm(draft, 101, Ticket("SUP", "Bug", "Export", "…"))
    store.mark_created("r1", "SUP-1", "https://jira/browse/SUP-1")

    def comment(number: int, body: str, actor: str = "alice") -> tuple[str, str, str]:
        event = IssueEvent(event_id=f"SUP-1:c:{number}", issue_key="SUP-1", summary="Export", kind="comment",
                           actor_id=actor, actor_name=actor, at=START + number, comment_id=str(number), body=body)
        return event.event_id, "SUP-1", json.dumps(dataclasses.asdict(event))

    store.add_events([comment(1, "[?] Which product version?"), comment(2, "Looking into it"),
                      comment(3, "@sales relayed answer", actor="bot"),
                      ("SUP-9:c:1", "SUP-9", json.dumps({"kind": "comment"}))])
    policy = NoticePolicy(bot_actor_ids=frozenset({"bot"}))
    assert backfill_questions(store, policy) == 1
    assert backfill_questions(store, policy) == 0
    groups = template_insights(store, START - HOUR)["bug"].groups
    assert [(g.label, g.example) for g in groups] == [("product version", "Which product version?")]
    store.close()


# -- grouping -------------------------------------------------------------------------------------------------


def test_words_drop_what_every_question_has() -> None:
    assert words("[?] Which product version does the customer run?") == ("product", "version")
    assert words("Какая версия у клиента?") == ("версия",)
    assert words("Welche Version nutzt der Kunde?") == ("version",)


def test_alike_spellings_are_one_thing_and_customers_never_lead() -> None:
    groups = group_questions([
        ("r1", "Which version does ACME run?"), ("r2", "What versions does Globex have?"),
        ("r3", "Version of Initech's app?"), ("r4", "Can you send screenshots?"), ("r5", "A screenshot please"),
        ("r6", "Какая версия у клиента?"), ("r7", "Какую версию использует Ромашка?"),
    ])
    assert [(g.label, g.requests) for g in groups] == [("version", 3), ("screenshot", 2), ("версию", 2)]


QUESTIONS = st.lists(st.tuples(st.sampled_from(["r1", "r2", "r3", "r4"]), st.sampled_from([
    "Which version does ACME run?", "What is the product version?", "product versions?", "Send a screenshot",
    "screenshots please", "Which browser?", "Browser and version?", "Какая версия?", "версию пришлите",
    "Welche Version?", "?", "Is it urgent?", "Logs from the server", "server log please"])), max_size=30)


@given(QUESTIONS, st.randoms(use_true_random=False))
def test_grouping_ignores_order_and_counts_a_request_once(asked: list[tuple[str, str]], rnd: object) -> None:
    shuffled = list(asked)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    groups = group_questions(asked, "bug")
    assert group_questions(shuffled, "bug") == groups
    assert group_questions(asked + asked, "bug") == groups  # the same question seen twice is one question
    distinct = {(request_id, text) for request_id, text in asked if words(text)}
    assert sum(g.questions for g in groups) == len(distinct)  # every question in exactly one group
    for group in groups:
        members = {(r, q) for r, q in distinct if r in group.request_ids}
        assert group.requests == len(group.request_ids) <= len({r for r, _ in members})
        assert group.requests <= group.questions
    assert len({g.digest for g in groups}) == len(groups)


# -- the question added to the file ---------------------------------------------------------------------------


def test_the_question_goes_last_or_before_the_files_and_comments_stay() -> None:
    question = SuggestedQuestion("product_version", 'Which "product" version?', "Engineers asked for this.")
    edited = with_question(EXAMPLE, "feature", question)
    templates = parse_templates(edited, "templates.yaml")
    feature = templates.get("feature")
    assert feature is not None and feature.questions[-1].id == "product_version"
    assert feature.questions[-1].text.get("en") == 'Which "product" version?'
    assert [len(t.questions) for t in templates.templates] == [
        len(t.questions) + (t.id == "feature") for t in parse_templates(EXAMPLE, "x").templates]
    assert edited.count("#") == EXAMPLE.count("#") + 1
    bug = parse_templates(with_question(EXAMPLE, "bug", question), "t").get("bug")
    assert bug is not None and [q.id for q in bug.questions][-2:] == ["product_version", "files"]


def test_a_flow_style_template_is_written_anew() -> None:
    text = ("templates:\n  - {id: idea, title: Idea, jira: {issue_type: Task, summary: '{idea}'}, "
            "questions: [{id: idea, text: 'What is the idea?'}]}\n")
    edited = with_question(text, "idea", SuggestedQuestion("customer_name", "Which customer?", "note"))
    idea = parse_templates(edited, "t").get("idea")
    assert idea is not None and [q.id for q in idea.questions] == ["idea", "customer_name"]


# -- on the admin page's Templates tab ----------------------------------------------------------------------------


async def test_the_templates_page_opens_the_editor_with_the_question_added(tg: FakeTelegram, jira: FakeJira,
                                                                           tmp_path: Path, clock: Clock) -> None:
    jira.clock = clock
    async with running_site(tg, jira, tmp_path, clock) as site:
        jira.add_webhook(f"{site.base}/jira/webhook", secret=JIRA_SECRET)
        anna = site.bot.user(SALES_IDS[0], "Anna")
        keys = [await file_bug(tg, anna, what, customer) for what, customer in (
            ("Export to Excel fails since the update", "acme"), ("Invoices show the wrong tax rate", "globex"))]
        clock.advance(HOUR)
        for key, body in zip(keys, ("[?] Which browser and which browser version?", "[?] Which browser?"),
                             strict=True):
            jira.comment(key, body, actor="alice")
        await jira.aflush_webhooks()
        clock.advance(61)
        site.svc.inbox.kick()
        await tg.wait_for(lambda: sum("browser" in m.text for m in anna.messages) == 2, timeout=10)

        client = await site.signed_in()
        page = await client.open("/admin/templates")
        assert "What engineers asked (requests of the last 90 days)" in page.text
        assert "Something is broken: ready on first pass 0 of 2 requests (0%)" in page.text
        assert "In 2 of 2 requests engineers asked for “browser”, e.g. “Which browser?”" in page.text
        link = re.search(r'href="(/admin/templates\?suggest=[0-9a-f]+)">Add to the editor', page.text)
        assert link is not None
        editor = await client.open(link.group(1))
        assert "The question “browser” is added to Something is broken as “browser”" in editor.text
        text = html.unescape(editor.text.split("<textarea", 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])
        assert '      - id: browser\n        # Engineers asked for this on 2 of 2 requests' in text
        assert site.svc.library.latest().number == 1, "opening the editor publishes nothing"
        checked = await client.post("/admin/templates/check", {"text": text})
        assert checked.status == 200 and "No problems found" in checked.text and "Which browser?" in checked.text
        published = await client.post("/admin/templates/publish", {"text": text,
                                                                   "base": site.svc.engine.templates.version})
        assert "Published v2" in published.text
        bug = site.svc.engine.templates.get("bug")
        assert bug is not None and [q.id for q in bug.questions][-2:] == ["browser", "files"]
        stale = await client.open("/admin/templates?suggest=ffff")
        assert "That suggestion is no longer current" in stale.text
