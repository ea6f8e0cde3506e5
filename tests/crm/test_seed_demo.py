import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from crm.demo_data import demo_rows
from crm.models import Supporter

pytestmark = pytest.mark.django_db


def test_it_is_deterministic():
    assert list(demo_rows(50, seed=3)) == list(demo_rows(50, seed=3))
    assert list(demo_rows(50, seed=3)) != list(demo_rows(50, seed=4))


def test_a_second_run_adds_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", supporters=120, seed=1)
    snapshot = list(Supporter.objects.order_by("pk").values())
    call_command("seed_demo", supporters=120, seed=1)
    assert list(Supporter.objects.order_by("pk").values()) == snapshot
    assert User.objects.filter(username__in=["staff", "board"]).count() == 2


def test_the_demo_data_is_varied():
    call_command("seed_demo", supporters=300, seed=1)
    people = Supporter.objects.all()
    assert people.filter(kind="organisation").exists()
    assert people.filter(preferred_language="es").exists()
    assert people.exclude(partner_first_name="").exclude(partner_last_name="").exists()
    assert people.filter(email="").exists()
    assert people.filter(email_opt_in="opted_in").exists()
    assert people.filter(email_opt_in="opted_out").exists()
    assert people.filter(first_name__regex=r"[áéíóú]").exists()


def test_no_demo_logins_when_debug_is_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", supporters=5, seed=1)
    assert not User.objects.exists()
