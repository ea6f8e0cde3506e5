import pytest
from django.contrib.auth.models import User

from crm.importing.supporters import supporters_import
from crm.models import ConsentEvent, Note, Supporter, Tag

pytestmark = pytest.mark.django_db

HEADERS = ["First Name", "Last Name", "Email", "Address 1", "City", "State", "Zip", "Tags"]
ROWS = [
    [
        "Maria",
        "Lopez",
        "Maria.Lopez@Example.org",
        "12 Main St",
        "Bronx",
        "NY",
        "10451",
        "Volunteer",
    ],
    ["John", "Smith", "", "5 Oak Ave", "Newark", "New Jersey", "7102", "Gala; Volunteer"],
]


def run(rows, headers=HEADERS, **kwargs):
    return supporters_import(
        headers=headers, rows=rows, dry_run=kwargs.pop("dry_run", False), **kwargs
    )


def test_it_imports_new_supporters_with_tags_and_normalised_values():
    report = run(ROWS)
    assert report.ok and report.written
    assert report.totals["new"] == 2
    maria = Supporter.objects.get(email="maria.lopez@example.org")
    assert maria.region == "NY" and maria.postal_code == "10451"
    john = Supporter.objects.get(last_name="Smith")
    assert john.region == "NJ", "state names become codes"
    assert john.postal_code == "07102", "Excel's lost leading zero is restored"
    assert sorted(john.tags.values_list("name", flat=True)) == ["Gala", "Volunteer"]
    assert Tag.objects.count() == 2
    assert maria.history.count() == 1, "the import is recorded in the history"


def test_reimporting_the_same_file_changes_nothing():
    run(ROWS)
    before = list(Supporter.objects.values())
    history = Supporter.history.count()
    report = run(ROWS)
    assert report.totals == {"skip": 2}
    assert list(Supporter.objects.values()) == before
    assert Supporter.history.count() == history
    assert Supporter.tags.through.objects.count() == 3


def test_it_matches_on_email_then_on_name_and_postal_code():
    run(ROWS)
    report = run(
        [
            ["Maria", "López-Changed", "maria.lopez@example.org", "", "", "", "", ""],
            ["john", "SMITH", "", "5 Oak Ave", "Newark", "NJ", "07102", ""],
        ]
    )
    assert report.totals == {"update": 1, "skip": 1}
    assert Supporter.objects.count() == 2
    assert Supporter.objects.get(email="maria.lopez@example.org").last_name == "López-Changed"


def test_a_blank_cell_never_erases_stored_data():
    run(ROWS)
    run([["Maria", "Lopez", "maria.lopez@example.org", "", "", "", "", ""]])
    maria = Supporter.objects.get(email="maria.lopez@example.org")
    assert maria.address_line1 == "12 Main St" and maria.city == "Bronx"


def test_an_update_is_recorded_in_history_with_the_import_as_reason(staff):
    run(ROWS)
    run(
        [["Maria", "Lopez", "maria.lopez@example.org", "99 New St", "", "", "", ""]],
        actor=staff,
        file_name="march.csv",
    )
    latest = Supporter.objects.get(email="maria.lopez@example.org").history.first()
    assert latest.address_line1 == "99 New St"
    assert latest.history_user == staff
    assert "march.csv" in latest.history_change_reason


def test_a_missing_name_column_is_refused_with_a_clear_message():
    report = run([["a@example.org", "10001"]], headers=["Email", "Zip"])
    assert not report.ok
    assert "no name column" in report.file_errors[0]
    assert "First Name" in report.file_errors[0]
    assert Supporter.objects.count() == 0


def test_a_bad_row_stops_the_whole_file_and_says_which_row_and_why():
    rows = [ROWS[0], ["Ana", "Ruiz", "not-an-email", "1 Elm", "Bronx", "NY", "10451", ""]]
    report = run(rows)
    assert not report.ok and not report.written
    [bad] = report.invalid_rows
    assert bad.number == 2
    assert bad.errors == {"email": ["'not-an-email' is not a valid email address."]}
    assert Supporter.objects.count() == 0, "nothing half-imported"


def test_a_repeated_row_in_the_file_folds_into_one_supporter():
    report = run([ROWS[0], ROWS[0]])
    assert report.ok and [r.action for r in report.rows] == ["new", "folded"]
    assert report.notes == ["Rows 1 and 2 are one supporter: Maria Lopez."]
    assert Supporter.objects.count() == 1


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://evil","x")', "@SUM(A1:A2)", "+cmd|' /C calc'!A0", "-2+3+cmd|x"],
)
def test_a_formula_cell_is_refused(cell):
    report = run([["Maria", cell, "m@example.org", "", "", "", "", ""]])
    [bad] = report.invalid_rows
    assert "looks like a spreadsheet formula" in bad.errors["last_name"][0]
    assert Supporter.objects.count() == 0


def test_a_phone_number_with_a_plus_is_not_taken_for_a_formula():
    report = run(
        [["Maria", "Lopez", "m@example.org", "+1 (212) 555-0100"]],
        headers=["First Name", "Last Name", "Email", "Phone"],
    )
    assert report.ok
    assert Supporter.objects.get().phone == "+1 (212) 555-0100"


def test_opt_in_without_a_consent_source_is_refused():
    headers = ["First Name", "Last Name", "Email", "Email Opt-In"]
    report = run([["Maria", "Lopez", "m@example.org", "Yes"]], headers=headers)
    [bad] = report.invalid_rows
    assert "Consent Source" in bad.errors["email_opt_in"][0]
    assert Supporter.objects.count() == 0


def test_opt_in_with_a_source_records_who_when_how_and_what(staff: User):
    headers = ["First Name", "Last Name", "Email", "Email Opt-In", "Consent Source"]
    rows = [["Maria", "Lopez", "m@example.org", "Yes", "Gala RSVP card"]]
    assert run(rows, headers=headers, actor=staff).ok
    event = ConsentEvent.objects.get()
    assert (event.field, event.old_value, event.new_value) == (
        "email_opt_in",
        "unknown",
        "opted_in",
    )
    assert (event.method, event.source, event.actor) == ("import", "Gala RSVP card", staff)
    assert event.at is not None


def test_a_file_wide_consent_source_covers_rows_without_one():
    headers = ["First Name", "Last Name", "Email", "Opt In"]
    report = run(
        [["Maria", "Lopez", "m@example.org", "yes"]],
        headers=headers,
        consent_source="Clinic sign-in sheet",
    )
    assert report.ok
    assert ConsentEvent.objects.get().source == "Clinic sign-in sheet"


def test_an_import_never_lifts_a_do_not_mail_flag():
    headers = ["First Name", "Last Name", "Email", "Do Not Mail"]
    run([["Maria", "Lopez", "m@example.org", "yes"]], headers=headers)
    report = run([["Maria", "Lopez", "m@example.org", "no"]], headers=headers)
    assert report.totals == {"skip": 1}
    assert Supporter.objects.get().do_not_mail is True


def test_notes_are_added_once():
    headers = ["First Name", "Last Name", "Email", "Notes"]
    rows = [["Maria", "Lopez", "m@example.org", "Met at the clinic"]]
    run(rows, headers=headers)
    run(rows, headers=headers)
    assert Note.objects.filter(text="Met at the clinic").count() == 1


def test_a_dry_run_writes_nothing_but_reports_what_would_happen():
    report = run(ROWS, dry_run=True)
    assert report.totals["new"] == 2 and not report.written
    assert Supporter.objects.count() == 0


def test_organisations_and_other_systems_headers_are_understood():
    headers = [
        "Constituent Type",
        "Organization Name",
        "E-mail Address",
        "Street",
        "Town",
        "State/Province",
        "Postal Code",
        "Language",
    ]
    rows = [
        [
            "Organization",
            "Casa Esperanza",
            "info@casa.example",
            "1 Calle",
            "Corona",
            "NY",
            "11368",
            "Español",
        ]
    ]
    report = supporters_import(headers=headers, rows=rows, dry_run=False)
    assert report.ok, report.invalid_rows
    org = Supporter.objects.get()
    assert org.kind == "organisation" and org.organisation_name == "Casa Esperanza"
    assert org.preferred_language == "es" and org.city == "Corona"
    assert org.effective_salutation == "Friends"


def test_unknown_columns_are_listed_and_ignored():
    report = run(
        [["Maria", "Lopez", "m@example.org", "blue"]],
        headers=["First Name", "Last Name", "Email", "Favourite Colour"],
    )
    assert report.ok and report.ignored_columns == ["Favourite Colour"]


def test_a_row_matching_two_existing_records_asks_for_a_merge_first():
    for n in range(2):
        Supporter.objects.create(
            first_name="Ana", last_name="Ruiz", postal_code="10451", email=f"ana{n}@example.org"
        )
    Supporter.objects.filter(email="ana1@example.org").update(email="")
    Supporter.objects.filter(email="ana0@example.org").update(email="")
    report = run([["Ana", "Ruiz", "", "", "", "NY", "10451", ""]])
    [bad] = report.invalid_rows
    assert "merge them first" in bad.errors["last_name"][0]


def test_a_failure_while_writing_rolls_back_everything(monkeypatch):
    from crm.importing import writing as import_writing

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_writing, "_write_notes", broken)
    with pytest.raises(RuntimeError):
        run(ROWS)
    assert Supporter.objects.count() == 0
    assert Supporter.history.count() == 0


@pytest.mark.parametrize(
    "email", ["a..b@example.org", ".a@example.org", "a@-example.org", "a@example", "a b@x.org"]
)
def test_malformed_emails_are_refused(email):
    report = run([["Maria", "Lopez", email, "", "", "", "", ""]])
    assert report.invalid_rows, email


@pytest.mark.parametrize(
    "email", ["o'brien@example.org", "a@sub.example.co.uk", "ana@xn--espaa-rta.example"]
)
def test_unusual_but_valid_emails_are_accepted(email):
    assert run([["Maria", "Lopez", email, "", "", "", "", ""]]).ok
