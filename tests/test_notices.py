"""Who hears about which Jira change, merged into short messages in the salesperson's language."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.notices import (
    NOTICE_LIMIT,
    NoticePolicy,
    merge,
    needs_info,
    plain_text,
    relevant,
    render_needs_info,
    render_notice,
)
from bot.i18n.catalog import LANGUAGES
from bot.jira.events import EVENT_KINDS, EventKind, IssueEvent

BOT = "712020:00000000-0000-4000-8000-000000000001"
OLGA = "712020:00000000-0000-4000-8000-000000000002"
URL = "https://acme.atlassian.net/browse/SUP-12"
T0 = 1_795_424_400.0


def event(kind: EventKind, at: float = T0, *, old: str | None = None, new: str | None = None,
          body: str | None = None, key: str = "SUP-12", summary: str = "Export to Excel fails",
          actor: str | None = OLGA, name: str | None = "Olga", ident: str | None = None) -> IssueEvent:
    ident = ident or f"{kind}-{at}-{old}-{new}-{body}"
    return IssueEvent(
        event_id=f"{key}:{ident}", issue_key=key, summary=summary, kind=kind, actor_id=actor, actor_name=name,
        at=at, old=old, new=new, comment_id=ident if kind == "comment" else None, body=body,
    )


POLICY = NoticePolicy(bot_actor_ids=frozenset({BOT}))


# ---------------------------------------------------------------------- relevance


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_every_kind_notifies_by_default(kind: EventKind) -> None:
    assert relevant(event(kind, new="x", body="x"), POLICY, muted=False)


@pytest.mark.parametrize(("kind", "expected"), [
    ("comment", True), ("resolution", True), ("status", False), ("assignee", False), ("duedate", False),
])
def test_muted_hears_only_comments_and_resolutions(kind: EventKind, expected: bool) -> None:
    assert relevant(event(kind, new="x", body="x"), POLICY, muted=True) is expected


def test_the_bots_own_changes_never_notify() -> None:
    assert not relevant(event("comment", body="Answer from Anna: 2016", actor=BOT), POLICY, muted=False)
    assert not relevant(event("comment", body="x", actor=BOT.upper()), POLICY, muted=True)
    assert relevant(event("comment", body="x", actor=None, name=None), POLICY, muted=False)


def test_kinds_can_be_switched_off() -> None:
    policy = NoticePolicy(kinds=frozenset({"comment"}))
    assert relevant(event("comment", body="x"), policy, muted=False)
    assert not relevant(event("status", new="Done"), policy, muted=False)
    assert not relevant(event("resolution", new="Fixed"), policy, muted=True)


@pytest.mark.parametrize(("ev", "expected"), [
    (event("comment", body="@sales which Excel version?"), True),
    (event("comment", body="[?] Which Excel version?"), True),
    (event("comment", body="@SALES: version?"), True),
    (event("comment", body="Which Excel version?"), False),
    (event("comment", body="@salesforce sync broke"), False),
    (event("comment", body="@sales relaying: 2016", actor=BOT), False),
    (event("status", old="In Progress", new="Waiting for sales"), True),
    (event("status", old="In Progress", new="waiting for SALES "), True),
    (event("status", old="Waiting for sales", new="In Progress"), False),
    (event("status", old="To Do", new=None), False),
    (event("assignee", new="Waiting for sales"), False),
    (event("resolution", new="Fixed"), False),
])
def test_needs_info(ev: IssueEvent, expected: bool) -> None:
    assert needs_info(ev, POLICY) is expected


def test_needs_info_uses_the_policys_markers_and_statuses() -> None:
    policy = NoticePolicy(needs_info_markers=("#vertrieb",), needs_info_statuses=("Rückfrage",))
    assert needs_info(event("comment", body="#Vertrieb welche Version?"), policy)
    assert not needs_info(event("comment", body="@sales which?"), policy)
    assert needs_info(event("status", new="Rückfrage"), policy)


# ---------------------------------------------------------------------- merging


def test_merge_groups_one_issue_within_the_window() -> None:
    a, b, c = event("status", T0, new="A"), event("comment", T0 + 60, body="x"), event("status", T0 + 120, new="B")
    assert merge([a, b, c]) == [[a, b, c]]


def test_window_counts_from_the_groups_first_event() -> None:
    a, b, c = event("status", T0, new="A"), event("status", T0 + 100, new="B"), event("status", T0 + 200, new="C")
    assert merge([a, b, c]) == [[a, b], [c]]
    assert merge([a, b, c], window=300) == [[a, b, c]]
    assert merge([a, b, c], window=0) == [[a], [b], [c]]


def test_different_issues_never_merge_and_order_is_kept() -> None:
    a1 = event("status", T0, new="A", key="SUP-1")
    b1 = event("comment", T0 + 1, body="x", key="SUP-2")
    a2 = event("comment", T0 + 2, body="y", key="SUP-1")
    b2 = event("status", T0 + 500, new="B", key="SUP-2")
    a3 = event("status", T0 + 501, new="C", key="SUP-1")
    assert merge([a1, b1, a2, b2, a3]) == [[a1, a2], [b1], [b2], [a3]]


def test_merge_drops_repeated_event_ids() -> None:
    a = event("status", T0, new="A")
    assert merge([a, a, replace(a, at=T0 + 5)]) == [[a]]
    assert merge([]) == []


# ---------------------------------------------------------------------- rendering


def test_render_notice_in_english() -> None:
    group = [
        event("status", T0, old="To Do", new="In Progress"),
        event("comment", T0 + 10, body="Reproduced with *Excel 2016*, see [the log|https://x.example/log]."),
        event("status", T0 + 20, old="In Progress", new="Done"),
        event("resolution", T0 + 20, new="Fixed"),
        event("assignee", T0 + 30, new="Olga Orlova"),
        event("duedate", T0 + 40, old="2026-11-27", new="2026-12-04"),
    ]
    assert render_notice(group, "en", URL) == "\n".join([
        "SUP-12 · Export to Excel fails",
        "Status: To Do → Done",
        "💬 Olga: Reproduced with Excel 2016, see the log.",
        "✅ Resolved: Fixed",
        "Assigned to Olga Orlova",
        "Due date: Fri 27 Nov 2026 → Fri 4 Dec 2026",
        URL,
    ])


def test_render_notice_in_russian_and_german() -> None:
    group = [event("status", T0, old="To Do", new="In Progress"), event("duedate", T0 + 1, new="2026-12-04"),
             event("assignee", T0 + 2, old="Olga Orlova", new=None)]
    assert render_notice(group, "ru", URL).split("\n")[1:4] == [
        "Статус: To Do → In Progress", "Срок: пт 04.12.2026", "Исполнитель снят"]
    assert render_notice(group, "de", URL).split("\n")[1:4] == [
        "Status: To Do → In Progress", "Fälligkeit: Fr 04.12.2026", "Niemandem mehr zugewiesen"]


def test_reopened_and_due_date_removed() -> None:
    group = [event("resolution", T0, old="Fixed", new=None), event("duedate", T0, old="2026-11-27", new=None)]
    assert render_notice(group, "en", URL).split("\n")[1:3] == [
        "↩️ Reopened", "Due date removed (was Fri 27 Nov 2026)"]


def test_a_round_trip_is_no_news() -> None:
    group = [event("status", T0, old="In Progress", new="Waiting"),
             event("status", T0 + 5, old="Waiting", new="In Progress")]
    assert render_notice(group, "en", URL) == ""
    assert render_notice([], "en", URL) == ""
    group.append(event("comment", T0 + 6, body="Back to work"))
    assert render_notice(group, "en", URL) == f"SUP-12 · Export to Excel fails\n💬 Olga: Back to work\n{URL}"


def test_header_clips_a_long_summary_and_takes_the_latest() -> None:
    long = "Export of the quarterly revenue report to Excel fails for every customer on the EU cluster"
    group = [event("status", T0, new="Done", summary="Old title"), event("comment", T0, body="x", summary=long)]
    header = render_notice(group, "en", URL).split("\n")[0]
    assert header.startswith("SUP-12 · Export of the quarterly") and header.endswith("…")
    assert len(header) <= len("SUP-12 · ") + 60


def test_comment_is_one_clipped_line() -> None:
    body = "h2. Analysis\n" + "The export breaks on merged cells. " * 20 + "\n{noformat}trace{noformat}"
    line = render_notice([event("comment", body=body)], "en", URL).split("\n")[1]
    assert line.startswith("💬 Olga: Analysis The export breaks")
    assert "h2." not in line and "{noformat}" not in line
    assert len(line) <= len("💬 Olga: ") + 200 and line.endswith("…")


def test_unknown_author_and_empty_comment() -> None:
    assert render_notice([event("comment", body="", name=None)], "de", URL).split("\n")[1] == "💬 Jemand: …"


def test_many_comments_stay_under_the_limit() -> None:
    group = [event("comment", T0 + n, body=f"Comment {n}: " + "details " * 40, ident=f"c{n}") for n in range(12)]
    group.insert(0, event("status", T0, old="To Do", new="In Progress"))
    for lang in LANGUAGES:
        text = render_notice(group, lang, URL)
        assert len(text) < NOTICE_LIMIT
        lines = text.split("\n")
        assert lines[0] == "SUP-12 · Export to Excel fails" and lines[-1] == URL
        assert lines[1].startswith(("Status", "Статус"))
        assert lines[2].startswith("💬 Olga: Comment 0:")
        shown = sum(1 for line in lines if line.startswith("💬 Olga"))
        assert lines[-2] == {"en": f"💬 +{12 - shown} more in Jira", "ru": f"💬 ещё {12 - shown} в Jira",
                             "de": f"💬 +{12 - shown} weitere in Jira"}[lang]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(EVENT_KINDS), st.text(max_size=300), st.text(max_size=80)),
                min_size=1, max_size=15),
       st.sampled_from(LANGUAGES))
def test_any_group_renders_under_the_limit(items: list[tuple[EventKind, str, str]], lang: str) -> None:
    group = [event(kind, T0 + n, old=text[:20] or None, new=text or None, body=text, name=name or None,
                   summary=name, ident=str(n))
             for n, (kind, text, name) in enumerate(items)]
    assert len(render_notice(group, lang, URL)) < NOTICE_LIMIT


@pytest.mark.parametrize(("markup", "plain"), [
    ("*bold* and _italic_", "bold and italic"),
    ("h1. Title\nbq. quoted", "Title quoted"),
    ("see [the doc|https://x.example/doc] or [https://y.example]", "see the doc or https://y.example"),
    ("{code:java}int x = 1;{code}", "int x = 1;"),
    ("{noformat}\nstack\n{noformat}", "stack"),
    ("{quote}earlier{quote} {color:red}red{color}", "earlier red"),
    ("{{monospace}} text", "monospace text"),
    ("[~alice] and [~accountid:712020:abc]", "@alice and @user"),
    ("!screenshot.png|thumbnail! attached", "screenshot.png attached"),
    ("snake_case_name and 2*3*4 and a * b", "snake_case_name and 2*3*4 and a * b"),
    ("\\*not bold\\* line\\\\break", "*not bold* line break"),
    ("Hello! World!", "Hello! World!"),
    ("Steps:\n* open\n* export\n- done", "Steps: • open • export • done"),
])
def test_plain_text(markup: str, plain: str) -> None:
    assert plain_text(markup) == plain


def test_plain_text_can_keep_lines() -> None:
    assert plain_text("h3. Question\n\n*Which* version?\n", one_line=False) == "Question\nWhich version?"


def test_render_needs_info() -> None:
    ev = event("comment", body="@sales Which Excel version does ACME use?")
    assert render_needs_info(ev, "en") == (
        "❓ Olga asks about SUP-12 (Export to Excel fails): Which Excel version does ACME use?\n\n"
        "Reply to this message and I'll add your answer to SUP-12.")
    assert render_needs_info(ev, "ru").startswith(
        "❓ Olga спрашивает про SUP-12 (Export to Excel fails): Which Excel version does ACME use?\n\n")
    assert render_needs_info(ev, "de").endswith("dann füge ich deine Antwort zu SUP-12 hinzu.")


def test_render_needs_info_keeps_question_lines() -> None:
    ev = event("comment", body="[?] Two things:\n# Which *Excel* version?\n# Which OS?")
    assert render_needs_info(ev, "en").split("\n")[:4] == [
        "❓ Olga asks about SUP-12 (Export to Excel fails):", "Two things:", "• Which Excel version?", "• Which OS?"]


def test_render_needs_info_for_a_waiting_status() -> None:
    ev = event("status", old="In Progress", new="Waiting for sales")
    assert render_needs_info(ev, "en").split("\n")[0] == (
        "❓ SUP-12 (Export to Excel fails) is waiting for you: status “Waiting for sales”.")


def test_render_needs_info_is_bounded() -> None:
    ev = event("comment", body="@sales " + "Please describe the customer's setup in detail. " * 100,
               summary="S" * 300, name="N" * 300)
    for lang in LANGUAGES:
        text = render_needs_info(ev, lang)
        assert len(text) < NOTICE_LIMIT
        assert text.rstrip().endswith(("SUP-12.", "SUP-12 hinzu."))
