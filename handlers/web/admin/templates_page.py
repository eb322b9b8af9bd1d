"""The templates page: edit the YAML with errors on their lines, preview the dialog, publish, history, rollback."""

from __future__ import annotations

import difflib

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import LANGUAGES
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
from handlers.web.admin.layout import page_number, redirect, render, when

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


def _version_info(svc: App, version: Version | None) -> dict[str, object] | None:
    """Describe a version: number, author, time, how it came in and its note."""
    if version is None:
        return None
    return {"number": version.number, "who": _who(version), "when": when(version.published_at, svc.config.timezone),
            "source": version.source, "note": version.note}


def _offered(svc: App) -> list[dict[str, object]]:
    """List the live templates: offered to salespeople, or refused by Jira and why."""
    return [{"title": found.template.title.get("en"), "id": found.template.id,
             "questions": len(found.template.questions), "offered": found.offered,
             "why": "; ".join(found.problems) or "Jira refuses it"} for found in status(svc)]


def _problems(vetting: Vetting) -> dict[str, object]:
    """Return a vetting's problems with their line and the offending line's text, and what Jira would refuse."""
    lines = vetting.text.splitlines()
    problems = [{"line": p.line, "message": p.message,
                 "source": lines[p.line - 1] if p.line and 0 < p.line <= len(lines) else ""}
                for p in vetting.problems]
    refused = [(template_id, "; ".join(found)) for template_id, found in vetting.refused.items() if found]
    return {"ok": vetting.ok, "problems": problems, "refused": refused, "count": len(problems) + len(refused)}


def _jira_note(vetting: Vetting) -> str:
    """Say whether Jira was asked about the templates."""
    if vetting.jira_checked:
        return "Jira accepts every template."
    reason = f" ({vetting.jira_error})" if vetting.jira_error else ""
    return f"Jira could not be asked{reason}; the templates are checked again when the bot starts."


def _text_diff(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """Return a line-by-line diff of two YAML texts, each line with its kind: "add", "del" or ""."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2))
    rows = []
    for line in lines[:2000]:
        kind = "add" if line.startswith("+") and not line.startswith("+++") else (
            "del" if line.startswith("-") and not line.startswith("---") else "")
        rows.append((kind, line))
    return rows


def _step(step: PreviewStep) -> dict[str, object]:
    """Return one question of the preview, with notes on when it is asked and what it sets."""
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
    return {"text": step.text, "required": step.required, "type": TYPE_NAMES.get(step.type, step.type),
            "id": step.id, "hint": step.hint, "rows": step.answer_rows, "navigation": step.navigation,
            "notes": notes}


def _template_preview(svc: App, template: Template, lang: str) -> dict[str, object]:
    """Return one template's dialog preview: title, Jira issue and every question."""
    jira = template.jira
    return {"title": template.title.get(lang), "id": template.id, "description": template.description.get(lang),
            "issue_type": jira.issue_type, "project": jira.project or svc.config.jira_project,
            "labels": f", labels {', '.join(jira.labels)}" if jira.labels else "", "summary": jira.summary,
            "steps": [_step(s) for s in preview(template, lang)]}


def _preview(svc: App, templates: TemplateSet, lang: str, heading: str, switch: bool) -> dict[str, object]:
    """Return the preview of every template of a set, with a language switch when the editor holds no edits."""
    return {"heading": heading, "switch": switch, "lang": lang, "language": LANGUAGE_NAMES[lang],
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "templates": [_template_preview(svc, template, lang) for template in templates.templates]}


def _editor_page(request: web.Request, text: str, *, vetting: Vetting | None = None, notice: str = "",
                 tone: str = "", base: str | None = None, lang: str = "en", status_code: int = 200) -> web.Response:
    """Return the templates page: live version, editor, what the last check found and the preview."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    found: dict[str, object] | None = None
    if vetting is not None:
        found = _problems(vetting)
        if vetting.ok and vetting.diff is not None:
            found.update(diff=vetting.diff.lines("en"), text_diff=_text_diff(live_set(svc).text, text, "live", "yours"),
                         jira_note=_jira_note(vetting))
        else:
            found["diff"] = None
    if vetting is not None and vetting.ok and vetting.templates is not None:
        shown, offered = _preview(svc, vetting.templates, lang, "Preview of your version", switch=False), None
    else:
        shown = _preview(svc, live_set(svc), lang, "Preview of the live version", switch=vetting is None)
        offered = _offered(svc)
    return render(request, "templates.html", {
        "admin": admin, "active": "templates", "title": "Templates", "script": "editor.js", "notice": notice,
        "tone": tone, "live": _version_info(svc, live_version(svc)), "vetting": found,
        "base": base if base is not None else svc.engine.templates.version, "text": text,
        "lines": max(1, text.count("\n") + 1),
        "bad": {p.line for p in vetting.problems if p.line} if vetting else set(),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES], "lang": lang, "offered": offered,
        "shown": shown}, status=status_code)


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
    live = live_version(svc)
    shown = [{**(_version_info(svc, version) or {}), "live": live is not None and version.number == live.number}
             for version in versions[:HISTORY_PAGE]]
    return render(request, "history.html", {"admin": admin, "active": "templates", "title": "Templates history",
                                            "versions": shown, "number": number,
                                            "more": len(versions) > HISTORY_PAGE})


def _version_page(request: web.Request, version: Version, *, vetting: Vetting | None = None,
                  status_code: int = 200) -> web.Response:
    """Show one version: what changed against the one before it, its text and a rollback button."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    found = svc.library
    before = found.get(version.number - 1)
    changes: dict[str, object] | None = None
    if before is not None:
        old_set, new_set = found.set_for(before.hash), found.set_for(version.hash)
        lines = diff(old_set, new_set).lines("en") if old_set is not None and new_set is not None else None
        changes = {"number": before.number, "diff": lines,
                   "text_diff": _text_diff(before.text, version.text, f"v{before.number}", f"v{version.number}")}
    live = live_version(svc)
    shown = {**(_version_info(svc, version) or {}), "live": live is not None and live.number == version.number,
             "lines": version.text.splitlines()}
    return render(request, "version.html", {"admin": admin, "active": "templates",
                                            "title": f"Templates v{version.number}", "version": shown,
                                            "before": changes,
                                            "vetting": _problems(vetting) if vetting is not None else None},
                  status=status_code)


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
