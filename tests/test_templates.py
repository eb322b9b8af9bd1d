"""Template loading and validation: every admin mistake is reported with file, line, template and question."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.i18n.catalog import LocalText
from bot.templates.schema import DEFAULT_TEXT_MAX, Question, applies, load_templates, parse_templates
from bot.text.yamlfile import ConfigError, LineDict, LineList, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "templates.yaml"

# Lines 1-9 of every small document below; extra questions start on line 10.
HEAD = """\
templates:
  - id: t1
    title: Title
    jira:
      issue_type: Task
      summary: "{a}"
    questions:
      - id: a
        text: A?
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_templates(text, SOURCE)
    return caught.value.problems


def one_template(*, head: str = "", jira: str = "", summary: str = "{a}", title: str = "    title: Title\n",
                 tid: str = "t1") -> str:
    """A template whose template-level parts vary; `head` lines start at line 3 (or 4 with a title)."""
    return (f"templates:\n  - id: {tid}\n{title}{head}    jira:\n      issue_type: Task\n"
            f"      summary: \"{summary}\"\n{jira}    questions:\n      - id: a\n        text: A?\n")


def test_example_file_loads() -> None:
    templates = load_templates(ROOT / "templates.example.yaml")
    assert [t.id for t in templates.templates] == ["bug", "feature", "question"]
    assert templates.source == "templates.example.yaml"
    assert len(templates.version) == 12
    bug = templates.get("bug")
    assert bug is not None
    assert [q.id for q in bug.questions] == ["what", "customer", "urgency", "why", "deadline", "files"]
    assert bug.jira.issue_type == "Bug"
    assert bug.jira.summary == "{customer}: {what}"
    assert bug.jira.labels == ("from-sales",)
    assert bug.question("what").min_length == 10
    assert bug.question("what").max_length == DEFAULT_TEXT_MAX
    urgency = bug.question("urgency")
    assert [(o.value, o.priority) for o in urgency.options] == [
        ("blocker", "Highest"), ("soon", "High"), ("normal", "Medium")]
    assert bug.question("why").when == (("urgency", ("blocker", "soon")),)
    assert bug.question("deadline").jira_field == "duedate"
    assert bug.question("deadline").required is False
    assert bug.question("files").type == "attachments"
    assert templates.get("nope") is None


def test_version_follows_content() -> None:
    first = parse_templates(HEAD, SOURCE)
    assert parse_templates(HEAD, SOURCE).version == first.version
    assert parse_templates(HEAD.replace("Title", "Other"), SOURCE).version != first.version


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_templates(tmp_path / "templates.yaml")
    assert caught.value.problems == [f"{tmp_path / 'templates.yaml'}: templates file not found"]


def test_small_valid_document_loads() -> None:
    template = parse_templates(HEAD, SOURCE).templates[0]
    assert template.id == "t1"
    assert template.title.get("en") == "Title"
    assert template.description.get("en") == ""
    assert template.question("a").type == "text"
    assert template.question("a").required is True
    with pytest.raises(KeyError):
        template.question("zzz")


CHOICE_C = ("      - id: c\n        text: C?\n        type: choice\n"
            "        options: [{value: x, label: X}, {value: y, label: Y}]\n")
B = "      - id: b\n        text: B?\n"
C = "      - id: c\n        text: C?\n        type: choice\n"
ID_RULE = "must be 1-32 characters of a-z, 0-9, '_' or '-'"

# (case, extra question lines after HEAD, line, question, message)
QUESTION_ERRORS = [
    ("duplicate-question-id", "      - id: a\n        text: Again?\n", 10, "a", "duplicate question id"),
    ("unknown-type", B + "        type: txt\n", 12, "b",
     "unknown type 'txt'; use one of text, choice, customer, date, number, attachments"),
    ("unknown-key-did-you-mean", B + "        requird: false\n", 12, "b",
     "unknown question key 'requird' (did you mean 'required'?)"),
    ("unknown-key-no-guess", B + "        colour: red\n", 12, "b", "unknown question key 'colour'"),
    ("when-names-text-question", B + "        when: {a: [x]}\n", 12, "b",
     "'when' names 'a', which is not an earlier choice question"),
    ("when-names-later-question", B + "        when: {c: [x]}\n" + CHOICE_C, 12, "b",
     "'when' names 'c', which is not an earlier choice question"),
    ("when-names-unknown-question", B + "        when: {zzz: [x]}\n", 12, "b",
     "'when' names 'zzz', which is not an earlier choice question"),
    ("when-names-unknown-value", CHOICE_C + B + "        when: {c: [z]}\n", 16, "b",
     "'when' names value 'z' of 'c', which has only: x, y"),
    ("when-not-a-mapping", CHOICE_C + B + "        when: c\n", 16, "b",
     "'when' must map an earlier choice question to a list of its values"),
    ("choice-empty-options", C + "        options: []\n", 13, "c",
     "a choice question needs a non-empty 'options' list"),
    ("choice-without-options", C, 10, "c", "a choice question needs a non-empty 'options' list"),
    ("duplicate-option-value", C + "        options:\n          - {value: x, label: X}\n"
     "          - {value: x, label: Y}\n", 15, "c", "duplicate option value 'x'"),
    ("option-without-value", C + "        options:\n          - {label: X}\n", 14, "c",
     "an option needs a non-empty 'value'"),
    ("option-key-typo", C + "        options:\n          - {value: x, label: X, prority: High}\n", 14, "c",
     "unknown option key 'prority' (did you mean 'priority'?)"),
    ("options-on-text-question", B + "        options: [{value: x, label: X}]\n", 12, "b",
     "'options' only belong to choice questions, not text"),
    ("min-length-above-max-length", B + "        min_length: 10\n        max_length: 5\n", 12, "b",
     "min_length (10) is greater than max_length (5)"),
    ("max-length-zero", B + "        max_length: 0\n", 12, "b", "max_length must be at least 1"),
    ("negative-min-length", B + "        min_length: -1\n", 12, "b",
     "'min_length' must be a whole number of 0 or more"),
    ("length-on-date", B + "        type: date\n        max_length: 3\n", 13, "b",
     "'min_length' and 'max_length' only apply to text questions"),
    ("min-on-text", B + "        min: 1\n", 12, "b", "'min' and 'max' only apply to number questions"),
    ("max-on-date", B + "        type: date\n        max: 1\n", 13, "b",
     "'min' and 'max' only apply to number questions"),
    ("number-min-above-max", B + "        type: number\n        min: 10\n        max: 1.5\n", 13, "b",
     "min (10) is greater than max (1.5)"),
    ("min-not-a-number", B + "        type: number\n        min: lots\n", 13, "b", "'min' must be a number"),
    ("required-not-boolean", B + "        required: maybe\n", 12, "b", "'required' must be true or false"),
    ("missing-question-text", "      - id: b\n        type: date\n", 10, "b", "'text' is missing"),
    ("blank-question-text", "      - id: b\n        text: '   '\n", 11, "b",
     "'text' must be a non-empty text or a mapping of language codes to texts"),
    ("question-text-bad-language", "      - id: b\n        text: {en: 'B?', fr: 'Bé?'}\n", 11, "b",
     "'text' has language 'fr'; supported are en, ru, de"),
    ("hint-bad-language", B + "        hint: {xx: Hm}\n", 12, "b",
     "'hint' has language 'xx'; supported are en, ru, de"),
    ("bad-jira-field", B + "        jira: ''\n", 12, "b", "'jira' must name a Jira field (id or name)"),
]


@pytest.mark.parametrize(("extra", "line", "question", "message"), [c[1:] for c in QUESTION_ERRORS],
                         ids=[c[0] for c in QUESTION_ERRORS])
def test_question_error_names_file_line_template_and_question(extra: str, line: int, question: str,
                                                               message: str) -> None:
    expected = f"templates.yaml, line {line}: template 't1', question '{question}': {message}"
    assert expected in problems(HEAD + extra)


@pytest.mark.parametrize("question_id", ["Big Q", "q" * 33, "7", "über", "a.b", "''"])
def test_bad_question_id_names_file_line_and_template(question_id: str) -> None:
    shown = {"7": "7", "''": "''"}.get(question_id, repr(question_id))
    expected = f"templates.yaml, line 10: template 't1': question id {shown} {ID_RULE}"
    assert expected in problems(HEAD + f"      - id: {question_id}\n        text: B?\n")


# (case, document, line, message without the "file, line: template 't1': " prefix)
TEMPLATE_ERRORS = [
    ("duplicate-template-id", HEAD + "  - id: t1\n    title: Again\n"
     "    jira: {issue_type: Task, summary: x}\n    questions: [{id: a, text: A}]\n",
     10, "duplicate template id"),
    ("unknown-template-key", one_template(head="    keyword: [x]\n"), 4,
     "unknown template key 'keyword' (did you mean 'keywords'?)"),
    ("unknown-jira-key", one_template(jira="      lables: [x]\n"), 7,
     "unknown jira key 'lables' (did you mean 'labels'?)"),
    ("summary-placeholder-names-no-question", one_template(summary="{a}: {customer}"), 6,
     "summary placeholder '{customer}' names no question of this template"),
    ("field-placeholder-names-no-question",
     one_template(jira="      fields:\n        customfield_1: '{nope}'\n"), 7,
     "field 'customfield_1' uses placeholder '{nope}', which names no question"),
    ("summary-two-lines", one_template(summary="{a}\\nmore"), 6, "'jira.summary' must be one line"),
    ("missing-issue-type", "templates:\n  - id: t1\n    title: T\n    jira: {summary: x}\n"
     "    questions: [{id: a, text: A}]\n", 4, "'jira.issue_type' is missing (e.g. Bug, Task)"),
    ("bad-project-key", one_template(jira="      project: sup\n"), 7,
     "'jira.project' 'sup' is not a Jira project key"),
    ("missing-title", one_template(title=""), 2, "'title' is missing"),
    ("title-bad-language", one_template(title="    title: {en: T, fr: T}\n"), 3,
     "'title' has language 'fr'; supported are en, ru, de"),
    ("bad-template-language", one_template(head="    language: fr\n"), 4,
     "'language' must be one of en, ru, de"),
    ("no-questions", "templates:\n  - id: t1\n    title: T\n    jira: {issue_type: Task, summary: x}\n", 2,
     "'questions' must be a non-empty list"),
]


@pytest.mark.parametrize(("text", "line", "message"), [c[1:] for c in TEMPLATE_ERRORS],
                         ids=[c[0] for c in TEMPLATE_ERRORS])
def test_template_error_names_file_line_and_template(text: str, line: int, message: str) -> None:
    assert f"templates.yaml, line {line}: template 't1': {message}" in problems(text)


@pytest.mark.parametrize("template_id", ["Bug Report", "t" * 33, "bug!", "баг"])
def test_bad_template_id_names_file_and_line(template_id: str) -> None:
    assert problems(one_template(tid=template_id)) == [
        f"templates.yaml, line 2: template id {template_id!r} {ID_RULE}"]


@pytest.mark.parametrize("text", ["forms:\n  - id: t1\n", "", "templates: []\n", "- a\n"])
def test_document_without_templates_list(text: str) -> None:
    expected = "templates.yaml: expected a top-level 'templates:' list with at least one template"
    assert problems(text) == [expected]


@pytest.mark.parametrize(("text", "message"), [
    ("templates:\n  - id: t1\n    title: [unclosed\n    jira: x\n",
     "templates.yaml, line 4: expected ',' or ']', but got ':'"),
    ("templates:\n  - id: t1\n\ttitle: x\n",
     "templates.yaml, line 3: found character '\\t' that cannot start any token"),
    ("templates:\n  - id: t1\n    title: A\n    title: B\n", "templates.yaml, line 4: duplicate key 'title'"),
], ids=["unclosed-bracket", "tab", "duplicate-key"])
def test_yaml_syntax_error_names_the_line(text: str, message: str) -> None:
    assert problems(text) == [message]


DEEP = 5000
TOO_DEEP = "nested too deeply (more than 64 levels)"


@pytest.mark.parametrize(("text", "line"), [
    ("templates: " + "[" * DEEP + "]" * DEEP + "\n", 1),
    ("templates:\n" + "".join("  " * depth + "- a:\n" for depth in range(1, DEEP)), 33),
    ("templates:\n" + "".join("  " * depth + "a:\n" for depth in range(1, DEEP)), 64),
    ("templates: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n", 1),
    # Each anchor is shallow; the aliases stack them.
    ("deep0: &d0 " + "[" * 40 + "x" + "]" * 40 + "\n"
     + "".join(f"deep{i}: &d{i} " + "[" * 40 + f"*d{i - 1}" + "]" * 40 + "\n" for i in range(1, DEEP // 40)), 2),
], ids=["flow-sequences", "block-sequences", "block-mappings", "flow-mappings", "aliases"])
def test_a_document_nested_thousands_deep_is_refused_with_its_line(text: str, line: int) -> None:
    assert problems(text) == [f"templates.yaml, line {line}: {TOO_DEEP}"]


def test_nesting_up_to_the_limit_is_read() -> None:
    # The document, 62 lists and the number: 64 levels.
    value = parse_yaml("a: " + "[" * 62 + "1" + "]" * 62, SOURCE)["a"]
    for _ in range(61):
        value = value[0]
    assert value == [1]
    with pytest.raises(ConfigError):
        parse_yaml("a: " + "[" * 63 + "1" + "]" * 63, SOURCE)


def test_ids_of_exactly_32_characters_are_fine() -> None:
    text = HEAD.replace("id: t1", f"id: {'t' * 32}") + f"      - id: {'q' * 32}\n        text: B?\n"
    template = parse_templates(text, SOURCE).templates[0]
    assert template.id == "t" * 32
    assert template.questions[-1].id == "q" * 32


def test_template_id_with_trailing_newline_is_rejected() -> None:
    expected = f"templates.yaml, line 2: template id 'bug\\n' {ID_RULE}"
    assert problems(one_template(tid='"bug\\n"')) == [expected]


def test_question_id_with_trailing_newline_is_rejected() -> None:
    expected = f"templates.yaml, line 10: template 't1': question id 'b\\n' {ID_RULE}"
    assert expected in problems(HEAD + '      - id: "b\\n"\n        text: B?\n')


def test_duedate_on_a_non_date_question_names_the_line() -> None:
    text = HEAD + "      - id: b\n        text: B?\n        jira: duedate\n"
    assert "templates.yaml, line 12: template 't1', question 'b': only a date question can fill 'duedate'" \
        in problems(text)


def test_duedate_on_a_non_date_question_is_refused() -> None:
    text = HEAD + "      - id: b\n        text: B?\n        jira: duedate\n"
    assert any(p.endswith("template 't1', question 'b': only a date question can fill 'duedate'")
               for p in problems(text))


def test_missing_jira_section_names_the_line() -> None:
    text = "templates:\n  - id: t1\n    title: T\n    questions: [{id: a, text: A}]\n"
    assert ("templates.yaml, line 2: template 't1': "
            "'jira' must be a mapping with at least 'issue_type' and 'summary'") in problems(text)


def test_every_problem_is_reported_at_once() -> None:
    text = HEAD + "      - id: b\n        text: B?\n        type: txt\n      - id: a\n        text: Again?\n"
    found = problems(text)
    assert len(found) == 2
    assert found[0].startswith("templates.yaml, line 12: template 't1', question 'b': unknown type 'txt'")
    assert found[1] == "templates.yaml, line 13: template 't1', question 'a': duplicate question id"


def test_config_error_message_lists_problems_one_per_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_templates(HEAD + "      - id: a\n        text: x\n      - id: a\n        text: y\n", SOURCE)
    assert str(caught.value) == "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 2


# -- texts per language -----------------------------------------------------------------------


def _question_text(text_yaml: str, language: str = "en") -> LocalText:
    text = one_template(head=f"    language: {language}\n").replace("text: A?", f"text: {text_yaml}")
    return parse_templates(text, SOURCE).templates[0].question("a").text


def test_text_given_as_string_is_used_for_every_language() -> None:
    text = _question_text("Which customer?")
    assert [text.get(lang) for lang in ("en", "ru", "de", "fr")] == ["Which customer?"] * 4


def test_text_given_per_language() -> None:
    text = _question_text("{en: 'Which customer?', ru: 'Какой клиент?', de: 'Welcher Kunde?'}")
    assert text.get("en") == "Which customer?"
    assert text.get("ru") == "Какой клиент?"
    assert text.get("de") == "Welcher Kunde?"


def test_missing_language_falls_back_to_the_default_language() -> None:
    text = _question_text("{ru: 'Какой клиент?', en: 'Which customer?'}")
    assert text.default == "en"
    assert text.get("de") == "Which customer?"


def test_template_language_sets_the_fallback() -> None:
    text = _question_text("{en: 'Which customer?', ru: 'Какой клиент?'}", language="ru")
    assert text.get("de") == "Какой клиент?"
    plain = _question_text("Какой клиент?", language="ru")
    assert plain.variants == (("ru", "Какой клиент?"),)


def test_without_the_default_language_the_first_variant_is_used() -> None:
    text = _question_text("{de: 'Welcher Kunde?', ru: 'Какой клиент?'}")
    assert text.get("en") == "Welcher Kunde?"
    assert text.get("ru") == "Какой клиент?"


def test_texts_are_stripped() -> None:
    assert _question_text("'  Which customer?  '").get("en") == "Which customer?"


# -- applies() --------------------------------------------------------------------------------


def _conditional_template() -> tuple[Question, Question]:
    text = HEAD + CHOICE_C + (
        "      - id: d\n        text: D?\n        type: choice\n        options: [{value: 1, label: One},"
        " {value: 2, label: Two}]\n"
        "      - id: b\n        text: B?\n        when: {c: [x], d: [1]}\n")
    template = parse_templates(text, SOURCE).templates[0]
    return template.question("a"), template.question("b")


@pytest.mark.parametrize(("answers", "expected"), [
    ({}, None),
    ({"c": "x"}, None),
    ({"c": "y"}, False),
    ({"c": "x", "d": "1"}, True),
    ({"c": "x", "d": 1}, True),
    ({"c": "x", "d": "2"}, False),
    ({"c": None, "d": "1"}, False),
])
def test_applies(answers: dict, expected: bool | None) -> None:
    plain, conditional = _conditional_template()
    assert conditional.when == (("c", ("x",)), ("d", ("1",)))
    assert applies(conditional, answers) is expected
    assert applies(plain, answers) is True


def test_when_accepts_a_single_value() -> None:
    text = HEAD + CHOICE_C + "      - id: b\n        text: B?\n        when: {c: y}\n"
    question = parse_templates(text, SOURCE).templates[0].question("b")
    assert question.when == (("c", ("y",)),)
    assert applies(question, {"c": "y"}) is True


# -- a document read again (a published version, at each start) ------------------------------------------------------


def with_lines(value: Any) -> Any:
    """A parsed document as plain data, with the line of every mapping, key, list and item."""
    if isinstance(value, LineDict):
        return ("mapping", value.line, value.key_lines, {key: with_lines(item) for key, item in value.items()})
    if isinstance(value, LineList):
        return ("list", value.line, value.item_lines, [with_lines(item) for item in value])
    return value


def outcome(parse: Callable[[], Any]) -> Any:
    try:
        return with_lines(parse())
    except ConfigError as error:
        return error.problems


@pytest.mark.parametrize("name", ["templates.example.yaml", "config.example.yaml", "customers.example.yaml",
                                  "bot/intake/lexicon.yaml"])
def test_a_file_read_again_reads_the_same(name: str) -> None:
    # Read again by libyaml's parser (six times faster), with the lines PyYAML's own parser gives.
    text = (ROOT / name).read_text(encoding="utf-8")
    assert outcome(lambda: parse_yaml(text, SOURCE, read_before=True)) == outcome(lambda: parse_yaml(text, SOURCE))


@pytest.mark.parametrize("text", [
    "a: &x {b: [1, 2]}\nc: *x\nd: [*x, *x]\n",
    "a: !\nb: !!str 1\nc: ! 2\n",
    "a: 1\na: 2\n",
    "a: [1\n",
    "a: " + "[" * 63 + "1" + "]" * 63,
    "a: &x [" + "[" * 40 + "1" + "]" * 40 + "]\nb: [[[[[[[[[[[[[[[[[[[[[[[[*x]]]]]]]]]]]]]]]]]]]]]]]]\n",
], ids=["aliases", "tags", "duplicate-key", "unclosed-bracket", "too-deep", "too-deep-by-alias"])
def test_a_document_read_again_reads_as_pyyaml_reads_it(text: str) -> None:
    # Tags (libyaml reads '!' on an empty value as '', PyYAML as nothing) and every refusal are PyYAML's own.
    assert outcome(lambda: parse_yaml(text, SOURCE, read_before=True)) == outcome(lambda: parse_yaml(text, SOURCE))


def test_a_new_document_is_held_to_pyyaml_s_own_parser() -> None:
    # libyaml takes a tab between a key and its value, and a '?' in a flow list; an admin's new file is refused.
    for text, problem in [("key:\tvalue\n", "found character '\\t' that cannot start any token"),
                          ("a: [b?c]\n", "expected ',' or ']', but got '?'")]:
        with pytest.raises(ConfigError) as caught:
            parse_yaml(text, SOURCE)
        assert caught.value.problems == [f"templates.yaml, line 1: {problem}"]
    if yaml.__with_libyaml__:  # a document read before is read by libyaml: the tab is taken there
        assert parse_yaml("key:\tvalue\n", SOURCE, read_before=True) == {"key": "value"}
