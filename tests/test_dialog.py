"""The dialog engine: one question at a time, from the template choice to a confirmed request."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n.catalog import LANGUAGES
from bot.intake.customers import CustomerDirectory, load_customers
from bot.intake.dialog import Engine, human_size
from bot.intake.draft import Action, Draft, Files, Prompt, Step, Tap, Text, Unsupported
from bot.jira.ticket import Attachment, Reporter
from bot.templates.schema import load_templates, parse_templates

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Berlin"))
ANNA = Reporter(42, "Anna Petrova", "anna")
DIRECTORY = CustomerDirectory(load_customers(ROOT / "customers.example.yaml"))
ENGINE = Engine(load_templates(ROOT / "templates.example.yaml"), DIRECTORY, clock=lambda: NOW,
                default_project="SUP")

STRICT_YAML = """\
templates:
  - id: strict
    title: Strict form
    jira: {issue_type: Task, summary: "{note}"}
    questions:
      - id: note
        text: Note?
        max_length: 20
      - id: due
        text: By when?
        type: date
      - id: amount
        text: Amount?
        type: number
        min: 10
        max: 1000
      - id: proof
        text: Proof?
        type: attachments
"""
STRICT = Engine(parse_templates(STRICT_YAML, "strict.yaml"), DIRECTORY, clock=lambda: NOW,
                default_project="SUP")

BUG_ANSWERS = ["Export to Excel fails since the update", "acme"]


class Chat:
    """One salesperson talking to the engine; remembers the prompt on screen."""

    def __init__(self, engine: Engine = ENGINE, lang: str = "en") -> None:
        self.engine = engine
        self.draft = engine.new_draft(ANNA, lang)
        self.prompt: Prompt = engine.prompt(self.draft)
        self.last: Step | None = None

    def do(self, action: Action) -> Step:
        step = self.engine.handle(self.draft, action)
        self.last = step
        if step.prompt is not None:
            self.prompt = step.prompt
        return step

    def say(self, text: str) -> Step:
        return self.do(Text(text))

    def tokens(self) -> list[str]:
        return [button.token for row in self.prompt.buttons for button in row]

    def labels(self) -> list[str]:
        return [button.label for row in self.prompt.buttons for button in row]

    def tap(self, label_or_token: str) -> Step:
        for row in self.prompt.buttons:
            for button in row:
                if label_or_token in (button.label, button.token):
                    return self.do(Tap(button.token, self.prompt.seq))
        raise AssertionError(f"no button {label_or_token!r} among {self.labels()}")

    def snapshot(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.draft.to_dict()))


def bug_until_urgency(chat: Chat) -> None:
    chat.tap("tpl:bug")
    for answer in BUG_ANSWERS:
        chat.say(answer)


def bug_until_summary(chat: Chat, urgency: str = "Deal or go-live blocked") -> None:
    """Answer the bug template up to its summary; "Can wait" leaves out the conditional question."""
    bug_until_urgency(chat)
    chat.tap(urgency)
    if urgency != "Can wait":
        chat.say("They sign on Friday, 40k deal")
    chat.say("Friday")
    chat.tap("done")


def file(name: str, size: int | None = 1000, file_id: str | None = None) -> Attachment:
    return Attachment(file_id or f"id-{name}", name, size, "image/png", "photo")


# -- template choice and the happy path -------------------------------------------------------


def test_starts_at_the_template_choice() -> None:
    chat = Chat()
    assert chat.prompt.stage == "template"
    assert chat.prompt.text == "What do you need?"
    assert chat.tokens() == ["tpl:bug", "tpl:feature", "tpl:question"]
    assert chat.labels() == ["Something is broken", "A feature for a deal", "A question for engineering"]
    assert chat.prompt.hint is not None
    first = chat.prompt.hint.splitlines()[0]
    assert first == "• Something is broken — A customer hits an error or wrong behaviour"


def test_template_can_be_chosen_by_typing_its_title() -> None:
    chat = Chat()
    chat.say("something is broken")
    assert chat.draft.template_id == "bug"
    assert chat.prompt.text == "What is wrong? One or two sentences."


@pytest.mark.parametrize(("typed", "template"), [
    ("A feature for a deal", "feature"), ("a featur for a deal", "feature"), ("feature deal", "feature"),
    ("Something is brokn", "bug"), ("SOMETHING BROKEN", "bug"), ("A FEATURE FOR A DEAL", "feature"),
])
def test_a_title_typed_loosely_still_chooses_its_template(typed: str, template: str) -> None:
    chat = Chat()
    chat.say(typed)
    assert chat.draft.template_id == template


def test_a_sentence_that_merely_contains_a_title_is_an_ask() -> None:
    # Partial matching found "a feature for a deal" in this bug report; a sentence must be the title itself.
    chat = Chat()
    ask = "Globex has trouble again with the thing, have a look please"
    assert ENGINE.reads_as_ask(chat.draft, ask)
    chat.say(ask)
    assert chat.draft.ask == ask and chat.draft.template_id != "feature"


def test_unknown_typed_template_is_refused() -> None:
    chat = Chat()
    step = chat.say("pizza")
    assert step.notice == "Please tap one of the buttons below."
    assert step.changed is False
    assert chat.draft.template_id is None


def test_happy_path_to_confirmed() -> None:
    chat = Chat()
    progress = []
    chat.tap("Something is broken")
    progress.append(chat.prompt.progress)
    for answer in BUG_ANSWERS:
        chat.say(answer)
        progress.append(chat.prompt.progress)
    chat.tap("Deal or go-live blocked")
    progress.append(chat.prompt.progress)
    chat.say("They sign on Friday, 40k deal")
    progress.append(chat.prompt.progress)
    chat.say("Friday")
    progress.append(chat.prompt.progress)
    assert progress == [(1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 6)]
    chat.do(Files((file("screen.png"),)))
    chat.tap("✅ Done")
    assert chat.prompt.stage == "summary"
    assert chat.prompt.text == "Please check your request"
    assert chat.prompt.rows == (
        ("What is wrong?", "Export to Excel fails since the update"),
        ("Which customer?", "ACME Corp GmbH"),
        ("How urgent is it?", "Deal or go-live blocked"),
        ("Why is it urgent?", "They sign on Friday, 40k deal"),
        ("By when is it needed?", "Fri 27 Nov 2026"),
        ("Screenshots or files?", "screen.png"),
        ("Ticket", "ACME Corp GmbH: Export to Excel fails since the update"),
        ("Priority", "Highest"),
        ("Due", "Fri 27 Nov 2026"),
        ("Labels", "from-sales, acme-corp-gmbh"),
    )
    assert chat.tokens() == ["create", "edit", "cancel"]
    step = chat.tap("✅ Create")
    assert step.outcome == "confirmed"
    assert step.prompt is None
    ticket = ENGINE.preview(chat.draft)
    assert ticket.summary == "ACME Corp GmbH: Export to Excel fails since the update"
    assert [a.name for a in ticket.attachments] == ["screen.png"]


def test_answers_are_stored_as_plain_data() -> None:
    chat = Chat()
    bug_until_summary(chat)
    assert chat.draft.answers == {
        "what": "Export to Excel fails since the update",
        "customer": "ACME Corp GmbH",
        "urgency": "blocker",
        "why": "They sign on Friday, 40k deal",
        "deadline": "2026-11-27",
        "files": None,
    }


def test_cancel_at_any_stage() -> None:
    for steps in (0, 1, 3):
        chat = Chat()
        if steps:
            chat.tap("Something is broken")
            for answer in BUG_ANSWERS[: steps - 1]:
                chat.say(answer)
        step = chat.do(Tap("cancel"))
        assert step.outcome == "cancelled"
        assert step.prompt is None


def test_summary_wants_buttons() -> None:
    chat = Chat()
    bug_until_summary(chat)
    before = chat.snapshot()
    step = chat.say("looks good")
    assert step.notice == "Please tap one of the buttons below."
    assert step.changed is False
    assert chat.snapshot() == before


# -- progress and conditional questions -------------------------------------------------------


def test_progress_drops_when_the_conditional_question_does_not_apply() -> None:
    chat = Chat()
    bug_until_urgency(chat)
    assert chat.prompt.progress == (3, 6)
    chat.tap("Can wait")
    assert chat.prompt.text == "By when is it needed?"
    assert chat.prompt.progress == (4, 5)


def test_progress_grows_when_the_conditional_question_appears() -> None:
    chat = Chat()
    bug_until_urgency(chat)
    chat.tap("Can wait")
    chat.tap("back")
    assert chat.prompt.text == "How urgent is it?"
    assert chat.prompt.progress == (3, 5)
    assert chat.prompt.current == "Can wait"
    chat.tap("Customer is unhappy")
    assert chat.prompt.text == "Why is it urgent? Deal size, deadline, who escalated."
    assert chat.prompt.progress == (4, 6)


# -- skip and back ----------------------------------------------------------------------------


def test_skip_on_optional_question() -> None:
    chat = Chat()
    chat.tap("A feature for a deal")
    chat.say("Single sign-on with Azure AD for all users")
    chat.say("Initech")
    assert chat.prompt.text == "How big is the deal (per year)?"
    assert chat.labels() == ["⬅️ Back", "Skip ⏭"]
    chat.tap("Skip ⏭")
    assert chat.draft.answers["deal_size"] is None
    assert chat.prompt.text == "What happens without it?"
    chat.tap("Nice to have")
    chat.tap("No deadline")
    assert chat.prompt.stage == "summary"
    rows = dict(chat.prompt.rows)
    assert rows["How big is the deal (per year)?"] == "(skipped)"
    assert rows["When does the customer decide?"] == "(skipped)"
    assert rows["Due"] == "—"


def test_skip_refused_on_required_question() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    assert "skip" not in chat.tokens()
    before = chat.snapshot()
    step = chat.do(Tap("skip", chat.prompt.seq))
    assert step.notice == "This question needs an answer."
    assert step.changed is False
    assert chat.snapshot() == before


def test_back_to_the_previous_question_shows_the_answer() -> None:
    chat = Chat()
    bug_until_urgency(chat)
    chat.tap("⬅️ Back")
    assert chat.prompt.text == "Which customer?"
    assert chat.prompt.current == "ACME Corp GmbH"
    assert chat.prompt.progress == (2, 6)
    chat.tap("⬅️ Back")
    assert chat.prompt.text == "What is wrong? One or two sentences."
    assert chat.prompt.current == "Export to Excel fails since the update"


def test_coming_forward_after_back_skips_to_the_first_open_question() -> None:
    chat = Chat()
    bug_until_urgency(chat)
    chat.tap("back")
    chat.tap("back")
    chat.say("Export to PDF fails as well")
    assert chat.prompt.text == "How urgent is it?"
    assert chat.draft.answers["customer"] == "ACME Corp GmbH"


def test_back_from_the_first_question_returns_to_the_template_choice() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    step = chat.tap("⬅️ Back")
    assert step.prompt is not None and step.prompt.stage == "template"
    assert chat.draft.stage == "template"
    assert chat.draft.template_id is None
    chat.tap("A question for engineering")
    assert chat.prompt.text == "What do you need to know?"
    assert chat.draft.answers == {}


# -- edit -------------------------------------------------------------------------------------


def test_edit_an_answer_and_return_to_the_summary() -> None:
    chat = Chat()
    bug_until_summary(chat)
    chat.tap("✏️ Edit")
    assert chat.prompt.stage == "edit"
    assert chat.prompt.text == "Which answer do you want to change?"
    assert chat.tokens() == ["editq:what", "editq:customer", "editq:urgency", "editq:why", "editq:deadline",
                             "editq:files", "summary"]
    chat.tap("What is wrong?")
    assert chat.prompt.current == "Export to Excel fails since the update"
    assert "summary" in chat.tokens()
    chat.say("Export to Excel crashes the app")
    assert chat.prompt.stage == "summary"
    assert dict(chat.prompt.rows)["What is wrong?"] == "Export to Excel crashes the app"
    assert dict(chat.prompt.rows)["Ticket"] == "ACME Corp GmbH: Export to Excel crashes the app"
    assert chat.draft.editing is False


def test_edit_back_to_summary_changes_nothing() -> None:
    chat = Chat()
    bug_until_summary(chat)
    answers = dict(chat.draft.answers)
    chat.tap("edit")
    chat.tap("editq:customer")
    chat.tap("⬅️ Back to summary")
    assert chat.prompt.stage == "summary"
    assert chat.draft.answers == answers


def test_edit_that_makes_a_conditional_question_apply_asks_it_first() -> None:
    chat = Chat()
    bug_until_summary(chat, urgency="Can wait")
    assert "Why is it urgent?" not in dict(chat.prompt.rows)
    chat.tap("edit")
    assert "editq:why" not in chat.tokens()
    chat.tap("editq:urgency")
    chat.tap("Deal or go-live blocked")
    assert chat.prompt.stage == "question"
    assert chat.prompt.text == "Why is it urgent? Deal size, deadline, who escalated."
    chat.say("Board meeting on Monday")
    assert chat.prompt.stage == "summary"
    rows = dict(chat.prompt.rows)
    assert rows["Why is it urgent?"] == "Board meeting on Monday"
    assert rows["Priority"] == "Highest"


def test_edit_that_makes_a_conditional_question_stop_applying_drops_it() -> None:
    chat = Chat()
    bug_until_summary(chat)
    chat.tap("edit")
    chat.tap("editq:urgency")
    chat.tap("Can wait")
    assert chat.prompt.stage == "summary"
    assert "Why is it urgent?" not in dict(chat.prompt.rows)
    assert "40k" not in ENGINE.preview(chat.draft).description


def test_required_conditional_question_cannot_be_bypassed_from_edit() -> None:
    chat = Chat()
    bug_until_summary(chat, urgency="Can wait")
    chat.tap("edit")
    chat.tap("editq:urgency")
    chat.tap("Deal or go-live blocked")
    chat.tap("⬅️ Back to summary")
    assert chat.prompt.stage == "question"
    assert chat.prompt.text == "Why is it urgent? Deal size, deadline, who escalated."


# -- stale buttons ----------------------------------------------------------------------------


def test_stale_tap_is_refused_and_changes_nothing() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    old_seq = chat.prompt.seq
    chat.say("Export to Excel fails since the update")
    before, prompt = chat.snapshot(), chat.prompt
    step = chat.do(Tap("back", old_seq))
    assert step.notice == "That button belongs to an earlier step. Here is where you are now."
    assert step.changed is False
    assert step.prompt == prompt
    assert chat.snapshot() == before


def test_stale_template_tap_is_refused() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    before = chat.snapshot()
    step = chat.do(Tap("tpl:feature", 0))
    assert step.notice == "That button belongs to an earlier step. Here is where you are now."
    assert chat.snapshot() == before


def test_every_new_prompt_has_a_new_seq() -> None:
    chat = Chat()
    seqs = [chat.prompt.seq]
    chat.tap("Something is broken")
    seqs.append(chat.prompt.seq)
    chat.say("short")
    seqs.append(chat.prompt.seq)
    chat.say("Export to Excel fails since the update")
    seqs.append(chat.prompt.seq)
    assert seqs[0] < seqs[1] == seqs[2] < seqs[3]


# -- customer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("acme", "ACME Corp GmbH"),
    ("АКМЕ", "ACME Corp GmbH"),
    ("romashka", "ООО Ромашка"),
    ("Zyxw   Systems", "Zyxw Systems"),
])
def test_customer_accepted_directly(typed: str, stored: str) -> None:
    chat = Chat()
    chat.tap("Something is broken")
    chat.say(BUG_ANSWERS[0])
    chat.say(typed)
    assert chat.draft.answers["customer"] == stored
    assert chat.prompt.text == "How urgent is it?"


def test_fuzzy_customer_offers_candidates_and_new() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    chat.say(BUG_ANSWERS[0])
    chat.say("Globx")
    assert chat.prompt.text == "Did you mean one of these?"
    assert chat.prompt.progress == (2, 6)
    assert chat.labels() == ["Globex Corporation", "➕ Use “Globx” as a new customer", "⬅️ Back"]
    assert "customer" not in chat.draft.answers
    chat.tap("Globex Corporation")
    assert chat.draft.answers["customer"] == "Globex Corporation"


def test_fuzzy_customer_can_be_kept_as_new() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    chat.say(BUG_ANSWERS[0])
    chat.say("Globx")
    chat.tap("cust:new")
    assert chat.draft.answers["customer"] == "Globx"
    assert chat.draft.candidates == []


def test_fuzzy_customer_can_be_retyped() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    chat.say(BUG_ANSWERS[0])
    chat.say("Globx")
    chat.say("acme")
    assert chat.draft.answers["customer"] == "ACME Corp GmbH"


def test_very_long_customer_name_is_refused() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    chat.say(BUG_ANSWERS[0])
    step = chat.say("x" * 201)
    assert step.notice == ("That is 201 characters; please keep it under 200. Long logs or emails are better "
                           "sent as a file.")


# -- dates ------------------------------------------------------------------------------------


def at_deadline(lang: str = "en") -> Chat:
    chat = Chat(lang=lang)
    bug_until_urgency(chat)
    chat.tap("opt:2")
    return chat


@pytest.mark.parametrize(("button", "stored"), [
    ("Today", "2026-11-23"), ("Tomorrow", "2026-11-24"), ("In a week", "2026-11-30")])
def test_date_quick_buttons(button: str, stored: str) -> None:
    chat = at_deadline()
    assert chat.labels() == ["Today", "Tomorrow", "In a week", "No deadline", "⬅️ Back"]
    chat.tap(button)
    assert chat.draft.answers["deadline"] == stored


@pytest.mark.parametrize(("typed", "stored"), [
    ("Friday", "2026-11-27"), ("25.12.", "2026-12-25"), ("2026-12-25", "2026-12-25"),
    ("today", "2026-11-23")])
def test_typed_dates(typed: str, stored: str) -> None:
    chat = at_deadline()
    chat.say(typed)
    assert chat.draft.answers["deadline"] == stored


def test_past_date_refused() -> None:
    chat = at_deadline()
    before = chat.snapshot()
    step = chat.say("1.1.2020")
    assert step.notice == "Wed 1 Jan 2020 is in the past. Please give a date from today on."
    assert chat.snapshot() == before


def test_unreadable_date_refused() -> None:
    chat = at_deadline()
    step = chat.say("when pigs fly")
    assert step.notice == "I couldn't read “when pigs fly” as a date. Try “Friday”, “25.12.” or “2026-12-25”."
    assert "deadline" not in chat.draft.answers


@pytest.mark.parametrize(("lang", "typed", "stored"), [
    ("en", "tomorrow", "2026-11-24"), ("en", "In a week", "2026-11-30"), ("ru", "Завтра", "2026-11-24"),
    ("de", "heute", "2026-11-23"), ("en", "No deadline", None), ("ru", "без срока", None)])
def test_typed_button_labels_work_like_the_buttons(lang: str, typed: str, stored: str | None) -> None:
    chat = at_deadline(lang)
    chat.say(typed)
    assert chat.draft.answers["deadline"] == stored
    assert chat.prompt.progress == (5, 5)


def test_no_deadline_on_optional_date() -> None:
    chat = at_deadline()
    chat.tap("No deadline")
    assert chat.draft.answers["deadline"] is None
    assert chat.prompt.text.startswith("Screenshots or files?")


def test_no_deadline_not_offered_on_required_date() -> None:
    chat = Chat(STRICT)
    chat.tap("Strict form")
    chat.say("Short note")
    assert chat.prompt.text == "By when?"
    assert "date:none" not in chat.tokens()
    assert "skip" not in chat.tokens()
    step = chat.do(Tap("date:none", chat.prompt.seq))
    assert step.notice == "This question needs an answer."
    assert "due" not in chat.draft.answers


# -- numbers ----------------------------------------------------------------------------------


def at_amount() -> Chat:
    chat = Chat(STRICT)
    chat.tap("Strict form")
    chat.say("Short note")
    chat.tap("Tomorrow")
    assert chat.prompt.text == "Amount?"
    return chat


@pytest.mark.parametrize(("typed", "stored"), [("40", 40), ("1k", 1000), ("12,5", 12.5), ("€ 99.90", 99.9)])
def test_number_parsed(typed: str, stored: float) -> None:
    chat = at_amount()
    chat.say(typed)
    assert chat.draft.answers["amount"] == stored
    assert type(chat.draft.answers["amount"]) is type(stored)


@pytest.mark.parametrize(("typed", "notice"), [
    ("5", "The number must be at least 10."),
    ("2k", "The number must be at most 1000."),
    ("lots", "I couldn't read “lots” as a number. Try 40000 or 40k."),
    ("   ", "Type a number, e.g. 40000 or 40k."),
])
def test_number_refused(typed: str, notice: str) -> None:
    chat = at_amount()
    step = chat.say(typed)
    assert step.notice == notice
    assert "amount" not in chat.draft.answers


def test_feature_deal_size_minimum() -> None:
    chat = Chat()
    chat.tap("A feature for a deal")
    chat.say("Single sign-on with Azure AD for all users")
    chat.say("Initech")
    assert chat.say("-5").notice == "The number must be at least 0."
    chat.say("40k")
    assert chat.draft.answers["deal_size"] == 40000


# -- attachments ------------------------------------------------------------------------------


def at_files(engine: Engine = ENGINE) -> Chat:
    if engine is STRICT:
        chat = at_amount()
        chat.say("100")
        return chat
    chat = at_deadline()
    chat.tap("No deadline")
    return chat


def test_files_accumulate_and_done_stores_them() -> None:
    chat = at_files()
    assert chat.tokens() == ["done", "back", "skip"]
    chat.do(Files((file("a.png"),)))
    chat.do(Files((file("b.pdf"), file("a.png"))))
    assert chat.prompt.hint == "📎 Got 2 files: a.png, b.pdf. Send more or tap Done."
    assert "skip" not in chat.tokens()
    chat.tap("✅ Done")
    assert chat.prompt.stage == "summary"
    assert [f["name"] for f in chat.draft.answers["files"]] == ["a.png", "b.pdf"]
    assert chat.draft.answers["files"][0] == file("a.png").to_dict()


def test_oversized_file_is_refused_with_a_clear_notice() -> None:
    chat = at_files()
    step = chat.do(Files((file("big.mov", 30 * 1024 * 1024), file("ok.png"))))
    assert step.notice == ("“big.mov” is 30 MB; Telegram lets bots download files only up to 20 MB. "
                           "Please send a smaller file or a link to it.")
    assert [f["name"] for f in chat.draft.files] == ["ok.png"]


def test_no_file_limit_on_a_local_bot_api_server() -> None:
    engine = Engine(ENGINE.templates, DIRECTORY, clock=lambda: NOW, default_project="SUP", file_limit=None)
    chat = Chat(engine)
    bug_until_urgency(chat)
    chat.tap("Can wait")
    chat.tap("No deadline")
    step = chat.do(Files((file("huge.mov", 3 * 1024**3),)))
    assert step.notice is None
    assert [f["name"] for f in chat.draft.files] == ["huge.mov"]


def test_done_without_files_on_optional_question_skips_it() -> None:
    chat = at_files()
    chat.tap("done")
    assert chat.draft.answers["files"] is None
    assert chat.prompt.stage == "summary"


def test_done_without_files_on_required_question_is_refused() -> None:
    chat = at_files(STRICT)
    assert chat.tokens() == ["done", "back"]
    step = chat.tap("done")
    assert step.notice == "This question needs at least one photo or file."
    assert "proof" not in chat.draft.answers


def test_text_on_a_files_question_asks_for_files() -> None:
    chat = at_files()
    assert chat.say("no files").notice == "Please send a photo or a file here, or tap Done."


@pytest.mark.parametrize(("size", "shown"), [(0, "0 bytes"), (512, "512 bytes"), (2048, "2.0 KB"),
                                             (20 * 1024 * 1024, "20 MB"), (5 * 1024**4, "5120 GB")])
def test_human_size(size: int, shown: str) -> None:
    assert human_size(size) == shown


# -- text answers -----------------------------------------------------------------------------


def test_5000_character_answer_refused_and_draft_unchanged() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    before = chat.snapshot()
    step = chat.say("x" * 5000)
    assert step.notice == ("That is 5,000 characters; please keep it under 3,000. Long logs or emails are "
                           "better sent as a file.")
    assert step.changed is False
    assert chat.snapshot() == before


def test_template_max_length_applies() -> None:
    chat = Chat(STRICT)
    chat.tap("Strict form")
    notice = chat.say("y" * 25).notice
    assert notice == ("That is 25 characters; please keep it under 20. "
                      "Long logs or emails are better sent as a file.")


@pytest.mark.parametrize("blank", ["", "   ", "\n\t  \n", "\u2800", "\u3164 \u200b"])
def test_only_whitespace_refused(blank: str) -> None:
    chat = Chat()
    chat.tap("Something is broken")
    step = chat.say(blank)
    assert step.notice == "That answer is empty. Please write something."
    assert "what" not in chat.draft.answers


def test_too_short_refused() -> None:
    chat = Chat()
    chat.tap("Something is broken")
    assert chat.say("broken").notice == "A little more detail, please: at least 10 characters (you wrote 6)."


@pytest.mark.parametrize("text", [
    "*bold* _it_ {code} [link|http://x] -- h1. ?? #1 | !img!",
    "Экспорт падает 🚀🔥 with emoji 👩‍💻",
    "שלום עולם — ההזמנה נכשלת",
    "مرحبا: الطلب فشل",
])
def test_answers_are_kept_verbatim(text: str) -> None:
    chat = Chat()
    chat.tap("Something is broken")
    chat.say(f"  {text}  ")
    assert chat.draft.answers["what"] == text
    chat.say("acme")
    chat.tap("Can wait")
    chat.tap("No deadline")
    chat.tap("done")
    rows = dict(chat.prompt.rows)
    assert rows["What is wrong?"] == text
    ticket = ENGINE.preview(chat.draft)
    assert ticket.summary == f"ACME Corp GmbH: {text}"


@pytest.mark.parametrize(("action", "notice"), [
    (Unsupported("sticker"), "I can't use a sticker here."),
    (Unsupported("poll"), "I can't use a message like this here."),
    (Files((Attachment("f", "a.png"),)), "I can't use a file here."),
])
def test_unusable_messages_are_refused(action: Action, notice: str) -> None:
    chat = Chat()
    chat.tap("Something is broken")
    before = chat.snapshot()
    step = chat.do(action)
    assert step.notice == notice
    assert step.changed is False
    assert chat.snapshot() == before


def test_choice_can_be_typed() -> None:
    chat = Chat()
    bug_until_urgency(chat)
    chat.say("can wait")
    assert chat.draft.answers["urgency"] == "normal"


def test_choice_refuses_unrelated_text() -> None:
    chat = Chat()
    bug_until_urgency(chat)
    assert chat.say("whenever").notice == "Please tap one of the buttons below."


# -- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "texts"), [
    ("en", ["What do you need?", "Something is broken", "What is wrong? One or two sentences.", "⬅️ Back",
            "Today", "No deadline", "Please check your request", "✅ Create"]),
    ("ru", ["Что вам нужно?", "Что-то сломалось", "Что не так? Одно-два предложения.", "⬅️ Назад",
            "Сегодня", "Без срока", "Проверьте запрос", "✅ Создать"]),
    ("de", ["Worum geht es?", "Etwas funktioniert nicht", "Was ist kaputt? Ein, zwei Sätze.", "⬅️ Zurück",
            "Heute", "Keine Frist", "Bitte prüfe deine Anfrage", "✅ Erstellen"]),
])
def test_each_language_has_its_own_texts(lang: str, texts: list[str]) -> None:
    chat = Chat(lang=lang)
    seen = [chat.prompt.text, chat.labels()[0]]
    chat.tap("tpl:bug")
    seen += [chat.prompt.text, chat.labels()[0]]
    chat.say(BUG_ANSWERS[0])
    chat.say("acme")
    chat.tap("opt:2")
    seen += [chat.labels()[0], chat.labels()[3]]
    chat.tap("date:none")
    chat.tap("done")
    seen += [chat.prompt.text, chat.labels()[0]]
    assert seen == texts


def test_russian_user_gets_russian_notices_and_dates() -> None:
    chat = at_deadline("ru")
    notice = chat.say("1.1.2020").notice
    assert notice == "ср 01.01.2020 — это уже в прошлом. Укажите дату не раньше сегодняшней."
    chat.say("пятница")
    chat.tap("done")
    assert dict(chat.prompt.rows)["Срок"] == "пт 27.11.2026"


def test_ticket_uses_the_jira_language_not_the_users() -> None:
    chat = at_deadline("de")
    chat.tap("date:none")
    chat.tap("done")
    assert "h3. What is wrong?" in ENGINE.preview(chat.draft).description


# -- persistence ------------------------------------------------------------------------------


def test_draft_round_trips_through_json_and_continues_identically() -> None:
    chat = Chat()
    chat.tap("tpl:bug")
    chat.say(BUG_ANSWERS[0])
    chat.say("Globx")
    assert chat.prompt.text == "Did you mean one of these?"
    restored = Draft.from_dict(json.loads(json.dumps(chat.draft.to_dict())))
    assert restored == chat.draft
    assert ENGINE.prompt(restored) == chat.prompt
    twin = Chat()
    twin.draft, twin.prompt = restored, ENGINE.prompt(restored)
    for run in (chat, twin):
        run.tap("Globex Corporation")
        run.tap("Customer is unhappy")
        run.say("Escalated by their CTO")
        run.say("25.12.")
        run.do(Files((file("log.txt"),)))
        run.tap("done")
    assert chat.prompt.stage == "summary"
    assert twin.prompt == chat.prompt
    assert twin.draft.to_dict() == chat.draft.to_dict()
    assert ENGINE.preview(twin.draft) == ENGINE.preview(chat.draft)


def test_to_dict_is_plain_json() -> None:
    chat = Chat()
    bug_until_summary(chat)
    data = chat.draft.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == dataclasses.asdict(chat.draft)  # every field, nested ones as plain dicts
    assert data["reporter"] == {"id": 42, "name": "Anna Petrova", "username": "anna"}
    assert data["stage"] == "summary"
    assert data["template_version"] == ENGINE.templates.version


# -- random walks -----------------------------------------------------------------------------

_TEXTS = st.one_of(
    st.sampled_from(["Export to Excel fails since the update", "acme", "Globx", "Zyxw", "tomorrow", "Friday",
                     "1.1.2020", "25.12.", "40k", "-5", "abc", "", "   ", "can wait", "x" * 3001,
                     "something is broken", "A feature for a deal"]),
    st.text(max_size=40),
)
_ACTIONS = st.one_of(
    st.tuples(st.just("good"), st.integers(0, 30)),
    st.tuples(st.just("good"), st.integers(0, 30)),
    st.tuples(st.just("text"), _TEXTS),
    st.tuples(st.just("tap"), st.integers(0, 30)),
    st.tuples(st.just("nav"), st.sampled_from(["back", "skip", "summary", "done", "date:none", "edit"])),
    st.tuples(st.just("files"), st.integers(1, 3)),
    st.tuples(st.just("other"), st.sampled_from(["sticker", "poll"])),
    st.tuples(st.just("stale"), st.integers(0, 30)),
)
_GOOD_TEXT = {"text": ["Export to Excel fails since the update"], "customer": ["acme", "Globx", "Zyxw"],
              "date": ["Friday", "tomorrow"], "number": ["40k"]}


def _action(kind: str, value: Any, prompt: Prompt, draft: Draft) -> Action:
    buttons = [b for row in prompt.buttons for b in row if b.token not in ("cancel", "create")]
    if kind == "good":
        # A sensible answer to whatever is on screen, so that walks reach the summary and edits.
        template = ENGINE.template_of(draft)
        if draft.stage == "question" and template is not None and not draft.candidates:
            question = template.question(draft.current or "")
            if question.type in _GOOD_TEXT:
                texts = _GOOD_TEXT[question.type]
                return Text(texts[value % len(texts)])
            if question.type == "attachments":
                return Tap("done", prompt.seq) if value % 2 else Files((file(f"g{value}.png"),))
        kind = "tap"
    if kind == "text":
        return Text(value)
    if kind == "tap" and buttons:
        return Tap(buttons[value % len(buttons)].token, prompt.seq)
    if kind == "nav":
        return Tap(value, prompt.seq)
    if kind == "files":
        return Files(tuple(file(f"f{value}-{i}.png", 10_000 * i) for i in range(value)))
    if kind == "other":
        return Unsupported(value)
    return Tap("back", prompt.seq - 1 - value % 3)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(lang=st.sampled_from(LANGUAGES), template=st.sampled_from(["bug", "feature", "question", None]),
       actions=st.lists(_ACTIONS, max_size=40))
def test_random_actions_never_raise_and_drafts_round_trip(lang: str, template: str | None,
                                                          actions: list[tuple[str, Any]]) -> None:
    draft = ENGINE.new_draft(ANNA, lang)
    prompt = ENGINE.prompt(draft)
    if template:
        step = ENGINE.choose(draft, template)
        assert step.prompt is not None
        prompt = step.prompt
    for kind, value in actions:
        seq = draft.seq
        step = ENGINE.handle(draft, _action(kind, value, prompt, draft))
        assert step.outcome is None
        assert step.prompt is not None
        assert draft.seq >= seq
        if not step.changed:
            assert draft.seq == seq
        prompt = step.prompt
        if prompt.progress is not None:
            assert 1 <= prompt.progress[0] <= prompt.progress[1]
        restored = Draft.from_dict(json.loads(json.dumps(draft.to_dict())))
        assert restored == draft
        assert ENGINE.prompt(restored) == prompt
    if draft.stage == "summary":
        assert ENGINE.handle(draft, Tap("create", draft.seq)).outcome == "confirmed"


def test_a_card_button_during_a_disagreement_leaves_it() -> None:
    draft = ENGINE.new_draft(ANNA, "en")
    ENGINE.start_from_message(draft, "ACME can't export invoices to PDF since the update, go-live is tomorrow, "
                                     "we are blocked")
    ENGINE.handle(draft, Text("The go-live needs the PDF invoices"))
    assert draft.stage == "summary"
    ENGINE.handle(draft, Tap("prio", draft.seq))
    assert draft.disputing == "pick"
    assert ENGINE.handle(draft, Tap("create", draft.seq)).outcome == "confirmed"
    assert draft.disputing is None and draft.priority_override is None
