"""How well free-form asks are read: per-field accuracy on the corpus, questions left, and time per message.

Usage, from the project root with the venv active:

    python bench/extraction.py [--corpus tests/data/asks.yaml] [--repeat N] [--verbose]

Reads the corpus of informal asks (tests/data/asks.yaml) against templates.example.yaml and
customers.example.yaml and prints, overall and per language:

- the accuracy of each field: template, customer, due date, urgency (the template's choice question),
  amount (the number question) — a field is right when the guess equals the expected value, and no guess
  is right when nothing was expected;
- for customer, due date, urgency and amount: how many of the asks that state one were read right, and
  how many asks that state none got a guess anyway;
- the average number of questions still to ask after extraction: required questions of the chosen template
  that apply (or may apply, while their condition is unanswered) and were not guessed ("left"), next to
  the same count for the right template with nothing guessed ("before");
- the mean and 95th percentile time of one extract() call, after one warm-up pass.

--verbose also lists every miss. Prints figures only and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.intake.customers import CustomerDirectory, load_customers  # noqa: E402
from bot.intake.extract import Extraction, extract, questions_left  # noqa: E402
from bot.templates.schema import TemplateSet, load_templates  # noqa: E402

FIELDS = ("template", "customer", "due", "urgency", "amount", "language")


def load_corpus(path: Path) -> list[dict[str, Any]]:
    """Read the asks of a corpus file."""
    asks: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["asks"]
    return asks


def observed(result: Extraction, templates: TemplateSet) -> dict[str, Any]:
    """The fields of one extraction in the corpus's terms."""
    template = templates.get(result.template_id)
    found: dict[str, Any] = {"template": result.template_id, "customer": None, "due": None, "urgency": None,
                             "amount": None, "language": result.language}
    if template is None:
        return found
    answers = result.answers()
    for question in template.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.type == "customer":
            found["customer"] = value
        elif question.type == "date" and found["due"] is None:
            found["due"] = value
        elif question.type == "choice" and found["urgency"] is None:
            found["urgency"] = value
        elif question.type == "number":
            found["amount"] = value
    return found


def expected(ask: dict[str, Any]) -> dict[str, Any]:
    """The fields an ask should give, in the same terms."""
    want = dict(ask["expect"])
    if want.get("due") is not None:
        want["due"] = str(want["due"])
    if want.get("amount") is not None:
        want["amount"] = float(want["amount"])
    want["language"] = ask["lang"]
    return want


def same(field: str, got: Any, want: Any) -> bool:
    """Whether a guessed field equals the expected one."""
    if field == "amount" and got is not None and want is not None:
        return abs(float(got) - float(want)) < 0.5
    return bool(got == want)


def read(ask: dict[str, Any], templates: TemplateSet, customers: CustomerDirectory) -> Extraction:
    """Run extract() on one ask of the corpus, on the day the ask names."""
    today = date.fromisoformat(str(ask["today"]))  # YAML reads 2026-11-23 as a date, a quoted one as text
    return extract(ask["text"], templates, customers, today, forwarded_from=ask.get("forwarded_from"))


def evaluate(asks: list[dict[str, Any]], templates: TemplateSet, customers: CustomerDirectory
             ) -> list[dict[str, Any]]:
    """Run extract() on every ask; return per-ask rows with what was wanted, found, and left to ask."""
    rows = []
    for ask in asks:
        result = read(ask, templates, customers)
        template = templates.get(result.template_id)
        left = len(questions_left(template, result)) if template is not None else 0
        wanted = templates.get(str(ask["expect"]["template"]))
        empty = Extraction(result.template_id, (), (), result.language)
        before = len(questions_left(wanted, empty)) if wanted is not None else 0
        rows.append({"ask": ask, "want": expected(ask), "got": observed(result, templates), "left": left,
                     "before": before})
    return rows


def accuracy(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Per-field share of asks read right."""
    return {field: sum(same(field, r["got"][field], r["want"][field]) for r in rows) / len(rows) for field in FIELDS}


def timings(asks: list[dict[str, Any]], templates: TemplateSet, customers: CustomerDirectory,
            repeat: int) -> list[float]:
    """Seconds per extract() call, after one warm-up pass."""
    evaluate(asks, templates, customers)
    times = []
    for _ in range(repeat):
        for ask in asks:
            start = time.perf_counter()
            read(ask, templates, customers)
            times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "asks.yaml")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    templates = load_templates(ROOT / "templates.example.yaml")
    customers = CustomerDirectory(load_customers(ROOT / "customers.example.yaml"))
    asks = load_corpus(args.corpus)
    rows = evaluate(asks, templates, customers)

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["ask"]["lang"]].append(row)
    print(f"{'':8}{'asks':>6}" + "".join(f"{f:>10}" for f in FIELDS) + f"{'left':>8}{'before':>8}")
    for name, group in [("all", rows), *sorted(groups.items())]:
        acc = accuracy(group)
        left = statistics.mean(r["left"] for r in group)
        before = statistics.mean(r["before"] for r in group)
        print(f"{name:8}{len(group):>6}" + "".join(f"{acc[f]:>10.2f}" for f in FIELDS)
              + f"{left:>8.2f}{before:>8.2f}")

    print("\nwhere the ask states a value: found right / stated; guesses where it states none")
    for field in ("customer", "due", "urgency", "amount"):
        stated = [r for r in rows if r["want"][field] is not None]
        unstated = [r for r in rows if r["want"][field] is None]
        found = sum(same(field, r["got"][field], r["want"][field]) for r in stated)
        invented = sum(r["got"][field] is not None for r in unstated)
        print(f"{field:10}{found:>4} / {len(stated):<4}{invented:>4} of {len(unstated)}")

    times = sorted(timings(asks, templates, customers, max(1, args.repeat)))
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"time per message: mean {statistics.mean(times) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms "
          f"({len(times)} calls)")

    if args.verbose:
        for row in rows:
            misses = [f for f in FIELDS if not same(f, row["got"][f], row["want"][f])]
            if misses:
                print(f"\n{row['ask']['text']}")
                for field in misses:
                    print(f"  {field}: got {row['got'][field]!r}, want {row['want'][field]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
