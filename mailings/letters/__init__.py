"""What an appeal letter is and how it renders for anyone, whatever the channel: the merge-field
language (merge_fields, merge_template), a letter's Markdown as templates (content), each
recipient's values and ask ladder (merge_values, asks), a language version compiled once per
batch (rendering), the checks a letter must pass before it goes out (checks), and letters
brought in from plain text (from_text, services). Email and paper build on this room
(mailings.emails, mailings.printing); it imports neither."""
