"""The database's schema, built by named migrations: each applied once, in order, and recorded."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from bot.storage.base import StoreBase


def _migration_initial(db: sqlite_utils.Database) -> None:
    db.table("drafts").create({"user_id": int, "chat_id": int, "data": str, "prompt_message_id": int,
                         "updated_at": float}, pk="user_id")
    db.table("requests").create({
        "id": str, "user_id": int, "chat_id": int, "lang": str, "template_id": str, "ticket": str,
        "state": str, "attempts": int, "jira_key": str, "jira_url": str, "last_error": str,
        "next_attempt_at": float, "told_unreachable": int, "created_at": float, "updated_at": float,
    }, pk="id", not_null={"user_id", "chat_id", "template_id", "ticket", "state"})
    db.table("requests").create_index(["state", "next_attempt_at"])
    db.table("requests").create_index(["user_id", "created_at"])
    db.table("users").create({"id": int, "chat_id": int, "username": str, "name": str, "lang": str,
                        "last_seen": float}, pk="id")
    db.table("customers_used").create({"name": str, "uses": int, "last_used": float}, pk="name")


def _migration_uploads(db: sqlite_utils.Database) -> None:
    db.table("requests").add_column("uploaded", str)


def _migration_request_drafts(db: sqlite_utils.Database) -> None:
    db.table("requests").add_column("draft", str)


def _migration_jira_users(db: sqlite_utils.Database) -> None:
    db.table("users").add_column("jira_user", str)


def _migration_user_active(db: sqlite_utils.Database) -> None:
    db.table("users").add_column("active", int, not_null_default=1)


def _migration_comments(db: sqlite_utils.Database) -> None:
    db.table("comments").create({
        "id": str, "request_id": str, "issue_key": str, "user_id": int, "chat_id": int, "lang": str, "body": str,
        "files": str, "state": str, "attempts": int, "last_error": str, "next_attempt_at": float,
        "jira_comment_id": str, "ack_message_id": int, "created_at": float, "updated_at": float,
    }, pk="id", not_null={"issue_key", "user_id", "body", "state"})
    db.table("comments").create_index(["state", "next_attempt_at"])
    # Which bot message speaks about which issue, so a Telegram reply to it becomes a comment there.
    db.table("notice_messages").create({"chat_id": int, "message_id": int, "issue_key": str, "request_id": str,
                                        "sent_at": float}, pk=("chat_id", "message_id"))
    db.table("users").add_column("replying_to", str)


def _migration_events(db: sqlite_utils.Database) -> None:
    # One row per change seen in Jira, whoever reported it (webhook, poller, a retry): the id decides.
    db.table("events").create({"event_id": str, "issue_key": str, "data": str, "received_at": float, "state": str},
                              pk="event_id")
    db.table("events").create_index(["state", "issue_key"])
    db.table("subscriptions").create({"issue_key": str, "user_id": int, "chat_id": int, "since": float},
                                     pk=("issue_key", "user_id"))
    db.table("users").add_column("muted", int, not_null_default=0)
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _migration_comment_labels(db: sqlite_utils.Database) -> None:
    db.table("comments").add_column("labels", str)


def _migration_language_choice(db: sqlite_utils.Database) -> None:
    db.table("users").add_column("lang_choice", str)


def _migration_admin(db: sqlite_utils.Database) -> None:
    # Roles beyond the config's bootstrap lists: NULL (none), 'sales', 'admin' or 'revoked'.
    db.table("users").add_column("role", str)
    db.table("users").add_column("role_by", int)
    db.table("users").add_column("role_at", float)
    db.table("template_versions").create({
        "number": int, "hash": str, "text": str, "source": str, "author_id": int, "author_name": str,
        "published_at": float, "note": str}, pk="number", not_null={"hash", "text", "source", "published_at"})
    db.table("invites").create({"code": str, "role": str, "created_by": int, "created_at": float,
                                "expires_at": float, "used_by": int, "used_at": float}, pk="code")
    db.table("access_requests").create({
        "user_id": int, "chat_id": int, "username": str, "name": str, "lang": str, "requested_at": float,
        "state": str, "decided_by": int, "decided_at": float, "admin_messages": str}, pk="user_id")
    db.table("audit").create({"id": int, "at": float, "actor_id": int, "actor_name": str, "action": str,
                              "detail": str}, pk="id", not_null={"at", "action"})
    db.table("audit").create_index(["at"])
    db.table("web_logins").create({"token_hash": str, "user_id": int, "created_at": float, "expires_at": float,
                                   "used_at": float}, pk="token_hash")
    db.table("web_sessions").create({"id": str, "user_id": int, "csrf": str, "created_at": float,
                                     "expires_at": float}, pk="id")
    # How the request went in Jira, for the admins' dashboard.
    db.table("requests").add_column("first_response_at", float)
    db.table("requests").add_column("resolved_at", float)
    db.table("requests").add_column("followups", int, not_null_default=0)


def _migration_granted_role(db: sqlite_utils.Database) -> None:
    # The role an approval gave, so the request's card keeps saying so after the role changes again.
    db.table("access_requests").add_column("granted", str)


def _migration_request_lookups(db: sqlite_utils.Database) -> None:
    # Every change Jira reports is matched to its request by key; the dashboard and the requests page read by date.
    db.table("requests").create_index(["jira_key"])
    db.table("requests").create_index(["created_at"])


def _migration_counted_events(db: sqlite_utils.Database) -> None:
    # The Jira events already folded into their request's outcomes (first response, resolution, follow-ups).
    db.table("counted_events").create({"event_id": str}, pk="event_id")


def _migration_link_requests(db: sqlite_utils.Database) -> None:
    # A /link waits here for an admin's confirmation; decided ones stay, so a late tap learns who decided.
    db.table("link_requests").create({
        "id": int, "user_id": int, "chat_id": int, "username": str, "name": str, "query": str, "jira_name": str,
        "requested_at": float, "state": str, "decided_by": int, "decided_at": float, "admin_messages": str,
    }, pk="id", not_null={"user_id", "chat_id", "query", "requested_at", "state"})
    db.table("link_requests").create_index(["user_id", "state"])


def _migration_create_sent(db: sqlite_utils.Database) -> None:
    # When a create may last have been on its way to Jira, so a retry waits for Jira's search to show it before
    # filing again. A request caught between attempts by the upgrade counts from its last update.
    db.table("requests").add_column("create_sent_at", float)
    db.execute("UPDATE requests SET create_sent_at = updated_at WHERE state = 'sending'")


# The requests list sorts by any of these; each sort key is never NULL (an unknown time sorts as the longest), and
# then the date and the rowid every index ends with break ties, so keyset pages neither lose nor repeat a row.
_UNKNOWN_WAIT = 1e18
_DERIVED = {
    "status": "CASE WHEN resolved_at IS NOT NULL THEN 'resolved' WHEN state = 'needs-attention' "
              "THEN 'needs-attention' WHEN jira_key IS NOT NULL THEN 'open' ELSE 'waiting' END",
    "key_sort": "COALESCE(jira_key, '')",
    "response_secs": f"CASE WHEN first_response_at IS NULL THEN {_UNKNOWN_WAIT} "
                     "ELSE max(0, first_response_at - created_at) END",
    "resolution_secs": f"CASE WHEN resolved_at IS NULL THEN {_UNKNOWN_WAIT} ELSE max(0, resolved_at - created_at) END",
}


# A request's status as the admins' list shows it, since approval: waiting requests and declined ones apart.
_STATUS = ("CASE WHEN resolved_at IS NOT NULL THEN 'resolved' WHEN state = 'needs-attention' THEN 'needs-attention' "
           "WHEN state = 'approval' THEN 'approval' WHEN state = 'declined' THEN 'declined' "
           "WHEN jira_key IS NOT NULL THEN 'open' ELSE 'waiting' END")


def _migration_request_columns(db: sqlite_utils.Database) -> None:
    # What the admins' pages filter, sort and search on, as columns of their own instead of inside the ticket's
    # JSON: at a million requests, reading every ticket for one page took seconds.
    for name in ("summary", "customer", "urgency", "requester"):
        db.execute(f"ALTER TABLE requests ADD COLUMN {name} TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE requests SET summary = COALESCE(json_extract(ticket, '$.summary'), ''), "
               "customer = COALESCE(json_extract(ticket, '$.customer'), ''), "
               "urgency = COALESCE(json_extract(ticket, '$.priority'), ''), "
               "requester = COALESCE((SELECT COALESCE(u.name, u.username) FROM users u WHERE u.id = user_id), "
               "CAST(user_id AS TEXT))")
    for name, expression in _DERIVED.items():
        db.execute(f"ALTER TABLE requests ADD COLUMN {name} GENERATED ALWAYS AS ({expression}) VIRTUAL")
    # Each sort key then the date: one index serves a column's sort and the filter on its value, newest first.
    for column in ("summary", "customer", "urgency", "requester", "template_id", "status", "key_sort",
                   "response_secs", "resolution_secs", "followups"):
        db.execute(f"CREATE INDEX requests_by_{column} ON requests ({column}, created_at)")
    # The dashboard's weeks, read from the index alone.
    db.execute("CREATE INDEX requests_weekly ON requests (created_at, template_id, urgency, customer, jira_key, "
               "followups, first_response_at, resolved_at)")
    db.execute("CREATE INDEX customers_used_by_uses ON customers_used (uses, name)")


def _migration_request_search(db: sqlite_utils.Database) -> None:
    # Full-text search over what admins remember of a request; the index follows the table by triggers.
    columns = ("summary", "customer", "jira_key", "requester")
    listed = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    db.execute(f"CREATE VIRTUAL TABLE requests_search USING fts5({listed}, content='requests', "
               "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
    db.execute(f"CREATE TRIGGER requests_search_added AFTER INSERT ON requests BEGIN "
               f"INSERT INTO requests_search (rowid, {listed}) VALUES (new.rowid, {new}); END")
    db.execute(f"CREATE TRIGGER requests_search_removed AFTER DELETE ON requests BEGIN "
               f"INSERT INTO requests_search (requests_search, rowid, {listed}) "
               f"VALUES ('delete', old.rowid, {old}); END")
    db.execute(f"CREATE TRIGGER requests_search_changed AFTER UPDATE OF {listed} ON requests BEGIN "
               f"INSERT INTO requests_search (requests_search, rowid, {listed}) "
               f"VALUES ('delete', old.rowid, {old}); "
               f"INSERT INTO requests_search (rowid, {listed}) VALUES (new.rowid, {new}); END")
    db.execute("INSERT INTO requests_search (requests_search) VALUES ('rebuild')")
    # A number that grows with every change to the requests, so reports computed earlier know they still hold.
    db.execute("CREATE TABLE requests_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)")
    db.execute("INSERT INTO requests_version VALUES (1, 0)")
    for event in ("INSERT", "UPDATE", "DELETE"):
        db.execute(f"CREATE TRIGGER requests_version_{event.lower()} AFTER {event} ON requests BEGIN "
                   "UPDATE requests_version SET version = version + 1; END")


def _migration_admin_page_language(db: sqlite_utils.Database) -> None:
    # The language an admin chose on the admin page; NULL: the one the bot speaks with them.
    db.table("users").add_column("page_lang", str)


def _migration_approval_status(db: sqlite_utils.Database) -> None:
    # The requests list tells requests waiting for approval, and declined ones, from those waiting for Jira.
    db.execute("DROP INDEX requests_by_status")
    db.execute("ALTER TABLE requests DROP COLUMN status")
    db.execute(f"ALTER TABLE requests ADD COLUMN status GENERATED ALWAYS AS ({_STATUS}) VIRTUAL")
    db.execute("CREATE INDEX requests_by_status ON requests (status, created_at)")


def _migration_approvals(db: sqlite_utils.Database) -> None:
    # A confirmed request that waits for an approver; decided ones stay, so a late tap learns who decided.
    db.table("approvals").create({
        "request_id": str, "user_id": int, "chat_id": int, "approvers": str, "state": str, "asked_at": float,
        "reminded_at": float, "decided_by": int, "decided_name": str, "decided_at": float, "verdict": str,
        "reason": str, "messages": str,
    }, pk="request_id", not_null={"user_id", "state", "asked_at"})
    db.table("approvals").create_index(["state"])
    # An approver who tapped Decline and is asked to type the reason: their next text is it.
    db.table("approval_reasons").create({"user_id": int, "request_id": str, "chat_id": int, "asked_at": float},
                                        pk="user_id")
    # Delivery to Jira is retried for delivery.max_age_hours from the approval, not from the wait's start.
    db.table("requests").add_column("approved_at", float)


def _migration_followup_questions(db: sqlite_utils.Database) -> None:
    # Engineers' questions on filed issues, kept per template so the admins see what the forms leave out.
    db.table("followup_questions").create({
        "event_id": str, "request_id": str, "template_id": str, "asked_at": float, "text": str,
    }, pk="event_id", not_null={"request_id", "template_id", "asked_at", "text"})
    db.table("followup_questions").create_index(["template_id", "asked_at"])
    # The priority Jira shows after someone other than the bot changed it, next to the one claimed at filing.
    db.table("requests").add_column("jira_priority", str)


def _migration_group_messages(db: sqlite_utils.Database) -> None:
    # Group chat messages a /ticket named or, with reactions on, every one for a while: a reaction carries only ids.
    db.table("group_messages").create({
        "chat_id": int, "message_id": int, "chat_title": str, "author": str, "author_id": int, "text": str,
        "files": str, "seen_at": float,
    }, pk=("chat_id", "message_id"))
    db.table("group_messages").create_index(["seen_at"])


def _migration_expectations(db: sqlite_utils.Database) -> None:
    # Each deadline notice (a warning, then overdue) once per request: 'sending' until told, then 'sent'.
    db.table("deadline_notices").create({"request_id": str, "kind": str, "state": str, "at": float},
                                        pk=("request_id", "kind"), not_null={"state"})
    # "Was it solved?": asked once per request; the answer, when given, with its time.
    db.table("feedback").create({
        "request_id": str, "issue_key": str, "user_id": int, "chat_id": int, "template_id": str,
        "asked_at": float, "message_id": int, "answer": str, "answered_at": float,
    }, pk="request_id", not_null={"issue_key", "user_id", "asked_at"})
    db.table("feedback").create_index(["issue_key"])
    # A comment may move its issue on once posted (a "not solved" reopening it).
    db.table("comments").add_column("transition", str)


def _migration_owed_questions(db: sqlite_utils.Database) -> None:
    # "Was it solved?" and deadline notices are owed until Telegram takes them: 'owed' with the attempts made
    # and when the next may start, then 'asked' / 'sent', or 'dropped' once given up.
    feedback = db.table("feedback")
    feedback.add_column("state", str, not_null_default="asked")
    feedback.add_column("attempts", int, not_null_default=0)
    feedback.add_column("next_at", float)
    feedback.add_column("question", str)
    feedback.add_column("lang", str)
    notices = db.table("deadline_notices")
    notices.add_column("attempts", int, not_null_default=0)
    notices.add_column("next_at", float)
    # A notice left 'sending' by a crash is owed, due now.
    db.execute("UPDATE deadline_notices SET state = 'owed' WHERE state = 'sending'")


# Named, ordered and recorded: a database is only ever moved forward, one step at a time.
def _migration_issue_moves(db: sqlite_utils.Database) -> None:
    # An issue moved to another project gets a new key; buttons and messages sent before still name the old one.
    db.table("issue_moves").create({"old_key": str, "new_key": str, "moved_at": float}, pk="old_key")


def _migration_report_indexes(db: sqlite_utils.Database) -> None:
    # The dashboard's urgency report and deadlines kept are counted from these alone, without reading requests:
    # filed requests by date with what the report counts, and filed requests that carry a promised date.
    db.execute("CREATE INDEX IF NOT EXISTS requests_urgency ON requests (created_at, template_id, requester, urgency, "
               "jira_priority, first_response_at, resolved_at) WHERE jira_key IS NOT NULL")
    db.execute(f"CREATE INDEX IF NOT EXISTS requests_due ON requests ({DUE}) "
               f"WHERE jira_key IS NOT NULL AND {DUE} IS NOT NULL")


def _migration_report_figures(db: sqlite_utils.Database) -> None:
    # The dashboard's figures outlive a restart: at a million requests a year of them takes seconds to count.
    db.execute("CREATE TABLE report_figures (name TEXT PRIMARY KEY, counted_at REAL NOT NULL, "
               "version INTEGER NOT NULL, figures TEXT NOT NULL, asked_at REAL)")


def _migration_estimate_index(db: sqlite_utils.Database) -> None:
    # What to expect is counted from this alone, without reading requests: filed requests by status and date, with
    # the template, the priority claimed and when they were resolved.
    db.execute("CREATE INDEX IF NOT EXISTS requests_estimates ON requests (status, created_at, template_id, urgency, "
               "resolved_at) WHERE jira_key IS NOT NULL")


# The date a requester was promised, as the requests_due index holds it: queries name it in exactly these words.
DUE = "json_extract(ticket, '$.duedate')"

MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("0001_initial", _migration_initial),
    ("0002_request_uploads", _migration_uploads),
    ("0003_request_drafts", _migration_request_drafts),
    ("0004_linked_jira_users", _migration_jira_users),
    ("0005_user_active", _migration_user_active),
    ("0006_comments_and_notices", _migration_comments),
    ("0007_jira_events", _migration_events),
    ("0008_comment_labels", _migration_comment_labels),
    ("0009_language_choice", _migration_language_choice),
    ("0010_admin", _migration_admin),
    ("0011_access_granted_role", _migration_granted_role),
    ("0012_request_lookups", _migration_request_lookups),
    ("0013_counted_events", _migration_counted_events),
    ("0014_link_requests", _migration_link_requests),
    ("0015_request_create_sent", _migration_create_sent),
    ("0016_request_columns", _migration_request_columns),
    ("0017_request_search", _migration_request_search),
    ("0018_issue_moves", _migration_issue_moves),
    ("0019_expectations", _migration_expectations),
    ("0021_followup_questions", _migration_followup_questions),
    ("0022_group_messages", _migration_group_messages),
    ("0024_approvals", _migration_approvals),
    ("0025_approval_status", _migration_approval_status),
    ("0026_admin_page_language", _migration_admin_page_language),
    ("0030_owed_questions", _migration_owed_questions),
    ("0031_report_indexes", _migration_report_indexes),
    ("0032_report_figures", _migration_report_figures),
    ("0033_estimate_index", _migration_estimate_index),
]


def migrate(store: StoreBase) -> None:
    """Apply the migrations the database has not had yet, each in a transaction of its own."""
    store.db.table("_migrations").create({"name": str, "applied_at": float}, pk="name", if_not_exists=True)
    done = {row["name"] for row in store.db.table("_migrations").rows}
    for name, step in MIGRATIONS:
        if name in done:
            continue
        with store.transaction():
            step(store.db)
            store.db.table("_migrations").insert({"name": name, "applied_at": store.clock()})
