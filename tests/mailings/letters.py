"""Letters for tests, built through the models as the composer saves them."""

from mailings.models import Letter, LetterVersion


def letter_with_versions(**versions: dict) -> Letter:
    letter = Letter.objects.create(name="Spring appeal", appeal_code="spring26")
    for language, fields in (versions or {"en": {}}).items():
        version = LetterVersion(
            letter=letter,
            language=language,
            subject=fields.get("subject", "A spring letter for {{ first_name }}"),
            preheader=fields.get("preheader", "Your gift of {{ ask_1 }} keeps the hotline open"),
            banner=fields.get("banner", "Need legal advice? Call 212-555-0100."),
            headline=fields.get("headline", "Not without a fight"),
            body=fields.get(
                "body",
                "We write to you with news.\n\n- Court support\n- A stronger **hotline**\n\n"
                "[Give {{ ask_1 }} today]({{ donate_url }})",
            ),
            ps=fields.get(
                "ps", "Your last gift of {{ last_gift_amount|money|default:'—' }} mattered."
            ),
        )
        if "salutation_line" in fields:
            version.salutation_line = fields["salutation_line"]
        version.full_clean()
        version.save()
    return letter
