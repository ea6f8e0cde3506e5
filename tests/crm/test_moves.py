"""Moves management: staff log a call, meeting, visit or letter and assign a follow-up task,
which shows under 'My tasks' on the assignee's staff home, overdue ones flagged; bad input is
refused with a clear message and changes nothing; the board reads all of it and changes none."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.roles import STAFF_GROUP
from crm.models import Interaction, Supporter, Task
from crm.profile.services import interaction_log, task_add, task_complete
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 5, 10)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 5, 10, 15, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def rosa(db) -> User:
    """A second member of development staff, to be given tasks."""
    user = User.objects.create_user("rosa", "rosa@example.org", "pw", is_staff=True,
                                    first_name="Rosa", last_name="Diaz")  # fmt: skip
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    return user


def profile(supporter: Supporter, action: str = "") -> str:
    if action:
        return reverse(f"admin:crm_supporter_{action}", args=[supporter.pk])
    return reverse("admin:crm_supporter_change", args=[supporter.pk])


def test_a_call_with_a_follow_up_shows_on_the_assignees_home(client, staff, rosa):
    ana = SupporterFactory(first_name="Ana", last_name="Ruiz")
    client.force_login(staff)
    response = client.post(profile(ana, "interaction"), {
        "kind": "call", "happened_on": "2026-05-09", "staff": staff.pk,
        "notes": "Interested in the capital campaign.", "follow_up": "Send the proposal",
        "follow_up_due": "2026-05-15", "follow_up_to": rosa.pk,
    })  # fmt: skip
    assert response.status_code == 302 and response.url == profile(ana)
    call = Interaction.objects.get()
    assert (call.kind, call.happened_on, call.staff, call.logged_by) == (
        "call", D(2026, 5, 9), staff, staff)  # fmt: skip
    task = Task.objects.get()
    assert (task.title, task.due_on, task.assigned_to, task.interaction) == (
        "Send the proposal", D(2026, 5, 15), rosa, call)  # fmt: skip
    assert "Call logged and its follow-up task." in client.get(profile(ana)).content.decode()
    assert "Send the proposal" not in client.get("/admin/").content.decode()  # not dana's
    client.force_login(rosa)
    home = client.get("/admin/").content.decode()
    assert 'id="home-tasks"' in home and "Send the proposal" in home and "Ana Ruiz" in home
    assert "overdue" not in home.split('id="home-tasks"')[1].split("</div>")[0]


def test_overdue_tasks_are_flagged_and_counted_and_done_ones_leave(staff_client, staff):
    ana = SupporterFactory()
    late = task_add(supporter=ana, title="Thank for the visit", due_on=D(2026, 5, 1),
                    assigned_to=staff, created_by=staff)  # fmt: skip
    task_add(supporter=ana, title="Invite to the gala", due_on=D(2026, 6, 1),
             assigned_to=staff, created_by=staff)  # fmt: skip
    home = staff_client.get("/admin/").content.decode()
    panel = home.split('id="home-tasks"')[1].split('<div class="crm-panel')[0]
    assert 'data-figure="tasks-overdue">1 overdue' in panel
    assert panel.index("Thank for the visit") < panel.index("Invite to the gala")
    response = staff_client.post(reverse("admin:crm_task_done", args=[late.pk]), {"next": "home"})
    assert response.status_code == 302 and response.url == reverse("staff-home")
    late.refresh_from_db()
    assert late.done_at is not None and late.done_by == staff
    home = staff_client.get("/admin/").content.decode()
    assert "Done: Thank for the visit." in home  # the message, once
    panel = home.split('id="home-tasks"')[1].split('<div class="crm-panel')[0]
    assert "Thank for the visit" not in panel and "overdue" not in panel
    assert not task_complete(task=late, by=staff)  # a second click changes nothing


def test_a_task_is_added_from_the_profile(staff_client, staff, rosa):
    ana = SupporterFactory()
    response = staff_client.post(
        profile(ana, "task"),
        {"title": "Ask about the match", "due_on": "2026-05-12", "assigned_to": rosa.pk},
    )
    assert response.status_code == 302
    assert Task.objects.get().assigned_to == rosa
    page = staff_client.get(profile(ana)).content.decode()
    assert "Ask about the match" in page and "For Rosa Diaz" in page


@pytest.mark.parametrize(("action", "data", "message"), [
    ("interaction", {"kind": "dinner", "happened_on": "2026-05-09"}, "Select a valid choice."),
    ("interaction", {"kind": "call", "happened_on": "2026-05-11"},
     "An interaction is logged once it has happened."),
    ("interaction", {"kind": "call", "happened_on": "2026-05-09", "follow_up": "Call back"},
     "Give the follow-up task a due date."),
    ("task", {"title": "", "due_on": "2026-05-12"}, "This field is required."),
    ("task", {"title": "Call back", "due_on": "next week"}, "Enter a valid date."),
    ("note", {"text": "   "}, "This field is required."),
])  # fmt: skip
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    staff_client, staff, action, data, message
):
    ana = SupporterFactory()
    data = {"assigned_to": staff.pk, **data}
    response = staff_client.post(profile(ana, action), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    opened = {"note": "add-note", "task": "add-task"}.get(action, "log-interaction")
    assert f'<details id="{opened}" open>' in page
    assert not Interaction.objects.exists() and not Task.objects.exists()
    assert not ana.notes.exists()


def test_the_services_refuse_what_the_forms_would(staff):
    ana = SupporterFactory()
    with pytest.raises(ValidationError, match="once it has happened"):
        interaction_log(supporter=ana, kind="call", happened_on=D(2026, 5, 11), staff=staff,
                        notes="", logged_by=staff)  # fmt: skip
    with pytest.raises(ValidationError, match="due date"):
        task_add(supporter=ana, title="x", due_on=None, assigned_to=staff, created_by=staff)
    assert not Interaction.objects.exists() and not Task.objects.exists()


def test_a_note_is_added_from_the_profile(staff_client, staff):
    ana = SupporterFactory()
    assert staff_client.post(profile(ana, "note"), {"text": "Prefers calls"}).status_code == 302
    note = ana.notes.get()
    assert (note.text, note.author) == ("Prefers calls", staff)


def test_prospect_stage_and_ask_amount_are_kept_and_shown(staff_client):
    ana = SupporterFactory(prospect_stage="cultivate", ask_amount="25000.00")
    page = staff_client.get(profile(ana)).content.decode()
    assert "Prospect: Cultivate" in page and "ask $25,000.00" in page
    edit = staff_client.get(profile(ana) + "?edit=1").content.decode()
    assert 'name="prospect_stage"' in edit and 'name="ask_amount"' in edit
    assert [c for c, _ in Supporter.ProspectStage.choices] == [
        "", "identify", "cultivate", "solicit", "steward"]  # fmt: skip


def test_the_board_reads_it_all_and_can_change_none_of_it(client, board, staff):
    ana = SupporterFactory(prospect_stage="solicit", ask_amount="5000.00")
    task = task_add(supporter=ana, title="Ask for the gift", due_on=D(2026, 5, 1),
                    assigned_to=staff, created_by=staff)  # fmt: skip
    interaction_log(supporter=ana, kind="meeting", happened_on=D(2026, 5, 2), staff=staff,
                    notes="Lunch downtown", logged_by=staff)  # fmt: skip
    client.force_login(board)
    page = client.get(profile(ana)).content.decode()
    assert "Ask for the gift" in page and "Lunch downtown" in page and "Prospect: Solicit" in page
    for form in ("add-note", "log-interaction", "add-task", "merge-with", "edit-link"):
        assert f'id="{form}"' not in page
    assert 'title="Mark done"' not in page
    assert client.get(reverse("admin:crm_task_changelist")).status_code == 200
    assert client.get(reverse("admin:crm_interaction_changelist")).status_code == 200
    before = (Interaction.objects.count(), Task.objects.count(), ana.notes.count())
    for action, data in [
        ("interaction", {"kind": "call", "happened_on": "2026-05-09"}),
        ("task", {"title": "x", "due_on": "2026-05-12", "assigned_to": board.pk}),
        ("note", {"text": "x"}),
    ]:
        assert client.post(profile(ana, action), data).status_code == 403
    assert client.post(reverse("admin:crm_task_done", args=[task.pk])).status_code == 403
    assert client.post(reverse("admin:crm_task_change", args=[task.pk]),
                       {"title": "x"}).status_code == 403  # fmt: skip
    assert (Interaction.objects.count(), Task.objects.count(), ana.notes.count()) == before
    task.refresh_from_db()
    assert task.done_at is None and task.title == "Ask for the gift"
    assert 'id="home-tasks"' not in client.get("/admin/").content.decode()
