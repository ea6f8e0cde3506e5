"""A board member can look at everything and change nothing: every admin URL that accepts a
POST, and every admin action, is tried as a board user; each must refuse and leave the
database exactly as it was."""

import hashlib
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern

from crm.models import ConsentEvent, Interaction, Note, Supporter, SupporterMerge, Tag, Task
from donations.models import Campaign, Fund, Gift, RecurringGift, StripeEvent
from mailings.models import Letter, LetterSignatory, LetterVersion, Mailing, Signatory

pytestmark = pytest.mark.django_db


WRITES = re.compile(
    r"(add|change|delete|import|process_import|password|merge/.*|history/.+|send-test"
    r"|note|interaction|task|done|restore|new-letter-from)/\$?$"
)


def _admin_routes() -> list[tuple[str, str]]:
    routes = []
    for model, model_admin in admin.site._registry.items():
        for pattern in model_admin.get_urls():
            if isinstance(pattern, URLPattern) and pattern.name:
                routes.append((model._meta.label, str(pattern.pattern)))
    return sorted(set(routes))


def _admin_actions() -> list[tuple[str, str]]:
    return sorted(
        (model._meta.label, name)
        for model, model_admin in admin.site._registry.items()
        for _func, name, _desc in model_admin._get_base_actions()
    )


@pytest.fixture
def world(db, staff):
    """One row of every kind the admin shows, so every URL has a real object to aim at."""
    tag = Tag.objects.create(name="Volunteer")
    first = Supporter.objects.create(
        first_name="Ana", last_name="Ruiz", postal_code="10001", email="ana@example.org"
    )
    second = Supporter.objects.create(first_name="Ana", last_name="Ruiz", postal_code="10001")
    first.tags.add(tag)
    Note.objects.create(supporter=first, text="note")
    ConsentEvent.objects.create(
        supporter=first, field="do_not_mail", new_value="True", method="staff"
    )
    merge = SupporterMerge.objects.create(
        survivor=first, merged_supporter_id=999, merged_snapshot={"id": 999}
    )
    call = Interaction.objects.create(
        supporter=first, kind="call", happened_on="2026-01-04", staff=staff, notes="Called"
    )
    Task.objects.create(
        supporter=first, title="Send the report", due_on="2026-01-10", assigned_to=staff,
        interaction=call,
    )  # fmt: skip
    fund = Fund.objects.create(name="General", code="general", is_default=True)
    campaign = Campaign.objects.create(name="Spring", code="spring", fund=fund)
    plan = RecurringGift.objects.create(supporter=first, amount=10, status="active")
    Gift.objects.create(
        supporter=first,
        amount=10,
        method="card",
        received_on="2026-01-05",
        campaign=campaign,
        fund=fund,
        recurring=plan,
    )
    StripeEvent.objects.create(event_id="evt_1", type="invoice.paid", payload={})
    signer = Signatory.objects.create(name="Rosa Diaz", title="Director")
    letter = Letter.objects.create(name="Spring letter", campaign=campaign)
    LetterVersion.objects.create(letter=letter, language="en", subject="Hi", body="Dear friend")
    LetterSignatory.objects.create(letter=letter, signatory=signer)
    Mailing.objects.create(name="Spring print", slug="spring-print", letter=letter)
    return {"first": first, "second": second, "merge": merge, "staff": staff}


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.label in ("sessions.Session",):
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digest.update(f"{model._meta.label}:{rows!r}".encode())
    return digest.hexdigest()


def _concrete(route: str, label: str, world: dict) -> str:
    model = apps.get_model(label)
    obj = model._base_manager.order_by("pk").first()
    object_id = obj.pk if obj else 1
    history = getattr(obj, "history", None)
    history_id = history.first().pk if history is not None and history.exists() else 1
    route = route.replace("<path:object_id>", str(object_id))
    route = route.replace("<int:first_id>", str(world["first"].pk))
    route = route.replace("<int:second_id>", str(world["second"].pk))
    route = route.replace("<str:history_id>", str(history_id))
    route = re.sub(r"<int:\w+_id>", str(object_id), route)  # e.g. a letter's preview pages
    route = re.sub(r"<[^>]+>", "1", route)
    # simple_history's revert page is a regex route: (object id)/history/(history id)/
    route = route.lstrip("^").rstrip("$")
    route = route.replace("([^/]+)/history/([^/]+)", f"{object_id}/history/{history_id}")
    app_label, model_name = label.split(".")
    return f"/admin/{app_label.lower()}/{model_name.lower()}/{route}"


def _payload() -> dict:
    csv = b"First Name,Last Name,Email\nEve,Hacker,eve@example.org\n"
    return {
        "first_name": "Hacked",
        "last_name": "Hacked",
        "name": "Hacked",
        "text": "x",
        "kind": "person",
        "country": "US",
        "preferred_language": "en",
        "email_opt_in": "unknown",
        "username": "hacked",
        "keep": "1",
        "post": "yes",
        "format": "0",
        "import_file": SimpleUploadedFile("x.csv", csv),
        "import_file_name": "x.csv",
        "original_file_name": "x.csv",
        "resource": "0",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "consent_events-TOTAL_FORMS": "0",
        "consent_events-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize(("label", "route"), _admin_routes())
def test_board_member_cannot_change_anything_by_posting_to(label, route, world, board_client):
    url = _concrete(route, label, world)
    before = _fingerprint()
    response = board_client.post(url, _payload())
    if WRITES.search(route):
        assert response.status_code == 403, (url, response.status_code)
    else:  # read-only pages (lists, history, export) may answer a POST by showing themselves
        assert response.status_code in (200, 302, 403, 405), (url, response.status_code)
    assert _fingerprint() == before, f"POST {url} changed data"


@pytest.mark.parametrize(("label", "action"), _admin_actions())
def test_board_member_cannot_run_admin_action(label, action, world, board_client):
    app_label, model_name = label.lower().split(".")
    model = apps.get_model(label)
    ids = [str(pk) for pk in model._base_manager.values_list("pk", flat=True)] or ["1"]
    before = _fingerprint()
    response = board_client.post(
        f"/admin/{app_label}/{model_name}/",
        {"action": action, "_selected_action": ids, "post": "yes", "index": "0", "format": "0"},
    )
    assert response.status_code in (200, 302, 403)
    assert _fingerprint() == before, f"action {action} on {label} changed data"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/crm/supporter/",
        "/admin/crm/supporter/duplicates/",
        "/admin/crm/tag/",
        "/admin/crm/supportermerge/",
    ],
)
def test_board_member_can_read(url, world, board_client):
    assert board_client.get(url).status_code == 200


def test_board_member_sees_a_supporter_without_a_save_button(world, board_client):
    page = board_client.get(f"/admin/crm/supporter/{world['first'].pk}/change/")
    assert page.status_code == 200
    assert b"Ana Ruiz" in page.content
    assert b'name="_save"' not in page.content


def test_board_member_cannot_open_the_import_page(world, board_client):
    assert board_client.get("/admin/crm/supporter/import/").status_code == 403


def test_an_outsider_sees_nothing(world, client, outsider):
    client.force_login(outsider)
    response = client.get("/admin/crm/supporter/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_routes_walked_include_the_risky_ones():
    routes = {route for _label, route in _admin_routes()}
    for expected in (
        "import/",
        "process_import/",
        "merge/<int:first_id>/<int:second_id>/",
        "<path:object_id>/delete/",
        "add/",
    ):
        assert expected in routes
