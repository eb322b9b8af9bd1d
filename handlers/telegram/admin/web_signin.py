"""/web: an admin asks for a one-time link that signs them in to the admin web page."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n.catalog import t
from bot.people.signin import create_login, login_url
from handlers.telegram.common import admins_only, language, send, services


@admins_only
async def web_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send an admin a sign-in link to the admin page, valid once and for a few minutes."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    server = svc.config.server
    if not server.port:
        await send(context.bot, chat.id, html.escape(t("web_off", lang)))
        return
    token = create_login(svc.store, user.id, server.admin_link_minutes * 60)
    url = html.escape(login_url(server.base_url, token))
    text = (f"{html.escape(t('web_link', lang, count=server.admin_link_minutes))}\n"
            f'<a href="{url}">{html.escape(t("web_link_open", lang))}</a>\n\n'
            f"{html.escape(t('web_link_copy', lang))}\n<code>{url}</code>\n\n"
            f"{html.escape(t('web_link_warning', lang))}")
    await send(context.bot, chat.id, text)
