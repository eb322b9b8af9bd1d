"""Voice notes: one sent outside a dialog is read as a typed ask, one sent at a question as the typed answer."""

from __future__ import annotations

import contextlib

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.intake.draft import Spoken
from bot.intake.speech import Heard, hear
from bot.jira.ticket import Attachment
from bot.storage.store import StoredDraft
from handlers.telegram.common import language, reporter, services
from handlers.telegram.journeys import freeform
from handlers.telegram.journeys.drafts import apply, attachment_of, show, step_of


def takes(update: Update, context: ContextTypes.DEFAULT_TYPE, stored: StoredDraft | None) -> bool:
    """Say whether this message is a voice note to read (an ask, or the answer to the question asked)."""
    message = update.effective_message
    if message is None or message.voice is None:
        return False
    return services(context).engine.listens(stored.draft if stored else None) is not None


async def _listen(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message) -> tuple[Attachment, Heard]:
    """Transcribe the message's voice note in the user's language."""
    svc, chat = services(context), update.effective_chat
    assert message.voice is not None and chat is not None
    audio = attachment_of(message)
    assert audio is not None
    if svc.speech is not None:
        # Only a courtesy while the endpoint listens: a failed "typing…" must not cost the note.
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    # As the Bot API sent it (whole seconds), without the deprecated int-or-timedelta attribute.
    duration = message.voice.to_dict().get("duration")
    seconds = int(duration) if isinstance(duration, int | float) else None
    heard = await hear(svc.speech, svc.files, audio, seconds, language(update.effective_user))
    svc.metrics.transcriptions.labels(heard.problem or "heard").inc()
    return audio, heard


async def take(update: Update, context: ContextTypes.DEFAULT_TYPE, stored: StoredDraft | None) -> None:
    """Reads the voice note as an ask or as the answer, or keeps it and asks for the words typed."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    svc = services(context)
    audio, heard = await _listen(update, context, message)
    if stored is not None and svc.engine.listens(stored.draft) == "answer":
        await apply(context.bot, svc, chat.id, stored, step_of(svc, stored, Spoken(audio, heard.text, heard.problem)))
        return
    if heard.text is not None:
        if stored is not None:
            # The empty draft gives way to the one the spoken ask starts; its buttons stay, harmless (see show).
            svc.store.delete_draft(user.id)
        await freeform.start(update, context, heard.text, spoken=audio,
                             kept=stored.draft.kept_files if stored is not None else ())
        return
    draft = stored.draft if stored is not None else svc.engine.new_draft(reporter(user), language(user))
    step = svc.engine.start_unheard(draft, audio, heard.problem or "down")
    # Persisted before the reply: the note is kept for the request whatever comes next.
    svc.store.save_draft(draft, chat.id, stored.prompt_message_id if stored else None)
    await show(context.bot, svc, chat.id, user.id, step.prompt or svc.engine.prompt(draft), step.notice,
               edit_id=None, old_id=stored.prompt_message_id if stored else None)
