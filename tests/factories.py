import factory

from crm.models import Supporter, Tag


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Tag {n}")


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"supporter{n}@example.org")
    address_line1 = factory.Sequence(lambda n: f"{n + 1} Main St")
    city = "New York"
    region = "NY"
    postal_code = "10001"
    country = "US"
