"""The crm app's models (Zulip's models package): people and what is kept about them, and
import jobs. Everything is re-exported here, so `from crm.models import Supporter` keeps
working."""

from crm.models.imports import ImportJob, ImportJobRow
from crm.models.people import ConsentEvent, NotDuplicate, Note, Supporter, SupporterMerge, Tag

__all__ = [
    "ConsentEvent",
    "ImportJob",
    "ImportJobRow",
    "NotDuplicate",
    "Note",
    "Supporter",
    "SupporterMerge",
    "Tag",
]
