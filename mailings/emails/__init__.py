"""A letter as email: the message (HTML with inlined CSS, text part, List-Unsubscribe headers)
rendered from a compiled letter, and unsubscribing from a link or a mail client's one-click
button. Builds on mailings.letters."""
