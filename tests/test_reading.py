"""Reading asks as people write them: word forms, no keywords needed, evidence over single words, every deadline."""

from __future__ import annotations

import shutil
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.extraction import (
    WITH_KEYWORDS,
    WITHOUT_KEYWORDS,
    accuracy,
    evaluate,
    load_corpus,
    stated,
    synthetic_customers,
    synthetic_templates,
)
from bot.intake.customers import CustomerDirectory, load_customers
from bot.intake.extract import (
    _extract,
    extract,
    find_customer,
    find_deadline,
    guess_choice,
    reading_notes,
    score_templates,
)
from bot.intake.lexicon import lexicon, parse_lexicon
from bot.templates.schema import TemplateSet, load_templates, parse_templates
from bot.text.screen import visible
from bot.text.yamlfile import ConfigError
from tests.conftest import Clock, RunningBot, created_issue, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "data" / "asks.yaml"
MONDAY = date(2026, 11, 23)
THURSDAY = date(2026, 11, 26)

KEYWORDS = load_templates(WITH_KEYWORDS)
BARE = load_templates(WITHOUT_KEYWORDS)
CUSTOMERS = CustomerDirectory(load_customers(ROOT / "customers.example.yaml"))


def choice_question(cues: list[str]) -> Any:
    text = ("templates:\n  - id: t\n    title: T\n    jira: {issue_type: Task, summary: x}\n    questions:\n"
            "      - id: c\n        text: C?\n        type: choice\n        options:\n"
            f"          - {{value: hit, label: A, cues: [{', '.join(cues)}]}}\n"
            "          - {value: other, label: B}\n")
    return parse_templates(text, "t.yaml").templates[0].question("c")


# ---------------------------------------------------------------------------------------------- the corpus


def test_the_corpus_holds_150_asks_a_third_per_language_scored_for_both_template_sets() -> None:
    asks = load_corpus(CORPUS)
    assert len(asks) >= 150
    for lang in ("en", "ru", "de"):
        assert sum(a["lang"] == lang for a in asks) >= len(asks) // 3
    names = set(CUSTOMERS.names())
    for ask in asks:
        want = ask["expect"]
        assert set(want) == {"template", "customer", "due", "urgency", "amount"}
        assert want["customer"] is None or want["customer"] in names
        assert want["due"] in (None, "ask") or want["due"] >= ask["today"]
        for templates in (KEYWORDS, BARE):
            template = templates.get(want["template"])
            assert template is not None
            choices = [q for q in template.questions if q.type == "choice"]
            assert want["urgency"] is None or choices[0].option(want["urgency"]) is not None
    assert not any(t.keywords or any(o.cues for q in t.questions for o in q.options) for t in BARE.templates)


# What the reader reaches on tests/data/asks.yaml, a little below: a change that reads asks worse fails here.
# The issue's targets are lower still (form 95% with keywords, 85% without, urgency 90% where stated, 98% due dates
# and customers).
FLOORS = {
    "with keywords": (KEYWORDS, {"template": 0.95, "customer": 0.98, "due": 0.98, "amount": 0.97, "language": 0.97}),
    "without keywords": (BARE, {"template": 0.95, "customer": 0.98, "due": 0.98, "amount": 0.97, "language": 0.97}),
}


@pytest.mark.parametrize("name", list(FLOORS))
def test_corpus_accuracy_stays_above_the_floors(name: str) -> None:
    templates, floors = FLOORS[name]
    rows = evaluate(load_corpus(CORPUS), templates, CUSTOMERS)
    got = accuracy(rows)
    misses = [(r["ask"]["text"][:50], f, r["got"][f], r["want"][f]) for r in rows for f in floors
              if r["got"][f] != r["want"][f] and f != "amount"]
    assert all(got[f] >= floor for f, floor in floors.items()), (got, misses)
    right, said, invented, _ = stated(rows, "urgency")
    assert right / said >= 0.95, "urgency read right where the ask states it"
    assert invented == 0, "no urgency guessed where the ask states none"
    assert statistics.mean(r["asked"] for r in rows) <= 1.0, "at most one question after an informal ask"


# ---------------------------------------------------------------------------------------------- word forms


@pytest.mark.parametrize(("cue", "text"), [
    ("угроза", "сделка под угрозой"),
    ("угроза", "есть угрозы срыва"),
    ("угрожать", "они угрожают уйти"),
    ("droht", "Kunde will drohen"),
    ("droht", "eine Drohung vom Einkauf"),
    ("kündigen", "Kunde droht mit Kündigung"),
    ("threaten", "they threatened to leave"),
    ("threaten", "threatening emails from their CFO"),
    ("asks", "Globex asked for it"),
])
def test_cues_meet_other_forms_of_their_words(cue: str, text: str) -> None:
    found = guess_choice(choice_question([cue]), text)
    assert found is not None and found[0] == "hit"


@pytest.mark.parametrize("text", ["it doesn't work", "we can't log in"])
def test_a_negated_contraction_is_not_its_positive_word(text: str) -> None:
    assert guess_choice(choice_question(["does", "can"]), text) is None


# ---------------------------------------------------------------------------------------------- zero config


@pytest.mark.parametrize(("text", "template", "urgency"), [
    ("acme export broken again, they threaten to leave", "bug", "blocker"),
    ("Globex wants SSO with Okta, nice to have", "feature", "nice"),
    ("does our API support webhooks? Initech asks", "question", None),
    ("у Ромашки не работает импорт, клиент недоволен", "bug", "soon"),
    ("Ромашка хочет интеграцию с 1С, без неё сделка затянется", "feature", "delayed"),
    ("Kleinigkeit: bei Stark ist das Logo verzerrt", "bug", "normal"),
    ("Stark möchte eine Schnittstelle zu SAP, sonst verlieren wir den Deal", "feature", "lost"),
])
def test_templates_without_keywords_or_cues_are_read_from_what_they_say(text: str, template: str,
                                                                        urgency: str | None) -> None:
    result = extract(text, BARE, CUSTOMERS, MONDAY)
    assert result.template_id == template
    choice = next((g for g in result.guesses if g.question_id in ("urgency", "impact")), None)
    assert (choice.value if choice else None) == urgency


def test_the_jira_issue_type_alone_tells_what_a_template_is_for() -> None:
    text = ("templates:\n"
            "  - {id: a, title: Alpha, jira: {issue_type: Task, summary: x}, questions: [{id: q, text: 'Q?'}]}\n"
            "  - {id: b, title: Beta, jira: {issue_type: Bug, summary: x}, questions: [{id: q, text: 'Q?'}]}\n"
            "  - {id: c, title: Gamma, jira: {issue_type: New Feature, summary: x},"
            " questions: [{id: q, text: 'Q?'}]}\n")
    templates = parse_templates(text, "t.yaml")
    assert score_templates(templates, "the export crashes since Monday")[0][0] == "b"
    assert score_templates(templates, "Stark would like a dark mode")[0][0] == "c"
    assert score_templates(templates, "is it possible to host in the EU?")[0][0] == "a"


def test_admins_keywords_add_to_the_lexicon_and_win_ties() -> None:
    text = ("templates:\n"
            "  - {id: broken, title: One, jira: {issue_type: Bug, summary: x}, questions: [{id: q, text: 'Q?'}]}\n"
            "  - {id: exports, title: Two, keywords: [export], jira: {issue_type: Task, summary: x},"
            " questions: [{id: q, text: 'Q?'}]}\n")
    templates = parse_templates(text, "t.yaml")
    scores = score_templates(templates, "the export fails")
    assert scores[0][1] == scores[1][1] and scores[0][0] == "exports"


# ---------------------------------------------------------------------------------------------- evidence


@pytest.mark.parametrize(("text", "value", "words"), [
    ("dringend bitte", "soon", "dringend"),  # urgency, but no blocked deal
    ("Kunde ist sauer, dringend", "soon", "sauer"),
    ("Kunde droht mit Kündigung", "blocker", "droht"),
    ("they threaten to leave", "blocker", "threaten"),
    ("сделка под угрозой", "blocker", "сделка под угрозой"),
    ("Eröffnung der Filiale am 28. ist gefährdet", "blocker", "Eröffnung"),
    ("go-live in two days and we are blocked", "blocker", "go-live"),
    ("мелочь, но неприятно", "normal", "мелочь"),
    ("not urgent, whenever you get to it", "normal", "not urgent"),
])
def test_urgency_from_evidence_and_the_words_that_decided(text: str, value: str, words: str) -> None:
    for templates in (KEYWORDS, BARE):
        found = guess_choice(templates.templates[0].question("urgency"), text)
        assert found == (value, words)


def test_a_threatened_cancellation_of_a_wanted_feature_is_a_lost_deal() -> None:
    found = guess_choice(BARE.templates[1].question("impact"), "Globex threatens to cancel without SSO")
    assert found == ("lost", "threatens")


@pytest.mark.parametrize("text", ["the export to PDF fails", "Kunde meldet falsche Summen", "отчёт падает",
                                  "сколько стоит лицензия? отчёт падает", "opening the report crashes"])
def test_no_urgency_guess_where_the_ask_states_none(text: str) -> None:
    assert guess_choice(BARE.templates[0].question("urgency"), text) is None


def test_option_labels_that_name_no_evidence_are_left_to_cues() -> None:
    question = choice_question([])
    assert guess_choice(question, "blocked, urgent, customer furious") is None


# ---------------------------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(("text", "today", "due", "words"), [
    ("нужно к 25 числу", MONDAY, date(2026, 11, 25), "к 25 числу"),
    ("Entscheidung zum 25.", MONDAY, date(2026, 11, 25), "zum 25."),
    ("need it by the 25th", MONDAY, date(2026, 11, 25), "by the 25th"),
    ("Antwort bis Ende nächster Woche", MONDAY, date(2026, 12, 4), "bis Ende nächster Woche"),
    ("нужен к концу квартала", MONDAY, date(2026, 12, 31), "к концу квартала"),
    ("follow-up next Tuesday", THURSDAY, date(2026, 12, 1), "next Tuesday"),
    ("they decide by end of January", MONDAY, date(2027, 1, 31), "by end of January"),
    ("хотят к концу января", MONDAY, date(2027, 1, 31), "к концу января"),
    ("bis zum 15. Januar", MONDAY, date(2027, 1, 15), "bis zum 15. Januar"),
    ("нужно до НГ", MONDAY, date(2026, 12, 31), "до НГ"),
    ("nach Neujahr egal, aber bis Silvester", MONDAY, date(2026, 12, 31), "bis Silvester"),
    ("Freigabe bis KW 51", MONDAY, date(2026, 12, 18), "bis KW 51"),
    ("нужно к 51 неделе", MONDAY, date(2026, 12, 18), "к 51 неделе"),
    ("they need it by Q1", MONDAY, date(2027, 3, 31), "by Q1"),
])
def test_a_stated_deadline_is_found(text: str, today: date, due: date, words: str) -> None:
    assert find_deadline(text, today) == (due, words)


@pytest.mark.parametrize(("text", "words"), [
    ("Need an answer after the holidays", "after the holidays"),
    ("можно после праздников", "после праздников"),
    ("Antwort nach den Feiertagen reicht", "nach den Feiertagen"),
    ("Antwort bis zum Release", "bis zum Release"),
    ("answer by the end of the sprint", "by the end of the sprint"),
    ("Antwort bis Mitte Januar", "bis Mitte Januar"),
    ("ответ нужен к началу сезона", "к началу сезона"),
])
def test_a_deadline_too_vague_for_a_date_is_flagged_not_guessed(text: str, words: str) -> None:
    result = extract(f"Initech asks whether we support SCIM. {text}", KEYWORDS, CUSTOMERS, MONDAY)
    assert result.guess("deadline") is None and result.unclear_deadline == words


async def _bot(tg: FakeTelegram, jira: FakeJira, folder: Path, clock: Clock, templates: Path) -> RunningBot:
    config = write_config(folder, jira.url)
    shutil.copy(templates, folder / "templates.yaml")
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    return running


async def test_a_vague_deadline_gets_the_optional_date_question(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "Initech asks whether we support SCIM provisioning, answer needed after the holidays")
    assert "You wrote “after the holidays”: which date is that?" in user.last.text
    assert "By when do you need the answer?" in user.last.text
    await bot.say(user, "12.01.2027")
    assert "Please check your request" in user.last.text
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["duedate"] == "2027-01-12"


# ---------------------------------------------------------------------------------------------- the whole way


async def test_templates_without_keywords_file_an_ask_without_asking_its_kind(
        tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> None:
    running = await _bot(tg, jira, tmp_path, clock, WITHOUT_KEYWORDS)
    try:
        user = running.user()
        await running.say(user, "Stark: SSO login loops back to the login page. blocked, their go-live is in two days")
        card = user.last.text
        assert "What kind of request is this?" not in card
        assert "Please check your request" in card
        assert "Blocks a deal or a go-live ✎ “blocked”" in card, "the card says which words decided"
        await running.tap(user, "✎ How bad is it?")
        await running.tap(user, "Customer is upset")
        assert "Customer is upset" in user.last.text and "Customer is upset ✎" not in user.last.text
        await running.tap(user, "✅ Create")
        fields = (await created_issue(running, user))["fields"]
        assert fields["issuetype"]["name"] == "Bug"
        assert fields["priority"]["name"] == "High"
        assert fields["duedate"] == "2026-11-25"
    finally:
        await running.stop()


def test_check_tells_admins_how_asks_are_read_for_each_template() -> None:
    notes = reading_notes(BARE)
    assert notes["bug"] == ["informal asks: intent broken (from Jira Bug)",
                            "urgency from asks: blocker ← blocked, go_live, deal_at_risk, at_risk; "
                            "soon ← angry, urgent; normal ← no_rush, minor"]
    assert reading_notes(parse_templates(
        "templates:\n  - id: t\n    title: T\n    jira: {issue_type: Epic Thing, summary: x}\n    questions:\n"
        "      - {id: c, text: 'C?', type: choice, options: [{value: a, label: Web}, {value: b, label: App}]}\n",
        "t.yaml"))["t"] == ["informal asks: intent none (from titles and descriptions)",
                            "c from asks: never guessed (no option names evidence, no cues)"]
    result = run_cli("check", "--config", "config.example.yaml", "--offline")
    assert result.returncode == 0, result.stderr
    assert "    informal asks: intent broken (from Jira Bug), 56 keyword(s)" in result.stdout


# ---------------------------------------------------------------------------------------------- the lexicon


def test_the_built_in_lexicon_loads_into_typed_intents_and_evidence() -> None:
    words = lexicon()
    assert [i.name for i in words.intents] == ["broken", "wants", "asks"]
    assert {"blocked", "go_live", "deal_at_risk", "angry", "urgent", "no_rush", "minor"} <= {
        k.name for k in words.evidence}
    assert words.intents[words.intent_of_issue_type("bug") or 0].name == "broken"


@pytest.mark.parametrize(("text", "problem"), [
    ("intents: {a: {phrases: [x]}}\nevidence:\n  b:\n    falls_back_to: [nope]\n    phrases: [y]\n",
     "lexicon.yaml, line 3, evidence b: falls_back_to names 'nope'"),
    ("intents: {a: {phrases: [x]}}\nevidence:\n  b: {weight: -1, phrases: [y]}\n",
     "lexicon.yaml, line 3, evidence b, line 3: weight must be a positive number"),
    ("intents: {a: {phrases: x}}\nevidence: {b: {phrases: [y]}}\n",
     "lexicon.yaml, line 1, intent a, phrases: expected a list of non-empty texts"),
    ("intents: []\nevidence: {b: {phrases: [y]}}\n", "lexicon.yaml, line 1: 'intents' must be a mapping"),
])
def test_a_broken_lexicon_is_refused_naming_file_and_line(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_lexicon(text)
    assert any(p.startswith(problem) for p in error.value.problems), error.value.problems


# ---------------------------------------------------------------------------------------------- scale


MANY_TEMPLATES = synthetic_templates(200)


def test_customers_are_found_by_name_and_typo_among_50000() -> None:
    directory = CustomerDirectory(synthetic_customers(50_000))
    for text, name in [("umbrela says the dashboard is slow", "Umbrella Pharma AG"),
                       ("Globx asked again about Slack", "Globex Corporation"),
                       ("Initec cannot log in", "Initech Ltd"),
                       ("у Ромашки не работает импорт", "ООО Ромашка"),
                       ("customer is Stark", "Stark Industries")]:
        found = find_customer(text, directory)
        assert found is not None and found[0] == name
    times = []
    for ask in load_corpus(CORPUS)[:60]:
        start = time.perf_counter()
        extract(ask["text"], MANY_TEMPLATES, directory, MONDAY)
        times.append(time.perf_counter() - start)
    # The target is 5 ms at the 95th percentile (bench/extraction.py); this bound leaves room for a busy machine.
    assert sorted(times)[int(0.95 * len(times))] < 0.05


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=2000),
                      st.lists(st.sampled_from(["blocked", "не", "срочно", "nicht", "dringend", "угрозой", "go-live",
                                                "после праздников", "к 25 числу", "?", "Globx", "ООО", "'s", "ё"]),
                               max_size=60).map(" ".join)),
       bare=st.booleans())
def test_extract_never_raises_and_stays_bounded_on_any_text(text: str, bare: bool) -> None:
    templates: TemplateSet = BARE if bare else MANY_TEMPLATES
    start = time.perf_counter()
    result = _extract(text, templates, CUSTOMERS, MONDAY, None, None)
    assert time.perf_counter() - start < 1.0
    template = templates.get(result.template_id)
    assert template is not None
    assert len(result.guesses) <= len(template.questions)
    assert result.unclear_deadline is None or result.unclear_deadline in " ".join(visible(text).split())
