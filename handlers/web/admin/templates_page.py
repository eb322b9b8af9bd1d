"""The templates page: edit the YAML with errors on their lines, preview the dialog, publish, history, rollback."""

from __future__ import annotations

import difflib

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import LANGUAGES
from bot.people.signin import Admin
from bot.templates.diff import diff
from bot.templates.library import Version
from bot.templates.preview import PreviewStep, preview
from bot.templates.publishing import (
    MAX_TEMPLATES_BYTES,
    AlreadyLive,
    PublishRefused,
    Vetting,
    live_set,
    live_version,
    normalized,
    pinned_drafts,
    publish,
    rollback,
    status,
    vet,
)
from bot.templates.schema import Template, TemplateSet, version_of
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE as ADMIN_STATE
from handlers.web.admin.auth import current
from handlers.web.admin.layout import (
    Cell,
    csrf_field,
    esc,
    flash,
    hidden,
    page,
    page_number,
    post_button,
    redirect,
    select,
    table,
    when,
)

HISTORY_PAGE = 25
LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "de": "German"}
TYPE_NAMES = {"text": "text", "choice": "buttons", "customer": "customer", "date": "date", "number": "number",
              "attachments": "files"}


def _lang(value: str) -> str:
    """Return a supported preview language, English when the value is anything else."""
    return value if value in LANGUAGES else "en"


def _who(version: Version) -> str:
    """Return who published a version, or how it came in when nobody did."""
    return version.author_name or ("the templates file" if version.source in ("file", "reload") else "—")


def _version_line(svc: App, version: Version | None) -> str:
    """Describe the live version: number, author, time."""
    if version is None:
        return '<p class="muted">No version recorded yet.</p>'
    return (f'<p>Live: <b>v{version.number}</b> · published by {esc(_who(version))} · '
            f"{esc(when(version.published_at, svc.config.timezone))} · {esc(version.source)}"
            f'{f" · {esc(version.note)}" if version.note else ""} · '
            f'<a href="/admin/templates/history">History</a></p>')


def _status_list(svc: App) -> str:
    """List the live templates: offered to salespeople, or refused by Jira and why."""
    items = []
    for found in status(svc):
        title = found.template.title.get("en")
        if found.offered:
            mark = '<span class="pill ok">offered</span>'
        else:
            why = "; ".join(found.problems) or "Jira refuses it"
            mark = f'<span class="pill bad">refused by Jira</span> <span class="small">{esc(why)}</span>'
        items.append(f"<li>{esc(title)} <span class=\"muted\">({esc(found.template.id)}, "
                     f"{len(found.template.questions)} questions)</span> {mark}</li>")
    return f'<ul>{"".join(items)}</ul>'


def _gutter(text: str, bad: set[int]) -> str:
    """Return the line numbers beside the editor, the lines with problems marked."""
    count = max(1, text.count("\n") + 1)
    return "".join(f'<span id="L{n}" class="err">{n}</span>' if n in bad else f"<span>{n}</span>"
                   for n in range(1, count + 1))


def _problems(vetting: Vetting) -> str:
    """List a vetting's problems with their line and the offending line's text."""
    lines = vetting.text.splitlines()
    items = []
    for problem in vetting.problems:
        if problem.line:
            source = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
            excerpt = f'<pre class="code">{problem.line:>4} │ {esc(source)}</pre>' if source.strip() else ""
            items.append(f'<li><a href="#L{problem.line}" data-line="{problem.line}">Line {problem.line}</a>: '
                         f"{esc(problem.message)}{excerpt}</li>")
        else:
            items.append(f"<li>{esc(problem.message)}</li>")
    for template_id, found in vetting.refused.items():
        if found:
            items.append(f"<li>Jira would refuse template <b>{esc(template_id)}</b>: {esc('; '.join(found))}</li>")
    return f'<ul class="problems">{"".join(items)}</ul>'


def _jira_note(vetting: Vetting) -> str:
    """Say whether Jira was asked about the templates."""
    if vetting.jira_checked:
        return "Jira accepts every template."
    reason = f" ({vetting.jira_error})" if vetting.jira_error else ""
    return f"Jira could not be asked{reason}; the templates are checked again when the bot starts."


def _languages(lang: str) -> str:
    """Return the preview language dropdown the editor posts along."""
    return select("lang", [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES], lang)


def _editor(admin: Admin, text: str, base: str, lang: str, bad: set[int]) -> str:
    """Return the YAML editor with line numbers, Check and Publish."""
    rows = text.count("\n") + 3
    return (f'<form method="post" action="/admin/templates/check" class="card" id="editor-form">{csrf_field(admin)}'
            f'{hidden({"base": base})}'
            f'<label for="yaml">templates.yaml</label>'
            f'<div class="editor"><div class="gutter" aria-hidden="true">{_gutter(text, bad)}</div>'
            f'<textarea id="yaml" name="text" rows="{rows}" wrap="off" spellcheck="false" autocapitalize="off" '
            f'autocomplete="off">{esc(text)}</textarea></div>'
            f'<div class="actions" style="margin-top:.6rem">'
            f'<input type="text" name="note" maxlength="200" placeholder="What changed? (optional, for the history)" '
            f'style="flex:1;min-width:12rem">'
            f'<label class="inline-label">Preview in {_languages(lang)}</label>'
            f'<button class="plain" formaction="/admin/templates/check">Check</button>'
            f'<button formaction="/admin/templates/publish">Publish</button></div></form>')


def _buttons(step: PreviewStep) -> str:
    """Return the buttons under a question, in the rows the salesperson sees them."""
    rows = ["".join(f'<span class="tgbtn">{esc(label)}</span>' for label in row) for row in step.answer_rows]
    rows.append("".join(f'<span class="tgbtn nav">{esc(label)}</span>' for label in step.navigation))
    return f'<div class="keyboard">{"".join(f"<div class=row>{row}</div>" for row in rows)}</div>'


def _step(step: PreviewStep) -> str:
    """Return one question of the preview."""
    need = '<span class="pill">required</span>' if step.required else '<span class="pill">optional</span>'
    notes = []
    for condition in step.conditions:
        options = " or ".join(f"“{label}”" for label in condition.labels)
        notes.append(f"Asked only when “{condition.question_text}” is {options}.")
    priorities = [f"“{c.label}” sets priority {c.priority}" for c in step.choices if c.priority]
    if priorities:
        notes.append("; ".join(priorities) + ".")
    if step.min_length or (step.max_length and step.max_length < 3000):
        notes.append(f"Length: {step.min_length or 0}–{step.max_length or '∞'} characters.")
    if step.min is not None or step.max is not None:
        low = "" if step.min is None else f"{step.min:g}"
        high = "" if step.max is None else f"{step.max:g}"
        notes.append(f"Number from {low or '−∞'} to {high or '∞'}.")
    if step.jira_field:
        notes.append(f"Fills Jira field {step.jira_field}.")
    extra = "".join(f'<div class="small muted">{esc(n)}</div>' for n in notes)
    return (f'<li><b>{esc(step.text)}</b> {need} <span class="pill">{esc(TYPE_NAMES.get(step.type, step.type))}'
            f'</span> <span class="small muted">{esc(step.id)}</span><div class="small">{esc(step.hint)}</div>'
            f"{_buttons(step)}{extra}</li>")


def _template_preview(svc: App, template: Template, lang: str) -> str:
    """Return one template's dialog preview: title, Jira issue and every question."""
    jira = template.jira
    project = jira.project or svc.config.jira_project
    labels = f", labels {', '.join(jira.labels)}" if jira.labels else ""
    steps = "".join(_step(s) for s in preview(template, lang))
    description = template.description.get(lang)
    return (f'<section class="card"><h3>{esc(template.title.get(lang))} <span class="muted small">'
            f"({esc(template.id)})</span></h3>"
            f'{f"<p class=muted>{esc(description)}</p>" if description else ""}'
            f'<p class="small">Creates a <b>{esc(jira.issue_type)}</b> in {esc(project)}{esc(labels)}; summary '
            f"<code>{esc(jira.summary)}</code></p><ol class=\"steps\">{steps}</ol>"
            f'<p class="small muted">Then the card with Create, Edit and Cancel.</p></section>')


def _preview(svc: App, templates: TemplateSet, lang: str, heading: str, switch: bool) -> str:
    """Return the preview of every template of a set, with a language switch when the editor holds no edits."""
    links = " · ".join(f"<b>{LANGUAGE_NAMES[code]}</b>" if code == lang
                       else f'<a href="/admin/templates?lang={code}">{LANGUAGE_NAMES[code]}</a>' for code in LANGUAGES)
    note = f"Language: {links}" if switch else f"Language: {LANGUAGE_NAMES[lang]} (choose beside Check)"
    cards = "".join(_template_preview(svc, template, lang) for template in templates.templates)
    return f'<h2>{esc(heading)}</h2><p class="small muted">{note}</p><div class="grid">{cards}</div>'


def _diff_list(lines: list[str]) -> str:
    """Return the semantic diff as a list."""
    if not lines:
        return '<p class="muted">No change a salesperson would notice (comments or formatting only).</p>'
    return f'<ul class="diff">{"".join(f"<li>{esc(line)}</li>" for line in lines)}</ul>'


def _text_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """Return a line-by-line diff of two YAML texts, collapsed."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2))
    if not lines:
        return ""
    rows = []
    for line in lines[:2000]:
        kind = "add" if line.startswith("+") and not line.startswith("+++") else (
            "del" if line.startswith("-") and not line.startswith("---") else "")
        rows.append(f'<span class="{kind}">{esc(line)}</span>' if kind else esc(line))
    return (f'<details><summary>Line by line</summary><pre class="code diff">{chr(10).join(rows)}</pre>'
            f"</details>")


def _editor_page(request: web.Request, text: str, *, vetting: Vetting | None = None, notice: str = "",
                 tone: str = "", base: str | None = None, lang: str = "en", status_code: int = 200) -> web.Response:
    """Return the templates page: live version, editor, what the last check found and the preview."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    live = live_version(svc)
    parts = [flash(notice, tone), _version_line(svc, live)]
    bad = {p.line for p in vetting.problems if p.line} if vetting else set()
    if vetting is not None and not vetting.ok:
        count = len(vetting.problems) + sum(1 for found in vetting.refused.values() if found)
        parts.append(f'<section class="card" id="problems"><h2>{count} problem{"s" if count != 1 else ""} '
                     f"— nothing was published</h2>{_problems(vetting)}</section>")
    elif vetting is not None and vetting.diff is not None:
        parts.append(f'<section class="card" id="changes"><h2>Changes against the live version</h2>'
                     f'{_diff_list(vetting.diff.lines("en"))}{_text_diff(live_set(svc).text, text, "live", "yours")}'
                     f'<p class="small muted">{esc(_jira_note(vetting))}</p></section>')
    parts.append(_editor(admin, text, base if base is not None else svc.engine.templates.version, lang, bad))
    if vetting is not None and vetting.ok and vetting.templates is not None:
        parts.append(_preview(svc, vetting.templates, lang, "Preview of your version", switch=False))
    else:
        parts.append(f'<h2>Offered now</h2><div class="card">{_status_list(svc)}</div>')
        parts.append(_preview(svc, live_set(svc), lang, "Preview of the live version", switch=vetting is None))
    return page(admin, "templates", "Templates", "".join(parts), status=status_code, script="editor.js")


async def templates_home(request: web.Request) -> web.Response:
    """Show the live templates in the editor, with their preview."""
    svc = request.app[ADMIN_STATE].svc
    notice = ""
    published = request.query.get("published", "")
    if whole_number(published, 8) is not None:
        notice = f"Published v{published}. New requests use it now."
        pinned = sum(pinned_drafts(svc).values())
        if pinned:
            notice += f" {pinned} draft{'s' if pinned != 1 else ''} in progress finish on the version they started on."
    return _editor_page(request, live_set(svc).text, notice=notice, lang=_lang(request.query.get("lang", "en")))


async def _read_form(request: web.Request) -> tuple[str, str, str, str]:
    """Return the posted text, the version it was based on, the preview language and the note."""
    form = await request.post()
    text = form.get("text", "")
    text = normalized(text) if isinstance(text, str) else ""
    base, lang, note = (str(form.get(name, "")) for name in ("base", "lang", "note"))
    return text, base, _lang(lang), note.strip()[:200]


def _too_long(request: web.Request, text: str, lang: str) -> web.Response | None:
    """Refuse a posted text beyond the size any templates file may have (the same limit as an upload)."""
    if len(text.encode()) <= MAX_TEMPLATES_BYTES:
        return None
    return _editor_page(request, text[:MAX_TEMPLATES_BYTES], notice="That text is too long for a templates file.",
                        tone="bad", lang=lang, status_code=413)


async def check(request: web.Request) -> web.Response:
    """Vet the posted text and show its problems on their lines, or its changes and preview."""
    svc = request.app[ADMIN_STATE].svc
    text, base, lang, _ = await _read_form(request)
    if (refused := _too_long(request, text, lang)) is not None:
        return refused
    vetting = await vet(svc, text, svc.library.path.name)
    if vetting.ok:
        return _editor_page(request, text, vetting=vetting, notice="No problems found. Publish when ready.",
                            base=base, lang=lang)
    return _editor_page(request, text, vetting=vetting, base=base, lang=lang, status_code=422)


async def publish_text(request: web.Request) -> web.Response:
    """Publish the posted text when it passes every check; otherwise show why not."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    text, base, lang, note = await _read_form(request)
    if (refused := _too_long(request, text, lang)) is not None:
        return refused
    if version_of(text) == svc.engine.templates.version:
        return _editor_page(request, text, notice="Nothing to publish: this is the live version.", tone="warn",
                            lang=lang)
    vetting = await vet(svc, text, svc.library.path.name)
    if not vetting.ok:
        return _editor_page(request, text, vetting=vetting, base=base, lang=lang, status_code=422)
    # Read after asking Jira: someone may have published while it answered.
    live = svc.engine.templates.version
    if base and base != live:
        # Someone published while this editor was open: show what would be replaced before replacing it.
        newer = live_version(svc)
        number = f"v{newer.number}" if newer else "a new version"
        return _editor_page(request, text, vetting=vetting, base=live, lang=lang, status_code=409, tone="warn",
                            notice=f"{number} was published while you were editing. The changes below are against "
                                   "it; press Publish again to replace it with your version.")
    try:
        version = await publish(svc, vetting, "web", admin.user_id, admin.name, note)
    except PublishRefused:
        return _editor_page(request, text, vetting=vetting, base=base, lang=lang, status_code=422)
    return redirect(f"/admin/templates?published={version.number}")


async def history(request: web.Request) -> web.Response:
    """List published versions, newest first, with a rollback button for each earlier one."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    number = page_number(request)
    # One more than a page, to know whether an older page follows.
    versions = svc.library.history(limit=HISTORY_PAGE + 1, offset=(number - 1) * HISTORY_PAGE)
    shown = versions[:HISTORY_PAGE]
    live = live_version(svc)
    rows: list[tuple[Cell, ...]] = []
    for version in shown:
        is_live = live is not None and version.number == live.number
        action = ('<span class="pill ok">live</span>' if is_live else
                  post_button(admin, f"/admin/templates/versions/{version.number}/rollback", "Roll back",
                              confirm=f"Publish v{version.number} again as a new version?", style="danger"))
        rows.append((f'<a href="/admin/templates/versions/{version.number}">v{version.number}</a>',
                     (esc(when(version.published_at, svc.config.timezone)), "num"), esc(_who(version)),
                     esc(version.source), esc(version.note), action))
    more = []
    if number > 1:
        more.append(f'<a href="/admin/templates/history?page={number - 1}">◀ Newer</a>')
    if len(versions) > HISTORY_PAGE:
        more.append(f'<a href="/admin/templates/history?page={number + 1}">Older ▶</a>')
    body = ('<p><a href="/admin/templates">← Editor</a></p>'
            + table(("Version", "Published", "By", "How", "Note", ""), rows)
            + f'<div class="pager">{" ".join(more)}</div>')
    return page(admin, "templates", "Templates history", body)


def _version_page(request: web.Request, version: Version, *, vetting: Vetting | None = None,
                  status_code: int = 200) -> web.Response:
    """Show one version: what changed against the one before it, its text and a rollback button."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    found = svc.library
    before = found.get(version.number - 1)
    parts = []
    if vetting is not None:
        parts.append(flash(f"v{version.number} cannot go live again as it is", "bad"))
        parts.append(f'<section class="card"><h2>Problems</h2>{_problems(vetting)}</section>')
    parts.append(f'<p><a href="/admin/templates/history">← History</a></p>'
                 f"<p>Published by {esc(_who(version))} · {esc(when(version.published_at, svc.config.timezone))} · "
                 f'{esc(version.source)}{f" · {esc(version.note)}" if version.note else ""}</p>')
    if before is not None:
        old_set, new_set = found.set_for(before.hash), found.set_for(version.hash)
        lines = None
        if old_set is not None and new_set is not None:
            lines = diff(old_set, new_set).lines("en")
        summary = _diff_list(lines) if lines is not None else ""
        parts.append(f'<section class="card"><h2>Changes from v{before.number}</h2>{summary}'
                     f'{_text_diff(before.text, version.text, f"v{before.number}", f"v{version.number}")}'
                     f"</section>")
    live = live_version(svc)
    if live is None or live.number != version.number:
        button = post_button(admin, f"/admin/templates/versions/{version.number}/rollback",
                             "Roll back to this version", style="danger",
                             confirm="It is checked again and published as a new version.")
        parts.append(f'<div class="actions">{button}</div>')
    numbered = "\n".join(f"{n:>4} │ {esc(line)}" for n, line in enumerate(version.text.splitlines(), start=1))
    parts.append(f'<h2>Text</h2><pre class="code">{numbered}</pre>')
    return page(admin, "templates", f"Templates v{version.number}", "".join(parts), status=status_code)


def _version_of(request: web.Request) -> Version:
    """Return the version named in the path, or answer 404."""
    svc = request.app[ADMIN_STATE].svc
    raw = request.match_info.get("number", "")
    number = whole_number(raw, 8)
    version = svc.library.get(number) if number is not None else None
    if version is None:
        raise web.HTTPNotFound(text="There is no such templates version.")
    return version


async def version_view(request: web.Request) -> web.Response:
    """Show one published version."""
    return _version_page(request, _version_of(request))


async def rollback_version(request: web.Request) -> web.Response:
    """Publish an earlier version again, after checking it anew."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    version = _version_of(request)
    try:
        outcome = await rollback(svc, version.number, admin.user_id, admin.name)
    except AlreadyLive:
        return redirect("/admin/templates")
    if isinstance(outcome, Vetting):
        return _version_page(request, version, vetting=outcome, status_code=422)
    return redirect(f"/admin/templates?published={outcome.number}")
