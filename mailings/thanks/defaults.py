"""The thank-you letters the product starts with, in English and Spanish, and the rules that
choose them. Set up at first use (when there is no rule at all), so a new installation thanks
donors at once; from then on they are staff's to edit, reorder or replace in the admin."""

from string import Template

from django.db import transaction

from mailings.models import Letter, LetterVersion
from mailings.thanks.models import ThankYouRule

Condition = ThankYouRule.Condition

# What every letter says, in each language, put into the letters below where they write $gift,
# $work (or $work_lowered, mid-sentence) and $receipt. string.Template's $names, because the
# texts are Django templates, whose braces str.format would take for its own.
_SHARED = {
    "en": {
        # What the gift was (a stock or in-kind gift is described, never valued, as its
        # receipt is: IRS Pub. 1771).
        "gift": "{% if gift_description %}your gift to {{ organisation_name }}: "
        "{{ gift_description }}{% else %}your gift of {{ gift_amount }} to "
        "{{ organisation_name }}{% endif %}",
        "receipt": "Your receipt ({{ receipt_number }}) is "
        '{% if channel == "print" %}enclosed{% else %}attached{% endif %} for your tax records.',
        "work": "Your support keeps our hotline answering and our attorneys in court beside the "
        "families who need them.",
    },
    "es": {
        "gift": "{% if gift_description %}su donación a {{ organisation_name }}: "
        "{{ gift_description }}{% else %}su donación de {{ gift_amount }} a "
        "{{ organisation_name }}{% endif %}",
        "receipt": "Su recibo ({{ receipt_number }}) va "
        '{% if channel == "print" %}adjunto en este sobre{% else %}adjunto{% endif %} '
        "para su declaración de impuestos.",
        "work": "Su apoyo mantiene nuestra línea de ayuda abierta y a nuestros abogados en la "
        "corte, al lado de las familias que los necesitan.",
    },
}

# One row a letter, in the order of its rule: (condition, letter name, {language: (subject,
# body)}).
_LETTERS = [
    (
        Condition.TRIBUTE,
        "Thank-you: tribute gift",
        {
            "en": (
                "Thank you for your gift {{ tribute }}",
                "Thank you for $gift, made {{ tribute }}. It is a beautiful way to honor "
                "someone: $work_lowered\n\n$receipt",
            ),
            "es": (
                "Gracias por su donación {{ tribute }}",
                "Gracias por $gift, hecha {{ tribute }}. Es una hermosa manera de rendir "
                "homenaje: $work_lowered\n\n$receipt",
            ),
        },
    ),
    (
        Condition.LARGE_GIFT,
        "Thank-you: large gift",
        {
            "en": (
                "Your generous gift to {{ organisation_name }}",
                "Thank you for $gift. A gift of this size changes what we can promise the "
                "families who call us: $work_lowered\n\nOur director would like to thank you "
                "in person and tell you what your gift will make possible; expect a call from "
                "us in the coming days.\n\n$receipt",
            ),
            "es": (
                "Su generosa donación a {{ organisation_name }}",
                "Gracias por $gift. Una donación así cambia lo que podemos prometer a las "
                "familias que nos llaman: $work_lowered\n\nNuestra directora quisiera darle "
                "las gracias en persona y contarle lo que su donación hará posible; le "
                "llamaremos en los próximos días.\n\n$receipt",
            ),
        },
    ),
    (
        Condition.MONTHLY,
        "Thank-you: monthly gift",
        {
            "en": (
                "{% if first_of_plan %}Thank you for your monthly gift to {{ organisation_name }}"
                "{% else %}Your monthly gift to {{ organisation_name }}: this month's receipt"
                "{% endif %}",
                "{% if first_of_plan %}Thank you for your monthly gift of {{ gift_amount }} to "
                "{{ organisation_name }}.{% else %}Thank you for this month's installment of "
                "your monthly gift to {{ organisation_name }}: {{ gift_amount }}.{% endif %} "
                "$work\n\n{% if next_charge_date %}Your next monthly gift of "
                "{{ monthly_amount }} will be charged on {{ next_charge_date }}. {% endif %}"
                "You can change, pause or stop your monthly gift at any time from "
                "[your account]({{ account_url }}).\n\n{% if first_of_plan %}$receipt"
                "{% else %}Your receipt for this installment ({{ receipt_number }}) is attached "
                "for your tax records.{% endif %}",
            ),
            "es": (
                "{% if first_of_plan %}Gracias por su donación mensual a {{ organisation_name }}"
                "{% else %}Su donación mensual a {{ organisation_name }}: el recibo de este mes"
                "{% endif %}",
                "{% if first_of_plan %}Gracias por su donación mensual de {{ gift_amount }} a "
                "{{ organisation_name }}.{% else %}Gracias por la cuota de este mes de su "
                "donación mensual a {{ organisation_name }}: {{ gift_amount }}.{% endif %} "
                "$work\n\n{% if next_charge_date %}Su próxima donación mensual de "
                "{{ monthly_amount }} se cargará el {{ next_charge_date }}. {% endif %}Puede "
                "cambiar, pausar o detener su donación mensual cuando quiera desde "
                "[su cuenta]({{ account_url }}).\n\n{% if first_of_plan %}$receipt"
                "{% else %}Adjuntamos su recibo de esta cuota ({{ receipt_number }}) para su "
                "declaración de impuestos.{% endif %}",
            ),
        },
    ),
    (
        Condition.FIRST_GIFT,
        "Thank-you: first gift",
        {
            "en": (
                "Welcome, and thank you for your gift to {{ organisation_name }}",
                "Thank you for $gift. It is your first gift to us: welcome! $work\n\nIn the "
                "months ahead we will write to tell you what your gift makes possible.\n\n"
                "$receipt",
            ),
            "es": (
                "Bienvenido/a, y gracias por su donación a {{ organisation_name }}",
                "Gracias por $gift. Es su primera donación: ¡bienvenido/a! $work\n\nEn los "
                "próximos meses le escribiremos para contarle lo que su donación hace "
                "posible.\n\n$receipt",
            ),
        },
    ),
    (
        Condition.ANY,
        "Thank-you",
        {
            "en": (
                "Thank you for your gift to {{ organisation_name }}",
                "Thank you for $gift. $work\n\n$receipt",
            ),
            "es": (
                "Gracias por su donación a {{ organisation_name }}",
                "Gracias por $gift. $work\n\n$receipt",
            ),
        },
    ),
]


def _filled(body: str, language: str) -> str:
    shared = _SHARED[language]
    work_lowered = shared["work"][0].lower() + shared["work"][1:]
    return Template(body).substitute(shared, work_lowered=work_lowered)


DEFAULTS = [
    {
        "condition": condition,
        "name": name,
        **{
            language: (subject, _filled(body, language))
            for language, (subject, body) in texts.items()
        },
    }
    for condition, name, texts in _LETTERS
]
SALUTATION = {"en": "{{ dear }} {{ salutation }},", "es": "{{ dear }} {{ salutation }}:"}
CLOSING = {"en": "With gratitude,", "es": "Con gratitud,"}


def thank_you_defaults_ensure() -> int:
    """The default letters and rules, when there is no rule at all; how many rules it made.
    A letter of the same name already there (staff's own edits) is kept as it is."""
    if ThankYouRule.objects.exists():
        return 0
    with transaction.atomic():
        for position, default in enumerate(DEFAULTS, start=1):
            letter, created = Letter.objects.get_or_create(
                name=default["name"],
                defaults={"purpose": Letter.Purpose.THANK_YOU, "reply_slip": False},
            )
            if created:
                for language in ("en", "es"):
                    subject, body = default[language]
                    version = LetterVersion(
                        letter=letter,
                        language=language,
                        subject=subject,
                        salutation_line=SALUTATION[language],
                        body=body,
                        closing=CLOSING[language],
                    )
                    version.full_clean()
                    version.save()
            ThankYouRule.objects.create(
                position=position * 10, condition=default["condition"], letter=letter
            )
    return len(DEFAULTS)
