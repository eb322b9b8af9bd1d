"""One-time invite links: an admin makes a code, the first person who opens it gets the role."""

from __future__ import annotations

import re
import secrets

from bot.storage.admin import Invite
from bot.storage.store import Store

__all__ = ["CODE_PREFIX", "DAY", "DEFAULT_TTL", "MAX_TTL", "Invite", "InviteError", "Invites", "invite_link",
           "looks_like_code", "parse_expiry", "parse_invite_args", "parse_role"]

DAY = 86400.0
DEFAULT_TTL = 7 * DAY
MAX_TTL = 90 * DAY
# Telegram's start parameter takes A-Z a-z 0-9 _ - and at most 64 characters; the prefix tells invites
# apart from any other deep link the bot may hand out.
CODE_PREFIX = "inv"
_CODE = re.compile(r"^inv[A-Za-z0-9_-]{16,61}$")

_UNIT_WORDS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (60.0, ("m", "min", "mins", "minute", "minutes", "мин", "минут", "минуты", "minuten")),
    (3600.0, ("h", "hr", "hrs", "hour", "hours", "ч", "час", "часа", "часов", "std", "stunde", "stunden")),
    (DAY, ("d", "day", "days", "д", "дн", "день", "дня", "дней", "t", "tag", "tage", "tagen")),
    (7 * DAY, ("w", "wk", "week", "weeks", "н", "нед", "неделя", "недели", "недель", "wo", "woche", "wochen")),
)
_UNITS = {word: seconds for seconds, words in _UNIT_WORDS for word in words}
_EXPIRY = re.compile(r"^(\d{1,5})\s*([^\W\d_]+)$")

_ROLE_WORDS = {
    "sales": ("sales", "salesperson", "seller", "user", "продажи", "продавец", "менеджер", "пользователь",
              "vertrieb", "verkäufer", "verkauf", "nutzer", "benutzer"),
    "admin": ("admin", "administrator", "админ", "администратор", "адм"),
    "lead": ("lead", "approver", "руководитель", "лид", "leiter", "leitung"),
}


class InviteError(Exception):
    """An invite that cannot be redeemed: reason is 'unknown', 'used' or 'expired'."""

    def __init__(self, reason: str) -> None:
        """Keep the reason for callers to explain."""
        super().__init__(reason)
        self.reason = reason


def parse_expiry(text: str) -> float:
    """Turn "7d", "12h", "30m", "2w" (or "3 дня", "12 Stunden") into seconds; ValueError if bad or over 90 days."""
    found = _EXPIRY.match(text.strip().lower())
    unit = _UNITS.get(found.group(2)) if found else None
    if found is None or unit is None:
        raise ValueError(f"not a validity like 7d or 12h: {text!r}")
    seconds = int(found.group(1)) * unit
    if seconds <= 0:
        raise ValueError("the validity must be longer than zero")
    if seconds > MAX_TTL:
        raise ValueError("an invite is valid for at most 90 days")
    return seconds


def parse_role(word: str) -> str | None:
    """Return 'sales', 'lead' or 'admin' for a role word in English, Russian or German, else None."""
    word = word.strip().lower()
    return next((role for role, words in _ROLE_WORDS.items() if word in words), None)


def parse_invite_args(args: list[str]) -> tuple[str, float]:
    """Read /invite's optional role and validity, in any order; ValueError on anything else."""
    role: str | None = None
    ttl: float | None = None
    # "3 days" arrives as two words; glue a bare number to the unit after it.
    words: list[str] = []
    for arg in args:
        if words and words[-1].isdigit() and not arg.isdigit():
            words[-1] += arg
        else:
            words.append(arg)
    for word in words:
        as_role = parse_role(word)
        if as_role is not None and role is None:
            role = as_role
        elif as_role is None and ttl is None:
            ttl = parse_expiry(word)
        else:
            raise ValueError(f"unexpected {word!r}")
    return role or "sales", ttl if ttl is not None else DEFAULT_TTL


def looks_like_code(text: str) -> bool:
    """Say whether a deep-link parameter has the shape of an invite code."""
    return bool(_CODE.match(text))


def invite_link(bot_username: str, code: str) -> str:
    """Return the t.me deep link that redeems the code."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


class Invites:
    """Creates, redeems, lists and withdraws invite codes."""

    def __init__(self, store: Store) -> None:
        """Work on the bot's database."""
        self.store = store

    def create(self, role: str, by: int | None, ttl_seconds: float = DEFAULT_TTL) -> Invite:
        """Make a new invite for role, valid for ttl_seconds (at most 90 days)."""
        if role not in ("sales", "lead", "admin"):
            raise ValueError(f"unknown role {role!r}")
        if not 0 < ttl_seconds <= MAX_TTL:
            raise ValueError("an invite is valid for more than zero and at most 90 days")
        now = self.store.clock()
        invite = Invite(code=CODE_PREFIX + secrets.token_urlsafe(18), role=role, created_by=by, created_at=now,
                        expires_at=now + ttl_seconds, used_by=None, used_at=None)
        self.store.add_invite(invite)
        return invite

    def get(self, code: str) -> Invite | None:
        """Return an invite by its code, used or not."""
        return self.store.invite(code)

    def check(self, code: str) -> Invite:
        """Return the invite if it can be redeemed now; raise InviteError saying why not."""
        invite = self.get(code)
        if invite is None:
            raise InviteError("unknown")
        if invite.used_by is not None:
            raise InviteError("used")
        if not invite.usable(self.store.clock()):
            raise InviteError("expired")
        return invite

    def redeem(self, code: str, user_id: int) -> Invite:
        """Use the invite for user_id, once; raise InviteError when it is unknown, used or expired."""
        with self.store.transaction():
            self.check(code)
            self.store.use_invite(code, user_id)
        redeemed = self.get(code)
        assert redeemed is not None
        return redeemed

    def pending(self) -> list[Invite]:
        """Return invites not used and not expired, newest first."""
        return self.store.unused_invites()

    def cancel(self, code: str) -> bool:
        """Withdraw an unused invite; say whether there was one to withdraw."""
        return self.store.withdraw_invite(code)
