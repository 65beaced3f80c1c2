"""Checks on the catalog, customer groups and branches of an import file, before any write:
duplicates (in the file and against Kontor), references and dates. Each check enters the
file's keys into the index so later sections can refer to them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.utils.translation import gettext as _

from kontor.exchange.index import Index
from kontor.exchange.problems import Problems
from kontor.exchange.schema import ImportFile, TariffIn

T = TypeVar("T")


def declare(
    index: Index, problems: Problems, registry: dict | set, kind: str, key: str, path: str
) -> bool:
    """Enter a key declared in the file; a key already known is a duplicate."""
    first = index.declared_at.get((kind, key))
    if first is not None:
        problems.add(
            path,
            "duplicate",
            _("%(key)s is listed twice (first at %(first)s).") % {"key": key, "first": first},
        )
        return False
    index.declared_at[(kind, key)] = path
    if key in registry:
        problems.add(
            path,
            "duplicate",
            _("%(key)s already exists in Kontor; an import never updates.") % {"key": key},
        )
        return False
    if isinstance(registry, set):
        registry.add(key)
    else:
        registry[key] = None
    return True


def require_known(
    problems: Problems, registry: dict, key: str | None, path: str, what: str
) -> None:
    if key is not None and key not in registry:
        problems.add(
            path,
            "not_found",
            _("Unknown %(what)s %(key)s: neither in this file nor in Kontor.")
            % {"what": what, "key": key},
        )


def valid_items(items: list[T | None]) -> Iterator[tuple[int, T]]:
    """The items that passed the schema, with their position in the file."""
    return ((i, item) for i, item in enumerate(items) if item is not None)


def check_catalog(data: ImportFile, index: Index, problems: Problems) -> None:
    catalog = data.catalog
    for i, category in valid_items(catalog.tax_categories):
        path = f"catalog.tax_categories[{i}]"
        declare(
            index, problems, index.tax_categories, "tax_categories", category.code, f"{path}.code"
        )
        seen: set = set()
        for j, rate in enumerate(category.rates):
            rate_path = f"{path}.rates[{j}]"
            if rate.rate > 100:
                problems.add(
                    f"{rate_path}.rate", "invalid", _("A tax rate is a percentage from 0 to 100.")
                )
            if rate.valid_to is not None and rate.valid_to < rate.valid_from:
                problems.add(
                    f"{rate_path}.valid_to", "invalid", _("The end lies before the start.")
                )
            if rate.valid_from in seen:
                problems.add(
                    f"{rate_path}.valid_from",
                    "duplicate",
                    _("The category has a rate from this date already."),
                )
            seen.add(rate.valid_from)
    for i, article_type in valid_items(catalog.article_types):
        path = f"catalog.article_types[{i}].code"
        declare(index, problems, index.article_types, "article_types", article_type.code, path)
    for i, article in valid_items(catalog.articles):
        path = f"catalog.articles[{i}]"
        if declare(index, problems, index.articles, "articles", article.number, f"{path}.number"):
            if article.is_addon:
                index.addon_articles.add(article.number)
        require_known(
            problems, index.article_types, article.type, f"{path}.type", _("article type")
        )
        require_known(
            problems,
            index.tax_categories,
            article.tax_category,
            f"{path}.tax_category",
            _("tax category"),
        )
    for i, module in valid_items(catalog.modules):
        path = f"catalog.modules[{i}]"
        declare(index, problems, index.modules, "modules", module.code, f"{path}.code")
        for j, tariff in enumerate(module.tariffs):
            _check_tariff(tariff, f"{path}.tariffs[{j}]", index, problems)


def _check_tariff(tariff: TariffIn, path: str, index: Index, problems: Problems) -> None:
    if not declare(index, problems, index.tariffs, "tariffs", tariff.code, f"{path}.code"):
        return
    for k, number in enumerate(tariff.addons):
        addon_path = f"{path}.addons[{k}]"
        if number not in index.articles:
            require_known(problems, index.articles, number, addon_path, _("article"))
        elif number not in index.addon_articles and ("articles", number) not in index.broken:
            problems.add(
                addon_path,
                "not_an_addon",
                _("Article %s is not an add-on option (is_addon is false).") % number,
            )
        index.tariff_addons[tariff.code].add(number)
    versions = index.tariff_versions[tariff.code]
    for k, version in enumerate(tariff.versions):
        version_path = f"{path}.versions[{k}]"
        if version.valid_from in versions:
            problems.add(
                f"{version_path}.valid_from",
                "duplicate",
                _("The tariff has a version from this date already."),
            )
        versions[version.valid_from] = None
        require_known(
            problems,
            index.tax_categories,
            version.tax_category,
            f"{version_path}.tax_category",
            _("tax category"),
        )
        require_known(
            problems, index.articles, version.article, f"{version_path}.article", _("article")
        )


def check_groups_and_branches(data: ImportFile, index: Index, problems: Problems) -> None:
    for i, group in valid_items(data.customer_groups):
        declare(index, problems, index.groups, "groups", group.name, f"customer_groups[{i}].name")
    for i, branch in valid_items(data.branches):
        declare(index, problems, index.branches, "branches", branch.code, f"branches[{i}].code")
