"""After the load test's concurrent signing: do the database and the public page agree?

    DATABASE_URL=postgres://… .venv/bin/python bench/load_signing_check.py --reset
    … the load test runs, appending accepted e-mails to var/loadtest/signers.txt …
    DATABASE_URL=postgres://… .venv/bin/python bench/load_signing_check.py \\
        --confirm --host http://127.0.0.1:8011

Checks, on the `load-sign-on` ask (bench/load_dataset.py), and exits 1 when one fails:

 1. signatures on the ask == distinct e-mails whose sign form was accepted (a repeated
    e-mail, even submitted at the same instant, gives one signature), and the signers'
    e-mails are exactly those;
 2. with --confirm: every pending signature is confirmed through its e-mailed link's
    token (outreach/tokens.py, `signature_confirm`, as if each signer clicked it); then
    the public count — the number the statement page, embed and JSON export show:
    confirmed signatures, verified when they must be, listed or not (a number names
    nobody) — equals the rows the public list shows (read over HTTP from
    /s/load-sign-on/signatories.json when --host is given, else from the database), and
    equals the number of distinct e-mails. Every load-test signer ticks "list my name";
    with signers who don't, the public count would exceed the listed rows by exactly
    those, by design. Before confirmation, pending signatures count nowhere publicly:
    the script prints the public count then too (it must be 0).

--reset deletes the ask's signatures (bench data only) before a run.
"""

import argparse
import json
import os
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from outreach import tokens  # noqa: E402
from outreach.models import Ask, Signature  # noqa: E402
from outreach.selectors import public_counts  # noqa: E402
from outreach.services import signature_confirm  # noqa: E402

SIGN_ON_SLUG = "load-sign-on"


def check(ok, message):
    print(f"  [{'ok' if ok else 'FAIL'}] {message}")
    return ok


def listed_rows(ask, host):
    if not host:
        return Signature.objects.for_public_listing().filter(ask=ask).count(), "database"
    if not host.startswith(("http://127.0.0.1", "http://localhost")):
        raise SystemExit("--host must be this machine's loopback address")
    url = f"{host.rstrip('/')}/s/{ask.slug}/signatories.json"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 — loopback only
        data = json.load(response)
    return len(data["signatories"]), url


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--reset", action="store_true", help="delete the ask's signatures")
    parser.add_argument("--confirm", action="store_true", help="confirm pending signatures")
    parser.add_argument("--host", default="", help="read the public list over HTTP here")
    parser.add_argument(
        "--signers", default=os.environ.get("LOADTEST_SIGNERS_FILE", "var/loadtest/signers.txt")
    )
    args = parser.parse_args()
    ask = Ask.objects.get(slug=SIGN_ON_SLUG)
    signatures = Signature.objects.filter(ask=ask)
    if args.reset:
        deleted = signatures.count()
        signatures.delete()
        print(f"Reset: {deleted} signatures of “{ask.title}” deleted.")
        return

    path = Path(args.signers)
    submitted = [line.strip().lower() for line in path.read_text().splitlines() if line.strip()]
    emails = set(submitted)
    found = list(signatures.values_list("contact__email", flat=True))
    print(
        f"“{ask.title}”: {len(submitted)} accepted submissions, {len(emails)} distinct "
        f"e-mails; {len(found)} signatures "
        f"({signatures.filter(status=Signature.Status.PENDING).count()} pending)"
    )
    good = check(len(found) == len(emails), "one signature per distinct e-mail")
    good &= check(set(found) == emails, "the signatures' e-mails are the submitted ones")
    good &= check(
        public_counts(ask=ask).total
        == signatures.filter(status=Signature.Status.CONFIRMED).count(),
        f"before confirmation the public count is {public_counts(ask=ask).total} "
        "(pending signatures count nowhere)",
    )

    if args.confirm:
        pending = list(signatures.filter(status=Signature.Status.PENDING))
        for signature in pending:
            signature_confirm(token=tokens.confirm_token(signature))
        counts = public_counts(ask=ask)
        rows, source = listed_rows(ask, args.host)
        print(
            f"Confirmed {len(pending)} through their links' tokens. Public count "
            f"{counts.total} ({counts.individuals} individuals, {counts.organisations} "
            f"organisations); listed rows {rows} (from {source})."
        )
        good &= check(counts.total == rows, "public count == listed rows")
        good &= check(counts.total == len(emails), "public count == distinct e-mails")
    print("All checks passed." if good else "SOME CHECKS FAILED.")
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
