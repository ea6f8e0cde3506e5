"""An admin paginator for long lists sorted by joined columns.

Django's admin reads a page as one query: every column of every row, joined and sorted, then
cut to the page. Sorted by a column of another table (the supporter list by lifetime giving:
100,000 supporters joined to their summaries), the database carries all those wide rows
through the join and the sort. Here the page's ids are found first, with only what the sort
and the filters need, and then the page's rows are read by id, in that order.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class IdsFirstPaginator(Paginator):
    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return self._get_page(rows_in_order(rows, bottom, top), number, self)
        return self._get_page(rows[bottom:top], number, self)


def rows_in_order(queryset: QuerySet, bottom: int, top: int) -> list:
    """queryset[bottom:top], read as ids first, then those rows (with the queryset's joins,
    annotations and prefetches) by id."""
    ids = list(queryset.values_list("pk", flat=True)[bottom:top])
    if not ids:
        return []
    by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]
