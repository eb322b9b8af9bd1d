"""Shaping template values into what each Jira field accepts, by the field's schema."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from bot.jira.meta import Deployment, FieldMeta, IssueTypeMeta, resolve_field
from bot.text.wiki import slug


def _user(value: Any, deployment: Deployment) -> dict[str, str]:
    # Cloud identifies people by accountId, Data Center by user name.
    return {"accountId": str(value)} if deployment == "cloud" else {"name": str(value)}


def _one(kind: str | None, value: Any, deployment: Deployment, meta: FieldMeta) -> Any:
    if kind == "option":
        return {"value": str(value)}
    if kind == "user":
        return _user(value, deployment)
    if kind in ("component", "version", "priority"):
        return {"name": str(value)}
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind in ("date", "datetime"):
        if isinstance(value, datetime | date):
            return value.isoformat()[:10] if kind == "date" else value.isoformat()
        return str(value)
    if kind == "string" and (meta.id == "labels" or (meta.custom or "").endswith(":labels")):
        return slug(str(value))
    if kind == "string":
        return str(value)
    return value


def shape_value(meta: FieldMeta, value: Any, deployment: Deployment) -> Any:
    """Return value in the form Jira's REST API wants for this field."""
    if value is None:
        return None
    if meta.schema_type == "array":
        items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
        return [_one(meta.items, item, deployment, meta) for item in items]
    if meta.schema_type == "option-with-child":
        return {"value": str(value)}
    return _one(meta.schema_type, value, deployment, meta)


def shape_fields(fields: Iterable[tuple[str, Any]], issue_type: IssueTypeMeta | None,
                 deployment: Deployment) -> dict[str, Any]:
    """Map template field keys (ids or display names) to field ids with shaped values.

    A key Jira's create screen does not know is passed through unchanged: Jira's own error then names it.
    """
    shaped: dict[str, Any] = {}
    for key, value in fields:
        meta = resolve_field(key, issue_type) if issue_type is not None else None
        if meta is None:
            shaped[key] = value
        else:
            shaped[meta.id] = shape_value(meta, value, deployment)
    return shaped
