"""The `ticketsmith` command as an admin or newcomer uses it, through the installed console script."""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

import pytest

from tests.fakes.jira import FakeJira
from tests.helpers import run_cli, write_cli_config

ROOT = Path(__file__).resolve().parent.parent
def test_check_offline_accepts_the_example_config() -> None:
    result = run_cli("check", "--offline", "--config", "config.example.yaml")
    assert result.returncode == 0, result.stderr
    assert "3 template(s)" in result.stdout and "bug:" in result.stdout


def test_check_names_missing_environment_variables() -> None:
    result = run_cli("check", "--config", "config.example.yaml")
    assert result.returncode == 2
    assert "TELEGRAM_TOKEN" in result.stderr and "line 6" in result.stderr


def test_check_reports_template_problems_with_file_line_template_and_question(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config.example.yaml", tmp_path / "config.yaml")
    shutil.copy(ROOT / "customers.example.yaml", tmp_path / "customers.example.yaml")
    broken = (ROOT / "templates.example.yaml").read_text(encoding="utf-8")
    broken = broken.replace("when: {urgency: [blocker, soon]}", "when: {urgncy: [blocker]}", 1)
    broken = broken.replace('summary: "{customer}: {what}"', 'summary: "{customer}: {wat}"', 1)
    (tmp_path / "templates.example.yaml").write_text(broken, encoding="utf-8")
    result = run_cli("check", "--offline", "--config", str(tmp_path / "config.yaml"))
    assert result.returncode == 2
    assert "templates.example.yaml, line" in result.stderr
    assert "template 'bug', question 'why': 'when' names 'urgncy'" in result.stderr
    assert "summary placeholder '{wat}' names no question" in result.stderr


def test_chat_walks_a_template_and_prints_the_issue() -> None:
    answers = "\n".join(["Export to Excel fails since the update", "acme", "3", "No deadline", "3", "1"]) + "\n"
    result = run_cli("chat", "--config", "config.example.yaml", "--template", "bug", stdin=answers)
    assert result.returncode == 0, result.stderr
    assert '"summary": "ACME Corp GmbH: Export to Excel fails since the update"' in result.stdout
    assert '"name": "Medium"' in result.stdout
    assert "h3. What is wrong?" in result.stdout


def test_chat_in_russian() -> None:
    result = run_cli("chat", "--config", "config.example.yaml", "--lang", "ru", stdin="1\n")
    assert "Что вам нужно?" in result.stdout
    assert "Что не так?" in result.stdout


def test_chat_with_unknown_template_lists_the_known_ones() -> None:
    result = run_cli("chat", "--config", "config.example.yaml", "--template", "nope")
    assert result.returncode == 2
    assert "bug, feature, question" in result.stderr


def test_run_says_clearly_when_telegram_cannot_be_reached(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "telegram: {token: '123:abc', api_base_url: 'http://127.0.0.1:9/bot'}\n"
        "jira: {url: 'http://127.0.0.1:9', project: SUP, email: a@example.com, api_token: secret-value}\n"
        f"templates: {ROOT / 'templates.example.yaml'}\n"
        "storage: {path: t.db}\n", encoding="utf-8")
    result = run_cli("run", "--config", str(config))
    assert result.returncode == 3
    assert "the Telegram Bot API at http://127.0.0.1:9/bot could not be reached" in result.stderr
    assert "secret-value" not in result.stderr


def test_run_that_cannot_reach_telegram_closes_its_connections(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "telegram: {token: '123:abc', api_base_url: 'http://127.0.0.1:9/bot'}\n"
        "jira: {url: 'http://127.0.0.1:9', project: SUP, pat: secret-value}\n"
        f"templates: {ROOT / 'templates.example.yaml'}\n"
        "storage: {path: t.db}\n", encoding="utf-8")
    result = run_cli("run", "--config", str(config))
    assert result.returncode == 3
    # One line saying what is wrong, and no asyncio complaints about sessions left open after it.
    assert "Unclosed" not in result.stderr and "ERROR" not in result.stderr, result.stderr


def test_check_masks_the_credentials_in_jiras_url(tmp_path: Path) -> None:
    with FakeJira("cloud", email="bot@example.com", api_token="tok") as jira:
        address = jira.url.replace("http://", "http://bot:url-secret-4711@")
        config = write_cli_config(tmp_path, address)
        reached = run_cli("check", "--config", str(config))
        jira.go_down()
        down = run_cli("check", "--config", str(config))
    assert reached.returncode == 0, reached.stderr
    masked = jira.url.replace("http://", "http://***@")
    assert f"jira: {masked} — Jira Cloud" in reached.stdout
    assert down.returncode == 3
    assert down.stderr.splitlines()[-1].startswith(f"ticketsmith: Jira at {masked} could not be reached")
    for result in (reached, down):
        assert "url-secret-4711" not in result.stdout + result.stderr


def test_a_bad_access_entry_is_named_by_position_not_shown(tmp_path: Path) -> None:
    config = write_cli_config(tmp_path, "https://jira.example.com",
                          access="{admins: [900, 'sk-live-4711-secret-value', 'ab'], users: [{token: x-secret-4711}]}")
    result = run_cli("check", "--offline", "--config", str(config))
    assert result.returncode == 2
    assert "line 4: 'access.admins' entry 2 ('sk***', a text of 25 characters) is neither a numeric Telegram id " \
           "nor an @username" in result.stderr
    assert "line 4: 'access.admins' entry 3 ('***', a text of 2 characters)" in result.stderr
    assert "line 4: 'access.users' entry 1 (a mapping)" in result.stderr
    assert "sk-live-4711" not in result.stdout + result.stderr and "x-secret-4711" not in result.stderr


@pytest.mark.parametrize(("storage", "reason"), [
    ("notes.txt/ticketsmith.db", "cannot create the database at {folder}/notes.txt/ticketsmith.db: {folder}/notes.txt "
                                 "is a file, not a folder"),
    # sysfs takes no new files from anyone, root included (a chmod would not stop root).
    ("/sys/ticketsmith.db", "cannot create the database at /sys/ticketsmith.db: Permission denied"),
    ("data", "cannot open the database at {folder}/data: that is a folder, not a file"),
], ids=["parent-is-a-file", "read-only-folder", "path-is-a-folder"])
def test_run_names_a_database_location_it_cannot_write(tmp_path: Path, storage: str, reason: str) -> None:
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    (tmp_path / "data").mkdir()
    config = write_cli_config(tmp_path, "https://jira.example.com", storage=storage)
    result = run_cli("run", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "ticketsmith: the configuration has problems:",
        f"  - {reason.format(folder=tmp_path)}; set storage.path in {config} to a file in a folder the bot can "
        "write to"]


def test_version_comes_from_the_installed_package() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"ticketsmith {metadata.version('ticketsmith')}\n"


def test_run_help_says_how_updates_arrive_and_what_the_signals_do() -> None:
    text = " ".join(run_cli("run", "--help").stdout.split())
    assert "by long polling (no public URL needed), or by webhook when telegram.webhook.url is set" in text
    assert "/healthz, /readyz, /metrics, Jira's webhook at /jira/webhook and the admin page at /admin/" in text
    assert "SIGHUP re-reads the templates file" in text and "SIGTERM or SIGINT" in text


def test_check_help_lists_its_exit_codes() -> None:
    lines = run_cli("check", "--help").stdout.splitlines()
    codes = [line.split()[0] for line in lines[lines.index("exit codes:") + 1:] if line.startswith("  ") and
             line.split()[0].isdigit()]
    assert codes == ["0", "1", "2", "3"]
    text = " ".join(run_cli("check", "--help").stdout.split())
    assert "1 a template does not fit Jira's create screens" in text
    assert "3 Jira cannot be reached, refuses the bot's credentials" in text


def test_check_says_what_it_is_doing_on_stderr_and_keeps_stdout_the_report(tmp_path: Path) -> None:
    with FakeJira("cloud", email="bot@example.com", api_token="tok") as jira:
        config = write_cli_config(tmp_path, jira.url.replace("http://", "http://bot:url-secret-4711@"))
        result = run_cli("check", "--config", str(config))
    masked = jira.url.replace("http://", "http://***@")
    assert result.returncode == 0, result.stderr
    progress = result.stderr.splitlines()
    assert progress[0] == f"Checking 3 template(s) against Jira at {masked}: reading the create screens of " \
                          "project(s) SUP…"
    assert progress[1].startswith("Read Jira Cloud") and "'s create screens in" in progress[1]
    assert "Checking" not in result.stdout and result.stdout.startswith("config: ")
    assert "url-secret-4711" not in result.stdout + result.stderr


def test_log_level_option_wins_over_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "telegram: {token: '123:abc-token-4711', api_base_url: 'http://127.0.0.1:9/bot'}\n"
        "jira: {url: 'http://127.0.0.1:9', project: SUP, email: a@example.com, api_token: secret-value}\n"
        f"templates: {ROOT / 'templates.example.yaml'}\n"
        "storage: {path: t.db}\n"
        "logging: {level: debug}\n", encoding="utf-8")
    from_config = run_cli("run", "--config", str(config))
    quieter = run_cli("run", "--config", str(config), "--log-level", "WARNING")
    assert from_config.returncode == quieter.returncode == 3
    assert " DEBUG " in from_config.stderr and "Calling Bot API endpoint `getMe`" in from_config.stderr
    assert " DEBUG " not in quieter.stderr and " INFO " not in quieter.stderr
    assert "abc-token-4711" not in from_config.stderr + quieter.stderr


def test_an_unknown_log_level_in_the_config_is_named_with_its_line(tmp_path: Path) -> None:
    config = write_cli_config(tmp_path, "https://jira.example.com")
    config.write_text(config.read_text(encoding="utf-8") + "logging: {level: loud}\n", encoding="utf-8")
    result = run_cli("check", "--offline", "--config", str(config))
    assert result.returncode == 2
    assert "line 6: 'logging.level' must be one of debug, info, warning, error" in result.stderr
