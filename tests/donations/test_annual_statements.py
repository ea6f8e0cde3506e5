import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from core.models import Organisation
from donations.models import Gift
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def give(supporter, amount, day, **extra):
    return Gift.objects.create(
        supporter=supporter,
        amount=Decimal(amount),
        method="cheque",
        received_on=day,
        acknowledgement="thanked",
        **extra,
    )


def test_statements_follow_the_fiscal_year_and_say_who_was_not_reached(tmp_path, sent_mail):
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 7  # FY2026 = July 2025 to June 2026
    organisation.name, organisation.tax_id = "Immigrant Justice Project", "12-3456789"
    organisation.save()
    emailed = SupporterFactory(first_name="Maria", last_name="Lopez", email="m@example.org")
    printed = SupporterFactory(first_name="Ana", last_name="Ruiz", email="")
    unreachable = SupporterFactory(first_name="No", last_name="Where", email="", do_not_mail=True)
    give(emailed, "100", datetime.date(2025, 7, 1))
    give(emailed, "50", datetime.date(2026, 6, 30))
    give(emailed, "999", datetime.date(2026, 7, 1))  # next fiscal year
    give(emailed, "40", datetime.date(2026, 1, 5), status="refunded", amount_refunded=Decimal("40"))
    give(printed, "25", datetime.date(2026, 2, 1))
    give(unreachable, "10", datetime.date(2026, 2, 1))

    output = io.StringIO()
    call_command("annual_statements", "--year", "2026", "--out", str(tmp_path), stdout=output)

    report = output.getvalue()
    assert "1 emailed, 0 skipped as already emailed, 1 to print" in report
    assert "1 could not be reached" in report
    assert f"#{unreachable.pk} No Where — no email, do not mail" in report

    [message] = sent_mail()
    name, pdf, _ = message.attachments[0]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "July 1, 2025 to June 30, 2026" in text
    assert "$150.00" in text and "$999" not in text and "$40.00" not in text
    assert "12-3456789" in text and "No goods or services" in text
    print_pdf = PdfReader(tmp_path / "statements-2026-print.pdf")
    assert "Ana Ruiz" in print_pdf.pages[0].extract_text() and len(print_pdf.pages) == 1


def test_a_spanish_speaking_donor_gets_the_statement_and_email_in_spanish(tmp_path, sent_mail):
    organisation = Organisation.current()
    organisation.fiscal_year_start_month = 1
    organisation.name, organisation.tax_id = "Immigrant Justice Project", "12-3456789"
    organisation.save()
    donor = SupporterFactory(
        title="Sra.", first_name="María", partner_first_name="Lupe", last_name="López",
        email="maria@example.org", preferred_language="es",
    )  # fmt: skip
    give(donor, "75", datetime.date(2026, 3, 2))

    call_command(
        "annual_statements", "--year", "2026", "--out", str(tmp_path), stdout=io.StringIO()
    )

    [message] = sent_mail()
    assert message.subject == "Su resumen de donaciones de 2026 de Immigrant Justice Project"
    assert message.body.startswith("Estimados María y Lupe:\n")
    assert "Gracias por su apoyo en 2026." in message.body
    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(message.attachments[0][1])).pages
    )
    text = " ".join(text.split())
    for expected in (
        "Resumen de donaciones, año fiscal 2026",
        "Del 1 de enero de 2026 al 31 de diciembre de 2026",
        "2 de marzo de 2026 Cheque",
        "Total $75.00",
        "No se proporcionaron bienes ni servicios a cambio de estas contribuciones.",
        "Página 1 de 1",
        "Estimados María y Lupe:",
        "María y Lupe López",  # on the address too
    ):
        assert expected in text, expected


def test_a_silly_year_is_refused():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="must be a year"):
        call_command("annual_statements", "--year", "26")
