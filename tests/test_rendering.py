"""Turning answers into the Jira issue: description, footer, summary, fields, and wiki escaping."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.jira.ticket import (
    SUMMARY_LIMIT,
    TEXT_LIMIT,
    Attachment,
    Reporter,
    Ticket,
    effective_answers,
    format_number,
    jira_problem_text,
    make_summary,
    render_ticket,
)
from bot.templates.schema import Template, load_templates, parse_templates
from bot.text.wiki import BACKSLASH_ENTITY, _escape_all, escape, slug, unescape

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = load_templates(ROOT / "templates.example.yaml")
BUG = TEMPLATES.get("bug")
FEATURE = TEMPLATES.get("feature")
QUESTION = TEMPLATES.get("question")
assert BUG is not None and FEATURE is not None and QUESTION is not None
ANNA = Reporter(42, "Anna Petrova", "anna")
FILED = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
FILES = [Attachment("f1", "screen shot.png", 100).to_dict(), Attachment("f2", "log_1.txt").to_dict()]
SETTINGS = settings(max_examples=150, deadline=None, database=None)

DEAL_YAML = """\
templates:
  - id: deal
    title: Deal
    jira:
      project: SALES
      issue_type: Story
      summary: "{customer} – {what}"
      labels: [From Sales, "Q4  Deal!", from-sales]
      components: [Backend, Billing]
      priority: Low
      fields:
        customfield_10010: "{size}"
        customfield_10011: " {due} "
        customfield_10012: "{tier}"
        customfield_10013: "{what}"
        customfield_10014: "Size {size}, tier {tier}"
        customfield_10015: 7
        customfield_10016: "{ratio}"
    questions:
      - id: what
        text: What is needed?
        max_length: 100000
      - id: customer
        text: Which customer?
        type: customer
        required: false
      - id: size
        text: Deal size?
        type: number
        required: false
      - id: ratio
        text: Ratio?
        type: number
        required: false
      - id: tier
        text: Which tier?
        type: choice
        options:
          - {value: gold, label: Gold customer, priority: High}
          - {value: std, label: Standard}
      - id: due
        text: By when?
        type: date
        required: false
        jira: duedate
      - id: region
        text: Region?
        required: false
        jira: customfield_20000
      - id: files
        text: Files?
        type: attachments
        required: false
"""
DEAL = parse_templates(DEAL_YAML, "deal.yaml").templates[0]


def bug_answers(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "what": "Export *fails* since {update} [x] -- see",
        "customer": "ACME Corp GmbH",
        "urgency": "blocker",
        "why": "40k deal",
        "deadline": "2026-11-27",
        "files": FILES,
    }
    answers.update(changes)
    return answers


def render(template: Template, answers: dict[str, Any], lang: str = "en",
           reporter: Reporter = ANNA) -> Ticket:
    return render_ticket(template, answers, reporter, FILED, default_project="SUP", lang=lang)


# -- description ------------------------------------------------------------------------------


def test_description_has_one_section_per_answered_question() -> None:
    description = render(BUG, bug_answers()).description
    headings = re.findall(r"^h3\. (.*)$", description, re.MULTILINE)
    assert headings == ["What is wrong?", "Which customer?", "How urgent is it?", "Why is it urgent?",
                        "By when is it needed?"]
    assert "h3. How urgent is it?\nDeal or go\\-live blocked\n\n" in description
    assert "h3. By when is it needed?\nFri 27 Nov 2026\n\n" in description


def test_answers_are_escaped() -> None:
    description = render(BUG, bug_answers()).description
    assert "h3. What is wrong?\nExport \\*fails\\* since \\{update\\} \\[x\\] \\-\\- see\n\n" in description
    assert "*fails*" not in description


def test_answer_cannot_start_a_heading_or_quote() -> None:
    description = render(BUG, bug_answers(what="h1. Big title\nbq. quoted\n  h2. indented")).description
    assert "h1\\. Big title\nbq\\. quoted\n  h2\\. indented" in description
    assert not re.search(r"^\s*(h1|bq|h2)\. ", description.split("----")[0].replace("h3. ", ""), re.MULTILINE)


def test_footer_table() -> None:
    description = render(BUG, bug_answers()).description
    assert description.endswith(
        "\n\n----\n"
        "||Customer|ACME Corp GmbH|\n"
        "||Requested by|Anna Petrova (@anna, Telegram id 42)|\n"
        "||Filed|2026-11-23 10:00 CET via Telegram|\n"
        "||Form|Something is broken (bug)|\n"
        "||Attachments|screen shot.png, log\\_1.txt|"
    )


def test_footer_without_username_customer_or_files() -> None:
    answers = bug_answers(customer=None, files=None)
    description = render(BUG, answers, reporter=Reporter(7, "Boris")).description
    assert description.endswith("----\n||Requested by|Boris (Telegram id 7)|\n"
                                "||Filed|2026-11-23 10:00 CET via Telegram|\n"
                                "||Form|Something is broken (bug)|")


def test_footer_escapes_reporter_and_customer() -> None:
    ticket = render(BUG, bug_answers(customer="A|B [Corp]"), reporter=Reporter(1, "Ann*a", "ann_a"))
    description = ticket.description
    assert "||Customer|A\\|B \\[Corp\\]|" in description
    assert "||Requested by|Ann\\*a (@ann\\_a, Telegram id 1)|" in description


@pytest.mark.parametrize(("lang", "expected"), [
    ("ru", ["h3. Что не так?", "h3. Насколько срочно?\nСделка или запуск заблокированы",
            "h3. К какому сроку нужно?\nпт 27.11.2026", "||Клиент|ACME Corp GmbH|",
            "||Запросил(а)|Anna Petrova (@anna, Telegram id 42)|",
            "||Создано|2026-11-23 10:00 CET через Telegram|",
            "||Форма|Что\\-то сломалось (bug)|", "||Вложения|screen shot.png, log\\_1.txt|"]),
    ("de", ["h3. Was ist kaputt?", "h3. Wie dringend ist es?\nDeal oder Go\\-live blockiert",
            "h3. Bis wann wird es gebraucht?\nFr 27.11.2026", "||Kunde|ACME Corp GmbH|",
            "||Angefragt von|Anna Petrova", "||Erstellt|2026-11-23 10:00 CET über Telegram|",
            "||Formular|Etwas funktioniert nicht (bug)|", "||Anhänge|screen shot.png, log\\_1.txt|"]),
])
def test_description_in_the_jira_language(lang: str, expected: list[str]) -> None:
    description = render(BUG, bug_answers(), lang=lang).description
    for part in expected:
        assert part in description


def test_skipped_questions_are_left_out() -> None:
    ticket = render(BUG, bug_answers(deadline=None, files=None))
    assert "By when" not in ticket.description
    assert "Attachments" not in ticket.description
    assert ticket.duedate is None
    assert ticket.attachments == ()
    assert ticket.description.count("h3. ") == 4


def test_unanswered_questions_are_left_out() -> None:
    ticket = render(BUG, {"what": "Export fails badly", "customer": "ACME Corp GmbH", "urgency": "soon"})
    assert ticket.description.count("h3. ") == 3


def test_conditional_answer_that_no_longer_applies_is_left_out() -> None:
    answers = bug_answers(urgency="normal", why="They sign on Friday, 40k deal")
    ticket = render(BUG, answers)
    assert "Why is it urgent" not in ticket.description
    assert "40k" not in ticket.description
    assert "why" not in effective_answers(BUG, answers)
    assert ticket.priority == "Medium"


def test_attachments_become_ticket_attachments_not_sections() -> None:
    ticket = render(BUG, bug_answers())
    assert [a.name for a in ticket.attachments] == ["screen shot.png", "log_1.txt"]
    assert ticket.attachments[0] == Attachment("f1", "screen shot.png", 100)
    assert "Screenshots" not in ticket.description


# -- summary ----------------------------------------------------------------------------------


def test_summary_fills_placeholders() -> None:
    assert render(BUG, bug_answers()).summary == "ACME Corp GmbH: Export *fails* since {update} [x] -- see"


def test_summary_shows_choice_labels_numbers_and_dates() -> None:
    template = parse_templates(DEAL_YAML.replace('"{customer} – {what}"', '"{tier}: {size} by {due}"'),
                               "deal.yaml").templates[0]
    answers = {"what": "x", "tier": "gold", "size": 40000, "due": "2026-12-25"}
    assert make_summary(template, answers, "en") == "Gold customer: 40,000 by Fri 25 Dec 2026"


@pytest.mark.parametrize(("answers", "expected"), [
    ({"what": "Export fails"}, "Export fails"),
    ({"customer": "ACME Corp GmbH"}, "ACME Corp GmbH"),
    ({"customer": "ACME Corp GmbH", "what": "  spaced\n  out  "}, "ACME Corp GmbH: spaced out"),
    ({}, "Something is broken"),
])
def test_summary_removes_separators_of_empty_placeholders(answers: dict[str, Any], expected: str) -> None:
    assert make_summary(BUG, answers, "en") == expected


def test_summary_of_question_without_customer_has_no_stray_separator() -> None:
    summary = make_summary(QUESTION, {"question": "Can we do SSO?", "customer": None}, "en")
    assert " :" not in summary
    assert summary.endswith("Can we do SSO?")


def test_summary_is_one_line() -> None:
    what = "line one\nline two\r\nline three\u2028four"
    summary = make_summary(BUG, {"customer": "ACME", "what": what}, "en")
    assert summary == "ACME: line one line two line three four"


def test_summary_is_cut_at_a_word_with_ellipsis() -> None:
    summary = make_summary(BUG, {"customer": "ACME", "what": "word " * 100}, "en")
    assert len(summary) <= SUMMARY_LIMIT
    assert summary.endswith(" word…")
    assert summary.startswith("ACME: word word")


def test_summary_without_spaces_is_cut_hard() -> None:
    summary = make_summary(BUG, {"customer": "ACME", "what": "a" * 400}, "en")
    assert len(summary) == SUMMARY_LIMIT
    assert summary == "ACME: " + "a" * (SUMMARY_LIMIT - 7) + "…"


def test_placeholders_inside_answers_are_not_expanded() -> None:
    assert make_summary(BUG, {"customer": "{what}", "what": "x"}, "en") == "{what}: x"


_CONTROLS = [chr(code) for code in (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
_UNREADABLE = set(_CONTROLS) - {" "}
_HOSTILE = st.text(st.characters(exclude_categories=("Cs",)) | st.sampled_from([*_CONTROLS, "\u2028"]),
                   max_size=300)


def test_summary_drops_control_characters_and_bidi_overrides() -> None:
    what = "Export\x01 to\x07 Excel\x1b[31m fails\u202e since\x00 the\x85update\x9b"
    summary = make_summary(BUG, {"customer": "AC\x7fME", "what": what}, "en")
    assert summary == "ACME: Export to Excel[31m fails since the update"


@SETTINGS
@given(what=_HOSTILE, customer=_HOSTILE)
def test_no_summary_has_a_control_character_a_second_line_or_more_than_255_characters(what: str,
                                                                                      customer: str) -> None:
    summary = make_summary(BUG, {"customer": customer or None, "what": what}, "en")
    assert not set(summary) & _UNREADABLE
    assert len(summary.splitlines()) == 1 and summary == summary.strip()
    assert 0 < len(summary) <= SUMMARY_LIMIT


def test_text_sent_to_custom_fields_has_no_control_characters() -> None:
    fields = dict(render(DEAL, {"what": "a\x07b\x1b[0m\r\nc\td", "tier": "std", "region": "E\x00U"}).fields)
    assert fields["customfield_10013"] == "ab[0m\nc\td"
    assert fields["customfield_20000"] == "EU"


def test_summary_uses_the_jira_language() -> None:
    template = parse_templates(DEAL_YAML.replace('"{customer} – {what}"', '"{tier}"').replace(
        "label: Gold customer", "label: {en: Gold customer, de: Goldkunde}"), "deal.yaml").templates[0]
    assert make_summary(template, {"tier": "gold"}, "de") == "Goldkunde"


def test_summary_falling_back_to_a_two_line_title_is_one_line() -> None:
    template = parse_templates(textwrap.dedent("""\
        templates:
          - id: t
            title: "Something\\nbroken"
            jira: {issue_type: Bug, summary: "{a}"}
            questions: [{id: a, text: A, required: false}]
        """), "t.yaml").templates[0]
    assert "\n" not in make_summary(template, {"a": None}, "en")


# -- priority, due date, labels, fields --------------------------------------------------------


@pytest.mark.parametrize(("urgency", "priority"), [
    ("blocker", "Highest"), ("soon", "High"), ("normal", "Medium")])
def test_priority_comes_from_the_chosen_option(urgency: str, priority: str) -> None:
    assert render(BUG, bug_answers(urgency=urgency)).priority == priority


@pytest.mark.parametrize(("tier", "priority"), [("gold", "High"), ("std", "Low")])
def test_option_without_priority_keeps_the_template_priority(tier: str, priority: str) -> None:
    assert render(DEAL, {"what": "SSO", "tier": tier}).priority == priority


def test_duedate_comes_from_the_date_question_mapped_to_duedate() -> None:
    assert render(BUG, bug_answers()).duedate == "2026-11-27"
    assert render(FEATURE, {"what": "SSO for all", "customer": "X", "impact": "nice",
                            "deadline": "2026-12-01"}).duedate == "2026-12-01"


def test_labels_are_slugified_with_customer() -> None:
    ticket = render(DEAL, {"what": "SSO", "tier": "std", "customer": "ООО Ромашка"})
    assert ticket.labels == ("from-sales", "q4-deal", "ооо-ромашка")
    assert all(" " not in label for label in ticket.labels)


def test_customer_label_on_example_template() -> None:
    assert render(BUG, bug_answers()).labels == ("from-sales", "acme-corp-gmbh")
    assert render(BUG, bug_answers()).customer == "ACME Corp GmbH"


def test_custom_fields_keep_the_answer_type_when_a_lone_placeholder() -> None:
    answers = {"what": "SSO", "customer": "Initech", "size": 40000, "ratio": 1.5, "tier": "std",
               "due": "2026-12-25", "region": "EMEA"}
    fields = dict(render(DEAL, answers).fields)
    assert fields == {
        "customfield_10010": 40000,
        "customfield_10011": "2026-12-25",
        "customfield_10012": "std",
        "customfield_10013": "SSO",
        "customfield_10014": "Size 40,000, tier Standard",
        "customfield_10015": 7,
        "customfield_10016": 1.5,
        "customfield_20000": "EMEA",
    }
    assert isinstance(fields["customfield_10010"], int)


def test_jira_fields_shape() -> None:
    ticket = render(DEAL, {"what": "SSO", "customer": "Initech", "size": 40000, "tier": "gold",
                           "due": "2026-12-25"})
    fields = ticket.jira_fields(("ts-abc", "from-sales"))
    assert fields["project"] == {"key": "SALES"}
    assert fields["issuetype"] == {"name": "Story"}
    assert fields["summary"] == "Initech – SSO"
    assert fields["description"] == ticket.description
    assert fields["labels"] == ["from-sales", "q4-deal", "initech", "ts-abc"]
    assert fields["priority"] == {"name": "High"}
    assert fields["duedate"] == "2026-12-25"
    assert fields["components"] == [{"name": "Backend"}, {"name": "Billing"}]
    assert fields["customfield_10010"] == 40000
    assert ticket.project == "SALES"


def test_jira_fields_leave_out_empty_optional_fields() -> None:
    ticket = render(QUESTION, {"question": "How does SSO work?", "customer": None, "deadline": None})
    fields = ticket.jira_fields()
    assert set(fields) == {"project", "issuetype", "summary", "description", "labels"}
    assert fields["project"] == {"key": "SUP"}
    assert fields["issuetype"] == {"name": "Task"}
    assert fields["labels"] == ["from-sales", "question"]


def test_jira_problem_text_names_the_question() -> None:
    text = jira_problem_text({"duedate": "bad date", "customfield_1": "required"}, BUG, "en")
    assert text == "“By when is it needed?”: bad date; “customfield_1”: required"


@pytest.mark.parametrize(("value", "shown"), [(40000, "40,000"), (40000.0, "40,000"), (1.5, "1.5"),
                                              (1234.5, "1,234.5"), (0.25, "0.25"), (0, "0")])
def test_format_number(value: float, shown: str) -> None:
    assert format_number(value) == shown


# -- Jira's text limit -------------------------------------------------------------------------


@pytest.mark.parametrize("answers", [
    {"what": "a" * 100_000, "tier": "std"},
    {"what": "*" * 40_000, "tier": "std"},
    {"what": "x y " * 30_000, "tier": "std", "region": "z" * 30_000},
    {"what": "-" * 20_000, "tier": "std", "region": "[" * 20_000, "customer": "c" * 200},
], ids=["plain", "markup", "two-long", "two-markup"])
def test_description_never_exceeds_jiras_limit(answers: dict[str, Any]) -> None:
    description = render(DEAL, answers).description
    assert len(description) <= TEXT_LIMIT
    assert "_(shortened to fit Jira's limit)_" in description
    assert description.endswith("||Form|Deal (deal)|")


def test_long_answer_is_shortened_but_kept() -> None:
    description = render(DEAL, {"what": "a" * 100_000, "tier": "std"}).description
    assert "a" * 20_000 in description
    assert "a …" in description


def test_description_within_limit_is_untouched() -> None:
    description = render(DEAL, {"what": "a" * 30_000, "tier": "std"}).description
    assert "a" * 30_000 in description
    assert "shortened" not in description


def test_long_markup_answer_keeps_a_prefix() -> None:
    description = render(DEAL, {"what": "*" * 40_000, "tier": "std"}).description
    assert "\\*" * 1000 in description


def test_many_attachments_do_not_hang_rendering() -> None:
    # Run in a child process: the current code never returns, and a thread could not be stopped.
    code = textwrap.dedent("""
        from datetime import datetime, timezone
        from pathlib import Path
        from bot.templates.schema import load_templates
        from bot.jira.ticket import TEXT_LIMIT, Attachment, Reporter, render_ticket
        bug = load_templates(Path("templates.example.yaml")).get("bug")
        files = [Attachment(f"id{i}", f"photo_{i:04d}_" + "x" * 200 + ".jpg").to_dict() for i in range(200)]
        answers = {"what": "Export fails badly", "customer": "ACME", "urgency": "normal", "files": files}
        now = datetime.now(timezone.utc)
        ticket = render_ticket(bug, answers, Reporter(1, "A"), now, default_project="SUP")
        assert len(ticket.description) <= TEXT_LIMIT, len(ticket.description)
    """)
    try:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=3, capture_output=True)
    except subprocess.TimeoutExpired:
        pytest.fail("render_ticket did not finish within 3 s")
    assert result.returncode == 0, result.stderr.decode()


# -- wiki escaping and labels ------------------------------------------------------------------

_SPECIAL = "*_-+^~|!{}[]#"
_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from(list("\r\n\t\\?&;.h1bq ")
                                                                                    + list(_SPECIAL)))


@SETTINGS
@given(_TEXT)
def test_unescape_undoes_escape(text: str) -> None:
    assume(BACKSLASH_ENTITY not in text)
    assert unescape(escape(text)) == text.replace("\r\n", "\n").replace("\r", "\n")


@SETTINGS
@given(_TEXT)
def test_escaped_text_has_no_live_markup(text: str) -> None:
    # Blank out the entity and every backslash-escaped character; nothing special may remain.
    bare = re.sub(r"\\.", "\0", escape(text).replace(BACKSLASH_ENTITY, "\0"), flags=re.DOTALL)
    assert not set(bare) & set(_SPECIAL)
    assert "??" not in bare
    assert not re.search(r"^\s*(h[1-6]|bq)\.", bare, re.MULTILINE)


@SETTINGS
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",)), max_size=5)
                | st.sampled_from([*_SPECIAL, "\\", "??", "\r", "\x85", "h3.", "bq."])).map("".join))
def test_escape_returns_text_it_need_not_touch_as_it_is(text: str) -> None:
    assert escape(text) == _escape_all(text)


@pytest.mark.parametrize(("text", "escaped"), [
    ("a*b", "a\\*b"),
    ("C:\\path", "C:&#92;path"),
    ("what??", "what\\?\\?"),
    ("one?", "one?"),
    ("a\r\nb\rc", "a\nb\nc"),
    ("bell\x07tab\t", "belltab\t"),
    ("h2. title", "h2\\. title"),
    ("שלום 🚀 Привет", "שלום 🚀 Привет"),
])
def test_escape_examples(text: str, escaped: str) -> None:
    assert escape(text) == escaped


@pytest.mark.parametrize(("text", "label"), [
    ("ACME Corp GmbH", "acme-corp-gmbh"),
    ("  Hello   World  ", "hello-world"),
    ("foo_bar", "foo-bar"),
    ("Straße", "strasse"),
    ("Q4  Deal!", "q4-deal"),
    ("ООО Ромашка", "ооо-ромашка"),
    ("---", ""),
    ("ｆｕｌｌ width", "full-width"),
])
def test_slug_examples(text: str, label: str) -> None:
    assert slug(text) == label


def test_slug_respects_the_limit() -> None:
    assert slug("ab " * 200, limit=10) == "ab-ab-ab-a"
    assert slug("ab " * 200, limit=9) == "ab-ab-ab"


# Cherokee small letters fold to capitals (see test_slug_of_cherokee_is_lower_case).
_NOT_CHEROKEE = st.characters(exclude_categories=("Cs",), exclude_characters=[
    chr(c) for c in (*range(0x13A0, 0x1400), *range(0xAB70, 0xABC0))])


@SETTINGS
@given(st.text(_NOT_CHEROKEE))
def test_slug_has_no_whitespace_and_is_lower_case(text: str) -> None:
    label = slug(text)
    assert not any(c.isspace() for c in label)
    assert label == label.lower()
    assert len(label) <= 255
    assert not label.startswith("-") and not label.endswith("-")


def test_slug_of_cherokee_is_lower_case() -> None:
    label = slug("ꭰꭱ")
    assert label == label.lower()


@SETTINGS
@given(st.dictionaries(st.sampled_from(["what", "customer", "urgency", "why"]), st.text(max_size=400)))
def test_summary_is_one_line_and_fits(answers: dict[str, str]) -> None:
    summary = make_summary(BUG, answers, "en")
    assert "\n" not in summary and "\r" not in summary
    assert 0 < len(summary) <= SUMMARY_LIMIT
