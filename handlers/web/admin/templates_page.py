"""The templates page: edit the YAML with errors on their lines, preview the dialog, publish, history, rollback."""

from __future__ import annotations

import difflib
import re

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import LANGUAGES, t
from bot.i18n.plural import format_share
from bot.reports.followups import INSIGHT_DAYS, TemplateInsight
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
from bot.templates.suggest import insights, suggested_file
from bot.text.screen import whole_number
from bot.text.yamlfile import ConfigError
from handlers.web.admin.auth import STATE as ADMIN_STATE
from handlers.web.admin.auth import current
from handlers.web.admin.layout import page_number, redirect, render, when

HISTORY_PAGE = 25
# The questions engineers ask most, per template, each with a link that opens the editor with it added.
SHOWN_SUGGESTIONS = 3
_DIGEST = re.compile(r"[0-9a-f]{1,64}")
# Question types the page names in words (page_type_<type>); any other is shown as it is written.
TYPE_NAMES = ("text", "choice", "customer", "date", "number", "attachments")


def _lang(value: str) -> str:
    """Return a supported preview language, English when the value is anything else."""
    return value if value in LANGUAGES else "en"


def _who(version: Version, lang: str) -> str:
    """Return who published a version, or how it came in when nobody did."""
    return version.author_name or (t("page_the_templates_file", lang) if version.source in ("file", "reload") else "—")


def _version_info(svc: App, version: Version | None, lang: str) -> dict[str, object] | None:
    """Describe a version: number, author, time, how it came in and its note."""
    if version is None:
        return None
    return {"number": version.number, "who": _who(version, lang),
            "when": when(version.published_at, svc.config.timezone, lang),
            "source": version.source, "note": version.note}


def _offered(svc: App, lang: str) -> list[dict[str, object]]:
    """List the live templates: offered to salespeople, or refused by Jira and why."""
    return [{"title": found.template.title.get(lang), "id": found.template.id,
             "questions": len(found.template.questions), "offered": found.offered,
             "why": "; ".join(found.problems)} for found in status(svc)]


def _problems(vetting: Vetting) -> dict[str, object]:
    """Return a vetting's problems with their line and the offending line's text, and what Jira would refuse."""
    lines = vetting.text.splitlines()
    problems = [{"line": p.line, "message": p.message,
                 "source": lines[p.line - 1] if p.line and 0 < p.line <= len(lines) else ""}
                for p in vetting.problems]
    refused = [(template_id, "; ".join(found)) for template_id, found in vetting.refused.items() if found]
    return {"ok": vetting.ok, "problems": problems, "refused": refused, "count": len(problems) + len(refused)}


def _jira_note(vetting: Vetting, lang: str) -> str:
    """Say whether Jira was asked about the templates."""
    if vetting.jira_checked:
        return t("page_jira_accepts", lang)
    reason = f" ({vetting.jira_error})" if vetting.jira_error else ""
    return t("page_jira_unasked", lang, reason=reason)


def _text_diff(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """Return a line-by-line diff of two YAML texts, each line with its kind: "add", "del" or ""."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2))
    rows = []
    for line in lines[:2000]:
        kind = "add" if line.startswith("+") and not line.startswith("+++") else (
            "del" if line.startswith("-") and not line.startswith("---") else "")
        rows.append((kind, line))
    return rows


def _step(step: PreviewStep, lang: str) -> dict[str, object]:
    """Return one question of the preview, with notes (in the page's language) on when it is asked and what it sets."""
    quote = {"en": "“{}”", "ru": "«{}»", "de": "„{}“"}[lang]
    notes = []
    for condition in step.conditions:
        options = t("page_or", lang).join(quote.format(label) for label in condition.labels)
        notes.append(t("page_asked_when", lang, question=condition.question_text, options=options))
    priorities = [t("page_sets_priority", lang, label=c.label, priority=c.priority) for c in step.choices if c.priority]
    if priorities:
        notes.append("; ".join(priorities) + ".")
    if step.min_length or (step.max_length and step.max_length < 3000):
        notes.append(t("page_length", lang, low=step.min_length or 0, high=step.max_length or "∞"))
    if step.min is not None or step.max is not None:
        low = "−∞" if step.min is None else f"{step.min:g}"
        high = "∞" if step.max is None else f"{step.max:g}"
        notes.append(t("page_number_range", lang, low=low, high=high))
    if step.jira_field:
        notes.append(t("page_fills_field", lang, field=step.jira_field))
    return {"text": step.text, "required": step.required, "type": step.type, "known_type": step.type in TYPE_NAMES,
            "id": step.id, "hint": step.hint, "rows": step.answer_rows, "navigation": step.navigation,
            "notes": notes}


def _template_preview(svc: App, template: Template, lang: str, page_lang: str) -> dict[str, object]:
    """Return one template's dialog preview in a language: title, Jira issue and every question."""
    jira = template.jira
    return {"title": template.title.get(lang), "id": template.id, "description": template.description.get(lang),
            "issue_type": jira.issue_type, "project": jira.project or svc.config.jira_project,
            "labels": list(jira.labels), "summary": jira.summary,
            "steps": [_step(s, page_lang) for s in preview(template, lang)]}


def _preview(svc: App, templates: TemplateSet, lang: str, page_lang: str, heading: str,
             switch: bool) -> dict[str, object]:
    """Return the preview of every template of a set, with a language switch when the editor holds no edits."""
    return {"heading": t(heading, page_lang), "switch": switch, "lang": lang,
            "templates": [_template_preview(svc, template, lang, page_lang) for template in templates.templates]}


def _editor_page(request: web.Request, text: str, *, vetting: Vetting | None = None, notice: str = "",
                 tone: str = "", base: str | None = None, lang: str = "en", status_code: int = 200,
                 learned: list[dict[str, object]] | None = None) -> web.Response:
    """Return the templates page: live version, editor, what the last check found and the preview."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    page_lang = admin.lang
    found: dict[str, object] | None = None
    if vetting is not None:
        found = _problems(vetting)
        if vetting.ok and vetting.diff is not None:
            found.update(diff=vetting.diff.lines(page_lang), jira_note=_jira_note(vetting, page_lang),
                         text_diff=_text_diff(live_set(svc).text, text, "live", "yours"))
        else:
            found["diff"] = None
    if vetting is not None and vetting.ok and vetting.templates is not None:
        shown = _preview(svc, vetting.templates, lang, page_lang, "page_preview_yours", switch=False)
        offered = None
    else:
        shown = _preview(svc, live_set(svc), lang, page_lang, "page_preview_live", switch=vetting is None)
        offered = _offered(svc, page_lang)
    return render(request, "templates.html", {
        "admin": admin, "active": "templates", "title": t("page_nav_templates", page_lang), "script": "editor.js",
        "notice": notice, "tone": tone, "live": _version_info(svc, live_version(svc), page_lang), "vetting": found,
        "base": base if base is not None else svc.engine.templates.version, "text": text,
        "lines": max(1, text.count("\n") + 1),
        "bad": {p.line for p in vetting.problems if p.line} if vetting else set(),
        "preview_lang": lang, "offered": offered, "learned": learned, "learned_days": INSIGHT_DAYS,
        "shown": shown}, status=status_code)


async def templates_home(request: web.Request) -> web.Response:
    """Show the live templates in the editor, with their preview."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    notice = ""
    published = request.query.get("published", "")
    if (number := whole_number(published, 8)) is not None:
        notice = t("page_published", admin.lang, number=number)
        pinned = sum(pinned_drafts(svc).values())
        if pinned:
            notice += " " + t("page_pinned", admin.lang, count=pinned)
    text, tone = live_set(svc).text, ""
    digest = request.query.get("suggest", "")
    if digest:
        notice, tone = t("ins_page_gone", admin.lang), "bad"
        try:
            found = await suggested_file(svc, digest, admin.lang) if _DIGEST.fullmatch(digest) else None
        except ConfigError as error:
            found, notice = None, str(error)
        if found is not None:
            text, tone = found.text, ""
            notice = t("ins_page_added", admin.lang, label=found.group.label, id=found.question.id,
                       title=found.template.title.get(admin.lang))
    # The preview speaks the admin's language unless they pick another.
    return _editor_page(request, text, notice=notice, tone=tone, lang=_lang(request.query.get("lang", admin.lang)),
                        learned=_learned(svc, await insights(svc), admin.lang))


def _learned(svc: App, found: dict[str, TemplateInsight], lang: str) -> list[dict[str, object]]:
    """Return each live template's ready-on-first-pass share and most asked questions, with their editor links."""
    templates = live_set(svc)
    shown: list[dict[str, object]] = []
    for insight in found.values():
        template = templates.get(insight.template_id)
        if template is None or not insight.handled:
            continue
        title = template.title.get(lang)
        asked = [{"text": t("ins_page_asked", lang, asked=g.requests, count=insight.handled, label=g.label,
                            example=g.example), "href": f"/admin/templates?suggest={g.digest}"}
                 for g in insight.suggestions[:SHOWN_SUGGESTIONS]]
        shown.append({"ready": t("ins_ready", lang, title=title, ready=insight.ready, count=insight.handled,
                                 share=format_share(insight.ready_share or 0.0, lang)), "asked": asked})
    return shown


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
    return _editor_page(request, text[:MAX_TEMPLATES_BYTES], notice=t("page_too_long", current(request).lang),
                        tone="bad", lang=lang, status_code=413)


async def check(request: web.Request) -> web.Response:
    """Vet the posted text and show its problems on their lines, or its changes and preview."""
    svc = request.app[ADMIN_STATE].svc
    text, base, lang, _ = await _read_form(request)
    if (refused := _too_long(request, text, lang)) is not None:
        return refused
    vetting = await vet(svc, text, svc.library.path.name)
    if vetting.ok:
        return _editor_page(request, text, vetting=vetting, notice=t("page_no_problems", current(request).lang),
                            base=base, lang=lang)
    return _editor_page(request, text, vetting=vetting, base=base, lang=lang, status_code=422)


async def publish_text(request: web.Request) -> web.Response:
    """Publish the posted text when it passes every check; otherwise show why not."""
    admin, svc = current(request), request.app[ADMIN_STATE].svc
    text, base, lang, note = await _read_form(request)
    if (refused := _too_long(request, text, lang)) is not None:
        return refused
    if version_of(text) == svc.engine.templates.version:
        return _editor_page(request, text, notice=t("page_nothing_to_publish", admin.lang), tone="warn",
                            lang=lang)
    vetting = await vet(svc, text, svc.library.path.name)
    if not vetting.ok:
        return _editor_page(request, text, vetting=vetting, base=base, lang=lang, status_code=422)
    # Read after asking Jira: someone may have published while it answered.
    live = svc.engine.templates.version
    if base and base != live:
        # Someone published while this editor was open: show what would be replaced before replacing it.
        newer = live_version(svc)
        number = f"v{newer.number}" if newer else t("page_a_new_version", admin.lang)
        return _editor_page(request, text, vetting=vetting, base=live, lang=lang, status_code=409, tone="warn",
                            notice=t("page_newer_published", admin.lang, number=number))
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
    shown = [{**(_version_info(svc, version, admin.lang) or {}),
              "live": live is not None and version.number == live.number} for version in versions[:HISTORY_PAGE]]
    return render(request, "history.html", {"admin": admin, "active": "templates",
                                            "title": t("page_history_title", admin.lang),
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
        lines = diff(old_set, new_set).lines(admin.lang) if old_set is not None and new_set is not None else None
        changes = {"number": before.number, "diff": lines,
                   "text_diff": _text_diff(before.text, version.text, f"v{before.number}", f"v{version.number}")}
    live = live_version(svc)
    shown = {**(_version_info(svc, version, admin.lang) or {}),
             "live": live is not None and live.number == version.number,
             "lines": version.text.splitlines()}
    return render(request, "version.html", {"admin": admin, "active": "templates",
                                            "title": t("page_version_title", admin.lang, number=version.number),
                                            "version": shown,
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
