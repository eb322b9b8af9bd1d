"""The config file: environment expansion, sections, checks, and paths relative to the file."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import CLOUD_DOWNLOAD_LIMIT, Config, load_config
from bot.text.yamlfile import ConfigError

ROOT = Path(__file__).resolve().parent.parent
CLOUD_JIRA = ("jira:\n  url: https://x.atlassian.net\n  project: SUP\n  email: bot@x.com\n"
              "  api_token: ${TOK}\n")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, *, env: dict[str, str] | None = None, telegram: bool = False,
         jira: bool = False) -> Config:
    return load_config(write(tmp_path, text), need_telegram=telegram, need_jira=jira, env=env or {})


def at(tmp_path: Path, line: int) -> str:
    """Return the location prefix of a problem in tmp_path/config.yaml."""
    return f"{tmp_path / 'config.yaml'}, line {line}"


def problems(tmp_path: Path, text: str, *, env: dict[str, str] | None = None, telegram: bool = False,
             jira: bool = False) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, env=env, telegram=telegram, jira=jira)
    return caught.value.problems


def test_example_config_loads_without_telegram_and_jira(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    shutil.copy(ROOT / "config.example.yaml", path)
    config = load_config(path, need_telegram=False, need_jira=False, env={})
    assert config.telegram is None and config.jira is None
    assert config.templates_path == tmp_path / "templates.example.yaml"
    assert config.customers_path == tmp_path / "customers.example.yaml"
    assert config.storage_path == tmp_path / "ticketsmith.db"
    assert config.timezone == ZoneInfo("Europe/Berlin")
    assert config.jira_project == "SUP"
    assert config.jira_language == "en"
    assert config.access.admins == () and config.access.users == ()
    assert config.draft_expire_hours == 24.0
    assert (config.delivery.max_age_hours, config.delivery.first_retry_seconds,
            config.delivery.max_retry_seconds) == (72.0, 10.0, 900.0)
    assert config.log_format == "text"


def test_example_config_loads_fully_with_its_variables(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    shutil.copy(ROOT / "config.example.yaml", path)
    env = {"TELEGRAM_TOKEN": "123:abc", "JIRA_EMAIL": "bot@example.com", "JIRA_API_TOKEN": "sekrit"}
    config = load_config(path, env=env)
    assert config.telegram is not None and config.jira is not None
    assert config.telegram.token == "123:abc"
    assert config.telegram.download_limit == CLOUD_DOWNLOAD_LIMIT
    assert config.jira.url == "https://example.atlassian.net"
    assert config.jira.email == "bot@example.com"
    assert config.jira.pat is None
    assert config.jira.timeout == 20.0


def test_example_config_names_missing_variables(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    shutil.copy(ROOT / "config.example.yaml", path)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.problems == [
        f"{path}, line 6: telegram.token needs the environment variable TELEGRAM_TOKEN, which is not set",
        f"{path}, line 17: Jira needs 'jira.email' and 'jira.api_token' (Cloud) or 'jira.pat' (Data Center)",
    ]


# -- ${VAR} expansion -------------------------------------------------------------------------


def test_variables_are_expanded(tmp_path: Path) -> None:
    text = ("templates: ${DIR}/t.yaml\njira:\n  url: ${URL:-https://default.example}\n"
            "  project: ${PROJ:-ABC}\n  timeout: ${TIMEOUT:-7}\n  email: ${EMAIL}\n  api_token: ${TOK}\n")
    config = load(tmp_path, text, jira=True, env={"DIR": "forms", "EMAIL": "e@x.com", "TOK": "t0k"})
    assert config.templates_path == tmp_path / "forms" / "t.yaml"
    assert config.jira is not None
    assert config.jira.url == "https://default.example"
    assert config.jira.project == config.jira_project == "ABC"
    assert config.jira.timeout == 7.0
    assert (config.jira.email, config.jira.api_token) == ("e@x.com", "t0k")


def test_set_variable_wins_over_default(tmp_path: Path) -> None:
    config = load(tmp_path, "templates: t.yaml\njira:\n  project: ${PROJ:-ABC}\n", env={"PROJ": "XYZ"})
    assert config.jira_project == "XYZ"


def test_empty_default_means_not_given(tmp_path: Path) -> None:
    config = load(tmp_path, "templates: t.yaml\njira:\n  project: ${PROJ:-}\n")
    assert config.jira_project == "SUP"


def test_variables_inside_lists(tmp_path: Path) -> None:
    config = load(tmp_path, "templates: t.yaml\naccess:\n  admins: ['${BOSS}', '@${HANDLE}']\n",
                  env={"BOSS": "123456", "HANDLE": "Anna_P"})
    assert config.access.admins == (123456, "@anna_p")


def test_variable_coerced_to_boolean_and_number(tmp_path: Path) -> None:
    text = ("templates: t.yaml\ntelegram:\n  token: ${TG}\n  local_mode: ${LOCAL:-false}\n"
            "drafts:\n  expire_hours: ${H}\n")
    config = load(tmp_path, text, telegram=True, env={"TG": "1:x", "LOCAL": "yes", "H": "12.5"})
    assert config.telegram is not None
    assert config.telegram.local_mode is True
    assert config.telegram.download_limit is None
    assert config.draft_expire_hours == 12.5


def test_missing_variable_is_named_with_its_line(tmp_path: Path) -> None:
    text = "templates: t.yaml\njira:\n  project: SUP\n  url: ${JIRA_URL}\n  pat: x\n"
    assert problems(tmp_path, text, jira=True) == [
        f"{at(tmp_path, 4)}: jira.url needs the environment variable JIRA_URL, which is not set"]


def test_empty_variable_counts_as_missing(tmp_path: Path) -> None:
    text = "templates: ${T}\n"
    assert problems(tmp_path, text, env={"T": ""}) == [
        f"{at(tmp_path, 1)}: templates needs the environment variable T, which is not set",
        f"{at(tmp_path, 1)}: 'templates' must name the templates file",
    ]


def test_real_environment_is_used_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKETSMITH_TEST_PROJECT", "ENVP")
    path = write(tmp_path, "templates: t.yaml\njira:\n  project: ${TICKETSMITH_TEST_PROJECT}\n")
    assert load_config(path, need_telegram=False, need_jira=False).jira_project == "ENVP"


# -- checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("templates: t.yaml\nextra: 1\n", "line 2: unknown section 'extra'"),
    ("templates: t.yaml\ntimezone: Mars/Olympus\n",
     "line 2: unknown time zone 'Mars/Olympus' (e.g. Europe/Berlin)"),
    ("templates: t.yaml\njira:\n  project: sup\n", "line 3: 'jira.project' 'sup' is not a Jira project key"),
    ("templates: t.yaml\njira:\n  project: S\n", "line 3: 'jira.project' 'S' is not a Jira project key"),
    ("templates: t.yaml\njira:\n  language: fr\n", "line 3: 'jira.language' must be one of en, ru, de"),
    ("templates: t.yaml\njira: [1]\n", "line 2: 'jira' must be a mapping"),
    ("templates: t.yaml\ndrafts:\n  expire_hours: 0\n", "line 3: 'drafts.expire_hours' must be more than 0"),
    ("templates: t.yaml\ndrafts:\n  expire_hours: soon\n",
     "line 3: 'drafts.expire_hours' must be a whole number or a number"),
    ("templates: t.yaml\nlogging:\n  format: xml\n", "line 3: 'logging.format' must be text or json"),
    ("customers: c.yaml\n", "line 1: 'templates' must name the templates file"),
], ids=["unknown-section", "timezone", "project-lower", "project-short", "language", "section-not-mapping",
        "expire-zero", "expire-text", "log-format", "no-templates"])
def test_check_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    assert problems(tmp_path, text) == [f"{tmp_path / 'config.yaml'}, {message}"]


def test_not_a_mapping(tmp_path: Path) -> None:
    assert problems(tmp_path, "- a\n") == [
        f"{tmp_path / 'config.yaml'}: expected a mapping of sections (access, approval, customers, deadlines, "
        "delivery, drafts, extractor, feedback, groups, jira, logging, notices, server, speech, storage, telegram, "
        "templates, timezone)"]


def test_time_zone_naming_a_region_is_a_config_error(tmp_path: Path) -> None:
    assert problems(tmp_path, "templates: t.yaml\ntimezone: Europe\n") == [
        f"{at(tmp_path, 2)}: unknown time zone 'Europe' (e.g. Europe/Berlin)"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(tmp_path, "templates: t.yaml\ntimezone: Nowhere\nlogging:\n  format: xml\nfoo: 1\n")
    assert len(found) == 3


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.yaml", env={})
    assert caught.value.problems == [f"{tmp_path / 'config.yaml'}: file not found"]


# -- access -----------------------------------------------------------------------------------


def test_access_entries(tmp_path: Path) -> None:
    config = load(tmp_path, "templates: t.yaml\naccess:\n  admins: [123, '456', '@Boss']\n  users: [boris_k, "
                            "'@Anna_Petrova', 789]\n")
    assert config.access.admins == (123, 456, "@boss")
    assert config.access.users == ("@boris_k", "@anna_petrova", 789)


@pytest.mark.parametrize("entry", ["ab", "1.5", "'x y'", "'@'", "'@a-b'", "true"])
def test_invalid_access_entry(tmp_path: Path, entry: str) -> None:
    found = problems(tmp_path, f"templates: t.yaml\naccess:\n  users: [{entry}]\n")
    assert len(found) == 1
    assert found[0].startswith(f"{at(tmp_path, 3)}: 'access.users' entry ")
    assert found[0].endswith(" is neither a numeric Telegram id nor an @username")


def test_access_must_be_a_list(tmp_path: Path) -> None:
    assert problems(tmp_path, "templates: t.yaml\naccess:\n  admins: 123\n") == [
        f"{at(tmp_path, 3)}: 'access.admins' must be a list"]


# -- Jira and Telegram ------------------------------------------------------------------------


def test_cloud_needs_email_and_api_token(tmp_path: Path) -> None:
    text = "templates: t.yaml\njira:\n  url: https://x.atlassian.net\n  project: SUP\n  email: bot@x.com\n"
    assert problems(tmp_path, text, jira=True) == [
        f"{at(tmp_path, 3)}: Jira needs 'jira.email' and 'jira.api_token' (Cloud) or "
        "'jira.pat' (Data Center)"]


def test_cloud_with_email_and_api_token(tmp_path: Path) -> None:
    config = load(tmp_path, "templates: t.yaml\n" + CLOUD_JIRA, jira=True, env={"TOK": "t0k"})
    assert config.jira is not None
    assert (config.jira.email, config.jira.api_token, config.jira.pat) == ("bot@x.com", "t0k", None)


def test_data_center_with_pat(tmp_path: Path) -> None:
    text = ("templates: t.yaml\njira:\n  url: http://jira.local\n  project: OPS\n  pat: ${PAT}\n"
            "  language: de\n")
    config = load(tmp_path, text, jira=True, env={"PAT": "p4t"})
    assert config.jira is not None
    assert (config.jira.pat, config.jira.email, config.jira.language) == ("p4t", None, "de")
    assert config.jira_language == "de"


def test_jira_workers_are_bounded(tmp_path: Path) -> None:
    text = "templates: t.yaml\njira:\n  url: http://jira.local\n  project: OPS\n  pat: p\n  workers: 40\n"
    assert problems(tmp_path, text, jira=True) == [
        f"{at(tmp_path, 6)}: 'jira.workers' must be between 1 and 16, not 40"]
    config = load(tmp_path, text.replace("40", "2"), jira=True)
    assert config.jira is not None and config.jira.workers == 2


def test_jira_search_consistency_window_is_bounded(tmp_path: Path) -> None:
    text = ("templates: t.yaml\njira:\n  url: http://jira.local\n  project: OPS\n  pat: p\n"
            "  search_consistency_seconds: -5\n")
    assert problems(tmp_path, text, jira=True) == [
        f"{at(tmp_path, 6)}: 'jira.search_consistency_seconds' must be between 0 and 3600"]
    config = load(tmp_path, text.replace("-5", "0"), jira=True)
    assert config.jira is not None and config.jira.search_consistency_seconds == 0
    config = load(tmp_path, text.replace("  search_consistency_seconds: -5\n", ""), jira=True)
    assert config.jira is not None and config.jira.search_consistency_seconds == 60


def test_jira_needs_url_and_project_when_needed(tmp_path: Path) -> None:
    text = "templates: t.yaml\njira:\n  url: ftp://x\n  pat: p\n"
    assert problems(tmp_path, text, jira=True) == [
        f"{at(tmp_path, 3)}: 'jira.project' is missing",
        f"{at(tmp_path, 3)}: 'jira.url' must start with https:// (or http://)",
    ]


def test_telegram_token_is_checked(tmp_path: Path) -> None:
    assert problems(tmp_path, "templates: t.yaml\ntelegram:\n  token: nope\n", telegram=True) == [
        f"{at(tmp_path, 3)}: 'telegram.token' does not look like a bot token (digits:letters)"]


def test_telegram_token_missing(tmp_path: Path) -> None:
    assert problems(tmp_path, "templates: t.yaml\ntelegram:\n  api_base_url: http://x\n", telegram=True) == [
        f"{at(tmp_path, 3)}: 'telegram.token' is missing"]


def test_secrets_are_collected_and_not_shown(tmp_path: Path) -> None:
    text = "templates: t.yaml\ntelegram:\n  token: ${TG}\n" + CLOUD_JIRA
    env = {"TG": "123:secret-token", "TOK": "api-secret"}
    config = load(tmp_path, text, telegram=True, jira=True, env=env)
    assert config.secrets == ("api-secret", "123:secret-token")
    assert "secret" not in repr(config.telegram)
    assert "secret" not in repr(config.jira)


def test_credentials_written_into_urls_are_secrets(tmp_path: Path) -> None:
    text = ("templates: t.yaml\ntelegram:\n  token: '123:abc'\n  api_base_url: http://tg-4711-token@bot-api:8081/bot\n"
            "jira:\n  url: https://bot:jira-4711-pass@x.atlassian.net\n  project: SUP\n  pat: pat-secret\n")
    secrets = load(tmp_path, text, telegram=True, jira=True).secrets
    assert "jira-4711-pass" in secrets and "tg-4711-token" in secrets and "bot" not in secrets


def test_no_secrets_without_telegram_and_jira(tmp_path: Path) -> None:
    assert load(tmp_path, "templates: t.yaml\n").secrets == ()


# -- paths ------------------------------------------------------------------------------------


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    text = "templates: forms/t.yaml\ncustomers: c.csv\nstorage:\n  path: data/bot.db\n"
    config = load(folder, text)
    assert config.templates_path == folder / "forms" / "t.yaml"
    assert config.customers_path == folder / "c.csv"
    assert config.storage_path == folder / "data" / "bot.db"


def test_absolute_paths_are_kept(tmp_path: Path) -> None:
    config = load(tmp_path, "templates: /srv/t.yaml\ncustomers: /srv/c.yaml\nstorage:\n  path: /var/bot.db\n")
    assert config.templates_path == Path("/srv/t.yaml")
    assert config.customers_path == Path("/srv/c.yaml")
    assert config.storage_path == Path("/var/bot.db")


def test_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, "templates: t.yaml\n")
    assert config.customers_path is None
    assert config.storage_path == tmp_path / "ticketsmith.db"
    assert config.timezone == ZoneInfo("UTC")
    assert config.jira_project == "SUP"


JIRA_WITH_REPORTERS = """\
templates: t.yaml
jira:
  url: https://x.atlassian.net
  project: SUP
  email: bot@example.com
  api_token: secret-token
  reporters:
    123456: anna@company.com
    "@Boris": boris@company.com
    "@eve": ""
"""


def test_reporters_map_telegram_users_to_jira_users(tmp_path: Path) -> None:
    assert problems(tmp_path, JIRA_WITH_REPORTERS, jira=True) == [
        f"{at(tmp_path, 7)}: 'jira.reporters' entry '@eve' must name a Jira user (email or name)"]
    config = load(tmp_path, JIRA_WITH_REPORTERS.replace('  "@eve": ""\n', ""), jira=True)
    assert config.jira is not None
    assert config.jira.reporter_for(123456, None) == "anna@company.com"
    assert config.jira.reporter_for(7, "boris") == "boris@company.com"
    assert config.jira.reporter_for(7, "carl") is None


def test_a_config_nested_thousands_deep_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    text = "templates: templates.yaml\nnotices:\n  events: " + "[" * 5000 + "]" * 5000 + "\n"
    assert problems(tmp_path, text) == [f"{at(tmp_path, 3)}: nested too deeply (more than 64 levels)"]
