"""Figures an app above derives from core's and crm's records, recomputed when they change.

Why a registry, and not signals or an admin that imports both: the dependency direction is
core <- crm <- donations, so core and crm never import donations, yet donations keeps per-donor
summaries whose fiscal years follow core's Organisation and whose donors follow crm's merges.
Model signals fired on any save however it was made, and a reader of the code that made the
change could not see what followed. Moving the Organisation admin into donations would have
served the fiscal year alone: the merge lives in crm, whose admin cannot import donations
either. So one small mechanism serves both, with no setting: an app registers its recompute
here in its AppConfig.ready(), and the one service that makes the change calls the list by
name, inside its transaction (core.services.organisation_update,
crm.services.supporters_merge). A bare Organisation.save() recomputes nothing: changes go
through the service, as the admin does.
"""

from collections.abc import Callable
from typing import Any


class Recomputes:
    """A named list of functions, called in the order registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Callable[..., None]] = []

    def register(self, function: Callable[..., None]) -> None:
        if function not in self._functions:  # ready() may run twice (tests, reloads)
            self._functions.append(function)

    def run(self, **kwargs: Any) -> None:
        for function in list(self._functions):
            function(**kwargs)

    @property
    def registered(self) -> list[Callable[..., None]]:
        return list(self._functions)


# Called by organisation_update when the fiscal year's first month changes; no arguments.
fiscal_year_moved = Recomputes("fiscal year moved")
# Called by supporters_merge just before the related rows move, for an app whose rows would
# collide under a unique key once both records' rows belong to one supporter (one year-end
# statement send per donor and year): survivor_id=int, merged_id=int.
supporters_merging = Recomputes("supporters merging")
# Called by supporters_merge after the related rows moved: survivor_id=int, merged_id=int.
supporters_merged = Recomputes("supporters merged")
