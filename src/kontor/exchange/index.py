"""Business keys known before and during an import, loaded with a handful of queries.

The checks and the writer look references up here instead of querying per row. Keys declared
in the file are entered with `None` as their id until the writer has created them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from kontor.catalog.models import Article, ArticleType, Module, Tariff, TariffVersion, TaxCategory
from kontor.customers.models import Account, Branch, CustomerGroup, Mandate


@dataclass
class Index:
    tax_categories: dict[str, int | None] = field(default_factory=dict)
    article_types: dict[str, int | None] = field(default_factory=dict)
    articles: dict[str, int | None] = field(default_factory=dict)
    addon_articles: set[str] = field(default_factory=set)
    modules: dict[str, int | None] = field(default_factory=dict)
    tariffs: dict[str, int | None] = field(default_factory=dict)
    tariff_versions: dict[str, dict[date, int | None]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    tariff_addons: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    groups: dict[str, CustomerGroup | None] = field(default_factory=dict)
    branches: dict[str, Branch | None] = field(default_factory=dict)
    customer_numbers: set[str] = field(default_factory=set)
    external_numbers: set[str] = field(default_factory=set)
    mandate_references: set[str] = field(default_factory=set)
    # Keys of items that failed the schema: known, but not to be checked further.
    broken: set[tuple[str, str]] = field(default_factory=set)
    # Where in the file a key was first declared, per kind: for "listed twice" messages.
    declared_at: dict[tuple[str, str], str] = field(default_factory=dict)

    def version_for(self, tariff: str, start: date, valid_from: date | None) -> date | None:
        """The valid_from of the version a subscription books: the one named, or else the
        latest version valid on `start`."""
        versions = self.tariff_versions.get(tariff, {})
        if valid_from is not None:
            return valid_from if valid_from in versions else None
        candidates = [day for day in versions if day <= start]
        return max(candidates) if candidates else None


def load_index() -> Index:
    index = Index()
    index.tax_categories = dict(TaxCategory.objects.values_list("code", "pk"))
    index.article_types = dict(ArticleType.objects.values_list("code", "pk"))
    for number, pk, is_addon in Article.objects.values_list("number", "pk", "is_addon"):
        index.articles[number] = pk
        if is_addon:
            index.addon_articles.add(number)
    index.modules = dict(Module.objects.values_list("code", "pk"))
    index.tariffs = dict(Tariff.objects.values_list("code", "pk"))
    for code, valid_from, pk in TariffVersion.objects.values_list(
        "tariff__code", "valid_from", "pk"
    ):
        index.tariff_versions[code][valid_from] = pk
    for code, number in Tariff.addons.through.objects.values_list(
        "tariff__code", "article__number"
    ):
        index.tariff_addons[code].add(number)
    index.groups = {group.name: group for group in CustomerGroup.objects.all()}
    index.branches = {branch.code: branch for branch in Branch.objects.all()}
    index.customer_numbers = set(Account.objects.values_list("customer_number", flat=True))
    index.external_numbers = set(
        Account.objects.exclude(external_customer_number="").values_list(
            "external_customer_number", flat=True
        )
    )
    index.mandate_references = set(Mandate.objects.values_list("reference", flat=True))
    return index
