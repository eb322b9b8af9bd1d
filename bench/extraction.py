"""How well free-form asks are read: per-field accuracy, questions still asked, and extract() time at scale.

Usage, from the project root with the venv active:

    python bench/extraction.py [--corpus tests/data/asks.yaml] [--sizes 10000,100000] [--templates 200]
                               [--repeat N] [--verbose]

Reads the corpus of informal asks (tests/data/asks.yaml) with customers.example.yaml twice: against
templates.example.yaml ("with keywords": the admins' keywords and cues) and against tests/data/templates.bare.yaml
("without": the same forms as an admin first writes them, no keywords, no cues). For each, overall and per language:

- the accuracy of each field: form (template), customer, due date, urgency (the template's choice question),
  amount (the number question), language; a field is right when the guess equals the expected value, and no
  guess is right when nothing was expected; a due date expected as "ask" is right when no date is guessed and
  the reader flags the deadline as unclear;
- where the ask states a value: how many were read right, and how many asks that state none got a guess anyway;
- "asked": the questions the dialog still asks after the ask, on average: which form (when the best one is not
  clear), the required questions of the chosen form left open, and the date when the ask names it unclearly.

Then the time of one extract() call (p50 and p95 over the corpus, wall-clock and CPU) with the example lists,
and with --sizes synthetic customers and --templates synthetic templates (the example's three among them), and
how long building each directory took. Prints figures only and exits 0.
"""

from __future__ import annotations

import argparse
import random
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

from bot.intake.customers import Customer, CustomerDirectory, load_customers  # noqa: E402
from bot.intake.extract import Extraction, extract, is_sure, questions_left  # noqa: E402
from bot.templates.schema import TemplateSet, load_templates, parse_templates  # noqa: E402

FIELDS = ("template", "customer", "due", "urgency", "amount", "language")
WITH_KEYWORDS = ROOT / "templates.example.yaml"
WITHOUT_KEYWORDS = ROOT / "tests" / "data" / "templates.bare.yaml"


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
    if result.unclear_deadline and not any(q.type == "date" and answers.get(q.id) for q in template.questions):
        found["due"] = "ask"
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


def asked(result: Extraction, templates: TemplateSet) -> int:
    """How many questions the dialog asks after this reading: the form, open required ones, an unclear date."""
    template = templates.get(result.template_id)
    if template is None:
        return 1
    count = len(questions_left(template, result)) + (0 if is_sure(result) else 1)
    answers = result.answers()
    dates = [q for q in template.questions if q.type == "date"]
    if result.unclear_deadline and dates and not dates[0].required and dates[0].id not in answers:
        count += 1
    return count


def evaluate(asks: list[dict[str, Any]], templates: TemplateSet, customers: CustomerDirectory
             ) -> list[dict[str, Any]]:
    """Run extract() on every ask; return per-ask rows with what was wanted, found, and asked."""
    rows = []
    for ask in asks:
        result = read(ask, templates, customers)
        rows.append({"ask": ask, "want": expected(ask), "got": observed(result, templates),
                     "asked": asked(result, templates)})
    return rows


def accuracy(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Per-field share of asks read right."""
    return {field: sum(same(field, r["got"][field], r["want"][field]) for r in rows) / len(rows) for field in FIELDS}


def stated(rows: list[dict[str, Any]], field: str) -> tuple[int, int, int, int]:
    """(read right, stated, guessed anyway, not stated) for one field."""
    said = [r for r in rows if r["want"][field] is not None]
    unsaid = [r for r in rows if r["want"][field] is None]
    return (sum(same(field, r["got"][field], r["want"][field]) for r in said), len(said),
            sum(r["got"][field] is not None for r in unsaid), len(unsaid))


def report(title: str, rows: list[dict[str, Any]], verbose: bool) -> None:
    """Print the accuracy table of one template set."""
    print(f"\n{title}")
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["ask"]["lang"]].append(row)
    print(f"{'':8}{'asks':>6}" + "".join(f"{f:>10}" for f in FIELDS) + f"{'asked':>8}")
    for name, group in [("all", rows), *sorted(groups.items())]:
        acc = accuracy(group)
        print(f"{name:8}{len(group):>6}" + "".join(f"{acc[f]:>10.3f}" for f in FIELDS)
              + f"{statistics.mean(r['asked'] for r in group):>8.2f}")
    print("where the ask states a value: read right / stated; guessed where it states none")
    for field in ("customer", "due", "urgency", "amount"):
        right, said, invented, unsaid = stated(rows, field)
        print(f"  {field:10}{right:>4} / {said:<4}{invented:>4} of {unsaid}")
    if verbose:
        for row in rows:
            misses = [f for f in FIELDS if not same(f, row["got"][f], row["want"][f])]
            if misses:
                print(f"  {' '.join(row['ask']['text'].split())[:100]}")
                for field in misses:
                    print(f"    {field}: got {row['got'][field]!r}, want {row['want'][field]!r}")


_SYLLABLES = ["ka", "lo", "mi", "ter", "van", "sol", "gra", "po", "nix", "del", "ru", "bel", "tor", "quin", "sa",
              "fer", "mon", "zu", "lex", "ari", "dor", "hel", "vi", "ost", "tek", "nor", "ba", "cel", "ion", "pra"]
_FORMS = ["GmbH", "AG", "Ltd", "Inc", "Group", "Systems", "Logistik", "Pharma", "Retail", "Consulting", ""]


def synthetic_customers(count: int, seed: int = 7) -> list[Customer]:
    """count made-up companies ("Kalomi Systems AG"), a third with an alias, plus the example list."""
    rng = random.Random(seed)
    made: list[Customer] = []
    for index in range(count):
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        second = rng.choice(_FORMS)
        name = f"{word}{index % 97 or ''} {second}".strip()
        aliases = (word,) if index % 3 == 0 else ()
        made.append(Customer(name, aliases))
    return [*load_customers(ROOT / "customers.example.yaml"), *made]


def synthetic_templates(count: int, seed: int = 11) -> TemplateSet:
    """The example's templates and count - 3 more, each with its own title, keywords and a choice with cues."""
    rng = random.Random(seed)
    document = yaml.safe_load(WITH_KEYWORDS.read_text(encoding="utf-8"))
    for index in range(max(0, count - len(document["templates"]))):
        words = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(24)]
        document["templates"].append({
            "id": f"form{index}",
            "title": {"en": f"{words[0]} {words[1]} request", "ru": f"Заявка {words[2]}", "de": f"Antrag {words[3]}"},
            "description": {"en": f"When a customer needs {words[4]} or {words[5]}"},
            "keywords": words[6:16],
            "jira": {"issue_type": rng.choice(["Task", "Story", "Bug", "Improvement"]), "summary": "{what}"},
            "questions": [
                {"id": "what", "text": "What?", "type": "text"},
                {"id": "customer", "text": "Which customer?", "type": "customer"},
                {"id": "level", "text": "How much?", "type": "choice", "options": [
                    {"value": "a", "label": f"{words[16]} {words[17]}", "cues": words[18:21]},
                    {"value": "b", "label": f"{words[21]} level", "cues": words[21:24]},
                ]},
                {"id": "due", "text": "When?", "type": "date", "required": False},
            ],
        })
    return parse_templates(yaml.safe_dump(document, allow_unicode=True), f"{count} templates")


def timings(asks: list[dict[str, Any]], templates: TemplateSet, customers: CustomerDirectory,
            repeat: int) -> tuple[list[float], list[float]]:
    """Seconds per extract() call over the corpus, after one warm-up pass: wall-clock and the thread's CPU time.

    On a shared machine the wall-clock tail is mostly time spent waiting for a core; the CPU time is what a
    message costs the bot.
    """
    for ask in asks:
        read(ask, templates, customers)
    wall, cpu = [], []
    for _ in range(repeat):
        for ask in asks:
            start, start_cpu = time.perf_counter(), time.thread_time()
            read(ask, templates, customers)
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    return sorted(wall), sorted(cpu)


def percentile(times: list[float], share: float) -> float:
    """The value below which share of the sorted times fall."""
    return times[min(len(times) - 1, int(share * len(times)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "asks.yaml")
    parser.add_argument("--sizes", default="10000,100000", help="customer directory sizes to time")
    parser.add_argument("--templates", type=int, default=200, help="templates to time with")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    customers = CustomerDirectory(load_customers(ROOT / "customers.example.yaml"))
    asks = load_corpus(args.corpus)
    for title, path in (("with keywords and cues (templates.example.yaml)", WITH_KEYWORDS),
                        ("without keywords or cues (tests/data/templates.bare.yaml)", WITHOUT_KEYWORDS)):
        report(title, evaluate(asks, load_templates(path), customers), args.verbose)

    print("\nextract() per message, over the corpus: wall-clock and CPU time (ms); seconds to build the directory")
    print(f"{'customers':>10}{'templates':>10}{'wall p50':>10}{'wall p95':>10}{'cpu p50':>10}{'cpu p95':>10}"
          f"{'build s':>9}")

    def line(directory: CustomerDirectory, templates: TemplateSet, built: str) -> None:
        wall, cpu = timings(asks, templates, directory, args.repeat)
        print(f"{len(directory):>10}{len(templates.templates):>10}" + "".join(
            f"{percentile(times, share) * 1000:>10.2f}" for times in (wall, cpu) for share in (.5, .95)) + built)

    line(customers, load_templates(WITH_KEYWORDS), "")
    many = synthetic_templates(args.templates)
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        made = synthetic_customers(size)
        start = time.perf_counter()
        directory = CustomerDirectory(made)
        line(directory, many, f"{time.perf_counter() - start:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
