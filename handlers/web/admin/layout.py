"""The admin page's shell: navigation, inline CSS, escaping, dates, pagination and forms that carry the CSRF token."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from urllib.parse import urlencode

from aiohttp import web

from bot.people.signin import Admin
from bot.text.dates import format_moment
from bot.text.screen import whole_number

NAV = (("dashboard", "Dashboard", "/admin/"), ("requests", "Requests", "/admin/requests"),
       ("templates", "Templates", "/admin/templates"), ("users", "Users", "/admin/users"),
       ("audit", "Audit", "/admin/audit"))
# Both the page's own policy and the response headers forbid anything not served by this server.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

CSS = """
:root{--ink:#1d2430;--muted:#5b6472;--line:#dde1e7;--bg:#f5f6f8;--card:#fff;--accent:#0b63c5;--bad:#b42318;
--badbg:#fdecea;--ok:#067647;--okbg:#e8f5ee;--warnbg:#fff6e0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
background:var(--bg)}
header{background:#17202c;color:#fff}
.bar{max-width:1200px;margin:0 auto;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem}
.brand{font-weight:700;margin-right:.5rem}
nav{display:flex;flex-wrap:wrap;gap:.25rem;flex:1}
nav a{color:#cfd6e0;text-decoration:none;padding:.35rem .6rem;border-radius:6px}
nav a.on,nav a:hover{background:#2c3a4d;color:#fff}
.who{display:flex;align-items:center;gap:.5rem;font-size:.9rem;color:#cfd6e0}
.who button{background:none;border:1px solid #5b6b80;color:#fff;padding:.2rem .6rem;min-height:0}
main{max-width:1200px;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.25rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .6rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
a{color:var(--accent)}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem;margin-bottom:1rem;
min-width:0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,320px),1fr));gap:1rem}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.75rem;margin-bottom:1rem}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.75rem}
.stat b{display:block;font-size:1.5rem}
.stat span{color:var(--muted);font-size:.85rem}
.muted{color:var(--muted)}
.small{font-size:.85rem}
.flash{padding:.6rem .8rem;border-radius:8px;margin-bottom:1rem;background:var(--okbg);color:var(--ok)}
.flash.bad{background:var(--badbg);color:var(--bad)}
.flash.warn{background:var(--warnbg);color:#7a4b00}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;padding:.45rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.75rem;text-transform:uppercase;letter-spacing:.02em;color:var(--muted)}
td.num{white-space:nowrap}
form.inline{display:inline}
label{display:block;font-size:.85rem;color:var(--muted);margin-bottom:.15rem}
label.inline-label{display:flex;align-items:center;gap:.4rem;margin:0}
label.inline-label select{width:auto}
input,select,textarea,button{font:inherit}
input[type=text],input[type=search],select{width:100%;padding:.45rem .5rem;border:1px solid #c5cbd3;
border-radius:6px;background:#fff;min-height:2.4rem}
button,.button{display:inline-block;padding:.45rem .9rem;border-radius:6px;border:1px solid var(--accent);
background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;min-height:2.4rem}
button.plain,.button.plain{background:#fff;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.6rem;align-items:end}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
details.confirm{display:inline-block}
details.confirm summary{cursor:pointer;color:var(--bad);list-style:none;padding:.3rem 0}
details.confirm summary::-webkit-details-marker{display:none}
.pill{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;background:#eef1f5;
white-space:nowrap}
.pill.admin{background:#e6effa;color:#0b4a91}.pill.revoked{background:var(--badbg);color:var(--bad)}
.pill.ok{background:var(--okbg);color:var(--ok)}.pill.bad{background:var(--badbg);color:var(--bad)}
.pager{display:flex;gap:.5rem;align-items:center;margin:.75rem 0;flex-wrap:wrap}
.editor{display:flex;border:1px solid #c5cbd3;border-radius:8px;background:#fff;max-height:70vh;overflow:auto}
.gutter{margin:0;padding:.5rem .4rem;text-align:right;color:#8a93a0;background:#f3f4f6;user-select:none;
border-right:1px solid var(--line);font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
min-width:3.2em;position:sticky;left:0}
.gutter span{display:block}
.gutter span.err{background:var(--badbg);color:var(--bad);font-weight:700}
.editor textarea{flex:1;min-width:0;border:0;outline:0;resize:none;padding:.5rem;white-space:pre;
overflow:hidden;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;field-sizing:content;
min-height:20em}
ul.problems{margin:.25rem 0 0;padding-left:1.2rem}
ul.problems li{margin:.2rem 0}
ul.problems a{font-weight:600}
pre.code{background:#f6f8fa;border:1px solid var(--line);border-radius:8px;padding:.6rem;overflow:auto;
font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-height:60vh;margin:0}
.diff .add{color:var(--ok)}.diff .del{color:var(--bad)}
ol.steps{padding-left:1.4rem;margin:.25rem 0}
ol.steps li{margin:.6rem 0}
.keyboard{display:grid;gap:.25rem;margin-top:.35rem;max-width:26rem}
.keyboard .row{display:flex;gap:.25rem}
.tgbtn{flex:1;text-align:center;border:1px solid #c9d6e6;background:#eef4fb;border-radius:6px;padding:.2rem .5rem;
font-size:.85rem;min-width:0;overflow-wrap:anywhere}
.tgbtn.nav{background:#f4f5f7;border-color:var(--line);color:var(--muted)}
svg.chart{width:100%;height:auto;display:block}
.signin{max-width:480px;margin:8vh auto;text-align:center}
.card h2:first-child,.card h3:first-child{margin-top:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:1rem}
td.wide{min-width:14rem}
@media (max-width:640px){main{padding:.6rem}.bar{padding:.4rem .6rem}h1{font-size:1.2rem}
.brand{flex:1}nav{order:3;flex-basis:100%;flex-wrap:nowrap;overflow-x:auto}nav a{white-space:nowrap}
.who .name{display:none}
table.rows thead{display:none}
table.rows tr{display:block;padding:.4rem 0;border-bottom:1px solid var(--line)}
table.rows td{display:grid;grid-template-columns:7rem minmax(0,1fr);gap:.5rem;border:0;padding:.2rem .1rem;
min-width:0;white-space:normal}
table.rows td::before{content:attr(data-label);color:var(--muted);font-size:.8rem}
table.rows td[data-label=""]{display:block}table.rows td[data-label=""]::before{content:none}
.card.scroll{padding:.25rem .75rem}
.editor{max-height:60vh}}
"""


def esc(value: object) -> str:
    """Return a value escaped for HTML text and attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def when(at: float | None, zone: tzinfo) -> str:
    """Return a moment as "23 Nov 2026 14:05" in the bot's time zone; "—" when unknown."""
    return "—" if at is None else format_moment(at, zone, "en", short=True)


# A table cell: its HTML, or its HTML and a class ("num" keeps numbers and dates on one line).
Cell = str | tuple[str, str]


def table(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """Return a table that turns into one labelled card per row on a phone."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for label, cell in zip(headers, row, strict=True):
            content, cls = cell if isinstance(cell, tuple) else (cell, "")
            klass = f' class="{esc(cls)}"' if cls else ""
            # One wrapper per cell: on a phone the cell is a two-column grid of its label and this.
            cells.append(f'<td data-label="{esc(label)}"{klass}><div>{content}</div></td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<div class="card scroll"><table class="rows"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def csrf_field(admin: Admin) -> str:
    """Return the hidden field that proves a form came from this session's page."""
    return f'<input type="hidden" name="csrf" value="{esc(admin.csrf)}">'


def hidden(values: Mapping[str, object]) -> str:
    """Return hidden inputs for values a form carries along."""
    return "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in values.items())


def post_button(admin: Admin, action: str, label: str, *, values: Mapping[str, object] | None = None,
                style: str = "", confirm: str | None = None) -> str:
    """Return a one-button form; with confirm, the button hides behind a "sure?" step that needs no script."""
    classes = f' class="{esc(style)}"' if style else ""
    form = (f'<form class="inline" method="post" action="{esc(action)}">{csrf_field(admin)}{hidden(values or {})}'
            f"<button{classes}>{esc(label)}</button></form>")
    if confirm is None:
        return form
    return (f'<details class="confirm"><summary>{esc(label)}…</summary><span class="small">{esc(confirm)}</span> '
            f"{form}</details>")


def query(base: str, values: Mapping[str, object]) -> str:
    """Return base with the non-empty values as its query string."""
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return f"{base}?{urlencode(kept)}" if kept else base


def pager(base: str, values: Mapping[str, object], page: int, pages: int, total: int, what: str) -> str:
    """Return Newer/Older links around "page 2 of 5 (93 requests)"."""
    parts = []
    if page > 1:
        parts.append(f'<a class="button plain" href="{esc(query(base, {**values, "page": page - 1}))}">◀ Previous</a>')
    parts.append(f'<span class="muted">Page {page} of {max(1, pages)} · {total} {esc(what)}</span>')
    if page < pages:
        parts.append(f'<a class="button plain" href="{esc(query(base, {**values, "page": page + 1}))}">Next ▶</a>')
    return f'<div class="pager">{"".join(parts)}</div>'


def select(name: str, choices: Iterable[tuple[str, str]], chosen: str, *, blank: str | None = None) -> str:
    """Return a <select> with (value, label) choices and the chosen one selected."""
    options = [f'<option value="">{esc(blank)}</option>'] if blank is not None else []
    for value, label in choices:
        mark = " selected" if value == chosen else ""
        options.append(f'<option value="{esc(value)}"{mark}>{esc(label)}</option>')
    return f'<select name="{esc(name)}" id="f-{esc(name)}">{"".join(options)}</select>'


def flash(message: str | None, kind: str = "") -> str:
    """Return a notice box above the page's content, if there is a message."""
    if not message:
        return ""
    return f'<div class="flash {esc(kind)}" role="status">{esc(message)}</div>'


def _shell(title: str, header: str, body: str, script: str = "") -> str:
    """Return a whole HTML document."""
    tag = f'<script src="/admin/assets/{esc(script)}" defer></script>' if script else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">'
            f"<title>{esc(title)} · ticketsmith admin</title>"
            f"<style>{CSS}</style>{tag}</head><body>{header}<main>{body}</main></body></html>")


def page(admin: Admin, active: str, title: str, body: str, *, status: int = 200, script: str = "") -> web.Response:
    """Return a signed-in page with the navigation and a sign-out button."""
    links = "".join(f'<a href="{href}" class="{"on" if key == active else ""}">{esc(label)}</a>'
                    for key, label, href in NAV)
    signout = (f'<form class="inline" method="post" action="/admin/logout">{csrf_field(admin)}'
               f"<button>Sign out</button></form>")
    header = (f'<header><div class="bar"><span class="brand">ticketsmith</span><nav>{links}</nav>'
              f'<div class="who"><span class="name">{esc(admin.name)}</span>{signout}</div></div></header>')
    return web.Response(text=_shell(title, header, f"<h1>{esc(title)}</h1>{body}", script), status=status,
                        content_type="text/html")


def bare(title: str, body: str, *, status: int = 200) -> web.Response:
    """Return a page without navigation: sign-in, a link that does not work, signed out."""
    header = '<header><div class="bar"><span class="brand">ticketsmith</span></div></header>'
    content = f'<div class="signin card"><h1>{esc(title)}</h1>{body}</div>'
    return web.Response(text=_shell(title, header, content), status=status, content_type="text/html")


def redirect(location: str) -> web.Response:
    """Return a 303 to a page of this site, so reloading after a form does not send it again."""
    return web.Response(status=303, headers={"Location": location})


def page_number(request: web.Request) -> int:
    """Return the ?page= number asked for, 1 when missing or nonsense."""
    raw = request.query.get("page", "1")
    return max(1, whole_number(raw, 6) or 1)
