"""Messages composed when they are sent: an app registers a function under a name, and a
message queued with that `composer` is filled in by it, a whole chunk at once (one query for
the chunk's sources, not one per message). core imports no app; apps register in ready()."""

from collections.abc import Callable, Sequence

from core.models import OutboxMessage

# name -> fills from_email, subject, text_body, html_body, headers (and may change to_email)
# on each message of a chunk in place. A message it cannot compose gets subject "" and
# last_error saying why (then it fails); one that must not go (its recipient said no since it
# was queued) gets status CANCELLED and last_error saying why.
Composer = Callable[[Sequence[OutboxMessage]], None]
_COMPOSERS: dict[str, Composer] = {}


def register(name: str, composer: Composer) -> None:
    _COMPOSERS[name] = composer


def compose(messages: Sequence[OutboxMessage]) -> None:
    by_composer: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        if message.composer:
            by_composer.setdefault(message.composer, []).append(message)
    for name, group in by_composer.items():
        composer = _COMPOSERS.get(name)
        if composer is None:
            for message in group:
                message.subject = ""
                message.last_error = f"Nothing composes '{name}' messages."
            continue
        composer(group)
