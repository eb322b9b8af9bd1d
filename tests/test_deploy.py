"""The shipped deployment files agree with the code: routes, commands, signals, ports, volumes and variables."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bot.config import _VARIABLE
from bot.people.signin import SECRET_ENV
from handlers.cli import parser
from handlers.serve import web_app as build_web_app
from tests.conftest import TOKEN, Clock, build_bot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SCRIPT = Path(sys.executable).parent / "ticketsmith"
# Routes the proxy keeps to the host: readiness and metrics are for monitoring, not the internet.
INTERNAL = {"/readyz", "/metrics"}


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """Read a systemd unit file: section -> key -> every value given (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def command_line(value: str) -> list[str]:
    """Split a unit's Exec line as systemd does for these files: $$ and %% stand for $ and %."""
    argv = shlex.split(value.replace("$$", "$").replace("%%", "%"))
    if argv[:2] == ["/bin/sh", "-c"]:
        # The shell's command substitutions (a date in a file name) stand for one word.
        argv = shlex.split(re.sub(r"\$\([^)]*\)", "Mon", argv[2]))
        return argv[1:] if argv[0] == "exec" else argv
    return argv


def dockerfile() -> dict[str, list[str]]:
    """The instructions of the image's final stage, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.replace("\\\n", " ").splitlines() if line.strip() and not line.startswith("#")]
    final = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    found: dict[str, list[str]] = {}
    for line in lines[final:]:
        word, _, rest = line.strip().partition(" ")
        found.setdefault(word, []).append(rest.strip())
    return found


def compose_service() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service: dict[str, Any] = document["services"]["ticketsmith"]
    service["_volumes"] = document.get("volumes") or {}
    return service


def health_url(text: str) -> tuple[int, str]:
    """The port and path a health check command asks."""
    found = re.search(r"http://127\.0\.0\.1:(\d+)(/[^'\"\s]*)", text)
    assert found is not None, text
    return int(found[1]), found[2]


def nginx_locations() -> list[tuple[str, str, str]]:
    """Every location of deploy/nginx.conf: (modifier, path, body)."""
    text = re.sub(r"#[^\n]*", "", (DEPLOY / "nginx.conf").read_text(encoding="utf-8"))
    return re.findall(r"location\s+(=|\^~|~\*?)?\s*(\S+)\s*\{([^}]*)\}", text)


def proxied() -> list[tuple[str, str, str]]:
    return [(modifier, path, body) for modifier, path, body in nginx_locations() if "proxy_pass" in body]


def exposed_port() -> int:
    (port,) = dockerfile()["EXPOSE"]
    return int(port)


@pytest.fixture
async def web_app(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[web.Application]:
    """The bot's aiohttp app as `ticketsmith run` builds it in webhook mode, with the example's webhook path."""
    example = yaml.safe_load((ROOT / "config.example.yaml").read_text(encoding="utf-8"))
    config = write_config(tmp_path, "http://127.0.0.1:9", server={"port": exposed_port()},
                          telegram={"token": TOKEN, "webhook": {"url": "https://bot.example.com",
                                                                "secret_token": "s3cret",
                                                                "path": example["telegram"]["webhook"]["path"]}})
    svc, application = build_bot(config, tg, Clock())
    yield build_web_app(svc, application)
    assert svc.gateway is not None
    await svc.gateway.close()
    svc.store.close()


async def exists(app: web.Application, path: str) -> bool:
    """Whether the app's router has a route at this path (for some method)."""
    for method in ("GET", "POST"):
        match = await app.router.resolve(make_mocked_request(method, path, app=app))
        if match.http_exception is None or match.http_exception.status == 405:
            return True
    return False


def app_paths(app: web.Application) -> set[str]:
    return {route.resource.canonical for route in app.router.routes() if route.resource is not None}


async def test_every_location_nginx_proxies_is_a_route_of_the_bot(web_app: web.Application) -> None:
    locations = proxied()
    assert locations
    for modifier, path, body in locations:
        assert modifier in ("=", ""), f"{path}: only exact and prefix locations are checked here"
        assert await exists(web_app, path), f"nginx proxies {path}, which the bot does not serve"
        if not modifier:
            assert any(p.startswith(path) and p != path for p in app_paths(web_app)), path
        assert re.search(rf"proxy_pass\s+http://127\.0\.0\.1:{exposed_port()};", body), body


async def test_every_public_route_of_the_bot_is_proxied_and_the_internal_ones_are_not(
        web_app: web.Application) -> None:
    def covered(path: str) -> bool:
        return any(path == location if modifier == "=" else path.startswith(location)
                   for modifier, location, _ in proxied())

    paths = app_paths(web_app)
    assert paths >= INTERNAL
    assert {"/telegram", "/jira/webhook", "/healthz", "/admin", "/admin/"} <= paths
    assert sorted(p for p in paths - INTERNAL if not covered(p)) == []
    assert sorted(p for p in INTERNAL if covered(p)) == []


async def test_the_health_checks_ask_a_route_the_bot_serves_on_the_port_it_listens_on(
        web_app: web.Application) -> None:
    image = dockerfile()
    (check,) = image["HEALTHCHECK"]
    port, path = health_url(check)
    assert port == exposed_port() and await exists(web_app, path) and path == "/healthz"
    # Python asks: the slim image has no curl.
    assert json.loads(check.split(" CMD ", 1)[1])[0] == "python"
    compose = compose_service()
    port, path = health_url(" ".join(compose["healthcheck"]["test"]))
    assert port == exposed_port() and await exists(web_app, path)


def test_the_image_runs_the_installed_command_as_a_user_with_its_data_in_a_volume() -> None:
    image = dockerfile()
    (base,) = re.findall(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)[-1:]
    assert base in ("python:3.11-slim", "python:3.12-slim")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert json.loads(image["ENTRYPOINT"][0]) == ["ticketsmith"] and "ticketsmith" in scripts
    command = json.loads(image["CMD"][0])
    args = parser().parse_args(command)
    assert args.command == "run" and args.config == "/etc/ticketsmith/config.yaml"
    assert image["USER"] == ["ticketsmith"]
    assert json.loads(image["VOLUME"][0]) == ["/data"]
    assert image["STOPSIGNAL"] == ["SIGTERM"]


def test_compose_mounts_the_config_read_only_keeps_the_data_in_a_volume_and_reads_the_secrets_from_a_file() -> None:
    service = compose_service()
    config = PurePosixPath(json.loads(dockerfile()["CMD"][0])[-1])
    mounts = [str(volume).split(":") for volume in service["volumes"]]
    assert ["data", "/data"] in mounts and "data" in service["_volumes"]
    assert next(m for m in mounts if m[1] == str(config.parent))[2:] == ["ro"]
    assert service["env_file"] == "ticketsmith.env"
    assert service["restart"] in ("unless-stopped", "always", "on-failure")
    (published,) = service["ports"]
    assert published.split(":")[-1] == str(exposed_port())


def test_the_environment_example_lists_exactly_the_variables_the_config_and_the_admin_page_read() -> None:
    def variables(node: object) -> set[str]:
        if isinstance(node, dict):
            return set().union(*(variables(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(variables(v) for v in node))
        return {m[1] for m in _VARIABLE.finditer(node)} if isinstance(node, str) else set()

    example = yaml.safe_load((ROOT / "config.example.yaml").read_text(encoding="utf-8"))
    # A key read from the variable a config key names, not through ${...}.
    named = {example["speech"]["api_key_env"]}
    read = variables(example) | {SECRET_ENV} | named
    lines = [line for line in (DEPLOY / "ticketsmith.env.example").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    listed = dict(line.split("=", 1) for line in lines)
    assert sorted(listed) == sorted(read)
    assert all(value == "" for value in listed.values()), "the example holds no values, secrets least of all"


def test_the_units_run_the_commands_the_cli_has_with_the_files_the_layout_names() -> None:
    bot = unit("ticketsmith.service")["Service"]
    (start,) = bot["ExecStart"]
    argv = command_line(start)
    assert PurePosixPath(argv[0]).name == "ticketsmith"
    args = parser().parse_args(argv[1:])
    assert args.command == "run"
    assert bot["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert bot["KillSignal"] == dockerfile()["STOPSIGNAL"]
    assert bot["Restart"] == ["on-failure"] and bot["ProtectSystem"] == ["strict"]
    assert "/etc/ticketsmith/ticketsmith.env" in (DEPLOY / "ticketsmith.env.example").read_text(encoding="utf-8")
    assert bot["EnvironmentFile"] == ["/etc/ticketsmith/ticketsmith.env"]
    data = bot["ReadWritePaths"]

    backup = unit("ticketsmith-backup.service")["Service"]
    (start,) = backup["ExecStart"]
    backup_argv = command_line(start)
    assert backup_argv[0] == argv[0]
    backup_args = parser().parse_args(backup_argv[1:])
    assert backup_args.command == "backup" and backup_args.config == args.config
    writable = backup["ReadWritePaths"][0].split()
    assert str(PurePosixPath(backup_args.path).parent) in writable and set(data) <= set(writable)
    assert backup["User"] == bot["User"] and "EnvironmentFile" not in backup, "a backup needs no secrets"

    timer = unit("ticketsmith-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


async def test_the_units_reload_and_stop_signals_do_what_the_unit_says(tmp_path: Path) -> None:
    bot = unit("ticketsmith.service")["Service"]
    reload = signal.Signals["SIG" + command_line(bot["ExecReload"][0])[1].removeprefix("-")]
    stop = signal.Signals[bot["KillSignal"][0]]
    argv = command_line(bot["ExecStart"][0])
    telegram = FakeTelegram(token=TOKEN)
    await telegram.start()
    try:
        with FakeJira("cloud", email="bot@example.com", api_token="jira-api-token-secret") as jira:
            config = write_config(tmp_path, jira.url, telegram={"token": TOKEN, "api_base_url": telegram.base_url,
                                                                "file_base_url": telegram.base_file_url})
            argv = [str(SCRIPT), *argv[1:-1], str(config)]
            env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "JIRA_"))}
            process = await asyncio.create_subprocess_exec(*argv, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                           stderr=asyncio.subprocess.PIPE)
            assert process.stderr is not None
            log = Log(process.stderr)
            try:
                await log.until("ready:")
                process.send_signal(reload)
                await log.until("templates reload on signal: unchanged")
                assert process.returncode is None, "the reload signal does not stop the bot"
                process.send_signal(stop)
                await asyncio.wait_for(log.until("stopped"), timeout=30)
                await asyncio.wait_for(process.wait(), timeout=30)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    finally:
        await telegram.stop()
    assert process.returncode == 0
    assert "stopping: no new updates" in log.text and log.text.rstrip().endswith("stopped")


class Log:
    """What a bot process writes to stderr, read as it comes."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream
        self.text = ""

    async def until(self, wanted: str, seconds: float = 30) -> None:
        """Read lines until one has the wanted text."""
        async with asyncio.timeout(seconds):
            while wanted not in self.text:
                line = await self.stream.readline()
                if not line:
                    raise AssertionError(f"the bot ended before logging {wanted!r}: {self.text[-2000:]}")
                self.text += line.decode("utf-8", "replace")


def test_the_readme_names_every_shipped_deployment_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    operators = readme.split("## For operators", 1)[1].split("\n## ", 1)[0]
    shipped = ["Dockerfile", "compose.yaml", *(f"deploy/{p.name}" for p in sorted(DEPLOY.iterdir()))]
    assert [name for name in shipped if f"({name})" not in operators] == []
