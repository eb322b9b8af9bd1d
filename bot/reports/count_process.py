"""Counting a dashboard's figures in a Python process of its own.

A year of figures at a million requests takes seconds, much of it in Python. Counted on one of the bot's threads it
would hold the interpreter lock the event loop needs, and every chat and page in the meantime would wait its turn;
in a process of its own it runs beside them, on another core, and its memory is returned when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.reports.dashboard_figures import count

# A count that takes longer is stopped: something is wrong with the database or the machine.
TIMEOUT_SECONDS = 600.0


class CountFailed(Exception):
    """A count in a process of its own ended without figures."""


async def count_apart(path: Path, now: float, weeks: int, zone: ZoneInfo) -> str:
    """Count the dashboard's figures in a new process and return them as JSON (see dashboard_figures.encode)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", __name__, str(path), repr(now), str(weeks), zone.key,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            out, err = await process.communicate()
    except BaseException:
        # Timed out, or the bot is stopping: the count does not outlive the wait for it.
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        raise CountFailed(f"the count ended with {process.returncode}: {lines[-1] if lines else 'no message'}")
    return out.decode("utf-8")


def main(argv: list[str]) -> int:
    """Count the figures of the database, moment, weeks and time zone given and write them to standard output."""
    path, now, weeks, zone = argv
    sys.stdout.write(count(Path(path), float(now), int(weeks), ZoneInfo(zone))[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
