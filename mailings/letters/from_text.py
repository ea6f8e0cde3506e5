"""Turning a letter staff already have as plain text (pasted from a word processor) into a
letter version: banner and headline before the greeting, the greeting, the body as Markdown
(bullets, numbered lists with their explanations, section labels, small headings), the
closing, the signers (side by side in columns, or 'Name, Title'), 'On behalf of:' and the P.S.

Every line of the text lands somewhere: lines under a signer's name (an organisation, a second
title) join the signer's title. Nothing is made up: no closing when the text has none, and the
subject only from a 'Subject:' line or the headline (the letter's staff-only name never is).
"""

import re
from dataclasses import dataclass, field

BULLET = re.compile(r"^\s*[•\-\*·◦▪‣●○]\s+(.*)$")
HEADING = re.compile(r"^#{1,6}\s+\S")
MARKS = re.compile(r"\*\*|^#{1,6}\s+")
NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")
COLUMNS = re.compile(r"\s{3,}")
CLOSINGS = re.compile(
    r"^(sincerely|in solidarity|with gratitude|gratefully|warmly|thank you|yours|"
    r"with thanks|best|respectfully|con gratitud|atentamente|en solidaridad)\b.*,$",
    re.IGNORECASE,
)


# 'Dear ...,' and its Spanish forms: the line the letter's greeting is.
GREETING = re.compile(
    r"^(dear|estimad[oa]s?|querid[oa]s?|apreciad[oa]s?|hola)\b.*[,:]?$", re.IGNORECASE
)
SUBJECT = re.compile(r"^\s*(subject|asunto)\s*:\s*(.+)$", re.IGNORECASE)


@dataclass
class PlainLetter:
    subject: str = ""
    banner: str = ""
    headline: str = ""
    salutation_line: str = "Dear {{ salutation }},"
    body: str = ""
    closing: str = ""
    signatories: list[tuple[str, str]] = field(default_factory=list)
    on_behalf_of: str = ""
    ps: str = ""


def _plain(text: str) -> str:
    """A line without its Markdown (bold, a heading's #): for the parts that are not Markdown."""
    return MARKS.sub("", text.strip()).strip()


def letter_from_text(text: str) -> PlainLetter:
    """Plain text or Markdown (as mailings.letters.bring_in makes from a Word file)."""
    letter = PlainLetter()
    text = text.replace("\r\n", "\n").replace("\u00a0", " ")
    paragraphs = _paragraphs(text)
    if paragraphs and (subject := SUBJECT.match(_plain(paragraphs[0][0]))):
        letter.subject = subject.group(2).strip()
        paragraphs[0] = paragraphs[0][1:]
        paragraphs = [p for p in paragraphs if p]
    greetings = (i for i, p in enumerate(paragraphs) if GREETING.match(_plain(p[0])))
    greeting = next(greetings, None)
    if greeting is not None:
        before = [" ".join(_plain(line) for line in p) for p in paragraphs[:greeting]]
        if len(before) >= 2:
            letter.banner, letter.headline = before[0], " ".join(before[1:])
        elif before:
            letter.headline = before[0]
        letter.salutation_line = _plain(paragraphs[greeting][0])
        rest = paragraphs[greeting][1:]  # text typed right under the greeting starts the body
        paragraphs = ([rest] if rest else []) + paragraphs[greeting + 1 :]

    tail: list[list[str]] = []
    for paragraph in reversed(paragraphs):
        if _is_ps(paragraph) or _is_behalf(paragraph) or _is_signature(paragraph):
            tail.insert(0, paragraph)
        else:
            break
    body = paragraphs[: len(paragraphs) - len(tail)]
    if body and len(body[-1]) == 1 and CLOSINGS.match(_plain(body[-1][0])):
        letter.closing = _plain(body.pop()[0])
    for paragraph in tail:
        joined = " ".join(_plain(line) for line in paragraph)
        closing = len(paragraph) == 1 and CLOSINGS.match(joined)
        if closing and not letter.signatories and not letter.closing:
            letter.closing = joined
        elif _is_ps(paragraph):
            ps = re.sub(r"^P\.?\s?S\.?\s*", "", joined)
            letter.ps = f"{letter.ps}\n\n{ps}" if letter.ps else ps
        elif _is_behalf(paragraph):
            behalf = joined.split(":", 1)[1].strip() if ":" in joined else joined
            letter.on_behalf_of = " ".join(filter(None, [letter.on_behalf_of, behalf]))
        elif not letter.signatories:
            letter.signatories = _signers(paragraph)
        else:  # under the signatures: the organisation's name, a second title
            letter.signatories = _under_signers(letter.signatories, paragraph)
    letter.body = "\n\n".join(_markdown(p) for p in body).strip()
    return letter


def _paragraphs(text: str) -> list[list[str]]:
    result, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def _is_body(paragraph: list[str]) -> bool:
    """Markdown the body keeps: a heading, a list, a bold label in the letter's middle."""
    first = paragraph[0].strip()
    return bool(HEADING.match(first) or BULLET.match(first) or NUMBERED.match(first))


def _is_ps(paragraph: list[str]) -> bool:
    return bool(re.match(r"^P\.?\s?S\.?\b", _plain(paragraph[0])))


def _is_behalf(paragraph: list[str]) -> bool:
    return _plain(paragraph[0]).lower().startswith(("on behalf of", "en nombre de"))


def _is_signature(paragraph: list[str]) -> bool:
    """Short lines with no sentence in them: names and titles."""
    return (
        len(paragraph) <= 4
        and not _is_body(paragraph)
        and all(
            len(_plain(line)) < 70 and not _plain(line).endswith((".", ":", "?", "!"))
            for line in paragraph
        )
    )


def _signers(paragraph: list[str]) -> list[tuple[str, str]]:
    lines = [_plain(line) for line in paragraph]
    if len(COLUMNS.split(lines[0])) > 1:  # side by side; titles below or in the next paragraph
        names = COLUMNS.split(lines[0])
        return _under_signers([(n.strip(), "") for n in names], lines[1:])
    if "," in lines[0]:
        name, title = lines[0].split(",", 1)
        return _under_signers([(name.strip(), title.strip())], lines[1:])
    return _under_signers([(lines[0], "")], lines[1:])


def _under_signers(signers: list[tuple[str, str]], lines: list[str]) -> list[tuple[str, str]]:
    """Lines under the signers' names, added to their titles: column by column when the
    signers stand side by side, else to the last signer's."""
    signers = list(signers)
    for line in (_plain(line) for line in lines):
        cells = COLUMNS.split(line) if len(signers) > 1 else [line]
        if len(cells) != len(signers):
            cells = [*[""] * (len(signers) - 1), line]
        signers = [
            (name, ", ".join(filter(None, [title, cell.strip()])))
            for (name, title), cell in zip(signers, cells, strict=True)
        ]
    return signers


def _markdown(paragraph: list[str]) -> str:
    first = paragraph[0].strip()
    numbered = NUMBERED.match(paragraph[0])
    if HEADING.match(first) or (len(paragraph) > 1 and all(map(NUMBERED.match, paragraph))):
        return "\n".join(line.strip() for line in paragraph)  # already Markdown
    if numbered and numbered.group(2).startswith("**"):  # bold in the Word file already
        rest = " ".join(line.strip() for line in paragraph[1:])
        return f"{paragraph[0].strip()}  \n   {rest}" if rest else paragraph[0].strip()
    if numbered:  # '1. Title' with its explanation indented below
        rest = " ".join(line.strip() for line in paragraph[1:])
        item = f"{numbered.group(1)}. **{numbered.group(2).strip()}**"
        return f"{item}  \n   {rest}" if rest else item
    if all(BULLET.match(line) for line in paragraph):
        return "\n".join(f"- {BULLET.match(line).group(1).strip()}" for line in paragraph)
    joined = " ".join(line.strip() for line in paragraph)
    if len(paragraph) == 1 and first.startswith("**") and first.endswith("**"):
        return first  # bold in the Word file: a label or a line that stands out
    if len(paragraph) == 1 and first.endswith(":") and len(first) < 80:
        return f"**{first}**"  # a section label: 'Defense in the community:'
    if len(paragraph) == 1 and len(first) < 60 and not re.search(r"[.!?,;:]$", first):
        return f"## {first}"  # a small heading: 'Your Impact'
    return joined
