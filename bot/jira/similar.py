"""'Is it already there?': significant words of an ask and a safe JQL search for open issues like it."""

from __future__ import annotations

import re
from collections.abc import Sequence

MIN_WORD = 3
# Jira combines the words of one text search, so a few good words find more than many.
TEXT_WORDS = 3
MAX_WORD = 40

# Characters that JQL or the Lucene query inside `text ~ "..."` give a meaning to.
JQL_RESERVED = frozenset('+-&|!(){}[]^~*?\\:"\'/`')

_WORD = re.compile(r"[^\W_]+")
_EN = """
a about above after again all also am an and any are as at be because been before being below between both but
by can cannot could did do does doing done down during each etc even ever every few for from further get gets
got had has have having he her here hers him his how however i if in into is it its just let like made make
many may me might more most much must my need needs no nor not now of off on once one only or other our ours out
over own per please same she should so some still such than thank thanks that the their theirs them then there
these they this those though through to too under until up upon us use used very via want wants was we well were
what when where which while who whom why will with within without would yes yet you your yours
customer customers client clients issue issues problem problems request requests help hello dear regards
urgent urgently asap soon quickly fix check works working work doesn don isn aren wasn didn won
"""
_RU = """
а без бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже для до его ее её ей ему
если есть еще ещё же за здесь и из или им их к как какая какой когда кто ли либо мне может можно мой моя мы на
над надо наш не него нее неё нет ни них но ну о об однако он она они оно от очень по под после потому почему при
про раз с со так также такой там те тем то того тоже той только том тот ту ты у уже хотя чего чей чем что чтобы
чья эта эти это этот я нужно нужна нужен нужны пожалуйста просьба просим прошу спасибо здравствуйте клиент
клиента клиенту клиенты проблема проблемы вопрос запрос
срочно быстро исправить проверить сделать работает работать
"""
_DE = """
aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis bitte bist da
damit dann das dass dein deine dem den denn der des dessen deshalb die dies diese diesem diesen dieser dieses doch
dort du durch ein eine einem einen einer eines er es etwa euch euer für gegen gibt hab habe haben hat hatte hier
ich ihm ihn ihnen ihr ihre im in ins ist ja jede jedem jeden jeder jedes jetzt kann kein keine keinen können
könnte man mehr mein meine mit muss müssen nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so
soll sollte sondern über um und uns unser unter vom von vor war waren warum was weil wenn wer wie wieder will wir
wird wo wurde würde zu zum zur danke hallo gruß grüße kunde kunden kundin problem probleme anfrage frage
dringend schnell bald prüfen beheben funktioniert geht
"""
STOP_WORDS = frozenset(" ".join((_EN, _RU, _DE)).split())


def _shape_bonus(token: str) -> int:
    """Product names, versions and codes ('SAP', 'S4', 'v2', 'PDF') say more than their length suggests."""
    letters = [c for c in token if c.isalpha()]
    has_digit = any(c.isdigit() for c in token)
    if letters and has_digit:
        return 4
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return 3
    return 0


def keywords(text: str, lang: str, limit: int = 6) -> list[str]:
    """The most distinctive words of an ask (lower case, stop words of en/ru/de removed), best first.

    Longer words and code-like words ('S4HANA', 'PDF') come first, plain numbers ('404') last; ties keep the
    order of the text. The stop words of all three languages apply whatever `lang` is, since salespeople mix
    languages in one message.
    """
    best: dict[str, tuple[int, int, int]] = {}
    for position, match in enumerate(_WORD.finditer(text or "")):
        token = match.group(0)
        word = token.lower()
        if len(word) < MIN_WORD or len(word) > MAX_WORD or word in STOP_WORDS:
            continue
        rank = (1 if word.isdigit() else 0, -(len(word) + _shape_bonus(token)), position)
        if word not in best:
            best[word] = rank
        else:
            best[word] = (rank[0], min(rank[1], best[word][1]), best[word][2])
    ranked = sorted(best, key=lambda word: (*best[word], word))
    return ranked[: max(limit, 0)]


def jql_escape(word: str) -> str:
    """Make user text safe inside a JQL string: reserved characters, quotes and control characters become spaces."""
    cleaned = "".join(" " if char in JQL_RESERVED or not char.isprintable() else char for char in word)
    return " ".join(cleaned.split())


def _quoted(value: str) -> str:
    """A JQL string literal for a project key or label."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_marker(label: str, marker_prefix: str) -> bool:
    """Whether a label is one of the bot's per-request markers ('ts-' and a hexadecimal request id)."""
    rest = label[len(marker_prefix):] if marker_prefix and label.startswith(marker_prefix) else None
    return bool(rest) and re.fullmatch(r"[0-9a-f]{8,}", rest or "") is not None


def similar_jql(project: str, customer_label: str | None, words: Sequence[str], marker_prefix: str = "ts-") -> str:
    """JQL for the project's open issues that carry the customer's label or mention the words, newest first.

    The text search uses the first TEXT_WORDS words. A customer label that looks like one of the bot's
    per-request marker labels is not used. Raises ValueError when there is nothing to search for (no usable
    label and no usable word): a query restricted only by project would list every open issue.
    """
    if not project.strip():
        raise ValueError("a project key is needed")
    label = (customer_label or "").strip()
    if label and (_is_marker(label, marker_prefix) or not label.isprintable() or " " in label):
        label = ""
    terms: list[str] = []
    for word in words:
        for term in _WORD.findall(jql_escape(word).lower()):
            if len(term) >= 2 and term not in STOP_WORDS and term not in terms:
                terms.append(term)
    terms = terms[:TEXT_WORDS]
    criteria = []
    if label:
        criteria.append(f"labels = {_quoted(label)}")
    if terms:
        criteria.append(f'text ~ "{" ".join(terms)}"')
    if not criteria:
        raise ValueError("nothing to search for: no customer label and no significant words")
    either = criteria[0] if len(criteria) == 1 else "(" + " OR ".join(criteria) + ")"
    return f"project = {_quoted(project.strip())} AND statusCategory != Done AND {either} ORDER BY created DESC"
