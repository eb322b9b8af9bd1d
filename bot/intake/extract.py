"""From a salesperson's free-form message to a prefilled draft: template, customer, deadline, urgency, amount.

`extract` reads one chat message ("acme can't export to PDF, they go live Friday!!") and guesses which
template it belongs to and the answers it already gives, each with the words it came from, so the dialog
only asks what is still missing and the card can show what was guessed. Guesses are in the form the dialog
engine stores answers: text → str, choice → option value, customer → canonical name, date → ISO string,
number → int or float.

It needs no tuning: the form comes from what the templates say (titles, descriptions, Jira issue types) and the
built-in lexicon of intents (bot/intake/lexicon.yaml), the urgency from the lexicon's evidence matched to the
options' labels; admins' keywords and cues add their own words and win ties. Words match in any form
(bot/intake/phrases.py). Everything here is cheap, deterministic pattern work (no dateparser on the hot path)
and never raises.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rapidfuzz import fuzz

from bot.intake.customers import CustomerDirectory, is_legal_form, normalize_name
from bot.intake.lexicon import Lexicon, lexicon
from bot.intake.model_hints import MODEL_EVIDENCE, ModelHints, hinted_answers
from bot.intake.phrases import WORD, Hit, Message, PhraseBook, Token, fold, resolve
from bot.intake.phrases import tokens as split_words
from bot.jira.similar import STOP_WORDS
from bot.templates.schema import Question, Template, TemplateSet, applies
from bot.text.dates import MAX_YEARS_AHEAD, parse_date
from bot.text.numbers import parse_amount
from bot.text.screen import clip, visible


@dataclass(frozen=True)
class Guess:
    """One pre-filled answer, marked as guessed."""

    question_id: str
    value: Any
    evidence: str


@dataclass(frozen=True)
class Extraction:
    """What a free-form message says: the template it fits and the answers it already gives."""

    template_id: str
    template_scores: tuple[tuple[str, float], ...]
    guesses: tuple[Guess, ...]
    language: str
    # The words of a deadline the message names but too loosely for a date ("after the holidays"): ask for it.
    unclear_deadline: str | None = None

    def guess(self, question_id: str) -> Guess | None:
        """Return the guess for this question, if any."""
        return next((g for g in self.guesses if g.question_id == question_id), None)

    def answers(self) -> dict[str, Any]:
        """Return the guesses as draft answers (question id → value)."""
        return {g.question_id: g.value for g in self.guesses}


log = logging.getLogger(__name__)

# Customer search looks at this many words at most; a chat message rarely names its customer later.
MAX_CUSTOMER_TOKENS = 120
CUSTOMER_SCORE = 90.0
_POSSESSIVE = re.compile(r"['’]s$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_UMLAUT = re.compile(r"[äöüß]")


# ------------------------------------------------------------------------------------------------ language

_DE_WORDS_TEXT = """
ist nicht und der die das dem den des bis wir ich kunde kunden geht bitte dringend mit auf für noch brauchen
braucht wenn schon seit kann können gibt ein eine einen sie hat haben wird wäre gern frage fehler kaputt sich
sind bei von zum zur nach über auch aber oder mehr sehr wie was wann warum gestern heute morgen jetzt mal
"""
_DE_WORDS = frozenset(_DE_WORDS_TEXT.split())
_EN_WORDS_TEXT = """
the is and not to we they can need needs by for with it on of this that their since please pls from our you
your are be have has was what when how does do doesnt dont cant wont would should customer asap they're theyre
it's its yesterday today tomorrow
"""
_EN_WORDS = frozenset(_EN_WORDS_TEXT.split())


def detect_language(text: str) -> str:
    """Return en, ru or de for a message: Cyrillic → ru, German words or umlauts → de, else en."""
    words = [t.word for t in split_words(text)]
    cyrillic = sum(bool(_CYRILLIC.search(w)) for w in words)
    latin = sum(bool(_LATIN.search(w)) for w in words)
    # Russian messages name products in Latin letters; other messages may name a customer in Cyrillic.
    if cyrillic >= 2 or (cyrillic and cyrillic >= latin):
        return "ru"
    german = sum(w in _DE_WORDS for w in words) + (2 if _UMLAUT.search(fold(text)) else 0)
    english = sum(w in _EN_WORDS for w in words)
    return "de" if german > english else "en"


# ------------------------------------------------------------------------------------------------ templates


@dataclass(frozen=True)
class _Choice:
    """How a choice question is read: the admins' cues, and the option each kind of evidence points to."""

    cues: PhraseBook  # owner: option index
    route: tuple[int, ...]  # per kind of evidence in the lexicon: the option it points to, or -1
    holds: frozenset[int]  # the kinds of evidence the options' labels name themselves


@dataclass(frozen=True)
class _Prepared:
    """A template set compiled for reading: phrase books and intents, built once per set."""

    book: PhraseBook  # owner: 2 * template index for keywords and cues, + 1 for words of titles and descriptions
    intents: tuple[frozenset[int], ...]  # per template: the lexicon intents it serves
    held: tuple[frozenset[int], ...]  # per template: the kinds of evidence its choice options name
    choices: dict[tuple[int, str], _Choice]  # (template index, question id)


_PREPARED: dict[int, tuple[TemplateSet, _Prepared]] = {}


def _template_intents(template: Template, words: Lexicon) -> frozenset[int]:
    """The intents a template serves: its Jira issue type's, else those its titles and descriptions say."""
    by_type = words.intent_of_issue_type(template.jira.issue_type)
    if by_type is not None:
        return frozenset([by_type])
    texts = [v for _, v in template.title.variants] + [v for _, v in template.description.variants]
    return frozenset(h.owner for text in texts for h in resolve(words.intent_book.hits(Message(text))))


def _choice(question: Question, words: Lexicon) -> _Choice:
    """Read a choice question's option labels (every language) for the kinds of evidence each one names."""
    held: list[set[int]] = []
    for option in question.options:
        kinds = {h.owner for _, label in option.label.variants
                 for h in resolve(words.evidence_book.hits(Message(label)))}
        held.append(kinds)
    route: list[int] = []
    for index, kind in enumerate(words.evidence):
        wanted = [index] + [words.kind(name) for name in kind.falls_back_to]
        route.append(next((o for want in wanted for o, kinds in enumerate(held) if want in kinds), -1))
    cues = PhraseBook((o, cue, 1.0) for o, option in enumerate(question.options) for cue in option.cues)
    return _Choice(cues, tuple(route), frozenset(kind for kinds in held for kind in kinds))


def _prepare(templates: TemplateSet) -> _Prepared:
    cached = _PREPARED.get(id(templates))
    if cached is not None and cached[0] is templates:
        return cached[1]
    words = lexicon()
    per_template: list[set[str]] = []
    for template in templates.templates:
        texts = [v for _, v in template.title.variants] + [v for _, v in template.description.variants]
        found = {m.group(0) for text in texts for m in WORD.finditer(fold(text))}
        per_template.append({w for w in found if "'" not in w and len(w) >= 4 and w not in STOP_WORDS
                             and not w.isdigit()})
    counts = Counter(word for found in per_template for word in found)
    common = {word for word, count in counts.items() if count > 1}
    entries: list[tuple[int, str, float]] = []
    for index, template in enumerate(templates.templates):
        entries += [(2 * index, k, 1.0) for k in dict.fromkeys(k.strip() for k in template.keywords if k.strip())]
        entries += [(2 * index, c, CUE_WEIGHT)
                  for c in dict.fromkeys(c for q in template.questions for o in q.options for c in o.cues)]
        # Only words one template uses: those several use ("customer") say nothing about which one is meant.
        entries += [(2 * index + 1, w, TITLE_WEIGHT) for w in sorted(per_template[index] - common)]
    choices = {(i, q.id): _choice(q, words) for i, t in enumerate(templates.templates) for q in t.questions
               if q.type == "choice"}
    held = [frozenset[int]()] * len(templates.templates)
    for (index, _), reading in choices.items():
        held[index] |= reading.holds
    prepared = _Prepared(
        book=PhraseBook(entries),
        intents=tuple(_template_intents(t, words) for t in templates.templates),
        held=tuple(held),
        choices=choices,
    )
    if len(_PREPARED) > 16:
        _PREPARED.clear()
    _PREPARED[id(templates)] = (templates, prepared)
    return prepared


def reading_notes(templates: TemplateSet) -> dict[str, list[str]]:
    """How informal asks are read for each template, in words for an admin (English, like the CLI).

    For example "informal asks: intent broken (from Jira Bug)" and "urgency from asks: blocker ← blocked, go_live;
    soon ← angry, urgent; normal ← no_rush, minor", or that a choice is never guessed.
    """
    prepared = _prepare(templates)
    words = lexicon()
    notes: dict[str, list[str]] = {}
    for index, template in enumerate(templates.templates):
        served = ", ".join(words.intents[i].name for i in sorted(prepared.intents[index])) or "none"
        by_type = words.intent_of_issue_type(template.jira.issue_type) is not None
        source = f"Jira {template.jira.issue_type}" if by_type else "titles and descriptions"
        lines = [f"informal asks: intent {served} (from {source})"
                 + (f", {len(template.keywords)} keyword(s)" if template.keywords else "")]
        for question in template.questions:
            if question.type != "choice":
                continue
            reading = prepared.choices[(index, question.id)]
            pointed = {o: [k.name for k, to in zip(words.evidence, reading.route, strict=True) if to == o]
                       for o in range(len(question.options))}
            parts = [f"{option.value} ← {', '.join(pointed[o] + [f'{len(option.cues)} cue(s)'] * bool(option.cues))}"
                     for o, option in enumerate(question.options) if pointed[o] or option.cues]
            lines.append(f"{question.id} from asks: " + ("; ".join(parts) if parts else
                                                          "never guessed (no option names evidence, no cues)"))
        notes[template.id] = lines
    return notes


# Title and description words, and the cue words of a template's options ("go-live" is said of broken things,
# "lose the deal" of missing features), count half as much as keywords; an intent the lexicon reads in the
# message (something is broken, wanted, asked) counts as much as a keyword for every template that serves it.
TITLE_WEIGHT = 0.5
CUE_WEIGHT = 0.5
INTENT_WEIGHT = 1.0
_INTENT = 1 << 30  # owners of intent hits among template hits
_EVIDENCE = -1  # owners of evidence hits, counting down: they count for the templates whose options name them


def score_templates(templates: TemplateSet, text: str) -> list[tuple[str, float]]:
    """Score every template by what text says of it (keywords, title words, cues, intents), best first."""
    return _score_templates(templates, Message(text))


def _score_templates(templates: TemplateSet, message: Message) -> list[tuple[str, float]]:
    prepared = _prepare(templates)
    words = lexicon()
    admin = [0.0] * len(templates.templates)
    scores = [0.0] * len(templates.templates)
    said: Counter[int] = Counter()
    # Keywords, title words, the lexicon's intents and its evidence compete for the same words: the longest phrase
    # takes them, so "does nothing" is something broken and no question's "does", and "not a deal breaker" is no
    # "breaks".
    intents = [Hit(_INTENT + h.owner, h.phrase, h.words, h.weight, h.first, h.last)
               for h in words.intent_book.hits(message)]
    evidence = [Hit(_EVIDENCE - h.owner, h.phrase, h.words, h.weight, h.first, h.last)
                for h in words.evidence_book.hits(message)]
    shown: Counter[int] = Counter()
    for hit in resolve(prepared.book.hits(message) + intents + evidence):
        if hit.owner >= _INTENT:
            said[hit.owner - _INTENT] += 1
        elif hit.owner <= _EVIDENCE:
            shown[_EVIDENCE - hit.owner] += 1
        elif hit.owner >= 0:
            scores[hit.owner // 2] += hit.weight
            if hit.owner % 2 == 0:
                admin[hit.owner // 2] += hit.weight
    for index, served in enumerate(prepared.intents):
        scores[index] += INTENT_WEIGHT * sum(said[intent] for intent in served)
        # Evidence an option of the template names counts as a cue does: a go-live is said of broken things.
        scores[index] += CUE_WEIGHT * sum(shown[kind] for kind in prepared.held[index])
    # Admins' keywords and cues win ties.
    ranked = sorted(range(len(scores)), key=lambda i: (-round(scores[i], 2), -admin[i], i))
    return [(templates.templates[i].id, round(scores[i], 2)) for i in ranked]


# ------------------------------------------------------------------------------------------------ customers

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))
_RU_ENDINGS = ("ами", "ями", "ой", "ей", "ом", "ем", "ою", "ам", "ям", "ах", "ях", "ы", "и", "е", "у", "ю", "а",
               "я", "о")


def _transliterate(text: str) -> str:
    latin = "".join(_TRANSLIT.get(c, c) for c in text.lower())
    return latin.replace("ks", "x")


def _name_variants(window: str) -> list[str]:
    """The window as typed, and for Russian without its case ending and in Latin letters ("Глобексу")."""
    variants = [window]
    if _CYRILLIC.search(window):
        head, _, last = window.rpartition(" ")
        low = last.lower()
        for ending in _RU_ENDINGS:
            if low.endswith(ending) and len(low) - len(ending) >= 4:
                variants.append(f"{head} {last[:-len(ending)]}".strip())
                break
        variants += [_transliterate(v) for v in list(variants)]
    return variants


@dataclass(frozen=True)
class _Found:
    name: str
    evidence: str
    quality: tuple[bool, int, float, int]  # written as a name, exact, score, words


def find_customer(text: str, customers: CustomerDirectory) -> tuple[str, str] | None:
    """Return (canonical name, the words naming it) for a known customer named inside text."""
    if not len(customers) or not text:
        return None
    tokens = split_words(text)[:MAX_CUSTOMER_TOKENS]
    has_upper = any(c.isupper() for c in text)
    leads: dict[str, Sequence[int]] = {}  # the spellings each first word may start, looked up once per message
    best: _Found | None = None
    for i in range(len(tokens)):
        if tokens[i].word in STOP_WORDS or len(tokens[i].word) < 2 or tokens[i].word.isdigit():
            continue
        if not is_legal_form(tokens[i].word) and not any(
                _leads(variant, customers, leads) for variant in _name_variants(text[tokens[i].start:tokens[i].end])):
            continue  # no customer's name starts like this word, in any of its forms: no window from here names one
        for n in range(1, 5):
            if i + n > len(tokens):
                break
            window_tokens = tokens[i:i + n]
            if window_tokens[-1].word in STOP_WORDS:
                continue
            window = _POSSESSIVE.sub("", text[window_tokens[0].start:window_tokens[-1].end])
            # A name written in lower case counts where names stand: first, before ':' or ',', or everywhere
            # in a message without capitals.
            named = (not has_upper or window[:1].isupper() or i == 0
                     or text[window_tokens[-1].end:window_tokens[-1].end + 1] in (":", ","))
            found = _judge_window(window, n, customers, named, leads)
            if found is not None and (best is None or found.quality > best.quality):
                best = found
    return (best.name, best.evidence) if best else None


def _leads(variant: str, customers: CustomerDirectory, leads: dict[str, Sequence[int]]) -> Sequence[int]:
    """The spellings that start like the variant's first word (remembered in leads for the rest of the message)."""
    first = next(iter(normalize_name(variant).split()), "")
    if first not in leads:
        leads[first] = customers.starting_like(first) if first else []
    return leads[first]


def _judge_window(window: str, n: int, customers: CustomerDirectory, named: bool, leads: dict[str, Sequence[int]]
                  ) -> _Found | None:
    """The customer the window names, if it names one: only spellings that start like it are compared."""
    best: _Found | None = None
    for variant in _name_variants(window):
        among = _leads(variant, customers, leads)
        if not among:
            continue
        matches = customers.match(variant, limit=1, among=among)
        if not matches:
            continue
        match = matches[0]
        quality: tuple[bool, int, float, int] | None = None
        if match.exact:
            quality = (named, 2, 100.0, n)
        elif match.score > CUSTOMER_SCORE:
            # Above 90 only a near-whole-name match scores (a substring of a longer name is capped at 90).
            quality = (named, 1, match.score, n)
        elif match.score >= CUSTOMER_SCORE and named:
            # "Stark" for "Stark Industries": the leading words of the name, written like a name.
            lead = " ".join(normalize_name(match.name).split()[:len(variant.split())])
            if fuzz.ratio(normalize_name(variant), lead) >= CUSTOMER_SCORE:
                quality = (named, 1, match.score, n)
        if quality is not None and (best is None or quality > best.quality):
            best = _Found(match.name, window, quality)
    return best


# ------------------------------------------------------------------------------------------------ dates

_WEEKDAYS: dict[str, int] = {}
for _index, _forms in enumerate((
    "monday понедельник понедельника понедельнику montag",
    "tuesday tue tues вторник вторника вторнику dienstag",
    "wednesday wed среда среду среды среде mittwoch",
    "thursday thu thur thurs четверг четверга четвергу donnerstag",
    "friday fri пятница пятницу пятницы пятнице freitag",
    "saturday суббота субботу субботы субботе samstag sonnabend",
    "sunday воскресенье воскресенья воскресенью sonntag",
)):
    for _form in _forms.split():
        _WEEKDAYS[_form] = _index

_MONTHS: dict[str, int] = {}
for _index, _forms in enumerate((
    "january jan января январь янв januar jänner",
    "february feb февраля февраль фев februar",
    "march mar марта март мар märz mär maerz",
    "april apr апреля апрель апр",
    "may мая май mai",
    "june jun июня июнь juni",
    "july jul июля июль juli",
    "august aug августа август авг",
    "september sep sept сентября сентябрь сен сент",
    "october oct октября октябрь окт oktober okt",
    "november nov ноября ноябрь ноя",
    "december dec декабря декабрь дек dezember dez",
), start=1):
    for _form in _forms.split():
        _MONTHS[_form] = _index

_MONTH_RE = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"(?<![\w.,])([0-9]{{1,2}})(?:st|nd|rd|th|\.|-?го|-?е)?\s*(?:of\s+)?({_MONTH_RE})\b\.?(?:\s*,?\s*([0-9]{{4}}))?"
    r"(?![0-9])")
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_RE})\.?\s+([0-9]{{1,2}})(?:st|nd|rd|th)?\b(?:\s*,?\s*([0-9]{{4}}))?(?![0-9])")
_NUMERIC = re.compile(r"(?<![\w.,/:])([0-9]{1,2})([./])([0-9]{1,2})(?:\2([0-9]{4}|[0-9]{2}))?(\.)?(?![\w/:]|[.,][0-9])")
_ISO = re.compile(r"(?<![\w-])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![\w-])")
_VERSION_BEFORE = re.compile(r"(?:\bv|\bversion|\bверсии|\bверсия|\brelease|\bрелиз|\bios|\bandroid|\bwindows)\s*$")
# "1.5 Mio", "14.05 Uhr", "2.3 %" are no dates.
_NOT_DATE_AFTER = re.compile(
    r"^\s?(?:%|k\b|к\b|m\b|mio|mln|млн|тыс|€|\$|₽|eur|usd|руб|proz|проц|perc|uhr|h\b|am\b|pm\b|ч\b|час)")
_DATE_PREFIX = re.compile(r"(?:\b(?:by|until|till|before|due|on|до|к|ко|по|bis|zum|am|ab|deadline)|:)\s*$")
_ORDINAL_DAY = re.compile(
    r"\b(?:(?:by|until|till|before|on|for|due)\s+)?the\s+([0-9]{1,2})(?:st|nd|rd|th)\b(?!\s+(?:time|attempt|try|call))"
    r"|\b(?:by|until|till|before|due)\s+([0-9]{1,2})(?:st|nd|rd|th)\b")
_RU_DAY = re.compile(r"\b(?:(?:до|к|ко|по)\s+)?([0-9]{1,2})(?:-?го|-?му)?\s+числ[ау]\b"
                     r"|\b(?:до|к|ко|по)\s+([0-9]{1,2})-?(?:го|му)\b")
_DE_DAY = re.compile(rf"\b(?:bis\s+(?:zum\s+)?|zum\s+|am\s+)([0-9]{{1,2}})\.(?![0-9])(?!\s*(?:{_MONTH_RE})\b)")
# "end of January", "к концу января", "Ende Januar": the month's last day.
_END_OF_MONTH = re.compile(rf"\b(?:(?:the\s+)?end\s+of|ende|конец|концу|конца)\s+({_MONTH_RE})\b")
# "до НГ", "к Новому году", "by New Year", "bis Neujahr": the last day of the year.
_NEW_YEAR = re.compile(r"\b(?:до|к|ко|by|before|bis|vor)\s+(?:нг|нового\s+года|новому\s+году|new\s+year|"
                       r"the\s+new\s+year|neujahr|silvester|jahreswechsel|dem\s+jahreswechsel)\b")
# "bis KW 51", "by CW 3", "к 51 неделе": the Friday of that ISO calendar week (said with a deadline word).
_WEEK_NUMBER = re.compile(r"\b(?:by|until|before|due|bis|zur|zum|до|к|ко)\s+(?:(?:kw|cw|wk|week|woche)\.?\s*"
                          r"([0-9]{1,2})|([0-9]{1,2})(?:-?й|-?ой)?\s+недел[еию])\b")
# A deadline word and a part of something no calendar knows ("by the end of the sprint", "bis Mitte Januar",
# "к началу сезона"): a deadline is named, but which day is for the salesperson to say.
_LOOSE_DEADLINE = re.compile(
    r"\b(?:by|before|until|till|due|до|к|ко|bis|vor|zum|zur)\s+(?:the\s+)?"
    r"(?:end\s+of|middle\s+of|mid|beginning\s+of|start\s+of|конца|концу|середины|середине|начала|началу|ende|"
    r"mitte|anfang|beginn)\s*-?\s*(?:the\s+|der\s+|des\s+|dem\s+|этого\s+|этой\s+)?[^\W\d_]+")
# "by Q1", "bis Q2", "к Q3" (said with a deadline word): the last day of that quarter.
_QUARTER = re.compile(r"\b(?:by|until|before|due|bis|zum|до|к|ко)\s+(?:end\s+of\s+|ende\s+|конца\s+|концу\s+)?"
                      r"q([1-4])(?:\s*/?\s*([0-9]{4}|[0-9]{2}))?\b")
_END_OF = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<en_next>next\s+)?(?P<en_unit>week|month|quarter|year)"
    r"|eo(?P<eo_unit>w|m|q|y)"
    r"|ende\s+(?:der\s+|dieser\s+|des\s+|dieses\s+)?(?P<de_next>nächste[rnm]?\s+|kommende[rnm]?\s+)?"
    r"(?P<de_unit>woche|monats?|quartals?|jahres)"
    r"|(?P<de_word>monatsende|quartalsende|jahresende)"
    r"|(?:конец|концу|конца)\s+(?:этой\s+|этого\s+|текущей\s+|текущего\s+)?(?P<ru_next>следующей\s+|следующего\s+)?"
    r"(?P<ru_unit>недели|месяца|квартала|года))\b")
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "ein": 1, "eine": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
    "один": 1, "одну": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6,
}
_RELATIVE = re.compile(
    r"\b(?:in|within|innerhalb\s+von|innerhalb|через)\s+(?:([0-9]{1,2}|a|an|one|two|three|four|five|six|ein|eine|"
    r"einer|einem|zwei|drei|vier|fünf|sechs|один|одну|одна|два|две|три|четыре|пять|шесть)\s+)?"
    r"(days?|weeks?|months?|tage?n?|wochen?|monate?n?|день|дня|дней|неделю|недели|недель|месяц|месяца|месяцев)\b")
_NEXT_WEEK = re.compile(
    r"\b(?:(?P<next>next\s+week|nächste\s+woche|kommende\s+woche|на\s+следующей\s+неделе|следующей\s+неделе)"
    r"|(?P<this>this\s+week|diese\s+woche|на\s+этой\s+неделе))\b")
_RELATIVE_DAYS = {"today": 0, "tonight": 0, "eod": 0, "heute": 0, "сегодня": 0, "tomorrow": 1, "tmrw": 1,
                  "tmr": 1, "morgen": 1, "завтра": 1, "übermorgen": 2, "послезавтра": 2}
_PAST_TEXT = """
since last seit letzten letzte letztem vergangenen vergangene с со прошлый прошлую прошлой прошлого прошлом
"""
_PAST = frozenset(_PAST_TEXT.split())
_NEXT = frozenset(["next", "nächsten", "nächste", "kommenden", "kommende", "следующий", "следующую", "следующей"])
_DEADLINE_TEXT = """
by until till til before due deadline до к ко bis spätestens дедлайн срок frist
"""
_DEADLINE = frozenset(_DEADLINE_TEXT.split())
_PREPOSITIONS = _DEADLINE | frozenset(["on", "am", "zum", "zur", "в", "во", "на", "for"])


@dataclass(frozen=True)
class _DateHit:
    value: date
    start: int
    end: int


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_weekday(today: date, weekday: int) -> date:
    # As bot.text.dates reads a weekday: the next one after today ("Friday" said on a Friday is a week away).
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _day_of_month(today: date, day: int) -> date | None:
    """The next date with this day of the month, today included."""
    for months in range(3):
        month = _add_months(today.replace(day=1), months)
        if day <= calendar.monthrange(month.year, month.month)[1]:
            found = month.replace(day=day)
            if found >= today:
                return found
    return None


# A day and month without a year that passed less than this long ago is a past event ("on 01.11. it broke"),
# not next year's deadline; one further back is next year's ("by 5.1." said in December).
RECENT_PAST_DAYS = 90


def _day_month(today: date, day: int, month: int, year: int | None) -> date | None:
    try:
        found = date(year or today.year, month, day)
    except ValueError:
        return None
    if year is None and found < today:
        if (today - found).days < RECENT_PAST_DAYS:
            return None
        try:
            found = found.replace(year=today.year + 1)
        except ValueError:
            return None
    return found


def _week_friday(today: date, week: int) -> date | None:
    """The Friday of ISO calendar week `week`: this year's, or next year's when this year's has passed."""
    for year in (today.year, today.year + 1):
        try:
            friday = date.fromisocalendar(year, week, 5)
        except ValueError:
            return None
        if friday >= today:
            return friday
    return None


def _end_of(unit: str, nxt: bool, today: date) -> date | None:
    if unit in ("week", "month"):
        return parse_date(f"end of {'next ' if nxt else ''}{unit}", today)
    if unit == "quarter":
        last_month = ((today.month - 1) // 3 + 1) * 3 + (3 if nxt else 0)
        end = _add_months(date(today.year, 1, 1), last_month - 1)
        return end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return date(today.year + (1 if nxt else 0), 12, 31)


_UNITS = {"w": "week", "woche": "week", "недели": "week", "m": "month", "monat": "month", "monats": "month",
          "месяца": "month", "q": "quarter", "quartal": "quarter", "quartals": "quarter", "квартала": "quarter",
          "y": "year", "jahres": "year", "года": "year", "monatsende": "month", "quartalsende": "quarter",
          "jahresende": "year"}


def _pattern_dates(folded: str, today: date) -> list[_DateHit]:
    """Dates written with digits, month names, 'end of' and 'in two weeks' phrases."""
    hits: list[_DateHit] = []

    def add(value: date | None, match: re.Match[str], group: int = 0) -> None:
        if value is not None:
            hits.append(_DateHit(value, match.start(group), match.end(group)))

    for m in _ISO.finditer(folded):
        add(_day_month(today, int(m[3]), int(m[2]), int(m[1])), m)
    for m in _NUMERIC.finditer(folded):
        before, after = folded[max(0, m.start() - 12):m.start()], folded[m.end():m.end() + 6]
        if m[0] == "24/7" or _VERSION_BEFORE.search(before) or (not m[5] and _NOT_DATE_AFTER.match(after)):
            continue
        if not (m[4] or m[5] or len(m[3]) == 2 or _DATE_PREFIX.search(before)):
            # "2.3" alone is more often a version or a decimal than the 2nd of March.
            continue
        found = parse_date(m[0], today)
        if found is not None and not m[4]:
            found = _day_month(today, found.day, found.month, None)
        add(found, m)
    for m in _DAY_MONTH.finditer(folded):
        add(_day_month(today, int(m[1]), _MONTHS[m[2]], int(m[3]) if m[3] else None), m)
    for m in _MONTH_DAY.finditer(folded):
        add(_day_month(today, int(m[2]), _MONTHS[m[1]], int(m[3]) if m[3] else None), m)
    for m in _ORDINAL_DAY.finditer(folded):
        add(_day_of_month(today, int(m[1] or m[2])), m)
    for m in _RU_DAY.finditer(folded):
        add(_day_of_month(today, int(m[1] or m[2])), m)
    for m in _DE_DAY.finditer(folded):
        add(_day_of_month(today, int(m[1])), m)
    for m in _END_OF_MONTH.finditer(folded):
        first = _day_month(today, 1, _MONTHS[m[1]], None)
        if first is None and _MONTHS[m[1]] == today.month:
            first = today.replace(day=1)  # "end of this month" said by its name
        if first is not None:
            add(first.replace(day=calendar.monthrange(first.year, first.month)[1]), m)
    for m in _NEW_YEAR.finditer(folded):
        add(date(today.year, 12, 31), m)
    for m in _WEEK_NUMBER.finditer(folded):
        add(_week_friday(today, int(m[1] or m[2])), m)
    for m in _QUARTER.finditer(folded):
        year = int(m[2]) if m[2] else today.year
        year = year + 2000 if year < 100 else year
        end = _add_months(date(year, 1, 1), int(m[1]) * 3 - 1) if date.min.year < year < date.max.year else None
        if end is not None:
            end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
            add(end if end >= today or m[2] else end.replace(year=end.year + 1), m)
    for m in _END_OF.finditer(folded):
        unit_text = m["en_unit"] or m["eo_unit"] or m["de_unit"] or m["de_word"] or m["ru_unit"] or ""
        unit = _UNITS.get(unit_text, unit_text)
        add(_end_of(unit, bool(m["en_next"] or m["de_next"] or m["ru_next"]), today), m)
    for m in _RELATIVE.finditer(folded):
        count = int(m[1]) if m[1] and m[1].isdigit() else _NUMBER_WORDS.get(m[1] or "", 1)
        unit = m[2]
        if unit.startswith(("day", "tag", "ден", "дн")):
            add(today + timedelta(days=count), m)
        elif unit.startswith(("week", "woche", "недел")):
            add(today + timedelta(weeks=count), m)
        else:
            add(_add_months(today, count), m)
    for m in _NEXT_WEEK.finditer(folded):
        add(today + timedelta(days=7) if m["next"] else _end_of("week", False, today), m)
    return hits


def _word_dates(tokens: Sequence[Token], today: date) -> list[_DateHit]:
    """Weekdays ("Friday", "до пятницы") and relative days ("tomorrow", "morgen")."""
    hits: list[_DateHit] = []
    for i, token in enumerate(tokens):
        before = tokens[i - 1].word if i else ""
        if before in _PAST:
            continue
        start = tokens[i - 1].start if before in _NEXT else token.start
        if token.word in _WEEKDAYS:
            hits.append(_DateHit(_next_weekday(today, _WEEKDAYS[token.word]), start, token.end))
        elif token.word in _RELATIVE_DAYS:
            offset = _RELATIVE_DAYS[token.word]
            if token.word == "morgen" and before in ("guten", "heute", "am", "jeden"):
                continue
            if offset == 0 and before not in _DEADLINE and token.word != "eod":
                # "broken since today" is no deadline; "by today" and "EOD" are.
                continue
            if token.word == "tomorrow" and before == "after" and i > 1 and tokens[i - 2].word == "day":
                hits.append(_DateHit(today + timedelta(days=2), tokens[i - 2].start, token.end))
                continue
            hits.append(_DateHit(today + timedelta(days=offset), token.start, token.end))
        elif token.word in _MONTHS and len(token.word) >= 4 and before in _DEADLINE:
            # "by December", "bis Dezember", "до декабря": the first of that month.
            found = _day_month(today, 1, _MONTHS[token.word], None)
            if found is not None:
                hits.append(_DateHit(found, token.start, token.end))
    return hits


def find_deadline(text: str, today: date) -> tuple[date, str] | None:
    """Return (date, the words it came from) for the deadline a message states, if any; only today or later."""
    message = Message(text)
    return _pick_deadline(message, _date_hits(message, today))


def _date_hits(message: Message, today: date) -> list[_DateHit]:
    """Every date phrase of the message (overlapping ones dropped, the longer kept), today or later."""
    if not date.min.year < today.year < date.max.year - MAX_YEARS_AHEAD - 1:
        return []  # date arithmetic ("next year", "in 6 months") would leave the calendar
    hits = _pattern_dates(message.folded, today) + _word_dates(message.tokens, today)
    latest = date(today.year + MAX_YEARS_AHEAD, 12, 31)
    previous = {t.start: message.tokens[i - 1].word if i else "" for i, t in enumerate(message.tokens)}
    kept: list[_DateHit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if previous.get(hit.start) in _PAST:
            continue  # "since Monday", "seit dem 1.12.", "с 1 декабря": when it broke, not a deadline
        if today <= hit.value <= latest and all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return kept


def _pick_deadline(message: Message, kept: Sequence[_DateHit]) -> tuple[date, str] | None:
    """The date said with a deadline word ("by", "до", "bis"), else the first one."""
    if not kept:
        return None
    tokens = message.tokens
    starts = {t.start: i for i, t in enumerate(tokens)}

    def framed(hit: _DateHit) -> tuple[int, int]:
        """The hit's start widened over the prepositions before it, and 1 when one of them marks a deadline."""
        index, start, deadline = starts.get(hit.start), hit.start, 0
        while index is not None and index > 0 and tokens[index - 1].word in _PREPOSITIONS:
            index -= 1
            start = tokens[index].start
            deadline |= tokens[index].word in _DEADLINE
        return start, deadline

    best = min(kept, key=lambda h: (-framed(h)[1], h.start))
    return best.value, message.text[framed(best)[0]:best.end]


# ------------------------------------------------------------------------------------------------ amounts

_AMOUNT = re.compile(
    r"(?<![\w.,])(?P<pre>[$€£₽]\s?)?"
    r"(?P<num>[0-9]{1,3}(?:[ '][0-9]{3})+(?:[.,][0-9]+)?(?![0-9])|[0-9]+(?:[.,][0-9]+)*)"
    r"(?:\s?(?P<scale>k|к|m|mm|mio|mln|million(?:s|en)?|млн|миллион(?:а|ов)?|лям(?:а|ов)?|тыс|тысяч[аи]?|tsd"
    r"|tausend|thousand|bn|mrd|млрд|миллиард(?:а|ов)?)(?!\w)\.?)?"
    r"(?P<post>\s?(?:[$€£₽]|(?:eur|euro|euros|usd|dollars?|rub|руб|рублей|рубля|chf|gbp|евро|долл|доллар(?:ов|а)?)(?!\w)))?")
_SCALE_WORDS = {"тысяч": "тыс", "тысячи": "тыс", "тысяча": "тыс", "millions": "million", "mln": "m", "лям": "млн",
                "ляма": "млн", "лямов": "млн", "миллиард": "млрд", "миллиарда": "млрд", "миллиардов": "млрд"}
_PERCENT_AFTER = re.compile(r"^\s?(?:%|процент|prozent|percent|pct)")
_COUNT_AFTER = re.compile(
    r"^\s?(?:users?|seats?|licen[cs]es?|rows?|records?|employees?|people|devices?|orders?|tickets?|пользовател"
    r"|лиценз|мест|строк|сотрудник|человек|заказ|nutzer|benutzer|lizenz|zeilen|mitarbeiter|datensätze|geräte)")
_MONEY_WORDS = ("deal", "contract", "budget", "worth", "arr", "mrr", "revenue", "сделк", "контракт", "бюджет",
                "сумм", "объем", "объём", "выручк", "auftrag", "volumen", "umsatz", "vertrag", "wert")


_CLAUSE_BREAK = re.compile(r"[,;!?()\n]|\.(?:\s|$)")


def _money_context(folded: str, start: int, end: int) -> bool:
    """Whether a deal word stands within three words before or two after the amount, in the same clause."""
    before = _CLAUSE_BREAK.split(folded[:start])[-1].split()[-3:]
    after = _CLAUSE_BREAK.split(folded[end:])[0].split()[:2]
    return any(word.startswith(_MONEY_WORDS) for word in before + after)


def find_amount(text: str, date_spans: Sequence[tuple[int, int]] = ()) -> tuple[float, str] | None:
    """Return (amount, the words it came from) for a deal size named inside text ("40k", "на 2 млн")."""
    folded = fold(text)
    best: tuple[tuple[bool, int], float, str] | None = None
    for m in _AMOUNT.finditer(folded):
        start, end = m.start(), m.end()
        if any(start < e and s < end for s, e in date_spans):
            continue
        after = folded[end:end + 14]
        if _PERCENT_AFTER.match(after) or (after.startswith((":", "/", "-")) and not m["scale"] and not m["post"]):
            continue
        scale = m["scale"] or ""
        value = parse_amount(f"{m['num']} {_SCALE_WORDS.get(scale, scale)}".strip())
        if value is None or value <= 0:
            continue
        # The deal size is the amount next to a word like "deal" or "budget"; then one with a currency or a scale.
        context = _money_context(folded, start, end)
        if m["pre"] or m["post"]:
            strength = (context, 2)
        elif _COUNT_AFTER.match(after):
            continue
        elif scale:
            strength = (context, 1)
        elif context and value >= 1000:
            strength = (context, 0)
        else:
            continue
        if best is None or strength > best[0]:
            best = (strength, value, text[start:end].strip())
    return (best[1], best[2]) if best else None


# ------------------------------------------------------------------------------------------------ choices

_CHOICES: dict[int, tuple[Question, _Choice]] = {}


def guess_choice(question: Question, text: str) -> tuple[str, str] | None:
    """Return (option value, the words that decided) when text points to an option: by its cues or by evidence."""
    cached = _CHOICES.get(id(question))
    if cached is None or cached[0] is not question:
        if len(_CHOICES) > 256:
            _CHOICES.clear()
        cached = _CHOICES[id(question)] = (question, _choice(question, lexicon()))
    return _guess_choice(question, cached[1], Message(text))


def _guess_choice(question: Question, reading: _Choice, message: Message) -> tuple[str, str] | None:
    """The option with the most evidence (admins' cues win ties), and the words that weigh most for it.

    The lexicon's phrases first settle their words among themselves, the longest taking them ("not urgent" over
    "urgent", "сколько стоит" over "стоит"); those that point to an option then compete with the admins' cues
    the same way. Evidence that points to no option of this question never hides a cue.
    """
    cue_hits = reading.cues.hits(message)
    evidence = [Hit(reading.route[h.owner], h.phrase, h.words, h.weight, h.first, h.last)
                for h in resolve(lexicon().evidence_book.hits(message)) if reading.route[h.owner] >= 0]
    kept = resolve(cue_hits + evidence)
    if not kept:
        return None
    scores: dict[int, float] = {}
    for hit in kept:
        scores[hit.owner] = scores.get(hit.owner, 0.0) + hit.weight
    admin: dict[int, float] = {}
    for hit in resolve(cue_hits):
        admin[hit.owner] = admin.get(hit.owner, 0.0) + hit.weight
    winner = min(scores, key=lambda i: (-scores[i], -admin.get(i, 0.0), i))
    decisive = min((h for h in kept if h.owner == winner), key=lambda h: (-h.weight, h.first))
    words = message.span(decisive.first, decisive.last) if decisive.first >= 0 else decisive.phrase
    return question.options[winner].value, words


# ------------------------------------------------------------------------------------------------ extract


def _first(template: Template, qtype: str, prefer_jira: str | None = None) -> Question | None:
    candidates = [q for q in template.questions if q.type == qtype]
    preferred = [q for q in candidates if prefer_jira and q.jira_field == prefer_jira]
    return next(iter(preferred or candidates), None)


def extract(text: str, templates: TemplateSet, customers: CustomerDirectory, today: date, *,
            forwarded_from: str | None = None, template_id: str | None = None,
            hints: ModelHints | None = None) -> Extraction:
    """Guess the template (unless template_id names it) and the answers a free-form message gives; never raises.

    A model's hints, when given, settle a template the offline reading is unsure of and fill answers it left open.
    """
    try:
        return _extract(text, templates, customers, today, forwarded_from, template_id, hints)
    except Exception:
        log.exception("reading a free-form ask failed; the dialog will ask every question")
        first = templates.templates[0].id if templates.templates else ""
        return Extraction(first, tuple((t.id, 0.0) for t in templates.templates), (), "en")


def _extract(text: str, templates: TemplateSet, customers: CustomerDirectory, today: date,
             forwarded_from: str | None, template_id: str | None, hints: ModelHints | None = None) -> Extraction:
    message = " ".join(visible(text or "").split())
    language = detect_language(message)
    if not templates.templates:
        return Extraction("", (), (), language)
    parsed = Message(message)
    scores = _score_templates(templates, parsed)
    if template_id is None and hints is not None and hints.template_id and not _sure(scores):
        # The model's choice leads, clearly enough to start without asking; the others keep their order.
        top = max(scores[0][1], SURE_SCORE) + SURE_LEAD
        scores = [(hints.template_id, top)] + [pair for pair in scores if pair[0] != hints.template_id]
    template = templates.get(template_id or scores[0][0]) or templates.templates[0]
    guesses: list[Guess] = []

    what = _first(template, "text")
    if what is not None and message and len(message) >= (what.min_length or 1):
        guesses.append(Guess(what.id, clip(message, what.max_length or len(message)), message))

    customer_question = _first(template, "customer")
    if customer_question is not None:
        found = find_customer(message, customers)
        if found is None and forwarded_from:
            found = find_customer(" ".join(forwarded_from.split()), customers)
        if found is not None:
            guesses.append(Guess(customer_question.id, found[0], found[1]))

    dates = _date_hits(parsed, today)
    deadline = _pick_deadline(parsed, dates)
    date_question = _first(template, "date", "duedate")
    if date_question is not None and deadline is not None:
        guesses.append(Guess(date_question.id, deadline[0].isoformat(), deadline[1]))
    unclear = None
    if deadline is None:
        vague = resolve(lexicon().vague_book.hits(parsed))
        loose = _LOOSE_DEADLINE.search(parsed.folded)
        if vague:
            unclear = parsed.span(vague[0].first, vague[0].last)
        elif loose:
            unclear = message[loose.start():loose.end()]

    number_question = _first(template, "number")
    if number_question is not None:
        amount = find_amount(message, [(h.start, h.end) for h in dates])
        if amount is not None:
            value = amount[0]
            low, high = number_question.min, number_question.max
            if (low is None or value >= low) and (high is None or value <= high):
                guesses.append(Guess(number_question.id, int(value) if value.is_integer() else value, amount[1]))

    prepared = _prepare(templates)
    index = templates.templates.index(template)
    for question in template.questions:
        if question.type == "choice":
            choice = _guess_choice(question, prepared.choices[(index, question.id)], parsed)
            if choice is not None:
                guesses.append(Guess(question.id, choice[0], choice[1]))

    if hints is not None:
        known = {g.question_id for g in guesses}
        guesses += [Guess(question_id, value, MODEL_EVIDENCE)
                    for question_id, value in hinted_answers(template, hints, customers, today).items()
                    if question_id not in known]
    answers = {g.question_id: g.value for g in guesses}
    kept = tuple(g for g in guesses if applies(template.question(g.question_id), answers) is not False)
    return Extraction(template.id, tuple(scores), kept, language, unclear)


# The best template is taken without asking only when it scores at least this and clearly ahead of the next.
SURE_SCORE = 1.0
SURE_LEAD = 0.5


def is_sure(extraction: Extraction) -> bool:
    """Whether the best-scoring template is clear enough to start without asking which kind of request it is."""
    return _sure(extraction.template_scores)


def _sure(template_scores: Sequence[tuple[str, float]]) -> bool:
    scores = [score for _, score in template_scores]
    if not scores or scores[0] < SURE_SCORE:
        return False
    return len(scores) == 1 or scores[0] - scores[1] >= SURE_LEAD


def questions_left(template: Template, extraction: Extraction) -> list[Question]:
    """The required questions the dialog still asks after the guesses (those that apply or may apply)."""
    answers = extraction.answers()
    return [q for q in template.questions
            if q.required and q.id not in answers and applies(q, answers) is not False]
