"""Signing in to the admin page: one-time links an admin asks the bot for, and the sessions they open."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.i18n.catalog import LANGUAGES, normalize_language
from bot.storage.store import Store

SECRET_ENV = "TICKETSMITH_WEB_SECRET"
SECRET_SETTING = "web_session_secret"

LoginRefusal = Literal["unknown", "used", "expired", "not_admin"]


def _digest(value: str) -> str:
    """Return the SHA-256 of a token: the database never holds a token that would sign anyone in."""
    return hashlib.sha256(value.encode()).hexdigest()


def create_login(store: Store, user_id: int, ttl_seconds: float) -> str:
    """Make a one-time sign-in token for an admin; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = store.clock()
    store.add_web_login(_digest(token), user_id, now, now + ttl_seconds)
    return token


def login_url(base_url: str, token: str) -> str:
    """Return the address an admin opens to sign in."""
    return f"{base_url.rstrip('/')}/admin/login?token={token}"


@dataclass(frozen=True)
class Session:
    """A signed-in admin's session, kept server side so signing out and expiry are real."""

    id: str
    user_id: int
    csrf: str
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class Admin:
    """The admin behind a request to the admin page."""

    user_id: int
    name: str
    session: Session
    lang: str = "en"

    @property
    def csrf(self) -> str:
        """Return the token every form of this session must carry back."""
        return self.session.csrf


def page_language(store: Store, user_id: int) -> str:
    """Return the language an admin reads the admin page in: their choice there, else the one the bot speaks."""
    chosen = store.page_language(user_id) or store.language_choice(user_id)
    return normalize_language(chosen or store.user_language(user_id))


def choose_page_language(store: Store, user_id: int, lang: str) -> bool:
    """Remember the language an admin chose on the admin page; False for a language the bot does not speak."""
    if lang not in LANGUAGES:
        return False
    store.set_page_language(user_id, lang)
    return True


def signing_key(store: Store, env: Mapping[str, str] | None = None) -> bytes:
    """Return the cookie signing key: the environment's if set, else one made once and kept in the database."""
    given = (os.environ if env is None else env).get(SECRET_ENV, "")
    if given:
        return given.encode()
    stored = store.get_setting(SECRET_SETTING)
    if not stored:
        stored = secrets.token_hex(32)
        store.put_setting(SECRET_SETTING, stored)
    return stored.encode()


class Sessions:
    """Redeems sign-in links and opens, checks and ends sessions."""

    def __init__(self, store: Store, key: bytes, hours: float, link_minutes: float) -> None:
        self.store = store
        self.key = key
        self.hours = hours
        self.link_minutes = link_minutes

    def _refusal(self, token: str, now: float) -> tuple[int | None, LoginRefusal | None]:
        """Return whose a sign-in token is, or why it does not work."""
        login = self.store.web_login(_digest(token))
        if login is None:
            return None, "unknown"
        if login.used_at is not None:
            return None, "used"
        if login.expires_at < now:
            return None, "expired"
        return login.user_id, None

    def peek(self, token: str) -> tuple[int | None, LoginRefusal | None]:
        """Say whose a sign-in token is, or why it does not work, without using it up."""
        return self._refusal(token, self.store.clock())

    def redeem(self, token: str) -> tuple[int | None, LoginRefusal | None]:
        """Use a sign-in token once; return the admin's id, or why the link does not work."""
        now = self.store.clock()
        with self.store.transaction():
            user_id, refusal = self._refusal(token, now)
            if user_id is None:
                return None, refusal
            self.store.use_web_login(_digest(token), now)
        return user_id, None

    def open(self, user_id: int) -> tuple[Session, str]:
        """Start a session; return it and the cookie value that proves it."""
        now = self.store.clock()
        session_id = secrets.token_urlsafe(24)
        session = Session(session_id, user_id, secrets.token_urlsafe(24), now, now + self.hours * 3600)
        self.store.add_web_session(_digest(session_id), user_id, session.csrf, now, session.expires_at)
        return session, f"{session_id}.{self._sign(session_id)}"

    def _sign(self, session_id: str) -> str:
        """Return the cookie's signature of a session id."""
        return hmac.new(self.key, session_id.encode(), hashlib.sha256).hexdigest()

    def find(self, cookie: str | None) -> Session | None:
        """Return the live session a cookie proves, or None (unsigned, tampered, unknown or expired)."""
        if not cookie or "." not in cookie:
            return None
        session_id, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(session_id).encode()):
            return None
        stored = self.store.web_session(_digest(session_id))
        if stored is None:
            return None
        if stored.expires_at <= self.store.clock():
            self.end(session_id)
            return None
        return Session(session_id, stored.user_id, stored.csrf, stored.created_at, stored.expires_at)

    def end(self, session_id: str) -> None:
        """End a session (sign-out, or its admin lost the role)."""
        self.store.end_web_session(_digest(session_id))
