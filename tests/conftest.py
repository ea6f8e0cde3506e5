from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from core.roles import BOARD_GROUP, STAFF_GROUP

# Fixtures the fee and payout tests share (a default fund, the Stripe balance stand-in), and
# the plan tests (a donor with a monthly plan at the Stripe stand-in).
pytest_plugins = ["tests.donations.fee_support", "tests.donations.plan_support"]


def pytest_configure(config: pytest.Config) -> None:
    # The SQLite test database is a file under var/ (see config/settings.py).
    (Path(__file__).resolve().parent.parent / "var").mkdir(exist_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` prove what only PostgreSQL shows (row locks, transactions
    running side by side; SQLite lets one writer in at a time). They are skipped, saying so,
    on SQLite, and run in CI's second pass (.ci/run), which sets DATABASE_URL to PostgreSQL."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, parallel transactions): "
        "run with DATABASE_URL=postgres://... as CI's PostgreSQL pass does"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings, tmp_path):
    """Background tasks run as soon as they are enqueued , in the test; files
    they write (receipts) go to a temporary media folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bucket(settings):
    """Files go to a private S3-compatible bucket (tests/s3_standin.py) for this test, as with
    STORAGE_BUCKET set."""
    from config.storage import S3_STORAGE
    from tests.s3_standin import S3StandIn

    with S3StandIn() as standin:
        settings.STORAGE_BUCKET = "crm-files"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": S3_STORAGE, "OPTIONS": standin.storage_options()},
        }
        yield standin


@pytest.fixture
def sent_mail(mailoutbox):
    """What the outbox has sent: call it to run the sending worker (core.outbox) once and read
    Django's test outbox. Emails are queued in the transaction of their reason; a test's own
    transaction never commits to wake the worker, so the test runs it."""
    from core.outbox.sending import outbox_send_due

    def sent() -> list:
        outbox_send_due()
        return mailoutbox

    return sent


@pytest.fixture(autouse=True)
def fresh_checkout_counts(settings):
    """Each test counts checkout attempts (donations.online.limits) from zero: the counters
    live in the cache, which neither a rolled-back transaction nor a flush empties."""
    import uuid

    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def english_between_tests():
    """A view that switched this thread to Spanish must not carry it into the next test."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def fresh_reference_rows():
    """Campaign, fund and fiscal-year ids remembered by one test must not leak into the next
    (a rolled-back test transaction sends no signal to forget them)."""
    from donations import reference

    reference.forget()
    yield
    reference.forget()


def _user(username: str, group: str | None, *, is_staff: bool = True) -> User:
    user = User.objects.create_user(
        username, f"{username}@example.org", "pw-for-tests-only", is_staff=is_staff
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def staff(db) -> User:
    """Development staff: keeps records, imports, merges, writes appeals."""
    return _user("dana", STAFF_GROUP)


@pytest.fixture
def board(db) -> User:
    """A board member: reads everything, changes nothing."""
    return _user("bo", BOARD_GROUP)


@pytest.fixture
def outsider(db) -> User:
    """A logged-in account with no role: sees nothing."""
    return _user("otto", None, is_staff=False)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def board_client(client, board):
    client.force_login(board)
    return client
