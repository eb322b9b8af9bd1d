"""The approval journey: approvers get a waiting request's card, decide with a tap (a decline with a typed reason),
every copy shows who decided, the requester is told, approvers are reminded while it waits, and a request nobody
decides on in time goes back to its requester."""

from __future__ import annotations

import dataclasses
import html

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot.app import App
from bot.approval.decide import Decision, decide, deciders, due_reminders, expire_due, may_lower, start_decline
from bot.i18n.catalog import t
from bot.jira.ticket import Reporter
from bot.storage.store import Approval
from bot.text.dates import format_moment
from bot.text.screen import clip
from handlers.telegram.callbacks import APPROVAL, FIX, ApprovalTap, Fix
from handlers.telegram.common import acknowledge, drop_buttons, edit, language, language_of, send, services, tapped
from handlers.telegram.render import prompt_text

# How much of a summary the short messages repeat.
SHOWN_SUMMARY = 80


def _name(svc: App, user_id: int) -> str:
    """Return a person's name as the others know them."""
    person = svc.access.person(user_id)
    return (person.name or person.label) if person else str(user_id)


def _who(svc: App, approval: Approval) -> str:
    """Return "Anna Petrova (@anna)" for the requester."""
    person = svc.access.person(approval.user_id)
    return person.label if person else str(approval.user_id)


def _hours(svc: App) -> int | float:
    """Return approval.expire_hours as people read it: 72, or 1.5."""
    hours = svc.config.approval.expire_hours
    return int(hours) if hours.is_integer() else hours


def _summary(svc: App, approval: Approval) -> str:
    request = svc.store.get_request(approval.request_id)
    return clip(request.ticket.summary, SHOWN_SUMMARY) if request else "—"


def _outcome(svc: App, approval: Approval, lang: str) -> str:
    """Say who decided, and how (or that nobody did in time)."""
    if approval.state == "expired":
        return t("approval_outcome_expired", lang, count=_hours(svc))
    name = approval.decided_name or _name(svc, approval.decided_by or 0)
    return t(f"approval_outcome_{approval.verdict}", lang, name=name, reason=approval.reason or "—")


def card(svc: App, approval: Approval, lang: str, *, reminder: bool = False) -> str:
    """Return an approver's view of a waiting request: who asks for what, its summary card, and the outcome."""
    request = svc.store.get_request(approval.request_id)
    priority = (request.ticket.priority if request else None) or "—"
    lead = t("approval_card", lang, who=_who(svc, approval), priority=priority)
    if reminder:
        since = format_moment(approval.asked_at, svc.config.timezone, lang)
        lead = t("approval_reminder", lang, when=since) + "\n" + lead
    hint = "approval_card_hint" if request is not None and may_lower(svc, request) else "approval_card_hint_plain"
    extra = t(hint, lang) if approval.state == "waiting" else _outcome(svc, approval, lang)
    draft = svc.store.request_draft(approval.request_id)
    if draft is None or svc.engine.template_of(draft) is None:
        summary = request.ticket.summary if request else "—"
        return "\n\n".join(html.escape(part) for part in (lead, summary, extra))
    draft.lang = lang
    shown = dataclasses.replace(svc.engine.prompt(draft), buttons=())
    return prompt_text(shown, lead=lead, extra=extra)


def _markup(svc: App, approval: Approval, lang: str) -> InlineKeyboardMarkup | None:
    """Return Approve / Approve as High / Decline for a waiting request."""
    if approval.state != "waiting":
        return None
    request = svc.store.get_request(approval.request_id)

    def button(key: str, action: str) -> InlineKeyboardButton:
        tap = ApprovalTap(action, approval.request_id)  # type: ignore[arg-type]
        return InlineKeyboardButton(t(key, lang), callback_data=APPROVAL.data(tap))

    row = [button("approval_approve", "approve")]
    if request is not None and may_lower(svc, request):
        row.append(button("approval_high", "high"))
    return InlineKeyboardMarkup([row, [button("approval_decline", "decline")]])


async def ask_approvers(bot: Bot, svc: App, request_id: str, *, reminder: bool = False) -> list[int]:
    """Send the request's card to every approver who has no copy yet (all of them for a reminder); return who got it."""
    approval = svc.store.approval(request_id)
    if approval is None or approval.state != "waiting":
        return []
    shown = {chat for chat, _ in approval.messages}
    sent: list[tuple[int, int]] = []
    for user_id in deciders(svc, approval):
        if user_id in shown and not reminder:
            continue
        lang = language_of(svc, user_id)
        message_id = await send(bot, user_id, card(svc, approval, lang, reminder=reminder),
                                _markup(svc, approval, lang))
        if message_id is not None:
            sent.append((user_id, message_id))
    if sent:
        latest = svc.store.add_approval_messages(request_id, sent)
        if latest is not None and latest.state != "waiting":
            # Decided while the others were still being told: their copies must show it too.
            await settle(bot, svc, latest)
    return [user_id for user_id, _ in sent]


def waiting_text(svc: App, request_id: str, reached: list[int], lang: str) -> str:
    """Tell the requester their request waits for approval, and by whom."""
    request = svc.store.get_request(request_id)
    priority = (request.ticket.priority if request else None) or "—"
    if not reached:
        return t("approval_waiting_nobody", lang, priority=priority)
    names = ", ".join(clip(_name(svc, user_id), 40) for user_id in dict.fromkeys(reached))
    return t("approval_waiting", lang, priority=priority, approvers=names)


async def settle(bot: Bot, svc: App, approval: Approval) -> None:
    """Show the outcome on every approver's copy of the request."""
    for chat_id, message_id in approval.messages:
        await edit(bot, chat_id, message_id, card(svc, approval, language_of(svc, chat_id)), None)


async def _tell_requester(bot: Bot, svc: App, approval: Approval) -> None:
    """Tell the requester how it was decided; a declined request can be changed and sent again."""
    lang = language_of(svc, approval.user_id)
    name, summary = approval.decided_name or "—", _summary(svc, approval)
    markup = None
    if approval.state == "expired":
        text = t("approval_expired", lang, summary=summary, count=_hours(svc))
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("approval_change", lang), callback_data=FIX.data(Fix(approval.request_id)))]])
    elif approval.verdict == "decline":
        text = t("approval_declined", lang, name=name, summary=summary, reason=approval.reason or "—")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t("approval_change", lang), callback_data=FIX.data(Fix(approval.request_id)))]])
    else:
        text = t(f"approval_{'approved_high' if approval.verdict == 'high' else 'approved'}", lang, name=name,
                 summary=summary)
    await send(bot, approval.chat_id, html.escape(text), markup)


async def _refused(bot: Bot, svc: App, decision: Decision, lang: str, message: Message | None) -> str:
    """Return the alert for a tap that changed nothing, bringing this copy up to date if it is one."""
    approval = decision.approval
    if decision.refusal == "decided" and approval is not None:
        alert = t("approval_refused_decided", lang, name=clip(approval.decided_name or "—", 60))
    else:
        alert = t(f"approval_refused_{decision.refusal or 'gone'}", lang)
    # Only a copy of this very request is brought up to date: forged data must not touch any other message.
    if (message is not None and approval is not None and approval.state != "waiting"
            and (message.chat.id, message.message_id) in approval.messages):
        await edit(bot, message.chat.id, message.message_id, card(svc, approval, lang), None)
    return alert


async def on_decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Applies an approver's Approve / Approve as High, asks a Decline's reason, or keeps the request waiting."""
    query, actor = update.callback_query, update.effective_user
    assert query is not None and actor is not None
    tap = await tapped(query, APPROVAL)
    if tap is None:
        return
    svc, lang = services(context), language(actor)
    message = query.message if isinstance(query.message, Message) else None
    chat_id = message.chat.id if message is not None else actor.id
    if tap.action == "keep":
        if svc.store.reason_asked(actor.id) == tap.request_id:
            svc.store.drop_reason(actor.id)
        approval = svc.store.approval(tap.request_id)
        if approval is not None and approval.state == "waiting":
            await acknowledge(query, t("approval_kept", lang))
        else:
            await acknowledge(query, await _refused(context.bot, svc, Decision(approval, "decided" if approval else
                                                                               "gone"), lang, None))
        await drop_buttons(context.bot, chat_id, message.message_id if message else None)
        return
    if tap.action == "decline":
        refusal = start_decline(svc, tap.request_id, actor.id, chat_id)
        if refusal is not None:
            alert = await _refused(context.bot, svc, Decision(svc.store.approval(tap.request_id), refusal), lang,
                                   message)
            await acknowledge(query, alert, show_alert=True)
            return
        await acknowledge(query)
        approval = svc.store.approval(tap.request_id)
        assert approval is not None
        keep = ApprovalTap("keep", tap.request_id)
        await send(context.bot, chat_id, html.escape(t("approval_reason_ask", lang, summary=_summary(svc, approval),
                                                       who=_who(svc, approval))),
                   InlineKeyboardMarkup([[InlineKeyboardButton(t("approval_keep", lang),
                                                               callback_data=APPROVAL.data(keep))]]))
        return
    decision = decide(svc, tap.request_id, tap.action, Reporter(actor.id, actor.full_name, actor.username))
    if decision.refusal is not None or decision.approval is None:
        await acknowledge(query, await _refused(context.bot, svc, decision, lang, message), show_alert=True)
        return
    await acknowledge(query)
    await settle(context.bot, svc, decision.approval)
    await _tell_requester(context.bot, svc, decision.approval)


async def on_reason(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Declines the request with the text the approver typed as its reason; nothing else hears that text."""
    message, actor = update.effective_message, update.effective_user
    assert message is not None and actor is not None
    svc, lang = services(context), language(actor)
    request_id = svc.store.reason_asked(actor.id)
    svc.store.drop_reason(actor.id)
    if request_id is None:
        return
    decision = decide(svc, request_id, "decline", Reporter(actor.id, actor.full_name, actor.username),
                      message.text or "")
    approval = decision.approval
    if decision.refusal is not None or approval is None:
        await send(context.bot, message.chat.id, html.escape(await _refused(context.bot, svc, decision, lang, None)))
        raise ApplicationHandlerStop
    await send(context.bot, message.chat.id, html.escape(t("approval_declined_done", lang, who=_who(svc, approval))))
    await settle(context.bot, svc, approval)
    await _tell_requester(context.bot, svc, approval)
    raise ApplicationHandlerStop


class _TypingReason(filters.MessageFilter):
    """Text from an approver who tapped Decline and is asked for the reason."""

    def __init__(self, svc: App) -> None:
        super().__init__(name="typing_reason")
        self.svc = svc

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and self.svc.store.reason_asked(user.id) is not None


def reason_handler(svc: App) -> MessageHandler:  # type: ignore[type-arg]
    """Return the handler that takes a decline's typed reason, before replies and answers see the text."""
    return MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & _TypingReason(svc), on_reason)


async def close_unanswered(bot: Bot, svc: App) -> int:
    """Close the requests nobody decided on within approval.expire_hours: copies show it, requesters get them back."""
    closed = expire_due(svc)
    for approval in closed:
        await settle(bot, svc, approval)
        await _tell_requester(bot, svc, approval)
    return len(closed)


async def remind_due(bot: Bot, svc: App) -> int:
    """Remind the approvers of every request that waited another approval.remind_hours; return how many."""
    due = due_reminders(svc)
    for approval in due:
        await ask_approvers(bot, svc, approval.request_id, reminder=True)
    return len(due)

