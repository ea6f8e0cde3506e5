"""The crm app's models (Zulip's models package): people and what is kept about them, their
households, their ids in other systems, import jobs and saved column mappings. Everything is
re-exported here, so `from crm.models import Supporter` keeps working."""

from crm.models.households import Household
from crm.models.imports import ImportJob, ImportJobRow, ImportMapping
from crm.models.moves import Interaction, Task
from crm.models.people import ConsentEvent, NotDuplicate, Note, Supporter, SupporterMerge
from crm.models.source_ids import SourceId
from crm.models.tags import Tag

__all__ = [
    "ConsentEvent",
    "Household",
    "ImportJob",
    "ImportJobRow",
    "ImportMapping",
    "Interaction",
    "NotDuplicate",
    "Note",
    "SourceId",
    "Supporter",
    "SupporterMerge",
    "Tag",
    "Task",
]
