"""Saved versions of a letter ("revisions" in code, since a LetterVersion is a letter's text in
one language): every saved change kept, compared, restored, or used to start a new letter."""
