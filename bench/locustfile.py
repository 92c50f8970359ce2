"""Load test of Coalition CRM with locust, against `make serve` on 127.0.0.1 only.

Run by `make loadtest` (bench/loadtest.sh), which builds the dataset
(bench/load_dataset.py), starts the stack and runs, each bounded in time:

    # 50 concurrent users, measured for 60 s once all run: staff pages, the public page
    # and its sign form (LOADTEST_THINK=0.5-1.5 for the stress run)
    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 65s \\
        --host http://127.0.0.1:8011 StaffUser PublicUser
    # 200 concurrent signers, each submitting the sign form once at the same moment
    locust -f bench/locustfile.py --headless -u 200 -r 200 -t 60s \\
        --host http://127.0.0.1:8011 Signer

Staff accounts sign in through the sign-in form once each before the users start (10
accounts shared by the 30 staff users, so 10 password checks, all correct: django-axes
counts failures only, and none happen). Every e-mail address whose sign form was
accepted is appended to LOADTEST_SIGNERS_FILE (var/loadtest/signers.txt);
bench/load_signing_check.py compares them with the database afterwards.
"""

import itertools
import os
import random
import re
import time
from pathlib import Path

import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task

HOST = os.environ.get("LOADTEST_HOST", "http://127.0.0.1:8011")
LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|localhost)(:\d+)?/?$")
if not LOOPBACK.match(HOST):
    raise SystemExit("The load test runs against this machine's loopback address only.")

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "load-test-password")
STAFF_USERS = [f"load-staff-{i}" for i in range(10)]
BIG_ASK = os.environ.get("LOADTEST_ASK", "load-ask-10")
SIGN_ASK = "load-sign-on"
SIGNERS_FILE = Path(os.environ.get("LOADTEST_SIGNERS_FILE", "var/loadtest/signers.txt"))
RUN = os.environ.get("LOADTEST_RUN", "run")
CONCURRENT_SIGNERS = int(os.environ.get("LOADTEST_SIGNERS", "200"))
# One signer in this many re-submits an e-mail another signer also submits.
REPEAT_EVERY = 8
# Seconds each user waits between two pages ("min-max"): the time it takes to read one.
# 2-8 s by default, quicker than people read; "0.5-1.5" is the stress run of
# docs/performance.md, which finds the request rate where this machine saturates.
THINK_MIN, THINK_MAX = (float(s) for s in os.environ.get("LOADTEST_THINK", "2-8").split("-"))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STAMP = re.compile(r'name="started" value="([^"]+)"')  # the form's time challenge
_numbers = itertools.count()
_accepted = []  # e-mails whose submission was accepted (302 to the thanks page)


_times = {}  # request name -> [response times in ms]
_failures = {}
_span = []


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs):
    _times.setdefault(name, []).append(response_time)
    if exception is not None:
        _failures[name] = _failures.get(name, 0) + 1
    now = time.monotonic()
    if not _span:
        _span.append(now)
    _span[1:] = [now]


def _percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1)]


def _failed_in(group):
    prefix, _, method = group.partition(" ")
    return sum(
        failed
        for name, failed in _failures.items()
        if name.startswith(prefix) and (not method or ("(POST)" in name) == (method == "POST"))
    )


def _summary():
    """A Markdown table: each request, then each group (staff, public, signers)."""
    seconds = max(_span[-1] - _span[0], 1e-9) if len(_span) > 1 else 1
    groups = {}
    for name, values in _times.items():
        group = name.split(":")[0]
        groups.setdefault(group, []).extend(values)
        if group == "public":
            # The pages (the target's "public page") apart from the submissions.
            kind = "public POST" if "(POST)" in name else "public GET"
            groups.setdefault(kind, []).extend(values)
    lines = [
        "| requests | count | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(name, values, _failures.get(name, 0)) for name, values in sorted(_times.items())]
    rows += [
        (f"**all {group}**", values, _failed_in(group)) for group, values in sorted(groups.items())
    ]
    for name, values, failed in rows:
        lines.append(
            f"| {name} | {len(values)} | {failed} | {len(values) / seconds:.1f} | "
            f"{_percentile(values, 50):.0f} | {_percentile(values, 95):.0f} | "
            f"{_percentile(values, 99):.0f} | {max(values):.0f} |"
        )
    return "\n".join(lines)


@events.test_stop.add_listener
def _write_signers(**_kwargs):
    if _times:
        table = _summary()
        print(table)
        summary = SIGNERS_FILE.parent / f"{RUN}-{os.environ.get('LOADTEST_PHASE', 'run')}.md"
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text(table + "\n")
    if _accepted:
        SIGNERS_FILE.parent.mkdir(parents=True, exist_ok=True)
        with SIGNERS_FILE.open("a") as out:
            out.writelines(f"{email}\n" for email in _accepted)
        print(f"{len(_accepted)} accepted sign-form submissions appended to {SIGNERS_FILE}")


def _csrf_token(response):
    match = CSRF.search(response.text or "")
    return match.group(1) if match else ""


def _stamp(response):
    match = STAMP.search(response.text or "")
    return match.group(1) if match else ""


_sessions = {}  # staff username -> session cookie


@events.test_start.add_listener
def _sign_in_staff(environment, **_kwargs):
    """Sign each staff account in once through the sign-in form before the users start,
    so the password checks (deliberately slow) are not part of the measured minute, and
    nothing can fail: django-axes counts failed sign-ins only, and locks nobody here."""
    if environment.host and not LOOPBACK.match(environment.host):
        raise SystemExit("The load test runs against this machine's loopback address only.")
    if not any(cls is StaffUser for cls in environment.user_classes):
        return
    import requests

    for username in STAFF_USERS:
        with requests.Session() as client:
            page = client.get(f"{HOST}/sign-in/", timeout=120)
            response = client.post(
                f"{HOST}/sign-in/",
                data={
                    "username": username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": _csrf_token(page),
                },
                allow_redirects=False,
                timeout=120,
            )
            if response.status_code != 302 or "sessionid" not in client.cookies:
                raise SystemExit(f"Could not sign in as {username}: {response.status_code}")
            _sessions[username] = client.cookies["sessionid"]
    print(f"Signed in {len(_sessions)} staff accounts through the sign-in form.")
    _warm_up()


# Each page a few times, each time on a new connection so that every gunicorn process gets
# some: a process compiles a template the first time it renders it, and the cached figures
# are read once. The measured minute is then that of a site that has been running.
WARM_UP_PAGES = [
    "/organisations/?kind=ngo&sort=name",
    "/contacts/?country=BE",
    "/contacts/?q=jose",
    f"/asks/{BIG_ASK}/",
    f"/asks/{BIG_ASK}/table/",
    f"/reports/asks/{BIG_ASK}/",
    f"/s/{BIG_ASK}/",
    f"/s/{SIGN_ASK}/en/",
]


def _warm_up(rounds=8):
    import requests

    cookies = {"sessionid": next(iter(_sessions.values()))}
    for _ in range(rounds):
        for path in WARM_UP_PAGES:
            requests.get(
                f"{HOST}{path}", cookies=cookies, headers={"Connection": "close"}, timeout=120
            )


@events.spawning_complete.add_listener
def _measure_from_here(**_kwargs):
    """Statistics of the staff and public users count once all of them are running: the
    minute measured has 50 users throughout, not a ramp. (Signers are all counted.)"""
    if os.environ.get("LOADTEST_PHASE") != "signers":
        _times.clear()
        _failures.clear()
        _span.clear()


def _sign(user, ask, email, name):
    """GET the sign form, POST it; True when accepted."""
    page = user.client.get(f"/s/{ask}/en/", name="public: sign form (GET)")
    with user.client.post(
        f"/s/{ask}/en/sign/",
        data={
            "csrfmiddlewaretoken": _csrf_token(page),
            "started": _stamp(page),
            "signing_as": "individual",
            "name": name,
            "email": email,
            "country": random.choice(["BE", "NL", "FR", "DE", "JP"]),
            "public": "on",
            "homepage": "",
        },
        name="public: sign form (POST)",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code == 302 and "/thanks/" in response.headers.get("Location", ""):
            response.success()
            _accepted.append(email)
            return True
        response.failure(f"sign form answered {response.status_code} {response.error or ''}"[:200])
        return False


class StaffUser(HttpUser):
    """A campaigner going through the lists, an ask's board and table, and reports."""

    host = HOST
    weight = 3
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        self.client.cookies.set("sessionid", random.choice(list(_sessions.values())))

    @task(3)
    def organisations(self):
        self.client.get("/organisations/?kind=ngo&sort=name", name="staff: organisations, filter")

    @task(2)
    def organisations_search(self):
        word = random.choice(["privacy", "rights", "digital", "watch 12"])
        self.client.get(f"/organisations/?q={word}", name="staff: organisations, search")

    @task(3)
    def contacts(self):
        self.client.get("/contacts/?country=BE", name="staff: contacts, filter")

    @task(2)
    def contacts_search(self):
        word = random.choice(["muller", "jose", "zoe dubois", "person12"])
        self.client.get(f"/contacts/?q={word}", name="staff: contacts, search")

    @task(2)
    def board(self):
        self.client.get(f"/asks/{BIG_ASK}/", name="staff: ask board")

    @task(2)
    def table(self):
        self.client.get(f"/asks/{BIG_ASK}/table/", name="staff: ask table")

    @task(1)
    def report(self):
        self.client.get(f"/reports/asks/{BIG_ASK}/", name="staff: report of an ask")


class PublicUser(HttpUser):
    """A visitor reading the statement page, going through the list, now and then signing."""

    host = HOST
    weight = 2
    wait_time = between(THINK_MIN, THINK_MAX)

    @task(4)
    def statement(self):
        self.client.get(f"/s/{BIG_ASK}/", name="public: statement page")

    @task(2)
    def statement_page(self):
        page = random.randint(2, 50)
        self.client.get(f"/s/{BIG_ASK}/?page={page}", name="public: statement page, page n")

    @task(1)
    def sign(self):
        n = next(_numbers)
        _sign(self, SIGN_ASK, f"{RUN}-visitor-{n}@signers.load.test", f"Visitor {n}")


_all_ready = Event()
_ready = itertools.count(1)
_done = itertools.count(1)


class Signer(HttpUser):
    """Each one opens the form, waits until every signer has it, then all submit at once.
    Every REPEAT_EVERY-th signer uses the e-mail of the signer before it (repeated
    e-mails: one signature each, whatever the number of submissions)."""

    host = HOST
    wait_time = between(3600, 3600)  # one submission each; the run's time limit ends it

    @task
    def sign_once(self):
        n = next(_numbers)
        same_as = n - 1 if n % REPEAT_EVERY == 1 else n
        email = f"{RUN}-signer-{same_as}@signers.load.test"
        # Its own connection for the POST: while waiting for the others, an idle kept-alive
        # connection would be closed by the server (gunicorn's keepalive), and a POST
        # is not retried on a closed connection.
        page = self.client.get(
            f"/s/{SIGN_ASK}/en/",
            name="signers: sign form (GET)",
            headers={"Connection": "close"},
        )
        if next(_ready) >= CONCURRENT_SIGNERS:
            _all_ready.set()
        _all_ready.wait(timeout=20)
        with self.client.post(
            f"/s/{SIGN_ASK}/en/sign/",
            data={
                "csrfmiddlewaretoken": _csrf_token(page),
                "started": _stamp(page),
                "signing_as": "individual",
                "name": f"Signer {same_as}",
                "email": email,
                "country": "BE",
                "public": "on",
                "homepage": "",
            },
            name="signers: sign form (POST), all at once",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
                _accepted.append(email)
            else:
                response.failure(
                    f"sign form answered {response.status_code} {response.error or ''}"[:200]
                )
        if next(_done) == CONCURRENT_SIGNERS:  # the last one ends the run
            gevent.spawn_later(0.5, self.environment.runner.quit)
