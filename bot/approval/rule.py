"""Which requests wait for approval, and who approves them: read from the config or a template, checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.text.yamlfile import LineDict, LineList

# Roles that name everyone who has them, besides people named by Telegram id or @username.
APPROVER_ROLES = ("lead", "admin")
_USERNAME = re.compile(r"@?[A-Za-z0-9_]{3,32}")
_KEYS = ("when", "approvers")


@dataclass(frozen=True)
class ApprovalRule:
    """Requests whose priority is one of these wait until one of the approvers decides."""

    priorities: tuple[str, ...]
    # Numeric Telegram ids, "@username" (lower case) and role names (APPROVER_ROLES).
    approvers: tuple[int | str, ...]

    def applies(self, priority: str | None) -> bool:
        """Say whether a request of this priority waits for approval."""
        return priority is not None and priority.casefold() in {p.casefold() for p in self.priorities}

    def names(self, user_id: int, username: str | None, role: str | None) -> bool:
        """Say whether the rule names this person as an approver: by id, by @username or by their role."""
        handle = f"@{username.lower()}" if username else None
        return user_id in self.approvers or (handle is not None and handle in self.approvers) or (
            role is not None and role in APPROVER_ROLES and role in self.approvers)


def parse_rule(node: Any, line: int, label: str, problem: Callable[[int, str], None]) -> ApprovalRule | None:
    """Read `{when: {priority: [...]}, approvers: [...]}`; report each mistake as (line, message) naming label."""
    if node is None:
        return None
    if not isinstance(node, LineDict):
        problem(line, f"'{label}' must be a mapping with 'when' and 'approvers'")
        return None
    for key in node:
        if key not in _KEYS:
            problem(node.line_of(key), f"unknown '{label}' key '{key}'; use {' and '.join(_KEYS)}")
    when = node.get("when")
    priorities: list[str] = []
    if not isinstance(when, LineDict) or set(when) != {"priority"}:
        problem(node.line_of("when") or line, f"'{label}.when' must be {{priority: [Highest]}}")
    else:
        raw = when["priority"]
        raw = [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
            problem(when.line_of("priority"), f"'{label}.when.priority' must be a list of Jira priorities")
        else:
            priorities = [p.strip() for p in raw]
    approvers = _approvers(node, line, label, problem)
    if not priorities or not approvers:
        if priorities and not approvers:
            problem(node.line_of("approvers") or line, f"'{label}.approvers' names nobody")
        return None
    return ApprovalRule(tuple(priorities), approvers)


def _approvers(node: LineDict, line: int, label: str, problem: Callable[[int, str], None]
               ) -> tuple[int | str, ...]:
    raw = node.get("approvers")
    if not isinstance(raw, list):
        roles = ", ".join(APPROVER_ROLES)
        problem(node.line_of("approvers") or line,
                f"'{label}.approvers' must be a list of Telegram ids, @usernames or the roles {roles}")
        return ()
    found: list[int | str] = []
    for index, item in enumerate(raw):
        text = str(item).strip() if isinstance(item, str | int) and not isinstance(item, bool) else ""
        if text.isdigit():
            found.append(int(text))
        elif text.lower() in APPROVER_ROLES or (text.startswith("@") and _USERNAME.fullmatch(text)):
            found.append(text.lower())
        else:
            where = raw.line_of(index) if isinstance(raw, LineList) else node.line_of("approvers")
            problem(where, f"'{label}.approvers' entry {index + 1} ({text or item!r}) is neither a numeric "
                    f"Telegram id, an @username nor one of the roles {', '.join(APPROVER_ROLES)}")
    return tuple(dict.fromkeys(found))
