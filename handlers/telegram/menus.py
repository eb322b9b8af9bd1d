"""The command menu each user sees: everyone's commands, plus the admin commands in an admin's own chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.app import App
from bot.i18n.catalog import LANGUAGES, t
from handlers.telegram.common import language_of

log = logging.getLogger(__name__)
COMMANDS = ("new", "my", "cancel", "settings", "lang", "help", "start")
ADMIN_COMMANDS = ("templates", "users", "invite", "web", "outbox", "reload")


def commands(lang: str, *, admin: bool) -> list[BotCommand]:
    """Return the menu in lang: everyone's commands, then the admin ones when admin is set."""
    names = COMMANDS + (ADMIN_COMMANDS if admin else ())
    return [BotCommand(name, t(f"cmd_{name}", lang)) for name in names]


async def register_everyones(bot: Bot) -> None:
    """Set the menu every user sees, in each supported language; in group chats only /ticket works."""
    menus = []
    for lang in LANGUAGES:
        code = None if lang == "en" else lang
        menus.append(bot.set_my_commands(commands(lang, admin=False), language_code=code))
        menus.append(bot.set_my_commands([BotCommand("ticket", t("cmd_ticket", lang))],
                                         scope=BotCommandScopeAllGroupChats(), language_code=code))
    # All at once: each menu stands alone, and the start waits for the slowest answer rather than for all in turn.
    await asyncio.gather(*menus)


async def show_menu(bot: Bot, svc: App, user_id: int) -> None:
    """Give a user the menu of their role in their private chat (admins see the admin commands)."""
    scope = BotCommandScopeChat(user_id)
    # A menu is a convenience: a failure here must not undo the role change that called it.
    with contextlib.suppress(TelegramError):
        if svc.access.role_by_id(user_id) == "admin":
            await bot.set_my_commands(commands(language_of(svc, user_id), admin=True), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)


async def register_admins(bot: Bot, svc: App) -> None:
    """Give every admin the bot can reach their menu at start-up: by id, and by @username once they wrote."""
    # A private chat's id is its user's id.
    for admin_id in svc.access.admin_chats():
        await show_menu(bot, svc, admin_id)
