"""Report and staff page speed on PostgreSQL: 100,000 supporters and 1,000,000 gifts over six
fiscal years (bench/report_data.py), every page timed through Django's test Client (real
middleware, templates and charts): the report pages as a Board member, the board packet PDF,
and the staff home, the supporter list and a busy donor's profile as development staff. In
the same run, the floor: one bare `SELECT sum(amount) FROM donations_gift` timed the same way,
and each page's ratio to it (floor and page timed in turn, run by run).

    .venv/bin/python bench/reports.py [--gifts 1000000] [--supporters 100000] [--runs 20]
                                      [--keep] [--reuse]

Goals: overview p95 < 500 ms; packet < 10 s; staff home, supporter list and profile p95 <
300 ms. Creates the database bench_reports (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_reports) and drops it afterwards unless --keep;
--reuse measures a kept database again (migrating it first) without rebuilding the data.
The clock is set to the data's day (bench.report_data.TODAY) while the pages are timed.
"""

import sys
from pathlib import Path

# Run as a script, bench/ is sys.path[0], and this file's name would hide the reports app:
# the repository's root goes first instead, and the bench's helpers are bench.<module>.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from bench.bench_django import django_on, server_database  # noqa: E402
from bench.report_data import TODAY, populate, summaries  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_reports"
OVERVIEW_GOAL_MS, STAFF_GOAL_MS, OTHER_REPORT_GOAL_MS = 500, 300, 1000
PACKET_GOAL_S, PACKET_RUNS = 10, 3
HOST = {"HTTP_HOST": "localhost", "secure": True}  # production settings: HTTPS, known host


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def _timed(function: Callable[[], object], runs: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds over `runs` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return _percentiles(times)


def _timed_beside_floor(function: Callable[[], object], runs: int) -> tuple[tuple, tuple]:
    """(p50, p95) of `function` and of the floor, each run timed right after a floor run, so
    the ratio compares the same moments of a machine whose speed drifts."""
    function()
    times: list[float] = []
    floors: list[float] = []
    for _ in range(runs):
        for into, call in ((floors, _floor), (times, function)):
            started = time.perf_counter()
            call()
            into.append((time.perf_counter() - started) * 1000)
    return _percentiles(times), _percentiles(floors)


def _floor() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(amount) FROM donations_gift")
        cursor.fetchone()


def _clients():
    """Test clients signed in as a Board member and as development staff, each with an
    authenticator app and its code given, as production's two-factor sign-in asks."""
    import logging

    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.roles import BOARD_GROUP, STAFF_GROUP

    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per sign-in otherwise
    signed_in = []
    for username, group, is_staff in [
        ("bench-board", BOARD_GROUP, False),
        ("bench-staff", STAFF_GROUP, True),
    ]:
        user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": is_staff})
        user.groups.add(Group.objects.get(name=group))
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        signed_in.append(client)
    return signed_in


def _get(client, url: str) -> Callable[[], object]:
    def fetch() -> object:
        response = client.get(url, **HOST)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code} {response.get('Location', '')}")
        return response

    return fetch


def _queries(fetch: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured)


def _verdict(value: float, goal: float, unit: str = "") -> str:
    return f"goal < {goal:,.0f}{unit}: {'met' if value < goal else 'MISSED'}"


def _column(name: str) -> int:
    """The supporter list's ?o= number of a column (the checkbox column is 0)."""
    from django.contrib import admin

    from crm.models import Supporter

    names = [getattr(c, "__name__", c) for c in admin.site._registry[Supporter].list_display]
    return names.index(name) + 1


def _pages(runs: int) -> None:
    from django.urls import reverse

    from donations.models import DonorSummary
    from reports import ledger, pages

    board, staff = _clients()
    busiest = DonorSummary.objects.order_by("-gift_count").values_list("supporter_id", "gift_count")
    donor, gift_count = busiest.first()
    last_year = ledger.fiscal_year_of(TODAY) - 1
    changelist = reverse("admin:crm_supporter_changelist")
    # (name, client, url, goal p95 ms); report pages for the current fiscal year, as landed on.
    timed = [
        ("report: overview (/reports/)", board, reverse("reports:overview"), OVERVIEW_GOAL_MS),
        *(
            (f"report: {slug}", board, reverse("reports:page", args=[slug]), OTHER_REPORT_GOAL_MS)
            for slug in pages.PAGES
            if slug != "overview"
        ),
        ("staff home (/admin/)", staff, reverse("admin:index"), STAFF_GOAL_MS),
        ("supporter list", staff, changelist, STAFF_GOAL_MS),
        *(
            (
                f"supporter list by {column}",
                staff,
                f"{changelist}?o=-{_column(column)}",
                STAFF_GOAL_MS,
            )
            for column in ("lifetime", "this_year", "last_gift")
        ),  # fmt: skip
        (
            f"supporter profile ({gift_count:,} gifts)",
            staff,
            reverse("admin:crm_supporter_change", args=[donor]),
            STAFF_GOAL_MS,
        ),
    ]

    floor50, floor95 = _timed(_floor, runs)
    print(f"floor (one sum of amount over every gift): p50 {floor50:.0f} ms, p95 {floor95:.0f} ms")
    print(
        f"{'page':<34} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7} {'floor p50/p95':>13} "
        f"{'ratio p50/p95':>13}  goal p95 ms"
    )
    for name, client, url, goal in timed:
        fetch = _get(client, url)
        (p50, p95), (f50, f95) = _timed_beside_floor(fetch, runs)
        print(
            f"{name:<34} {_queries(fetch):>7} {p50:>7.0f} {p95:>7.0f} {f50:>6.0f}/{f95:<6.0f} "
            f"{p50 / f50:>6.1f}/{p95 / f95:<6.1f}  {_verdict(p95, goal)}",
            flush=True,
        )

    url = f"{reverse('reports:board-pdf')}?fy={last_year}"
    fetch = _get(board, url)
    queries = _queries(fetch)  # also the warm-up
    seconds = []
    for _ in range(PACKET_RUNS):
        started = time.perf_counter()
        fetch()
        seconds.append(time.perf_counter() - started)
    worst = max(seconds)
    print(
        f"board packet PDF ({url}): {queries} queries; wall time of "
        f"{PACKET_RUNS} runs {', '.join(f'{s:.1f}' for s in seconds)} s; worst "
        f"{worst / (floor50 / 1000):.0f}x the floor's p50; {_verdict(worst, PACKET_GOAL_S, ' s')}"
    )
    again = _timed(_floor, runs)
    print(f"floor again: p50 {again[0]:.0f} ms, p95 {again[1]:.0f} ms")


def _build(supporters: int, gifts: int) -> None:
    from django.db import connection

    started = time.perf_counter()
    written = populate(supporters, gifts)
    print(
        f"data: {written['gifts']:,} gifts in {written['gift_seconds']:.1f} s "
        f"({written['gifts'] / written['gift_seconds']:,.0f} rows/s, generation and COPY), "
        f"{written['refunds']:,} refunds; all data {time.perf_counter() - started:.1f} s"
    )
    donors, seconds = summaries()
    print(f"donor summaries (donor_summaries_refresh): {donors:,} supporters in {seconds:.1f} s")
    from donations.giving_days import giving_days_fold
    from donations.models import GivingDay

    started = time.perf_counter()
    rows = GivingDay.objects.count()
    days = giving_days_fold()  # each COPY's rows, one per day: as a running site has them
    print(
        f"days' totals: {rows:,} rows folded into {days:,} days "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gifts", type=int, default=1_000_000)
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        url = DEFAULT_URL
    name = url.rsplit("/", 1)[1]
    if not options.reuse:
        server_database(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server_database(url, f'CREATE DATABASE "{name}"')
    try:
        django_on(url)
        if not options.reuse:
            _build(options.supporters, options.gifts)
        from django.core.management import call_command

        # As in production (DEBUG off): pages name their static files through the manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        import time_machine

        # The pages read today's date; the data was written around TODAY.
        with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(10)), tick=True):
            _pages(options.runs)
    finally:
        if not options.keep:
            from django.db import connections

            connections.close_all()
            server_database(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
