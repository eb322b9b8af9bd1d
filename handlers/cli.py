"""The `ticketsmith` command: run the bot, check the config and templates, back up the database, or try the dialog
in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from importlib import metadata
from pathlib import Path

from bot.app import build_directory, build_engine
from bot.config import Config, JiraConfig, load_config
from bot.i18n.catalog import LANGUAGES
from bot.intake.dialog import human_size
from bot.intake.extract import reading_notes
from bot.jira.gateway import DeliveryError, JiraGateway
from bot.jira.meta import JiraMeta
from bot.logs import LEVELS, RedactSecrets, hide_url_credentials, setup_logging
from bot.storage.backup import BackupFailed, backup_database
from bot.storage.store import StoreUnavailable
from bot.templates.jira_check import check_approval_rule, check_templates, format_report
from bot.templates.schema import load_templates
from bot.text.yamlfile import ConfigError
from handlers.console import run_console

log = logging.getLogger("ticketsmith")


def _fail(error: ConfigError) -> int:
    print("ticketsmith: the configuration has problems:", file=sys.stderr)
    for problem in error.problems:
        print(f"  - {hide_url_credentials(problem)}", file=sys.stderr)
    return 2


def _setup_logging(config: Config, args: argparse.Namespace) -> None:
    """Log at --log-level if given, else at the config's logging.level."""
    setup_logging(config.log_format, config.secrets, args.log_level or config.log_level)


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bot until SIGTERM or SIGINT."""
    # Imported here, not above: telegram is slow to import, and check (check --offline above all) and chat must start
    # fast and work without the Telegram layer.
    from telegram.error import InvalidToken, NetworkError

    from handlers.serve import run
    from handlers.telegram.wiring import assemble

    try:
        config = load_config(Path(args.config))
        assert config.telegram is not None and config.jira is not None
        _setup_logging(config, args)
        svc, app = assemble(config)
    except ConfigError as error:
        return _fail(error)
    except StoreUnavailable as error:
        return _fail(ConfigError([f"{error}; set storage.path in {config.path} to a file in a folder the bot can "
                                  "write to"]))
    try:
        run(svc, app)
    except InvalidToken:
        print("ticketsmith: Telegram refused the bot token — check TELEGRAM_TOKEN (telegram.token)", file=sys.stderr)
        return 3
    except NetworkError as error:
        print(RedactSecrets(config.secrets).scrub(
            f"ticketsmith: the Telegram Bot API at {config.telegram.api_base_url} could not be reached ({error}) "
            "— check telegram.api_base_url and the network"), file=sys.stderr)
        return 3
    return 0


def _summary(config: Config) -> list[str]:
    templates = load_templates(config.templates_path)
    lines = [f"templates: {config.templates_path} — {len(templates.templates)} template(s), version "
             f"{templates.version}"]
    notes = reading_notes(templates)
    for template in templates.templates:
        lines.append(f"  {template.id}: {template.title.get('en')} ({len(template.questions)} questions, "
                     f"Jira {template.jira.project or config.jira_project}/{template.jira.issue_type})")
        lines += [f"    {note}" for note in notes[template.id]]
    directory = build_directory(config)
    source = config.customers_path or "none"
    lines.append(f"customers: {source} — {len(directory)} customer(s)")
    return lines


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the config, templates and customers, then check the templates against Jira; non-zero on problems."""
    try:
        config = load_config(Path(args.config), need_telegram=not args.offline, need_jira=not args.offline)
        lines = _summary(config)
    except ConfigError as error:
        return _fail(error)
    _setup_logging(config, args)
    print(f"config: {config.path} — OK")
    for line in lines:
        print(line)
    if args.offline or config.jira is None:
        return 0
    return _check_against_jira(config, config.jira)


async def _fetch_meta(jira: JiraConfig, projects: set[str]) -> JiraMeta:
    """Read the create screens of these projects through the same gateway the bot uses."""
    gateway = JiraGateway(jira)
    try:
        return await gateway.create_meta(projects)
    finally:
        await gateway.close()


def _jira_failure(jira: JiraConfig, error: DeliveryError) -> str:
    """Explain in one line why Jira could not be checked."""
    where = f"Jira at {jira.url}"
    if error.status == 401:
        return (f"{where} rejected the bot's credentials (401) — check jira.email and jira.api_token (Cloud) or "
                "jira.pat (Data Center)")
    if error.status == 403:
        return f"{where} refused access (403) — the bot's account needs to browse and create issues: {error}"
    if error.status is None:
        # classify() words these "Jira could not be reached" / "Jira did not answer in time".
        text = str(error)
        what = f"{where} {text.removeprefix('Jira ')}" if text.startswith("Jira ") else f"{where}: {text}"
        return f"{what} — check jira.url, the network and jira.timeout ({jira.timeout:g} s)"
    return f"could not read the create screens from {where}: {error}"


def _check_against_jira(config: Config, jira: JiraConfig) -> int:
    """Check every template against Jira's create screens: 0 if all fit, 1 on problems, 3 if Jira cannot be read."""
    templates = load_templates(config.templates_path)
    projects = {t.jira.project or config.jira_project for t in templates.templates}
    redact = RedactSecrets(config.secrets)
    # What it is doing goes to stderr, so stdout stays the report; Jira may take a while to answer.
    print(redact.scrub(f"Checking {len(templates.templates)} template(s) against Jira at {jira.url}: reading the "
                       f"create screens of project(s) {', '.join(sorted(projects))}…"), file=sys.stderr)
    started = time.monotonic()
    try:
        meta = asyncio.run(_fetch_meta(jira, projects))
    except DeliveryError as error:
        print(redact.scrub(f"ticketsmith: {_jira_failure(jira, error)}"), file=sys.stderr)
        return 3
    print(f"Read {meta.product}'s create screens in {time.monotonic() - started:.1f} s; comparing…", file=sys.stderr)
    print(redact.scrub(f"jira: {jira.url} — {meta.product}; checking {len(templates.templates)} template(s) against "
                       f"project(s) {', '.join(sorted(projects))}"))
    results = check_templates(templates, meta, config.jira_project)
    rule_problems = check_approval_rule(config.approval.rule, meta)
    if rule_problems:
        print(f"config approval rule: {len(rule_problems)} problem{'s' if len(rule_problems) != 1 else ''}")
        for problem in rule_problems:
            print(redact.scrub(f"  - {problem}"))
    for line in format_report(results):
        print(redact.scrub(line))
    return 1 if any(results.values()) or rule_problems else 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database to PATH while the bot runs, check the copy and print a summary."""
    try:
        config = load_config(Path(args.config), need_telegram=False, need_jira=False)
    except ConfigError as error:
        return _fail(error)
    _setup_logging(config, args)
    try:
        done = backup_database(config.storage_path, Path(args.path))
    except BackupFailed as error:
        print(f"ticketsmith: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backup: {config.storage_path} -> {done.path}: {done.requests} requests, {human_size(done.size)}, "
          f"integrity ok, {done.seconds:.1f} s")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Walk a template in the terminal and print the Jira issue it would create."""
    try:
        config = load_config(Path(args.config), need_telegram=False, need_jira=False)
        engine = build_engine(config, build_directory(config))
    except ConfigError as error:
        return _fail(error)
    if args.template and engine.templates.get(args.template) is None:
        known = ", ".join(t.id for t in engine.templates.templates)
        print(f"ticketsmith: no template '{args.template}'; known: {known}", file=sys.stderr)
        return 2
    run_console(engine, lang=args.lang, template_id=args.template)
    return 0


RUN_DESCRIPTION = """\
Run the bot until SIGTERM or SIGINT.

Telegram's updates arrive by long polling (no public URL needed), or by webhook
when telegram.webhook.url is set: Telegram then posts them to that URL plus
telegram.webhook.path, which your HTTPS proxy passes on to server.port. With
server.port set the bot also serves /healthz, /readyz, /metrics, Jira's webhook
at /jira/webhook and the admin page at /admin/.

SIGHUP re-reads the templates file, as /reload does. SIGTERM or SIGINT: no new
updates are taken, the ones in progress finish, the database is closed."""

CHECK_DESCRIPTION = """\
Validate the config file, templates and customers, then check every template
against Jira's create screens. Progress goes to stderr, the report to stdout.
With --offline only the files are checked, and no secrets are needed."""

CHECK_EPILOG = """\
exit codes:
  0  the files are valid and every template fits Jira's create screens
  1  a template does not fit Jira's create screens (a report per template)
  2  the config, templates or customers have problems, each named with its
     file and line, or an environment variable the config names is not set
  3  Jira cannot be reached, refuses the bot's credentials or access, or its
     create screens cannot be read"""

BACKUP_DESCRIPTION = """\
Copy the database (storage.path in the config) to PATH while the bot runs,
with SQLite's online backup: the copy is the database as it stood when the
backup began, and the bot keeps working meanwhile. The copy is written beside
PATH, checked (PRAGMA integrity_check, every request present) and only then
moved to PATH. Exit code 0 with a one-line summary, 1 if the backup failed,
2 if the config has problems."""


def _version() -> str:
    """Return the installed package's version."""
    try:
        return metadata.version("ticketsmith")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    root = argparse.ArgumentParser(prog="ticketsmith", description=__doc__)
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the Telegram bot (long polling or webhook)",
                              description=RUN_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.set_defaults(func=cmd_run)
    check = commands.add_parser("check", help="validate the config file, templates and customers, and check the "
                                "templates against Jira's create screens", description=CHECK_DESCRIPTION,
                                epilog=CHECK_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--offline", action="store_true",
                       help="skip the telegram and jira sections and the check against Jira (no secrets needed)")
    check.set_defaults(func=cmd_check)
    backup = commands.add_parser("backup", help="copy the database to a file while the bot runs",
                                 description=BACKUP_DESCRIPTION,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    backup.add_argument("path", metavar="PATH", help="the file to write the copy to (replaced if it exists)")
    backup.set_defaults(func=cmd_backup)
    chat = commands.add_parser("chat", help="walk a request in the terminal and print the Jira issue")
    chat.add_argument("--template", help="start with this template id")
    chat.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the dialog")
    chat.set_defaults(func=cmd_chat)
    for command in (run, check, backup, chat):
        command.add_argument("--config", default="config.yaml", help="path to the config file (default: %(default)s)")
    for command in (run, check, backup):
        command.add_argument("--log-level", choices=LEVELS, type=str.lower,
                             help="log at this level; overrides logging.level in the config (info if neither)")
    return root


def main(argv: list[str] | None = None) -> int:
    """Run the ticketsmith command line."""
    args = parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
