"""Demo letters for `seed_demo`, in this project's own words and in the shape of the two real
appeals the product is built for: an anniversary appeal (hotline banner, headline, a plan in
bulleted sections, two signers and an 'on behalf of' line, a P.S.) and a sanctuary appeal
('Dear friend', a numbered list, a client's story, one signer). English and Spanish. Each
mentions the reply slip only on paper (`{% if channel == "print" %}`)."""

import datetime

from django.utils import timezone

from core.models import Organisation
from core.services import organisation_update
from donations.models import Campaign
from mailings.models import Letter, LetterSignatory, LetterVersion, Mailing, Signatory
from mailings.revisions.services import record_revision

ANNIVERSARY_EN = """Next spring we mark twenty years of standing beside immigrant families in \
court, in detention centers and in their own neighborhoods. We would love to write to you only \
about cake and old photographs. We cannot. The threats our clients face this year are the \
gravest we have seen.

{% if last_gift_amount %}Your gift of {{ last_gift_amount }} helped us answer every call that \
came in last year. {% endif %}We are asking you to help us get ready for the years ahead with a \
plan built on three commitments:

**Defense in the community**

- Answer more hotline calls, faster, with attorneys who know criminal and immigration law.
- Train neighborhood groups to know their rights when enforcement agents knock.

**Advocacy where laws are made**

- Protect the local laws that keep police and immigration enforcement apart.
- Tell the stories of the families most affected, in their own words.

**Strength in the courtroom**

- Bring the cases that set good precedent, and support lawyers who defend immigrants.
- Keep model briefs and training up to date as the rules change.

Will you give {{ ask_1 }} today? A gift of {{ ask_2 }} or {{ ask_3 }} would do even more. \
[Give securely online]({{ donate_url }}){% if channel == "print" %} or use the reply slip \
below{% endif %}."""

ANNIVERSARY_ES = """La próxima primavera cumplimos veinte años junto a las familias inmigrantes \
en los tribunales, en los centros de detención y en sus propios barrios. Nos gustaría escribirle \
solo para celebrar. No podemos. Las amenazas que enfrentan nuestros clientes este año son las más \
graves que hemos visto.

{% if last_gift_amount %}Su donación de {{ last_gift_amount }} nos ayudó a responder cada \
llamada el año pasado. {% endif %}Le pedimos que nos ayude a prepararnos para los próximos años \
con un plan basado en tres compromisos:

**Defensa en la comunidad**

- Responder más llamadas a la línea de ayuda, más rápido, con abogados que conocen el derecho \
penal y migratorio.
- Capacitar a grupos del barrio para que conozcan sus derechos cuando llegan los agentes.

**Incidencia donde se hacen las leyes**

- Proteger las leyes locales que separan a la policía de la aplicación de las leyes migratorias.
- Contar las historias de las familias más afectadas, con sus propias palabras.

**Fuerza en los tribunales**

- Presentar los casos que sientan buenos precedentes y apoyar a quienes defienden a inmigrantes.
- Mantener al día los modelos de escritos y las capacitaciones cuando cambian las reglas.

¿Puede donar {{ ask_1 }} hoy? Una donación de {{ ask_2 }} o {{ ask_3 }} haría aún más. \
[Done de forma segura en línea]({{ donate_url }}){% if channel == "print" %} o use el cupón \
de respuesta{% endif %}."""

SANCTUARY_EN = """Our city promised to be a place of safety. This year that promise is being \
tested.

Here is what your gift does, in order of urgency:

1. Keeps our hotline answered every weekday, so no one faces a detention alone.
2. Sends an attorney to court with parents at risk of losing their children.
3. Holds the city to its sanctuary law, in public hearings and, when needed, in court.

> "When my husband was detained, I called the hotline at midnight. By morning a lawyer knew his \
name. He is home with us now." (a client in the Bronx, shared with her permission)

{% if lifetime_total %}You have already given {{ lifetime_total }} to this work. Thank you. \
{% endif %}Please give {{ ask_1 }} or more today at {{ donate_url }}{% if channel == "print" %}, \
or send a check with the reply slip below{% endif %}."""

SANCTUARY_ES = """Nuestra ciudad prometió ser un lugar seguro. Este año esa promesa está en \
juego.

Esto es lo que hace su donación, en orden de urgencia:

1. Atiende la línea de ayuda cada día laborable: nadie enfrenta solo una detención.
2. Envía a un abogado a la corte con familias en riesgo de perder a sus hijos.
3. Exige a la ciudad que cumpla su ley de santuario, en audiencias públicas y, si hace falta, en \
los tribunales.

> «Cuando detuvieron a mi esposo, llamé a la línea de ayuda a medianoche. Por la mañana una \
abogada ya sabía su nombre. Hoy está en casa con nosotros.» (una clienta del Bronx, con su \
permiso)

{% if lifetime_total %}Usted ya ha donado {{ lifetime_total }} a este trabajo. Gracias. \
{% endif %}Por favor, done {{ ask_1 }} o más hoy en {{ donate_url }}{% if channel == "print" %}, \
o envíe un cheque con el cupón de respuesta{% endif %}."""


def demo_letters_seed(*, seed: int) -> str:
    if Mailing.objects.filter(slug__in=["demo-anniversary", "demo-sanctuary"]).exists():
        return "Demo letters: already there."
    organisation = Organisation.current()
    if organisation.name in ("Our Organization", "Our Organisation"):
        organisation_update(
            organisation=organisation,
            changes={
                "name": "Immigrant Justice Project",
                "address": "40 Rector Street, Suite 900\nNew York, NY 10006",
                "hotline": "212-555-0147",
                "phone": "212-555-0100",
                "website": "https://example.org",
                "tax_id": "12-3456789",
            },
        )
    director = Signatory.objects.create(
        name="Lucía Fernández", title="Executive Director", title_es="Directora ejecutiva"
    )
    deputy = Signatory.objects.create(
        name="Daniel Okafor", title="Deputy Director", title_es="Director adjunto"
    )
    # The campaign under way when the email appeal went out, three weeks ago
    # (mailings.sending.demo), if the demo gifts made campaigns.
    sent_on = timezone.localdate() - datetime.timedelta(days=21)
    campaign = Campaign.objects.filter(starts_on__lte=sent_on).order_by("-starts_on").first()
    anniversary = _letter(
        "Twentieth anniversary appeal", "anniv26", campaign, [director, deputy],
        en={"subject": "Twenty years, and we are not stopping, {{ first_name|default:'friend' }}",
            "preheader": "A gift of {{ ask_1 }} helps us get ready for what comes next",
            "banner": "Facing a deportation case? Call our free hotline: 212-555-0147.",
            "headline": "Twenty years of standing together. We are not stopping now.",
            "body": ANNIVERSARY_EN,
            "on_behalf_of": "Amara Diallo, Ben Carter, Inés Morales, Kenji Watanabe, "
            "Nadia Haddad, Tomás Rivera and the board of {{ organisation_name }}",
            "ps": "Over the coming months we will tell you how the plan is going. Write to us "
            "any time: we read every letter."},
        es={"subject": "Veinte años, y no nos detenemos",
            "preheader": "Una donación de {{ ask_1 }} nos ayuda a prepararnos",
            "banner": "¿Enfrenta un caso de deportación? Llame gratis a nuestra línea: "
            "212-555-0147.",
            "headline": "Veinte años de lucha compartida. No nos detenemos ahora.",
            "salutation_line": "{{ dear }} {{ salutation }}:",
            "closing": "Con gratitud,",
            "body": ANNIVERSARY_ES,
            "on_behalf_of": "Amara Diallo, Ben Carter, Inés Morales, Kenji Watanabe, "
            "Nadia Haddad, Tomás Rivera y la junta directiva de {{ organisation_name }}",
            "ps": "En los próximos meses le contaremos cómo avanza el plan. Escríbanos cuando "
            "quiera: leemos cada carta."},
    )  # fmt: skip
    sanctuary = _letter(
        "Sanctuary law appeal", "sanct26", campaign, [director],
        en={"subject": "Keep our city's promise of safety",
            "preheader": "Your gift keeps the hotline answered",
            "salutation_line": "Dear friend,", "body": SANCTUARY_EN,
            "ps": "A monthly gift of any size lets us plan ahead. You can choose monthly on "
            "the donate page."},
        es={"subject": "Cumplamos la promesa de una ciudad segura",
            "preheader": "Su donación mantiene la línea de ayuda abierta",
            "salutation_line": "Querido amigo, querida amiga:", "closing": "Con gratitud,",
            "body": SANCTUARY_ES,
            "ps": "Una donación mensual, de cualquier cantidad, nos permite planificar. Puede "
            "elegir donar cada mes en la página de donación."},
    )  # fmt: skip
    Mailing.objects.create(name="Anniversary appeal (print)", slug="demo-anniversary",
                           letter=anniversary, channel=Mailing.Channel.PRINT)  # fmt: skip
    Mailing.objects.create(name="Sanctuary appeal (print)", slug="demo-sanctuary",
                           letter=sanctuary, channel=Mailing.Channel.PRINT)  # fmt: skip
    return (
        "Demo letters: 2 letters (English and Spanish), "
        "mailings demo-anniversary and demo-sanctuary."
    )


def _letter(name, code, campaign, signers, *, en, es) -> Letter:  # noqa: ANN001
    letter = Letter.objects.create(name=name, appeal_code=code, campaign=campaign)
    for position, signer in enumerate(signers):
        LetterSignatory.objects.create(letter=letter, signatory=signer, position=position)
    for language, fields in (("en", en), ("es", es)):
        version = LetterVersion(letter=letter, language=language, **fields)
        version.full_clean()
        version.save()
    record_revision(letter, None)
    return letter
