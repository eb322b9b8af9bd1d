"""The guided dialog: one question at a time, from template choice to a confirmed request.

The engine knows nothing of Telegram. It takes a Draft (plain data that can be stored and reloaded)
and an Action (typed text, a tapped button, files), changes the draft and says what to show next.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from rapidfuzz import fuzz, process

from bot.i18n.catalog import LANGUAGES, MESSAGES, t
from bot.i18n.plural import format_number
from bot.intake.customers import CustomerDirectory
from bot.intake.draft import (
    Action,
    Button,
    Draft,
    Files,
    Prompt,
    Spoken,
    Step,
    Tap,
    Text,
    Unsupported,
)
from bot.intake.extract import Extraction, extract, is_sure, score_templates
from bot.intake.model_hints import MODEL_EVIDENCE, ModelHints
from bot.jira.ticket import Attachment, Forwarded, Reporter, Ticket, display, effective_answers, render_ticket
from bot.templates.rubric import Evidence, Names, Verdict, reason_text
from bot.templates.schema import Question, Template, TemplateSet, applies
from bot.text.dates import QUICK_DATES, format_date, format_length, parse_date, quick_date
from bot.text.numbers import parse_amount
from bot.text.screen import clip, short_label, visible

CARD_VALUE_LIMIT = 300
GUESSED_MARK = " ✎"
# Jira's default priority scheme, highest first; other names follow in alphabetical order.
JIRA_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
# A reason is a sentence for the engineers, not a shrug; and it fits the card.
MIN_REASON, MAX_REASON = 10, 300
# A message this many words long at the template choice is an ask, not a template's name.
FREE_FORM_WORDS = 4
# The summary card offers a one-tap correction for at most this many guessed answers.
MAX_FIX_BUTTONS = 4
# Telegram shows about this many characters of a button label on a phone; longer ones are clipped.
BUTTON_LABEL_LIMIT = 60


def names_in(template: Template) -> Names:
    """Word the rubric's answer reasons with this template's question texts and answer labels."""

    def names(question_id: str, value: str, lang: str) -> tuple[str, str]:
        try:
            question = template.question(question_id)
        except KeyError:  # a rule about a question the template no longer has
            return question_id, value
        option = question.option(value)
        return short_label(question.text.get(lang), BUTTON_LABEL_LIMIT), option.label.get(lang) if option else value

    return names




def question_buttons(question: Question, lang: str, *, candidates: Sequence[str] = (), typed: str | None = None,
                     has_files: bool = False, editing: bool = False
                     ) -> tuple[list[tuple[Button, ...]], tuple[Button, ...]]:
    """Return the rows of answer buttons under a question, and its Back / Skip / To summary row."""
    rows: list[tuple[Button, ...]] = []
    if question.type == "choice":
        rows.extend((Button(clip(o.label.get(lang), BUTTON_LABEL_LIMIT), f"opt:{i}"),)
                    for i, o in enumerate(question.options))
    elif question.type == "date":
        rows.append(tuple(Button(t(f"date_{token}", lang), f"date:{token}") for token in ("today", "tomorrow")))
        quick = [Button(t("date_week", lang), "date:week")]
        if not question.required:
            quick.append(Button(t("date_none", lang), "date:none"))
        rows.append(tuple(quick))
    elif question.type == "customer" and candidates:
        rows.extend((Button(clip(name, BUTTON_LABEL_LIMIT), f"cust:{i}"),) for i, name in enumerate(candidates))
        rows.append((Button(clip(t("new_customer", lang, name=typed or ""), BUTTON_LABEL_LIMIT), "cust:new"),))
    elif question.type == "attachments":
        rows.append((Button(t("done", lang), "done"),))
    nav = [Button(t("back", lang), "back")]
    # A date's own "no deadline" button stands for Skip; so does Done once files came.
    if not question.required and question.type != "date" and not (question.type == "attachments" and has_files):
        nav.append(Button(t("skip", lang), "skip"))
    if editing:
        nav.append(Button(t("to_summary", lang), "summary"))
    return rows, tuple(nav)


class Engine:
    """Runs the guided dialog: new drafts on the live template set, drafts in progress on the one they began on."""

    def __init__(
        self,
        templates: TemplateSet,
        customers: CustomerDirectory,
        *,
        clock: Callable[[], datetime],
        default_project: str,
        jira_lang: str = "en",
        file_limit: int | None = 20 * 1024 * 1024,
        upload_limit: int | None = None,
        voice_seconds: int = 300,
    ) -> None:
        self.templates = templates
        self.customers = customers
        self.clock = clock
        self.default_project = default_project
        self.jira_lang = jira_lang
        self.file_limit = file_limit
        self.upload_limit = upload_limit
        self.voice_seconds = voice_seconds  # the longest voice note transcribed
        # Finds the set of an earlier published version by its hash, so a draft finishes on what it started.
        self.older: Callable[[str], TemplateSet | None] | None = None
        # Says what to expect for a request of a template and priority, in a language (None: nothing to say).
        self.expect: Callable[[Template, str | None, str], str | None] | None = None

    def publish(self, templates: TemplateSet) -> None:
        """Make a template set live: new drafts use it at once, drafts in progress keep their own version."""
        self.templates = templates

    def set_of(self, draft: Draft) -> TemplateSet:
        """Return the template set a draft was started on; the live one when that version is unknown."""
        version = draft.template_version
        if version is None or version == self.templates.version or self.older is None:
            return self.templates
        return self.older(version) or self.templates

    # -- entry points -------------------------------------------------------------------------

    def new_draft(self, reporter: Reporter, lang: str) -> Draft:
        """Start a draft at the template choice."""
        # Buttons of earlier drafts stay in the chat. Starting each draft's prompt numbers at random keeps a tap
        # on one of them from matching the new draft: two drafts' ranges (tens of steps each) meet about once in
        # ten million.
        return Draft(id=uuid.uuid4().hex[:16], user_id=reporter.id, lang=lang, reporter=reporter,
                     seq=secrets.randbelow(1 << 31))

    def reopen(self, draft: Draft) -> Prompt:
        """Bring a stored draft back to its summary card, for correcting and sending again."""
        draft.stage, draft.current, draft.editing = "summary", None, False
        draft.seq += 1
        return self.prompt(draft)

    def start_from_message(self, draft: Draft, text: str, *, forwarded: bool = False,
                           forwarded_from: str | None = None, files: tuple[Attachment, ...] = (),
                           hints: ModelHints | None = None, spoken: Attachment | None = None) -> Step:
        """Start a draft from a free-form message: prefill what it says (and a model's hints) and ask the rest.

        A spoken ask (spoken: its voice note) is read the same way; the note goes to the issue as well.
        """
        draft.ask, draft.forwarded, draft.forwarded_from = text, forwarded, forwarded_from
        if spoken is not None:
            self.keep_file(draft, spoken)
        refused = {f.file_id: self._too_big(f, draft.lang) for f in files}
        draft.ask_files = [f.to_dict() for f in files if refused[f.file_id] is None]
        notice = "\n".join(problem for problem in refused.values() if problem) or None
        extraction = extract(text, self.templates, self.customers, self.today(), forwarded_from=forwarded_from,
                             hints=hints)
        template = self.templates.get(extraction.template_id)
        heard = t("voice_heard", draft.lang, text=clip(text, 300)) if spoken is not None else None
        if template is None or not is_sure(extraction):
            draft.stage, draft.template_id, draft.current = "template", None, None
            draft.seq += 1
            return Step(self._template_prompt(draft), notice, lead=heard)
        step = self._prefill(draft, template, extraction)
        lead = "\n".join(line for line in (heard, step.lead) if line) or None
        return dataclasses.replace(step, notice="\n".join(n for n in (notice, step.notice) if n) or None, lead=lead)

    def start_unheard(self, draft: Draft, audio: Attachment, problem: str) -> Step:
        """Start a draft from a voice note that could not be read: keep the note, say why, and ask for the text."""
        self.keep_file(draft, audio)
        draft.stage, draft.template_id, draft.current = "template", None, None
        draft.seq += 1
        return Step(self._template_prompt(draft), unheard(problem, draft.lang, self.voice_seconds))

    @staticmethod
    def keep_file(draft: Draft, item: Attachment) -> None:
        """Attach a file to the issue whatever the form asks (once, however often it comes)."""
        if all(f["file_id"] != item.file_id for f in draft.kept_files):
            draft.kept_files.append(item.to_dict())

    def _on_spoken(self, draft: Draft, action: Spoken) -> Step:
        """Take a voice note: at a question, what it said answers it (marked ✎ for a one-tap fix); else it is a file."""
        template = self.template_of(draft)
        if template is not None and draft.stage == "summary" and draft.disputing != "pick":
            return self._spoken_at_card(draft, template, action)
        question = template.question(draft.current) if template and draft.stage == "question" and draft.current \
            else None
        if template is None or question is None or question.type == "attachments":
            return self.handle(draft, Files((action.audio,)))
        self.keep_file(draft, action.audio)
        if action.text is None:
            notice = unheard(action.problem or "down", draft.lang, self.voice_seconds)
            return self._retry(draft, template, question, notice, changed=True)
        seq = draft.seq
        step = self._on_question(draft, template, question, Text(action.text))
        heard = t("voice_heard", draft.lang, text=clip(action.text, 300))
        if draft.seq != seq and draft.current != question.id and draft.answers.get(question.id) is not None:
            # Marked as guessed: a misheard word is one tap away on the card.
            draft.guessed[question.id] = action.text
            step = dataclasses.replace(step, prompt=self.prompt(draft))
        return dataclasses.replace(step, changed=True, lead=heard)

    def _spoken_at_card(self, draft: Draft, template: Template, action: Spoken) -> Step:
        """Take a voice note at the card (as typed text there) or as the reason for another priority; keep it."""
        self.keep_file(draft, action.audio)
        if action.text is None:
            prompt = self._dispute_prompt(draft, template) if draft.disputing else self._summary_prompt(draft, template)
            return Step(prompt, unheard(action.problem or "down", draft.lang, self.voice_seconds))
        heard = t("voice_heard", draft.lang, text=clip(action.text, 300))
        if draft.disputing:
            step = self._on_dispute(draft, template, Text(action.text))
        else:
            step = self._revise(draft, template, action.text, spoken=True)
        lead = "\n".join(line for line in (heard, step.lead) if line)
        return dataclasses.replace(step, changed=True, lead=lead)

    def choose(self, draft: Draft, template_id: str) -> Step:
        """Pick a template directly (console --template, a deep link)."""
        return self.handle(draft, Tap(f"tpl:{template_id}"))

    def template_of(self, draft: Draft) -> Template | None:
        """Return the draft's template in the version it was started on, if it still exists."""
        return self.set_of(draft).get(draft.template_id) if draft.template_id else None

    def prompt(self, draft: Draft) -> Prompt:
        """Return the prompt for where the draft stands now."""
        template = self.template_of(draft)
        if draft.stage == "template" or template is None:
            return self._template_prompt(draft)
        if draft.stage == "summary":
            return self._summary_prompt(draft, template) if draft.disputing is None \
                else self._dispute_prompt(draft, template)
        if draft.stage == "edit":
            return self._edit_prompt(draft, template)
        return self._question_prompt(draft, template, template.question(draft.current or ""))

    def today(self) -> date:
        """Return today's date in the configured time zone."""
        return self.clock().date()

    def preview(self, draft: Draft, filed_at: datetime | None = None) -> Ticket:
        """Render the Jira issue the draft would create."""
        template = self.template_of(draft)
        if template is None:
            raise ValueError(f"draft {draft.id} has no template")
        return self._render(draft, template, self.rate(draft, template), filed_at)

    def _render(self, draft: Draft, template: Template, verdict: Verdict | None,
                filed_at: datetime | None = None) -> Ticket:
        chat = str(draft.origin["title"]) if draft.origin else None
        forwarded = Forwarded(draft.forwarded_from, draft.ask, chat=chat) if draft.forwarded and draft.ask else None
        if draft.ask and not draft.forwarded and not self._ask_kept(draft, template):
            forwarded = Forwarded(None, draft.ask, typed=True)
        rated = (verdict.priority, reason_text(verdict, self.jira_lang, names_in(template))) if verdict else None
        override = draft.priority_override
        if override is not None:
            rated = (override["priority"], t("priority_override_why", self.jira_lang, priority=override["priority"],
                                              reason=override["reason"], rubric=rated[1] if rated else "—"))
        return render_ticket(template, draft.answers, draft.reporter, filed_at or self.clock(),
                             default_project=self.default_project, lang=self.jira_lang, forwarded=forwarded,
                             rated=rated, extra_files=tuple(Attachment.from_dict(f) for f in draft.kept_files))

    @staticmethod
    def _ask_kept(draft: Draft, template: Template) -> bool:
        """Say whether a text answer still holds the whole ask (a long ask is cut to the question's limit)."""
        words = " ".join((draft.ask or "").split())
        return any(isinstance(draft.answers.get(q.id), str) and words in " ".join(draft.answers[q.id].split())
                   for q in template.questions if q.type == "text")

    def rate(self, draft: Draft, template: Template) -> Verdict | None:
        """Return the priority the admins' rubric gives this draft, and why, if a rule matches."""
        answers = effective_answers(template, draft.answers)
        deal = next((answers[q.id] for q in template.questions
                     if q.type == "number" and isinstance(answers.get(q.id), int | float)), None)
        due_text = next((answers[q.id] for q in template.questions
                         if q.type == "date" and isinstance(answers.get(q.id), str)), None)
        try:
            due = date.fromisoformat(due_text) if due_text else None
        except ValueError:
            due = None
        texts = [str(answers[q.id]) for q in template.questions if q.type == "text" and answers.get(q.id)]
        if draft.ask and draft.ask not in texts:
            texts.append(draft.ask)
        evidence = Evidence(float(deal) if deal is not None else None, due, self.today(), answers, "\n".join(texts))
        return self.set_of(draft).rubric.decide(template.id, evidence)

    def handle(self, draft: Draft, action: Action) -> Step:
        """Apply one user action to the draft and return what to show next."""
        if isinstance(action, Spoken):
            return self._on_spoken(draft, action)
        if isinstance(action, Tap):
            if action.token == "cancel":
                return Step(None, outcome="cancelled")
            if action.seq is not None and action.seq != draft.seq:
                return Step(self.prompt(draft), notice=t("stale_button", draft.lang), changed=False)
            if action.token == "switch" and draft.ask:
                draft.stage, draft.current, draft.editing, draft.disputing = "template", None, False, None
                draft.seq += 1
                return Step(self._template_prompt(draft))
        template = self.template_of(draft)
        if draft.stage == "template" or template is None:
            if draft.stage != "template":
                draft.stage, draft.template_id = "template", None
            return self._on_template(draft, action)
        if draft.stage == "summary" and draft.disputing is not None:
            return self._on_dispute(draft, template, action)
        if draft.stage == "summary":
            return self._on_summary(draft, template, action)
        if draft.stage == "edit":
            return self._on_edit(draft, template, action)
        return self._on_question(draft, template, template.question(draft.current or ""), action)

    # -- template choice ----------------------------------------------------------------------

    def _template_prompt(self, draft: Draft) -> Prompt:
        templates = list(self.templates.templates)
        if draft.ask:
            # The likeliest kinds first: the message's keywords decide the order.
            order = {tid: rank for rank, (tid, _) in enumerate(score_templates(self.templates, draft.ask))}
            templates.sort(key=lambda tpl: order.get(tpl.id, len(order)))
        buttons = tuple((Button(clip(tpl.title.get(draft.lang), 60), f"tpl:{tpl.id}"),) for tpl in templates)
        lines = [f"• {tpl.title.get(draft.lang)} — {tpl.description.get(draft.lang)}".rstrip(" —")
                 for tpl in templates]
        key = "choose_template_for_ask" if draft.ask else "choose_template"
        text = t(key, draft.lang) if templates else t("no_templates", draft.lang)
        return Prompt(text, draft.seq, "template", buttons, hint="\n".join(lines) or None)

    def _titled(self, draft: Draft, text: str) -> Template | None:
        """Return the template whose title the text names, allowing for typos."""
        titles = {tpl.id: tpl.title.get(draft.lang) for tpl in self.templates.templates}
        # A few words may name a title loosely ("feature deal"); a sentence must be the title, typos aside.
        # Weighted partial matching would find "a feature for a deal" in any longer sentence about a deal.
        short = len(text.split()) < FREE_FORM_WORDS
        found = process.extractOne(text, titles, scorer=fuzz.WRatio if short else fuzz.ratio,
                                   processor=str.casefold, score_cutoff=85)
        return self.templates.get(found[2]) if found else None

    def listens(self, draft: Draft | None) -> str | None:
        """Say what a voice note would be now: "ask" (no request yet), "answer" (to the question asked, or words at
        the card), or None (a file)."""
        if draft is None or (draft.stage == "template" and not draft.ask):
            return "ask"
        template = self.template_of(draft)
        if template is not None and draft.stage == "summary" and draft.disputing != "pick":
            # At the card, or asked for the reason of another priority: read as the words typed there would be.
            return "answer"
        if template is None or draft.stage != "question" or not draft.current:
            return None
        try:
            question = template.question(draft.current)
        except KeyError:
            return None
        return "answer" if question.type != "attachments" else None

    def reads_as_ask(self, draft: Draft, text: str) -> bool:
        """Say whether text typed at the template choice is a whole ask rather than a template's name."""
        return (draft.stage == "template" and not draft.ask and len(text.split()) >= FREE_FORM_WORDS
                and self._titled(draft, text) is None)

    def _on_template(self, draft: Draft, action: Action) -> Step:
        chosen: Template | None = None
        if isinstance(action, Tap) and action.token.startswith("tpl:"):
            chosen = self.templates.get(action.token[4:])
        elif isinstance(action, Text):
            if self.reads_as_ask(draft, action.text):
                return self.start_from_message(draft, action.text)
            chosen = self._titled(draft, action.text)
        if chosen is None:
            return Step(self._template_prompt(draft), notice=t("err_use_buttons", draft.lang), changed=False)
        if draft.ask:
            extraction = extract(draft.ask, self.templates, self.customers, self.today(),
                                 forwarded_from=draft.forwarded_from, template_id=chosen.id)
            return self._prefill(draft, chosen, extraction)
        draft.template_id, draft.template_version = chosen.id, self.templates.version
        draft.answers, draft.editing = {}, False
        return self._ask(draft, chosen, self._next(chosen, draft.answers, None))

    def _prefill(self, draft: Draft, template: Template, extraction: Extraction) -> Step:
        """Fill the template with what the message says; ask the required questions it leaves open."""
        draft.template_id, draft.template_version = template.id, self.templates.version
        draft.answers = extraction.answers()
        draft.guessed = {g.question_id: g.evidence for g in extraction.guesses}
        files_question = next((q for q in template.questions if q.type == "attachments"), None)
        if files_question is not None and draft.ask_files:
            draft.answers[files_question.id] = list(draft.ask_files)
        unclear = self._unclear_date(template, extraction, draft.answers)
        for question in template.questions:
            # Optional questions the message does not answer are left for Edit, not asked one by one; but a
            # deadline the message names too loosely for a date ("after the holidays") is asked, never dropped.
            if not question.required and question.id not in draft.answers and question is not unclear:
                draft.answers[question.id] = None
        # From here on the dialog works like editing: each answer leads to the next one still open.
        draft.editing = True
        notice = None
        if unclear is not None and extraction.unclear_deadline:
            notice = t("unclear_deadline", draft.lang, words=clip(extraction.unclear_deadline, 60))
        step = self._ask(draft, template, self._first_unanswered(template, draft.answers), notice)
        return dataclasses.replace(step, lead=t("prefilled", draft.lang, template=template.title.get(draft.lang)))

    @staticmethod
    def _unclear_date(template: Template, extraction: Extraction, answers: Mapping[str, Any]) -> Question | None:
        """The date question to ask because the message names a deadline but no date for it, if any."""
        if not extraction.unclear_deadline:
            return None
        dates = [q for q in template.questions if q.type == "date"]
        preferred = [q for q in dates if q.jira_field == "duedate"] or dates
        if not preferred or any(answers.get(q.id) for q in dates):
            return None
        return preferred[0]

    # -- questions ----------------------------------------------------------------------------

    def _visible(self, template: Template, answers: Mapping[str, Any]) -> list[Question]:
        return [q for q in template.questions if applies(q, answers) is not False]

    def _next(self, template: Template, answers: Mapping[str, Any], after: str | None) -> Question | None:
        ids = [q.id for q in template.questions]
        start = ids.index(after) + 1 if after in ids else 0
        for question in template.questions[start:]:
            if applies(question, answers) is not False:
                return question
        return None

    def _first_unanswered(self, template: Template, answers: Mapping[str, Any]) -> Question | None:
        return next((q for q in self._visible(template, answers) if q.id not in answers), None)

    def _ask(self, draft: Draft, template: Template, question: Question | None, notice: str | None = None
             ) -> Step:
        draft.seq += 1
        draft.candidates, draft.typed, draft.disputing = [], None, None
        if question is None:
            draft.stage, draft.current, draft.editing = "summary", None, False
            return Step(self._summary_prompt(draft, template), notice)
        draft.stage, draft.current = "question", question.id
        existing = draft.answers.get(question.id)
        draft.files = list(existing) if question.type == "attachments" and existing else []
        return Step(self._question_prompt(draft, template, question), notice)

    def _advance(self, draft: Draft, template: Template, question: Question, value: Any,
                 notice: str | None = None) -> Step:
        draft.answers[question.id] = value
        draft.guessed.pop(question.id, None)
        if draft.editing:
            return self._ask(draft, template, self._first_unanswered(template, draft.answers), notice)
        following = self._next(template, draft.answers, question.id)
        if following is not None and following.id in draft.answers:
            # Coming forward again after Back: skip to the first question still open.
            following = self._first_unanswered(template, draft.answers)
        return self._ask(draft, template, following, notice)

    def _question_prompt(self, draft: Draft, template: Template, question: Question) -> Prompt:
        lang = draft.lang
        visible = self._visible(template, draft.answers)
        position = next((i for i, q in enumerate(visible) if q.id == question.id), len(visible) - 1) + 1
        hint: str | None = question.hint.get(lang) if question.hint else t(f"hint_{question.type}", lang)
        text = question.text.get(lang)
        if question.type == "customer" and draft.candidates:
            text, hint = t("pick_customer", lang), None
        elif question.type == "attachments" and draft.files:
            names = ", ".join(Attachment.from_dict(f).name for f in draft.files)
            hint = t("files_so_far", lang, count=len(draft.files), names=clip(names, 200))
        rows, nav = question_buttons(question, lang, candidates=draft.candidates, typed=draft.typed,
                                     has_files=bool(draft.files), editing=draft.editing)
        rows.append(nav)
        if draft.ask and len(self.templates.templates) > 1:
            rows.append((Button(t("switch_template", lang), "switch"),))
        current = None
        if question.id in draft.answers and draft.answers[question.id] is not None and question.type != "attachments":
            current = clip(display(question, draft.answers[question.id], lang), CARD_VALUE_LIMIT)
        return Prompt(text, draft.seq, "question", tuple(rows), (position, len(visible)), hint, current)

    def _on_question(self, draft: Draft, template: Template, question: Question, action: Action) -> Step:
        lang = draft.lang
        if isinstance(action, Tap):
            token = action.token
            if token == "back":
                return self._back(draft, template)
            if token == "summary" and draft.editing:
                return self._ask(draft, template, self._first_unanswered(template, draft.answers))
            if token == "skip" or (token == "date:none" and question.type == "date"):
                if question.required:
                    return self._retry(draft, template, question, t("not_optional", lang))
                return self._advance(draft, template, question, None)
        if isinstance(action, Unsupported):
            key = f"kind_{action.kind}" if f"kind_{action.kind}" in MESSAGES else "kind_other"
            kind = t(key, lang)
            return self._retry(draft, template, question, t("err_unsupported", lang, kind=kind))
        handler = getattr(self, f"_answer_{question.type}")
        step: Step = handler(draft, template, question, action)
        return step

    def _retry(self, draft: Draft, template: Template, question: Question, notice: str,
               changed: bool = False) -> Step:
        return Step(self._question_prompt(draft, template, question), notice, changed=changed)

    def _back(self, draft: Draft, template: Template) -> Step:
        if draft.editing:
            # A changed answer may have made a question apply that still needs answering.
            return self._ask(draft, template, self._first_unanswered(template, draft.answers))
        visible = [q.id for q in self._visible(template, draft.answers)]
        index = visible.index(draft.current) if draft.current in visible else len(visible)
        if index == 0:
            draft.stage, draft.template_id, draft.current = "template", None, None
            draft.seq += 1
            return Step(self._template_prompt(draft))
        return self._ask(draft, template, template.question(visible[index - 1]))

    def _answer_text(self, draft: Draft, template: Template, question: Question, action: Action) -> Step:
        lang = draft.lang
        if not isinstance(action, Text):
            kind = "file" if isinstance(action, Files) else "other"
            return self._retry(draft, template, question, t("err_unsupported", lang, kind=t(f"kind_{kind}", lang)))
        value = visible(action.text)
        if not value:
            return self._retry(draft, template, question, t("err_empty", lang))
        if question.min_length is not None and len(value) < question.min_length:
            return self._retry(draft, template, question,
                               t("err_too_short", lang, count=question.min_length, length=len(value)))
        if question.max_length is not None and len(value) > question.max_length:
            return self._retry(draft, template, question,
                               t("err_too_long", lang, count=len(value), max=format_number(question.max_length, lang)))
        return self._advance(draft, template, question, value)

    def _answer_choice(self, draft: Draft, template: Template, question: Question, action: Action) -> Step:
        if isinstance(action, Tap) and action.token.startswith("opt:"):
            index = int(action.token[4:]) if action.token[4:].isdigit() else -1
            if 0 <= index < len(question.options):
                return self._advance(draft, template, question, question.options[index].value)
        if isinstance(action, Text) and action.text.strip():
            labels = {o.value: o.label.get(draft.lang) for o in question.options}
            labels.update({f"{o.value}\0v": o.value for o in question.options})
            found = process.extractOne(action.text.strip(), labels, scorer=fuzz.WRatio, score_cutoff=85)
            if found:
                return self._advance(draft, template, question, str(found[2]).split("\0")[0])
        return self._retry(draft, template, question, t("err_use_buttons", draft.lang))

    def _answer_customer(self, draft: Draft, template: Template, question: Question, action: Action) -> Step:
        lang = draft.lang
        if isinstance(action, Tap) and action.token.startswith("cust:"):
            choice = action.token[5:]
            if choice == "new" and draft.typed:
                return self._advance(draft, template, question, draft.typed)
            if choice.isdigit() and int(choice) < len(draft.candidates):
                return self._advance(draft, template, question, draft.candidates[int(choice)])
        if not isinstance(action, Text):
            return self._retry(draft, template, question, t("hint_customer", lang))
        typed = " ".join(visible(action.text).split())
        if not typed:
            return self._retry(draft, template, question, t("err_empty", lang))
        if len(typed) > 200:
            return self._retry(draft, template, question,
                               t("err_too_long", lang, count=len(typed), max=format_number(200, lang)))
        matches = self.customers.match(typed)
        exact = [m for m in matches if m.exact]
        if len(exact) == 1:
            return self._advance(draft, template, question, exact[0].name)
        if not matches:
            return self._advance(draft, template, question, typed)
        draft.candidates, draft.typed = [m.name for m in matches], typed
        draft.seq += 1
        return Step(self._question_prompt(draft, template, question))

    def _answer_date(self, draft: Draft, template: Template, question: Question, action: Action) -> Step:
        lang, today = draft.lang, self.today()
        if isinstance(action, Tap) and action.token.startswith("date:") and action.token[5:] in ("today", "tomorrow",
                                                                                                  "week"):
            return self._advance(draft, template, question, quick_date(action.token[5:], today).isoformat())
        if not isinstance(action, Text):
            return self._retry(draft, template, question, t("err_use_buttons", lang))
        text = visible(action.text)
        if not text:
            return self._retry(draft, template, question, t("err_empty", lang))
        typed_button = _quick_label(text)
        if typed_button == "none" and not question.required:
            return self._advance(draft, template, question, None)
        if typed_button in QUICK_DATES:
            return self._advance(draft, template, question, quick_date(typed_button, today).isoformat())
        found = parse_date(text, today, (lang, "en", "ru", "de"))
        if found is None:
            return self._retry(draft, template, question, t("err_bad_date", lang, text=clip(text, 40)))
        if found < today:
            return self._retry(draft, template, question, t("err_past_date", lang, date=format_date(found, lang)))
        return self._advance(draft, template, question, found.isoformat())

    def _answer_number(self, draft: Draft, template: Template, question: Question, action: Action) -> Step:
        lang = draft.lang
        if not isinstance(action, Text) or not action.text.strip():
            return self._retry(draft, template, question, t("hint_number", lang))
        value = parse_amount(action.text)
        if value is None:
            return self._retry(draft, template, question, t("err_bad_number", lang, text=clip(action.text, 40)))
        if question.min is not None and value < question.min:
            return self._retry(draft, template, question, t("err_number_min", lang, min=f"{question.min:g}"))
        if question.max is not None and value > question.max:
            return self._retry(draft, template, question, t("err_number_max", lang, max=f"{question.max:g}"))
        return self._advance(draft, template, question, int(value) if value.is_integer() else value)

    def _answer_attachments(self, draft: Draft, template: Template, question: Question, action: Action) -> Step:
        lang = draft.lang
        if isinstance(action, Tap) and action.token == "done":
            if not draft.files:
                if question.required:
                    return self._retry(draft, template, question, t("err_need_file_required", lang))
                return self._advance(draft, template, question, None)
            return self._advance(draft, template, question, list(draft.files))
        if not isinstance(action, Files):
            return self._retry(draft, template, question, t("err_need_file", lang))
        notices = []
        known = {f["file_id"] for f in draft.files}
        for item in action.files:
            problem = self._too_big(item, lang)
            if problem:
                notices.append(problem)
            elif item.file_id not in known:
                draft.files.append(item.to_dict())
                known.add(item.file_id)
        draft.seq += 1
        return Step(self._question_prompt(draft, template, question), "\n".join(notices) or None)

    def _too_big(self, item: Attachment, lang: str) -> str | None:
        """Say why a file cannot be taken (over Telegram's download or Jira's upload limit), if it cannot."""
        if self.file_limit is not None and item.size is not None and item.size > self.file_limit:
            return t("err_file_too_big", lang, name=item.name, size=human_size(item.size),
                     limit=human_size(self.file_limit))
        if self.upload_limit is not None and item.size is not None and item.size > self.upload_limit:
            return t("err_file_too_big_jira", lang, name=item.name, size=human_size(item.size),
                     limit=human_size(self.upload_limit))
        return None

    # -- summary and edit ---------------------------------------------------------------------

    def card_rows(self, draft: Draft, template: Template) -> list[tuple[str, str]]:
        """Return (question, answer) rows for every question that applies."""
        lang = draft.lang
        current = effective_answers(template, draft.answers)
        rows = []
        for question in self._visible(template, current):
            value = current.get(question.id)
            shown = display(question, value, lang) if value is not None else t("summary_skipped", lang)
            mark = GUESSED_MARK if question.id in draft.guessed else ""
            if mark and question.type == "choice" and draft.guessed[question.id] not in ("", MODEL_EVIDENCE):
                # Which words decided, so a wrong reading is plain to see (and one tap from right).
                mark = t("guessed_because", lang, words=clip(draft.guessed[question.id], 40))
            rows.append((short_label(question.text.get(lang), 60), clip(shown, CARD_VALUE_LIMIT - len(mark)) + mark))
        return rows

    def _summary_prompt(self, draft: Draft, template: Template) -> Prompt:
        lang = draft.lang
        verdict = self.rate(draft, template)
        ticket = self._render(draft, template, verdict)
        rows = self.card_rows(draft, template)
        none = t("summary_none", lang)
        due = format_date(date.fromisoformat(ticket.duedate), lang) if ticket.duedate else none
        priority = self._priority_line(draft, template, verdict, lang) or ticket.priority or none
        rows += [
            (t("summary_ticket", lang), ticket.summary),
            (t("summary_priority", lang), priority),
            (t("summary_due", lang), due),
            (t("summary_labels", lang), ", ".join(ticket.labels) or none),
        ]
        expected = self.expect(template, ticket.priority, lang) if self.expect is not None else None
        if expected:
            rows.append((t("expect_label", lang), expected))
        buttons: list[tuple[Button, ...]] = [
            (Button(t("create", lang), "create"),),
            (Button(t("edit", lang), "edit"), Button(t("cancel", lang), "cancel")),
        ]
        guessed = [q for q in self._visible(template, effective_answers(template, draft.answers))
                   if q.id in draft.guessed][:MAX_FIX_BUTTONS]
        fixes = [Button(clip(t("fix_guess", lang, question=short_label(q.text.get(lang), 24)), 40), f"editq:{q.id}")
                 for q in guessed]
        buttons[1:1] = [tuple(fixes[i:i + 2]) for i in range(0, len(fixes), 2)]
        if draft.ask and len(self.templates.templates) > 1:
            buttons.append((Button(t("switch_template", lang), "switch"),))
        if verdict is not None or draft.priority_override is not None:
            buttons.append((Button(t("priority_disagree", lang), "prio"),))
        hint = t("guessed_legend", lang) if guessed else None
        return Prompt(t("summary_title", lang), draft.seq, "summary", tuple(buttons), hint=hint, rows=tuple(rows))

    def _on_summary(self, draft: Draft, template: Template, action: Action) -> Step:
        if isinstance(action, Tap) and action.token == "create":
            missing = self._first_unanswered(template, draft.answers)
            if missing is not None:
                # The template gained a question since this draft was written: ask it first.
                draft.editing = True
                return self._ask(draft, template, missing)
            return Step(None, outcome="confirmed")
        if isinstance(action, Tap) and action.token == "edit":
            draft.stage = "edit"
            draft.seq += 1
            return Step(self._edit_prompt(draft, template))
        if isinstance(action, Tap) and action.token.startswith("editq:"):
            return self._on_edit(draft, template, action)
        if isinstance(action, Tap) and action.token == "prio":
            draft.disputing = "pick"
            draft.seq += 1
            return Step(self._dispute_prompt(draft, template))
        if isinstance(action, Text):
            return self._revise(draft, template, action.text)
        return Step(self._summary_prompt(draft, template), t("err_use_buttons", draft.lang), changed=False)

    def _revise(self, draft: Draft, template: Template, text: str, *, spoken: bool = False) -> Step:
        """Read words sent at the card for the answers they change (customer, deadline, amount, a choice), marked ✎.

        The free text of the form is left alone: a correction like "deadline Friday" is not a new description.
        """
        extraction = extract(text, self.set_of(draft), self.customers, self.today(), template_id=template.id)
        changes = [guess for guess in extraction.guesses if self._revisable(template, guess.question_id)
                   and draft.answers.get(guess.question_id) != guess.value]
        if not changes:
            notice = t("card_words_unread" if spoken else "err_use_buttons", draft.lang)
            return Step(self._summary_prompt(draft, template), notice, changed=False)
        for guess in changes:
            draft.answers[guess.question_id] = guess.value
            draft.guessed[guess.question_id] = guess.evidence
        draft.seq += 1
        names = ", ".join(short_label(template.question(g.question_id).text.get(draft.lang), 40) for g in changes)
        return Step(self._summary_prompt(draft, template), lead=t("card_words_changed", draft.lang, fields=names))

    @staticmethod
    def _revisable(template: Template, question_id: str) -> bool:
        """Say whether words at the card may change this answer (any but free text, which only Edit changes)."""
        try:
            return template.question(question_id).type != "text"
        except KeyError:
            return False

    # -- disagreeing with the rubric's priority ----------------------------------------------

    @staticmethod
    def _priority_line(draft: Draft, template: Template, verdict: Verdict | None, lang: str) -> str | None:
        override = draft.priority_override
        if override is not None:
            return t("summary_priority_override", lang, priority=override["priority"], reason=override["reason"])
        return reason_text(verdict, lang, names_in(template)) if verdict else None

    def _priorities(self, draft: Draft, template: Template) -> list[str]:
        """Return the priorities this template's rules and options can give, in Jira's usual order."""
        named = [rule.priority for rule in self.set_of(draft).rubric.rules]
        named += [o.priority for q in template.questions for o in q.options if o.priority]
        named += [template.jira.priority] if template.jira.priority else []
        usual = {name: rank for rank, name in enumerate(JIRA_PRIORITIES)}
        return sorted(dict.fromkeys(named), key=lambda name: (usual.get(name, len(usual)), name))

    def _dispute_prompt(self, draft: Draft, template: Template) -> Prompt:
        lang = draft.lang
        back = (Button(t("back", lang), "prio-back"),)
        if draft.disputing == "pick":
            verdict = self.rate(draft, template)
            said = reason_text(verdict, lang, names_in(template)) if verdict else "—"
            # Buttons carry the priority's place in the list: a custom priority's name may not fit callback data.
            rows = [(Button(clip(name, BUTTON_LABEL_LIMIT), f"prio:{i}"),)
                    for i, name in enumerate(self._priorities(draft, template))]
            rows = rows[:10]
            return Prompt(t("priority_pick", lang, rubric=said), draft.seq, "summary", (*rows, back))
        return Prompt(t("priority_reason", lang, priority=draft.disputing or ""), draft.seq, "summary", (back,))

    def _on_dispute(self, draft: Draft, template: Template, action: Action) -> Step:
        lang = draft.lang
        if isinstance(action, Tap) and action.token == "prio-back":
            draft.disputing = None
            draft.seq += 1
            return Step(self._summary_prompt(draft, template))
        if draft.disputing == "pick" and isinstance(action, Tap) and action.token.startswith("prio:"):
            priorities = self._priorities(draft, template)
            place = action.token[5:]
            if not place.isdigit() or int(place) >= len(priorities):
                return Step(self._dispute_prompt(draft, template), t("err_use_buttons", lang), changed=False)
            chosen = priorities[int(place)]
            verdict = self.rate(draft, template)
            if verdict is not None and chosen == verdict.priority:
                # Agreeing with the rubric needs no reason: its verdict simply stands again.
                draft.disputing, draft.priority_override = None, None
                draft.seq += 1
                return Step(self._summary_prompt(draft, template))
            draft.disputing = chosen
            draft.seq += 1
            return Step(self._dispute_prompt(draft, template))
        if draft.disputing != "pick" and isinstance(action, Text):
            reason = " ".join(visible(action.text).split())
            if len(reason) < MIN_REASON:
                return Step(self._dispute_prompt(draft, template), t("priority_reason_short", lang), changed=False)
            draft.priority_override = {"priority": draft.disputing or "", "reason": clip(reason, MAX_REASON)}
            draft.disputing = None
            draft.seq += 1
            return Step(self._summary_prompt(draft, template))
        if isinstance(action, Tap) and not action.token.startswith("prio"):
            # A card button (Create, Edit, a fix) leaves the half-given disagreement: the card's priority stands.
            draft.disputing = None
            return self._on_summary(draft, template, action)
        return Step(self._dispute_prompt(draft, template), t("err_use_buttons", lang), changed=False)

    def _edit_prompt(self, draft: Draft, template: Template) -> Prompt:
        lang = draft.lang
        rows = [(Button(short_label(q.text.get(lang)), f"editq:{q.id}"),)
                for q in self._visible(template, effective_answers(template, draft.answers))]
        rows.append((Button(t("to_summary", lang), "summary"),))
        return Prompt(t("edit_pick", lang), draft.seq, "edit", tuple(rows))

    def _on_edit(self, draft: Draft, template: Template, action: Action) -> Step:
        if isinstance(action, Tap) and action.token.startswith("editq:"):
            try:
                question = template.question(action.token[6:])
            except KeyError:
                question = None
            if question is not None:
                draft.editing = True
                return self._ask(draft, template, question)
        if isinstance(action, Tap) and action.token == "summary":
            return self._ask(draft, template, None)
        return Step(self._edit_prompt(draft, template), t("err_use_buttons", draft.lang), changed=False)


def unheard(problem: str, lang: str, voice_seconds: int) -> str:
    """Say why a voice note could not be read (one too long: the longest read), and ask for the words typed."""
    key = f"voice_unheard_{problem}"
    return t(key if key in MESSAGES else "voice_unheard_down", lang, limit=format_length(voice_seconds, lang))


def _quick_label(text: str) -> str | None:
    """Return the quick date a typed button label stands for ("No deadline", "Завтра"), if any."""
    folded = text.casefold()
    for token in (*QUICK_DATES, "none"):
        if any(t(f"date_{token}", lang).casefold() == folded for lang in LANGUAGES):
            return token
    return None


def human_size(size: int) -> str:
    """Format a byte count as '20 MB'."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" or value >= 10 else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
