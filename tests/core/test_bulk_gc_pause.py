"""core.bulk.gc_paused: the cycle collector is off during an import and back on after it,
whatever happens inside, and nested or overlapping pauses do not leave it off."""

import gc
import threading

import pytest

from core.bulk import gc_paused
from crm.importing.supporters import supporters_import


def test_the_collector_is_back_on_after_an_import_even_a_refused_one(db):
    report = supporters_import(
        headers=["First Name", "Last Name", "Email"],
        rows=[["Ana", "Ruiz", "not an email"]],
        dry_run=False,
    )
    assert not report.ok and gc.isenabled()


def test_nested_pauses_end_with_the_last_one():
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failure_inside_still_turns_it_back_on():
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_in_two_threads_leave_it_on():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    while_second_held = []

    def first() -> None:
        with gc_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with gc_paused():
            second_in.set()
            first_out.wait(5)
            while_second_held.append(gc.isenabled())  # the first pause ended, not this one

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert while_second_held == [False] and gc.isenabled()
