"""How long a message owed to a salesperson is retried when Telegram fails, and when it is given up."""

from __future__ import annotations

# A send in flight holds its message this long: a second pass (a racing retry, a check) leaves it alone.
# Longer than any one send takes, the rate limiter's patient waiting included.
LEASE_SECONDS = 900.0
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 900.0
# After a day a question about yesterday's news would only confuse; it is dropped with one log line.
GIVE_UP_SECONDS = 86400.0


def retry_in(attempts: int) -> float:
    """Return seconds to wait after the given number of failed attempts: doubling, up to MAX_RETRY_SECONDS."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2.0 ** max(0, attempts - 1))
