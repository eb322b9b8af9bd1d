"""The callback data codec: every kind builds data that parses back to the same value, and reads nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.telegram import callbacks
from handlers.telegram.callbacks import (
    ACCESS,
    APPROVAL,
    ASK_ACCESS,
    DIALOG,
    DRAFT,
    FEEDBACK,
    FIX,
    INVITE,
    KINDS,
    LANGUAGE,
    LINK,
    MUTE,
    MY_PAGE,
    OPEN,
    REPLY,
    SIMILAR,
    TEMPLATES,
    UPDATE,
    USER,
    USERS_PAGE,
    Kind,
)

KEYS = st.from_regex(r"[A-Z][A-Z0-9_]{0,9}-[1-9][0-9]{0,6}", fullmatch=True)
IDS = st.integers(0, 2**52)
SMALL = st.integers(0, 10_000)
ANY_INT = st.integers()
ANY_TEXT = st.text(max_size=80)

# For every kind: values the bot shows (they must always build), and any values at all (they may be refused).
VALUES: dict[Kind[Any], tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    DIALOG: (st.builds(callbacks.DialogTap, st.none() | st.integers(0, 10**9),
                       st.from_regex(r"[a-z]{1,8}(:[a-z0-9_-]{1,32})?", fullmatch=True)),
             st.builds(callbacks.DialogTap, st.none() | ANY_INT, ANY_TEXT)),
    DRAFT: (st.builds(callbacks.DraftChoice, st.booleans()), st.builds(callbacks.DraftChoice, st.booleans())),
    FIX: (st.builds(callbacks.Fix, st.from_regex(r"[0-9a-f]{16}", fullmatch=True)),
          st.builds(callbacks.Fix, ANY_TEXT)),
    SIMILAR: (st.builds(callbacks.SimilarChoice, st.none() | KEYS),
              st.builds(callbacks.SimilarChoice, st.none() | ANY_TEXT)),
    REPLY: (st.builds(callbacks.ReplyTap, st.none() | KEYS), st.builds(callbacks.ReplyTap, st.none() | ANY_TEXT)),
    OPEN: (st.builds(callbacks.OpenIssue, KEYS), st.builds(callbacks.OpenIssue, ANY_TEXT)),
    MY_PAGE: (st.builds(callbacks.MyPage, SMALL), st.builds(callbacks.MyPage, ANY_INT)),
    LANGUAGE: (st.builds(callbacks.LanguageChoice, st.sampled_from(["en", "ru", "de", "auto"])),
               st.builds(callbacks.LanguageChoice, ANY_TEXT)),
    MUTE: (st.builds(callbacks.Mute, st.booleans()), st.builds(callbacks.Mute, st.booleans())),
    ASK_ACCESS: (st.just(callbacks.AskAccess()), st.just(callbacks.AskAccess())),
    ACCESS: (st.builds(callbacks.AccessVerdict, st.sampled_from(["sales", "admin", "deny", "show"]), IDS),
             st.builds(callbacks.AccessVerdict, ANY_TEXT, ANY_INT)),
    LINK: (st.builds(callbacks.LinkVerdict, st.booleans(), IDS),
           st.builds(callbacks.LinkVerdict, st.booleans(), ANY_INT)),
    INVITE: (st.builds(callbacks.WithdrawInvite, st.from_regex(r"inv[A-Za-z0-9_-]{24}", fullmatch=True)),
             st.builds(callbacks.WithdrawInvite, ANY_TEXT)),
    USERS_PAGE: (st.builds(callbacks.UsersPage, SMALL), st.builds(callbacks.UsersPage, ANY_INT)),
    USER: (st.builds(callbacks.UserTap, IDS, st.sampled_from(["show", "admin", "lead", "sales", "confirm", "revoke",
                                                              "restore"]), SMALL),
           st.builds(callbacks.UserTap, ANY_INT, ANY_TEXT, ANY_INT)),
    TEMPLATES: (st.one_of(st.builds(callbacks.TemplatesTap, st.sampled_from(["dl", "hist", "rbno"])),
                          st.builds(callbacks.TemplatesTap, st.sampled_from(["rb", "rbok"]),
                                    number=st.integers(1, 10**7)),
                          st.builds(callbacks.TemplatesTap, st.sampled_from(["pub", "drop"]),
                                    digest=st.from_regex(r"[0-9a-f]{12}", fullmatch=True))),
                st.builds(callbacks.TemplatesTap, ANY_TEXT, number=st.none() | ANY_INT,
                          digest=st.none() | ANY_TEXT)),
    APPROVAL: (st.builds(callbacks.ApprovalTap, st.sampled_from(["approve", "high", "decline", "keep"]),
                         st.from_regex(r"[0-9a-f]{16}", fullmatch=True)),
               st.builds(callbacks.ApprovalTap, ANY_TEXT, ANY_TEXT)),
    FEEDBACK: (st.builds(callbacks.FeedbackTap, st.booleans(), KEYS),
               st.builds(callbacks.FeedbackTap, st.booleans(), ANY_TEXT)),
    UPDATE: (st.builds(callbacks.CustomerUpdate, KEYS), st.builds(callbacks.CustomerUpdate, ANY_TEXT)),
}
# Any callback data a client can send: Telegram carries 1 to 64 bytes; near misses of real data are likelier.
DATA = st.one_of(
    st.text(max_size=64),
    st.builds(str.__add__, st.sampled_from(["1|", "fix:", "join:", "reply:", "open:", "my:", "lang:", "mute:",
                                            "ar:sales:", "lk:ok:", "ap:ok:", "inv:x:", "users:", "user:1:",
                                            "tmpl:rb:", "fb:y:", "fb:n:", "cu:"]),
              st.text(max_size=20)),
    st.sampled_from(["1|create", "continue", "fix:", "join:SUP-1\n", "reply:SUP-01", "my:007", "ar:show:-1",
                     "lk:ok:", "user:1:revoke:0 ", "tmpl:rb:", "tmpl:pub:ABC", "create-new", "lang:auto"]),
).filter(lambda data: len(data.encode("utf-8", "surrogatepass")) <= callbacks.LIMIT)


def test_every_kind_is_covered() -> None:
    assert set(VALUES) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
@given(data=st.data())
def test_what_the_bot_shows_builds_and_parses_back(kind: Kind[Any], data: st.DataObject) -> None:
    value = data.draw(VALUES[kind][0])
    built = kind.data(value)
    assert len(built.encode("utf-8")) <= callbacks.LIMIT
    assert kind.pattern.match(built)
    assert kind.parse(built) == value


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
@given(data=st.data())
def test_any_value_builds_data_that_parses_back_or_is_refused(kind: Kind[Any], data: st.DataObject) -> None:
    value = data.draw(st.one_of(*VALUES[kind]))
    try:
        built = kind.data(value)
    except ValueError:
        return
    assert len(built.encode("utf-8")) <= callbacks.LIMIT
    assert kind.parse(built) == value


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
@given(data=DATA)
def test_parse_reads_only_what_the_kind_builds(kind: Kind[Any], data: str) -> None:
    value = kind.parse(data)
    assert (value is None) == (kind.pattern.match(data) is None)
    if value is not None:
        assert kind.data(value) == data


def test_data_longer_than_telegram_carries_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        DIALOG.data(callbacks.DialogTap(12, "editq:" + "q" * 60))
    with pytest.raises(ValueError, match="64 bytes"):
        OPEN.data(callbacks.OpenIssue("SUP-" + "9" * 60))
    assert DIALOG.parse("1|" + "a" * 63) is None


def test_buttons_already_in_chats_keep_their_meaning() -> None:
    assert DIALOG.parse("7|opt:2") == callbacks.DialogTap(7, "opt:2")
    assert DIALOG.parse("create") == callbacks.DialogTap(None, "create")
    assert SIMILAR.parse("create-new") == callbacks.SimilarChoice(None)
    assert REPLY.parse("reply:SUP-12") == callbacks.ReplyTap("SUP-12")
    assert ACCESS.parse("ar:show:555") == callbacks.AccessVerdict("show", 555)
    assert USER.parse("user:101:confirm:2") == callbacks.UserTap(101, "confirm", 2)
    assert TEMPLATES.parse("tmpl:pub:0123456789ab") == callbacks.TemplatesTap("pub", digest="0123456789ab")
    assert TEMPLATES.parse("tmpl:rbok:3") == callbacks.TemplatesTap("rbok", number=3)
    assert INVITE.parse("inv:x:invAbC_-") == callbacks.WithdrawInvite("invAbC_-")
    assert LANGUAGE.parse("lang:xx") is None and MUTE.parse("mute:on") == callbacks.Mute(True)
    assert ASK_ACCESS.parse("access:ask") == callbacks.AskAccess()
    assert LINK.parse("lk:no:12") == callbacks.LinkVerdict(False, 12)
    assert FIX.parse("fix:0f3a") == callbacks.Fix("0f3a") and DRAFT.parse("restart") == callbacks.DraftChoice(False)
    assert MY_PAGE.parse("my:1") == callbacks.MyPage(1) and USERS_PAGE.parse("users:0") == callbacks.UsersPage(0)
    assert OPEN.parse("open:HR-1") == callbacks.OpenIssue("HR-1")
