"""Admins manage the question templates from Telegram: list, download, upload and publish, history, rollback, reload."""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot.app import App
from bot.i18n.catalog import t
from bot.i18n.plural import format_share
from bot.intake.dialog import human_size
from bot.reports.followups import INSIGHT_DAYS, TemplateInsight
from bot.templates.diff import TemplateDiff, diff
from bot.templates.jira_check import format_report
from bot.templates.library import SOURCES, Version
from bot.templates.publishing import (
    MAX_TEMPLATES_BYTES,
    AlreadyLive,
    Problem,
    ReloadOutcome,
    Vetting,
    last_check,
    live_set,
    live_version,
    normalized,
    pinned_drafts,
    reload,
    rollback,
    startup_check,
    status,
)
from bot.templates.suggest import insights, suggested_file
from bot.templates.uploads import discard_upload, kept_upload, publish_upload, stage_upload
from bot.text.dates import format_moment
from bot.text.screen import clip
from bot.text.yamlfile import ConfigError
from handlers.telegram.callbacks import TEMPLATES, TemplatesTap
from handlers.telegram.common import (
    acknowledge,
    admins_only,
    drop_buttons,
    language,
    language_of,
    send,
    services,
    tapped,
)
from handlers.telegram.render import SAFE_LIMIT, utf16_len

log = logging.getLogger(__name__)
EXTENSIONS = (".yaml", ".yml")
HISTORY_SIZE = 10
DOWNLOAD_NAME = "templates.yaml"
LINE_LIMIT = 400
SHOWN_PROBLEMS = 30
# Questions engineers ask: at most this many per template in /templates, and one button for each.
SHOWN_SUGGESTIONS = 3
# Telegram refuses a keyboard of more than about a hundred buttons: with many templates, only the templates
# with the most engineer responses get their add buttons (the web page lists every suggestion).
MAX_ADD_BUTTONS = 12
EXAMPLE_CLIP = 80
BUTTON_LIMIT = 48
# Telegram's limit for a document's caption.
CAPTION_LIMIT = 1024


# -- texts ------------------------------------------------------------------------------------------------


def _line(text: str) -> str:
    """Shorten one line without touching its indentation."""
    return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 1].rstrip() + "…"


def fit(head: list[str], body: list[str], lang: str, tail: list[str] | None = None) -> str:
    """Join lines into one message of at most Telegram's size (counted as Telegram does, in UTF-16 units),
    saying how many body lines were left out."""
    head, tail = [_line(x) for x in head], [_line(x) for x in tail or []]
    if sum(utf16_len(x) + 1 for x in head + tail) > SAFE_LIMIT // 2:
        # A long tail is cut like the body rather than crowding it out.
        body, tail = [*body, *tail], []
    budget = SAFE_LIMIT - sum(utf16_len(x) + 1 for x in head + tail) - 40
    kept: list[str] = []
    for index, line in enumerate(body):
        line = _line(line)
        if budget - utf16_len(line) - 1 < 0:
            kept.append(t("tpl_more_lines", lang, count=len(body) - index))
            break
        kept.append(line)
        budget -= utf16_len(line) + 1
    return "\n".join([*head, *kept, *tail])


def when(svc: App, at: float, lang: str) -> str:
    """Format a moment for an admin's list: '23 Nov 14:05', with the year when it is not this one."""
    return format_moment(at, svc.config.timezone, lang, short=True, this_year=svc.now().year)


def who(version: Version, lang: str) -> str:
    """Say where a version came from: 'published by Ann', 'from the file at start-up', 'rolled back to v2'."""
    source = version.source if version.source in SOURCES else "upload"
    if version.author_name:
        return t(f"tpl_by_{source}", lang, name=version.author_name, target=version.note)
    return t(f"tpl_src_{source}", lang, target=version.note)


def problem_lines(problems: tuple[Problem, ...], lang: str) -> list[str]:
    """Return one line per schema problem, with its line number when known."""
    shown = [t("tpl_problem_line", lang, line=p.line, message=p.message) if p.line is not None
             else t("tpl_problem", lang, message=p.message) for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(t("tpl_more_lines", lang, count=len(problems) - SHOWN_PROBLEMS))
    return shown


def _jira_problem(template_id: str, problem: str) -> str:
    """Drop the "template 'bug': " the check starts with where the line names the template already."""
    return problem.removeprefix(f"template '{template_id}': ")


def refused_lines(refused: dict[str, list[str]], lang: str) -> list[str]:
    """Return one line per problem Jira has with a template."""
    return [t("tpl_refused_item", lang, id=template_id, problem=_jira_problem(template_id, problem))
            for template_id, problems in refused.items() for problem in problems]


def diff_lines(changes: TemplateDiff | None, lang: str) -> list[str]:
    """Return the diff's lines, or a line saying only comments or formatting changed."""
    if changes is None:
        return []
    return changes.lines(lang) or [t("tpl_diff_none", lang)]


def pinned_text(svc: App, lang: str) -> str | None:
    """Say how many drafts in progress finish on an earlier version, if any."""
    counts = pinned_drafts(svc)
    total = sum(counts.values())
    if not total:
        return None
    if len(counts) == 1:
        number = next(iter(counts))
        if number is not None:
            return t("tpl_pinned", lang, count=total, old=number)
    return t("tpl_pinned_mixed", lang, count=total)


def published_text(svc: App, version: Version, lang: str) -> str:
    """Return 'Published v4. New requests use it now; 2 drafts in progress finish on v3.'"""
    pinned = pinned_text(svc, lang)
    if pinned is None:
        return t("tpl_published", lang, number=version.number)
    return t("tpl_published_pinned", lang, number=version.number, pinned=pinned)


async def _say(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> int | None:
    """Send plain text (escaped for HTML), with optional buttons."""
    return await send(bot, chat_id, html.escape(text), markup)


# -- /templates -------------------------------------------------------------------------------------------


def _is_admin(svc: App, user: User) -> bool:
    """Say whether the Telegram user is an admin."""
    return svc.access.is_admin(user.id, user.username)


async def overview(svc: App, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Return the live version and each template with whether it is offered, with Download and History."""
    version = live_version(svc)
    head = [t("tpl_header", lang, number=version.number, who=who(version, lang),
              when=when(svc, version.published_at, lang)) if version else t("tpl_header_unknown", lang), ""]
    body = []
    for item in status(svc):
        values = {"title": item.template.title.get(lang), "id": item.template.id}
        count = len(item.template.questions)
        if item.offered:
            body.append(t("tpl_offered", lang, count=count, **values))
        else:
            why = "; ".join(_jira_problem(item.template.id, problem) for problem in item.problems)
            body.append(t("tpl_refused", lang, count=count, **values, why=why or "—"))
    learned, rows = insight_lines(svc, await insights(svc), lang)
    body += learned
    check = last_check(svc)
    tail = [""]
    if check is not None and not check.checked:
        tail.append(t("tpl_jira_unchecked_live", lang, error=check.error))
    tail.append(t("tpl_how_to_change", lang))
    markup = InlineKeyboardMarkup([*rows, [
        InlineKeyboardButton(t("tpl_download_button", lang), callback_data=TEMPLATES.data(TemplatesTap("dl"))),
        InlineKeyboardButton(t("tpl_history_button", lang), callback_data=TEMPLATES.data(TemplatesTap("hist"))),
    ]])
    return fit(head, body, lang, tail), markup


def insight_lines(svc: App, learned: dict[str, TemplateInsight], lang: str
                  ) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """Return each template's ready-on-first-pass share and most asked questions, with a button to add each."""
    templates = live_set(svc)
    found = [i for i in learned.values() if i.handled and templates.get(i.template_id)]
    lines = ["", t("ins_header", lang, count=INSIGHT_DAYS)]
    if not found:
        return [*lines, t("ins_none", lang)], []
    rows: list[list[InlineKeyboardButton]] = []
    for insight in sorted(found, key=lambda i: -i.handled):
        template = templates.get(insight.template_id)
        assert template is not None
        title = template.title.get(lang)
        lines.append(t("ins_ready", lang, title=title, ready=insight.ready, count=insight.handled,
                       share=format_share(insight.ready_share or 0.0, lang)))
        for group in insight.suggestions[:SHOWN_SUGGESTIONS]:
            lines.append(t("ins_asked", lang, asked=group.requests, count=insight.handled, label=group.label,
                           example=clip(group.example, EXAMPLE_CLIP)))
            if len(rows) >= MAX_ADD_BUTTONS:
                continue
            button = clip(t("ins_add_button", lang, title=title, label=group.label), BUTTON_LIMIT)
            rows.append([InlineKeyboardButton(button, callback_data=TEMPLATES.data(TemplatesTap("add",
                                                                                                digest=group.digest)))])
    return lines, rows


def history(svc: App, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the last versions with who and when, and a Rollback button for each earlier one."""
    live = live_version(svc)
    lines = [t("tpl_history_title", lang), ""]
    rows = []
    for version in svc.library.history(HISTORY_SIZE):
        line = t("tpl_history_item", lang, number=version.number, when=when(svc, version.published_at, lang),
                 who=who(version, lang))
        if version.note and version.source != "rollback":
            line += f" · “{version.note}”"
        if live is not None and version.number == live.number:
            line += t("tpl_history_live", lang)
        lines.append(line)
        if live is not None and version.hash != live.hash:
            rows.append([InlineKeyboardButton(t("tpl_rollback_button", lang, number=version.number),
                                              callback_data=TEMPLATES.data(TemplatesTap("rb", version.number)))])
    return fit(lines, [], lang), InlineKeyboardMarkup(rows) if rows else None


@admins_only
async def templates_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/templates lists the live templates; /templates history lists earlier versions."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    wanted = (context.args or [""])[0].lower()
    text, markup = history(svc, lang) if wanted in ("history", "log", "versions") else await overview(svc, lang)
    await _say(context.bot, chat.id, text, markup)


async def _download(bot: Bot, svc: App, chat_id: int, lang: str) -> None:
    """Send the live version's YAML as a document, ready to edit and send back."""
    version = live_version(svc)
    text = version.text if version is not None else live_set(svc).text
    caption = t("tpl_download_caption", lang, number=version.number if version else "?")
    try:
        await bot.send_document(chat_id, text.encode("utf-8"), filename=DOWNLOAD_NAME, caption=caption)
    except TelegramError as error:
        log.warning("could not send the templates file to %s: %s", chat_id, error)
        await _say(bot, chat_id, t("tpl_download_failed", lang))


async def _on_add(bot: Bot, svc: App, query: CallbackQuery, chat_id: int, lang: str, digest: str) -> None:
    """Send the live templates with a suggested question added, to check, send back and publish as any upload."""
    try:
        found = await suggested_file(svc, digest, lang)
    except ConfigError as error:
        await acknowledge(query)
        await _say(bot, chat_id, t("ins_failed", lang, error=str(error)))
        return
    if found is None:
        await acknowledge(query, t("ins_gone", lang), show_alert=True)
        return
    await acknowledge(query)
    caption = t("ins_yaml_caption", lang, label=found.group.label, title=found.template.title.get(lang),
                id=found.question.id)
    try:
        await bot.send_document(chat_id, found.text.encode("utf-8"), filename=DOWNLOAD_NAME,
                                caption=clip(caption, CAPTION_LIMIT))
    except TelegramError as error:
        log.warning("could not send the templates file to %s: %s", chat_id, error)
        await _say(bot, chat_id, t("tpl_download_failed", lang))


# -- upload, publish, discard -----------------------------------------------------------------------------


def _waits_for_files(svc: App, user_id: int) -> bool:
    """Say whether the user's draft stands at a question that takes files (then a document answers it)."""
    stored = svc.store.get_draft(user_id)
    if stored is None or stored.draft.stage != "question" or not stored.draft.current:
        return False
    template = svc.engine.template_of(stored.draft)
    question = next((q for q in template.questions if q.id == stored.draft.current), None) if template else None
    return question is not None and question.type == "attachments"


def is_upload(svc: App, message: Message) -> bool:
    """Say whether a message is an admin sending a templates file (not a file for a draft or a reply)."""
    document, user = message.document, message.from_user
    if document is None or user is None or message.chat.type != "private":
        return False
    if not (document.file_name or "").lower().endswith(EXTENSIONS) or not _is_admin(svc, user):
        return False
    replied = message.reply_to_message
    if svc.store.replying_to(user.id) or (
            replied is not None and svc.store.issue_of_message(message.chat.id, replied.message_id)):
        return False
    return not _waits_for_files(svc, user.id)


class _UploadFilter(filters.MessageFilter):
    """Lets through only templates uploads, so every other document goes on to the dialog."""

    def __init__(self, svc: App) -> None:
        """Remember the services the check needs."""
        super().__init__(name="templates upload")
        self.svc = svc

    def filter(self, message: Message) -> bool:
        """Say whether the message is a templates upload."""
        return is_upload(self.svc, message)


def upload_handler(svc: App) -> MessageHandler:  # type: ignore[type-arg]
    """Return the handler for admins' templates files; register it before the dialog's handlers."""
    return MessageHandler(filters.UpdateType.MESSAGE & _UploadFilter(svc), on_upload)


async def _read_upload(bot: Bot, message: Message, lang: str) -> str | None:
    """Download an uploaded file as text; tell the admin and return None when it cannot be used."""
    document = message.document
    assert document is not None
    name = document.file_name or DOWNLOAD_NAME
    if document.file_size is not None and document.file_size > MAX_TEMPLATES_BYTES:
        await _say(bot, message.chat.id, t("tpl_upload_too_big", lang, name=name, size=human_size(document.file_size),
                                           limit=human_size(MAX_TEMPLATES_BYTES)))
        return None
    try:
        file = await bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        await _say(bot, message.chat.id, t("tpl_upload_download_failed", lang, name=name, error=str(error)))
        return None
    if len(data) > MAX_TEMPLATES_BYTES:
        await _say(bot, message.chat.id, t("tpl_upload_too_big", lang, name=name, size=human_size(len(data)),
                                           limit=human_size(MAX_TEMPLATES_BYTES)))
        return None
    try:
        return normalized(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        await _say(bot, message.chat.id, t("tpl_upload_not_text", lang, name=name))
        return None


def vetting_text(svc: App, vetting: Vetting, name: str, lang: str, notice: str | None = None) -> str:
    """Describe a vetted file: its problems, or its changes and Jira's view."""
    live = live_version(svc)
    number = live.number if live else "?"
    if vetting.templates is None:
        head = [t("tpl_upload_problems", lang, name=name, count=len(vetting.problems), number=number)]
        return fit(head, problem_lines(vetting.problems, lang), lang)
    templates = vetting.templates.templates
    head = [notice] if notice else []
    head.append(t("tpl_upload_checked", lang, name=name, templates=t("count_templates", lang, count=len(templates)),
                  questions=t("count_questions", lang, count=sum(len(x.questions) for x in templates)),
                  number=number))
    tail = [""]
    if any(vetting.refused.values()):
        tail.append(t("tpl_jira_refuses", lang, number=number))
        tail.extend(refused_lines(vetting.refused, lang))
    elif not vetting.jira_checked:
        tail.append(t("tpl_jira_not_checked", lang, error=vetting.jira_error or "—"))
    return fit(head, diff_lines(vetting.diff, lang), lang, tail)


def _publish_buttons(lang: str, number: int, digest: str) -> InlineKeyboardMarkup:
    """Publish and Discard for one upload: the buttons name its content, so an older message cannot publish a
    newer upload."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("tpl_publish_button", lang, number=number),
                             callback_data=TEMPLATES.data(TemplatesTap("pub", digest=digest))),
        InlineKeyboardButton(t("tpl_discard_button", lang),
                             callback_data=TEMPLATES.data(TemplatesTap("drop", digest=digest))),
    ]])


def _next_number(svc: App) -> int:
    """Return the number the next published version gets."""
    latest = svc.library.latest()
    return (latest.number if latest else 0) + 1


async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Checks an admin's templates file; the update stops here, so the dialog does not take the file too."""
    await _check_upload(update, context)
    raise ApplicationHandlerStop


async def _check_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows the file's problems, or its changes with Publish and Discard."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None and message.document is not None
    svc, lang = services(context), language(user)
    text = await _read_upload(context.bot, message, lang)
    if text is None:
        return
    name = message.document.file_name or DOWNLOAD_NAME
    staged = await stage_upload(svc, user.id, text, name, (message.caption or "").strip())
    if staged.vetting is None:  # the live version itself
        live = live_version(svc)
        await _say(context.bot, message.chat.id, t("tpl_upload_same", lang, name=name,
                                                   number=live.number if live else "?"))
        return
    reply = vetting_text(svc, staged.vetting, name, lang)
    if staged.kind != "kept":
        await _say(context.bot, message.chat.id, reply)
        return
    await _say(context.bot, message.chat.id, reply, _publish_buttons(lang, _next_number(svc), staged.digest))


async def _on_publish(bot: Bot, svc: App, query: CallbackQuery, user: User, chat_id: int, lang: str,
                      digest: str) -> None:
    """Publish the admin's pending upload after vetting it again."""
    pending = kept_upload(svc, user.id, digest)
    message_id = query.message.message_id if query.message else None
    if isinstance(pending, str):
        await acknowledge(query, t("tpl_nothing_pending" if pending == "nothing" else "tpl_upload_replaced", lang),
                          show_alert=True)
        await drop_buttons(bot, chat_id, message_id)
        return
    await acknowledge(query)
    await drop_buttons(bot, chat_id, message_id)
    outcome = await publish_upload(svc, user.id, user.full_name, pending)
    if outcome.kind == "rebased":
        # Someone published while this admin was reading the diff: show the changes against what is live now.
        live = live_version(svc)
        notice = t("tpl_changed_meanwhile", lang, number=live.number if live else "?")
        reply = vetting_text(svc, outcome.vetting, pending.name, lang, notice)
        await _say(bot, chat_id, reply, _publish_buttons(lang, _next_number(svc), outcome.digest))
        return
    if outcome.version is None:
        reply = vetting_text(svc, outcome.vetting, pending.name, lang)
        await _say(bot, chat_id, reply)
        return
    await _say(bot, chat_id, published_text(svc, outcome.version, lang))


async def _on_discard(bot: Bot, svc: App, query: CallbackQuery, user: User, chat_id: int, lang: str,
                      digest: str) -> None:
    """Drop the admin's pending upload; the live version stays."""
    if not discard_upload(svc, user.id, digest):
        # A newer upload waits; this older message only loses its buttons.
        await acknowledge(query, t("tpl_upload_replaced", lang), show_alert=True)
        await drop_buttons(bot, chat_id, query.message.message_id if query.message else None)
        return
    await acknowledge(query)
    await drop_buttons(bot, chat_id, query.message.message_id if query.message else None)
    live = live_version(svc)
    await _say(bot, chat_id, t("tpl_discarded", lang, number=live.number if live else "?"))


# -- rollback ---------------------------------------------------------------------------------------------


async def _on_rollback_ask(bot: Bot, svc: App, chat_id: int, lang: str, number: int) -> None:
    """Show what rolling back would change and ask to confirm."""
    version, live = svc.library.get(number), live_version(svc)
    if version is None or live is None:
        await _say(bot, chat_id, t("tpl_unknown_version", lang, number=number))
        return
    if version.hash == live.hash:
        await _say(bot, chat_id, t("tpl_already_live", lang, number=number))
        return
    target = svc.library.set_for(version.hash)
    head = [t("tpl_rollback_confirm", lang, number=number, who=who(version, lang),
              when=when(svc, version.published_at, lang), next=_next_number(svc), live=live.number)]
    body = diff_lines(diff(live_set(svc), target), lang) if target is not None else [
        t("tpl_version_unreadable", lang, number=number)]
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(t("tpl_rollback_yes", lang, number=number),
                             callback_data=TEMPLATES.data(TemplatesTap("rbok", number))),
        InlineKeyboardButton(t("tpl_rollback_no", lang), callback_data=TEMPLATES.data(TemplatesTap("rbno"))),
    ]])
    await _say(bot, chat_id, fit(head, body, lang), markup)


async def _on_rollback(bot: Bot, svc: App, user: User, chat_id: int, lang: str, number: int) -> None:
    """Publish an earlier version again after vetting it anew."""
    try:
        outcome = await rollback(svc, number, user.id, user.full_name)
    except LookupError:
        await _say(bot, chat_id, t("tpl_unknown_version", lang, number=number))
        return
    except AlreadyLive:
        await _say(bot, chat_id, t("tpl_already_live", lang, number=number))
        return
    if isinstance(outcome, Version):
        lines = [t("tpl_rolled_back", lang, number=outcome.number, old=number)]
        pinned = pinned_text(svc, lang)
        await _say(bot, chat_id, "\n".join([*lines, *([pinned] if pinned else [])]))
        return
    head = [t("tpl_rollback_refused", lang, number=number)]
    body = problem_lines(outcome.problems, lang) + refused_lines(outcome.refused, lang)
    await _say(bot, chat_id, fit(head, body, lang))


# -- buttons ----------------------------------------------------------------------------------------------


@admins_only
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handles the templates buttons: download, history, publish, discard, rollback."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang, bot = services(context), language(user), context.bot
    chat_id = query.message.chat.id if query.message else user.id
    tap = await tapped(query, TEMPLATES)
    if tap is None:
        return
    action, number = tap.action, tap.number or 0
    if action == "pub":
        await _on_publish(bot, svc, query, user, chat_id, lang, tap.digest or "")
        return
    if action == "drop":
        await _on_discard(bot, svc, query, user, chat_id, lang, tap.digest or "")
        return
    if action == "add":
        await _on_add(bot, svc, query, chat_id, lang, tap.digest or "")
        return
    await acknowledge(query)
    if action in ("rbok", "rbno"):
        await drop_buttons(bot, chat_id, query.message.message_id if query.message else None)
    if action == "dl":
        await _download(bot, svc, chat_id, lang)
    elif action == "hist":
        await _say(bot, chat_id, *history(svc, lang))
    elif action == "rb":
        await _on_rollback_ask(bot, svc, chat_id, lang, number)
    elif action == "rbok":
        await _on_rollback(bot, svc, user, chat_id, lang, number)
    elif action == "rbno":
        live = live_version(svc)
        await _say(bot, chat_id, t("tpl_rollback_cancelled", lang, number=live.number if live else "?"))


# -- reload (/reload and SIGHUP) --------------------------------------------------------------------------


def reload_text(svc: App, outcome: ReloadOutcome, lang: str) -> str:
    """Describe what reloading the file did."""
    name, version, vetting = svc.library.path.name, outcome.version, outcome.vetting
    number = version.number if version else "?"
    if outcome.kind == "unchanged":
        return t("tpl_reload_unchanged", lang, file=name, number=number)
    if outcome.kind == "changed":
        pinned = pinned_text(svc, lang)
        tail = [pinned] if pinned else []
        return fit([t("tpl_reload_changed", lang, file=name, number=number)],
                   diff_lines(vetting.diff if vetting else None, lang), lang, tail)
    problems = vetting.problems if vetting else ()
    refused = vetting.refused if vetting else {}
    head = [t("tpl_reload_problems", lang, file=name, count=len(problems) + sum(map(len, refused.values())),
              number=number)]
    return fit(head, problem_lines(problems, lang) + refused_lines(refused, lang), lang)


@admins_only
async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload reads the templates file on disk again, with the same checks as an upload."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    outcome = await reload(svc, user.id, user.full_name)
    await _say(context.bot, chat.id, reload_text(svc, outcome, lang))
    if outcome.kind != "unchanged":
        # The other admins learn that the live templates changed, or that the file on disk is broken.
        await _tell_admins(context.bot, svc, outcome, skip=user.id)


async def _tell_admins(bot: Bot, svc: App, outcome: ReloadOutcome, skip: int | None = None) -> None:
    """Tell every admin (but skip) what a reload did, each in their language (each text made once)."""
    texts: dict[str, str] = {}
    for chat_id in svc.access.admin_chats():
        if chat_id != skip:
            lang = language_of(svc, chat_id)
            if lang not in texts:
                texts[lang] = reload_text(svc, outcome, lang)
            await _say(bot, chat_id, texts[lang])


async def reload_and_tell(app: Application) -> None:  # type: ignore[type-arg]
    """Reload the templates file (on SIGHUP) and tell every admin the outcome."""
    svc: App = app.bot_data["services"]
    try:
        outcome = await reload(svc, None, "")
    except Exception:
        log.exception("reloading the templates failed")
        return
    log.info("templates reload on signal: %s", outcome.kind)
    await _tell_admins(app.bot, svc, outcome)


def reload_on_signal(app: Application) -> None:  # type: ignore[type-arg]
    """Start a reload from a signal handler; the task is kept so it is not collected half-way."""
    tasks: set[asyncio.Task[None]] = app.bot_data.setdefault("reload_tasks", set())
    task = asyncio.get_running_loop().create_task(reload_and_tell(app), name="templates-reload")
    tasks.add(task)
    task.add_done_callback(tasks.discard)


# -- start-up ---------------------------------------------------------------------------------------------


async def on_startup(app: Application) -> None:  # type: ignore[type-arg]
    """Tell admins about a templates file that could not be used, and offer only templates Jira accepts."""
    svc: App = app.bot_data["services"]
    found = svc.library
    if found.boot_problems:
        log.error("the templates file was not used:\n%s", "\n".join(found.boot_problems))
        live = live_version(svc)
        for chat_id in svc.access.admin_chats():
            lang = language_of(svc, chat_id)
            head = [t("tpl_boot_problems", lang, file=found.path.name, number=live.number if live else "?")]
            await _say(app.bot, chat_id, fit(head, [f"• {p}" for p in found.boot_problems], lang))
        found.boot_problems = []
    check = await startup_check(svc)
    if not check.checked:
        log.warning("templates not checked against Jira (%s); offering all of them", check.error)
    if check.refused:
        report = "\n".join(format_report(check.refused))
        log.error("templates refused by the Jira check:\n%s", report)
        for chat_id in svc.access.admin_chats():
            await _say(app.bot, chat_id, t("templates_refused", language_of(svc, chat_id), report=report))
