"""The two staff roles and their permissions.

The groups themselves are created by a migration (core 0001). Their permissions are granted
after every `migrate`, because permissions for models added later only exist once Django's
own post_migrate handler has created them.
"""

from typing import Any

from django.apps import apps as global_apps

STAFF_GROUP = "Development staff"
BOARD_GROUP = "Board"
# Apps whose data the roles work with; core imports none of them, it only names them.
PROJECT_APPS = ("core", "crm", "donations", "mailings", "reports")


def sync_role_permissions(*, apps: Any = global_apps, **_: Any) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    project = Permission.objects.filter(content_type__app_label__in=PROJECT_APPS)
    staff, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    board, _ = Group.objects.get_or_create(name=BOARD_GROUP)
    staff.permissions.set(project)
    # Board members read everything and change nothing. They do not export either: the
    # export_* permissions (personal data in a file) are staff work, not view_*.
    board.permissions.set(project.filter(codename__startswith="view_"))


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate is sent once per app with models, right after that app's permissions are
    # created; syncing each time (a few queries) means no app's permissions are missed.
    sync_role_permissions()
