#!/usr/bin/env python
"""Import benchmark: the contacts import against a plain django-import-export
ModelResource and against raw bulk_create, on the same generated file and machine.

    .venv/bin/python bench/import_bench.py                      # SQLite (a scratch file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coalition_bench \
        .venv/bin/python bench/import_bench.py                  # PostgreSQL (scratch db!)

The file: --rows contacts (default 100,000) over about --organisations organisations
(2,000), 5% repeated e-mails differing in case and spaces, names in Latin, Greek,
Cyrillic, Arabic and Japanese scripts, dates as ISO, dd/mm/yyyy and dd.mm.yyyy (a few
impossible). Each engine runs in its own process on an emptied database, so its peak
memory (ru_maxrss) is its own. The plain ModelResource saves row by row; it runs on the
first --plain-rows rows (default 5,000) and its time is extrapolated per row to the
whole file (it would take too long otherwise); the report says so.

The database named by DATABASE_URL is EMPTIED (flush) between runs: never point it at
data you want to keep.
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST = {
    "latin": ["Ana", "Zoë", "José", "Łukasz", "Søren", "Chloé", "Jürgen", "Ines", "Małgorzata"],
    "greek": ["Νίκος", "Ελένη", "Γιώργος"],
    "cyrillic": ["Ольга", "Дмитрий", "Богдана"],
    "arabic": ["ليلى", "يوسف", "مريم"],
    "japanese": ["さくら", "健太", "陽子"],
}
LAST = {
    "latin": ["López", "Müller", "Nowak", "Dubois", "Jensen", "O'Brien", "van Dijk", "Ng"],
    "greek": ["Παπαδόπουλος", "Γεωργίου"],
    "cyrillic": ["Иваненко", "Петрова"],
    "arabic": ["حداد", "منصور"],
    "japanese": ["佐藤", "鈴木", "高橋"],
}
# A global coalition's file, as people write it (docs/import.md): countries as codes,
# names in several languages and aliases; languages as codes and locale forms; phones
# with and without a prefix, a few unreadable; 1 row in 500 with an e-mail that is none.
COUNTRIES = [
    "BE", "Belgique", "Deutschland", "NL", "España", "France", "Poland", "GR", "JP",
    "United States", "DR Congo", "Cape Verde", "Burma", "Britain", "The Philippines",
    "Brasil", "Türkiye", "Viet Nam", "International",
]  # fmt: skip
LANGUAGES = [
    "en", "en_GB", "fr", "fr-CA", "de", "nl", "es", "es_MX", "pt", "pt-BR", "it", "pl",
    "tr", "zh", "zh_TW", "cs", "vi", "ja", "ar", "hi", "bn", "ru", "uk", "ro", "hu",
    "el", "sv", "fi", "da", "ko", "th", "id", "sw", "he",
]  # fmt: skip
PHONES = ["+32 2 555 01 23", "02 555 01 23", "+1 202-555-0143", "(0)6 12 34 56 78", "ext. 12"]
HEADER = [
    "First name", "Last name", "E-mail", "Organisation", "Country", "Member since",
    "Preferred language", "Phone",
]  # fmt: skip
INVALID_EVERY = 500


def generate(path, rows, organisations, seed):
    rng = random.Random(seed)
    org_names = [f"Coalition Partner {i:04d}" for i in range(organisations)]
    unique = int(rows * 0.95)
    emails = [f"person{i}@partner{i % organisations}.example.org" for i in range(unique)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            if i < unique:
                email = emails[i]
            else:  # a repeat, as someone else typed it
                email = rng.choice(emails[: i - 1 or 1])
                email = f" {email.upper()}\u00a0" if i % 2 else email.title()
            script = rng.choice(list(FIRST))
            day, month = rng.randint(1, 28), rng.randint(1, 12)
            date = rng.choice(
                [
                    f"2023-{month:02d}-{day:02d}",
                    f"{day + 3:02d}/{month:02d}/2022",
                    f"{day:02d}.{month:02d}.2021",
                    "31.09.2023" if i % 997 == 0 else "",
                ]
            )
            if i % INVALID_EVERY == INVALID_EVERY - 1:
                email = email.split("@")[0] + "@"  # cannot be a record: rejected
            writer.writerow(
                [
                    rng.choice(FIRST[script]),
                    rng.choice(LAST[script]),
                    email,
                    org_names[i % organisations],
                    rng.choice(COUNTRIES),
                    date,
                    rng.choice(LANGUAGES),
                    rng.choice(PHONES),
                ]
            )


def _valid_rows(reader):
    """The rows the baselines take: those the import stores (an e-mail that is one)."""
    for row in reader:
        if not row[2].strip().endswith("@"):
            yield row


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run_engine(engine, path, limit):
    _setup_django()
    from django.db import connection

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        rows = ENGINES[engine](path, limit)
    seconds = time.perf_counter() - started
    from crm.models import Affiliation, Contact, Organisation

    return {
        "engine": engine,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "queries": counter.count,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "contacts": Contact.objects.count(),
        "organisations": Organisation.objects.count(),
        "affiliations": Affiliation.objects.count(),
        **STORED,
    }


def _ours(path, limit, *, commit):
    from crm.importing import run

    record = run.new_record(
        kind="contacts",
        data=Path(path).read_bytes(),
        file_name=Path(path).name,
        options={"day_first": True, "skip_invalid": True},
    )
    outcome = (run.commit if commit else run.preview)(record, progress=False)
    counts = outcome.counts
    rejected = {e.reason.split("”")[-1].strip() for e in outcome.errors}
    assert rejected <= {"is not a valid e-mail address."}, rejected
    STORED.update(
        stored=counts["rows"] - counts["invalid"],
        rejected=counts["invalid"],
        warned_rows=len({w["row"] for w in outcome.warnings if w["row"]}),
    )
    return counts["rows"]


STORED = {}  # what the import stored and rejected, for the report


def _plain(path, limit):
    import tablib
    from import_export import fields, resources

    from crm.models import Affiliation, Contact, Organisation

    class PlainContactResource(resources.ModelResource):
        # The obvious resource: e-mail as the key, defaults, organisation by name.
        organisation = fields.Field(column_name="organisation")

        class Meta:
            model = Contact
            import_id_fields = ["email"]
            fields = ("first_name", "last_name", "email", "country", "organisation")

        def after_save_instance(self, instance, row, **kwargs):
            name = row.get("organisation")
            if name and not kwargs.get("dry_run"):
                organisation, _ = Organisation.objects.get_or_create(name=name)
                Affiliation.objects.get_or_create(contact=instance, organisation=organisation)

    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        data = tablib.Dataset(
            headers=["first_name", "last_name", "email", "organisation", "country", "since"]
        )
        for index, row in enumerate(_valid_rows(reader)):
            if index >= limit:
                break
            data.append(row[:4] + [row[4][:2].upper() if len(row[4]) == 2 else "", row[5]])
    result = PlainContactResource().import_data(data, dry_run=False, use_transactions=True)
    assert not result.has_errors(), result.row_errors()[:1]
    return len(data)


def _raw(path, limit):
    from django.db import transaction

    from crm.models import Affiliation, Contact, Organisation

    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        people, organisations, rows = {}, {}, 0
        for first, last, email, organisation, country, _since, language, phone in _valid_rows(
            reader
        ):
            rows += 1
            # The same columns the import stores, as written (a code only where it is one).
            details = {
                "country": country if len(country) == 2 else "",
                "preferred_language": language,
                "phone": phone,
            }
            people.setdefault(
                email.strip().strip("\u00a0").lower(), (first, last, organisation, details)
            )
            organisations.setdefault(organisation, None)
    with transaction.atomic():
        created = Organisation.objects.bulk_create(
            [Organisation(name=name) for name in organisations], batch_size=1000
        )
        by_name = {o.name: o for o in created}
        contacts = Contact.objects.bulk_create(
            [
                Contact(first_name=f, last_name=la, email=e, **details)
                for e, (f, la, _o, details) in people.items()
            ],
            batch_size=1000,
        )
        Affiliation.objects.bulk_create(
            [
                Affiliation(contact=c, organisation=by_name[people[c.email][2]], is_primary=True)
                for c in contacts
            ],
            batch_size=1000,
        )
    return rows


ENGINES = {
    "preview": lambda path, limit: _ours(path, limit, commit=False),
    "commit": lambda path, limit: _ours(path, limit, commit=True),
    "plain": _plain,
    "raw": _raw,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--plain-rows", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.engine:  # one run, in its own process
        limit = args.plain_rows if args.engine == "plain" else args.rows
        print(json.dumps(run_engine(args.engine, args.file, limit)))
        return

    env = dict(os.environ)
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    path = ROOT / "var" / f"bench-{args.rows}.csv"
    generate(path, args.rows, args.organisations, args.seed)
    print(
        f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {args.rows} rows); "
        f"database: {env['DATABASE_URL'].split('@')[-1]}"
    )
    results = {}
    for engine in ("preview", "commit", "raw", "plain"):
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--engine",
                engine,
                "--file",
                str(path),
                "--rows",
                str(args.rows),
                "--plain-rows",
                str(args.plain_rows),
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[engine] = json.loads(output.strip().splitlines()[-1])
        r = results[engine]
        print(
            f"{engine:8} {r['rows']:>7} rows {r['seconds']:>8.2f} s"
            f" {r['rows_per_second']:>7} rows/s"
            f" {r['queries']:>6} queries  peak {r['peak_mb']} MB"
            f"  -> {r['contacts']} contacts, {r['organisations']} organisations"
        )
    commit, raw, plain = results["commit"], results["raw"], results["plain"]
    print(
        f"stored {commit['stored']} rows, rejected {commit['rejected']} (an e-mail that is "
        f"none), {commit['warned_rows']} rows stored with a warning"
    )
    plain_full = args.rows / plain["rows_per_second"]
    print(
        f"plain ModelResource measured on {plain['rows']} rows, extrapolated to "
        f"{args.rows}: {plain_full:.0f} s"
    )
    print(f"commit vs plain resource: {plain_full / commit['seconds']:.1f}x faster")
    print(f"commit vs raw bulk_create: {commit['seconds'] / raw['seconds']:.2f}x the time")


if __name__ == "__main__":
    main()
