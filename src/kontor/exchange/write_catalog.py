"""Writing the catalog, customer groups and branches of a checked import file through the
catalog and customers services. A service's error lands under the JSON path of its item."""

from __future__ import annotations

from typing import Any

from kontor.catalog import services as catalog
from kontor.customers.services import branch_create, customer_group_create
from kontor.exchange.index import Index
from kontor.exchange.problems import Problems, resolved
from kontor.exchange.schema import ImportFile, ModuleIn, TariffIn


def write_catalog(
    actor: Any, data: ImportFile, index: Index, problems: Problems, counts: dict[str, int]
) -> None:
    source = data.catalog
    for i, category in enumerate(source.tax_categories):
        path = f"catalog.tax_categories[{i}]"
        with problems.guard(path) as guard:
            row = catalog.tax_category_create(actor=actor, code=category.code, name=category.name)
            # In date order: each new rate closes the open-ended one before it.
            for rate in sorted(category.rates, key=lambda r: r.valid_from):
                catalog.tax_rate_create(
                    actor=actor,
                    category_id=row.pk,
                    rate=rate.rate,
                    valid_from=rate.valid_from,
                    valid_to=rate.valid_to,
                )
        if guard.ok:
            index.tax_categories[category.code] = row.pk
            counts["tax_categories"] += 1
    for i, article_type in enumerate(source.article_types):
        with problems.guard(f"catalog.article_types[{i}]") as guard:
            row = catalog.article_type_create(
                actor=actor, code=article_type.code, name=article_type.name
            )
        if guard.ok:
            index.article_types[article_type.code] = row.pk
            counts["article_types"] += 1
    for i, article in enumerate(source.articles):
        path = f"catalog.articles[{i}]"
        with problems.guard(path, {"article_type_id": "type"}) as guard:
            row = catalog.article_create(
                actor=actor,
                number=article.number,
                name=article.name,
                article_type_id=resolved(index.article_types, article.type),
                tax_category_id=resolved(index.tax_categories, article.tax_category),
                price=article.price,
                unit=article.unit,
                is_addon=article.is_addon,
            )
        if guard.ok:
            index.articles[article.number] = row.pk
            counts["articles"] += 1
    for i, module in enumerate(source.modules):
        _write_module(actor, module, f"catalog.modules[{i}]", index, problems, counts)


def _write_module(
    actor: Any,
    module: ModuleIn,
    path: str,
    index: Index,
    problems: Problems,
    counts: dict[str, int],
) -> None:
    with problems.guard(path) as guard:
        row = catalog.module_create(
            actor=actor, code=module.code, name=module.name, description=module.description
        )
    if not guard.ok:
        return
    index.modules[module.code] = row.pk
    counts["modules"] += 1
    for j, tariff in enumerate(module.tariffs):
        tariff_path = f"{path}.tariffs[{j}]"
        with problems.guard(tariff_path, {"addon_article_ids": "addons"}) as guard:
            _write_tariff(actor, row.pk, tariff, tariff_path, index, problems)
        if guard.ok:
            counts["tariffs"] += 1


def _write_tariff(
    actor: Any, module_id: int, tariff: TariffIn, path: str, index: Index, problems: Problems
) -> None:
    row = catalog.tariff_create(
        actor=actor,
        module_id=module_id,
        code=tariff.code,
        name=tariff.name,
        addon_article_ids=[resolved(index.articles, number) for number in tariff.addons],
    )
    index.tariffs[tariff.code] = row.pk
    for k, version in enumerate(tariff.versions):
        renames = {"tax_category_id": "tax_category", "article_id": "article"}
        with problems.guard(f"{path}.versions[{k}]", renames) as guard:
            created = catalog.tariff_version_create(
                actor=actor,
                tariff_id=row.pk,
                valid_from=version.valid_from,
                price=version.price,
                tax_category_id=resolved(index.tax_categories, version.tax_category),
                setup_fee=version.setup_fee,
                billing_interval_months=version.billing_interval_months,
                minimum_term_months=version.minimum_term_months,
                renewal_term_months=version.renewal_term_months,
                notice_amount=version.notice.amount,
                notice_unit=version.notice.unit,
                notice_anchor=version.notice.anchor,
                contract_type=version.contract_type,
                billing_timing=version.billing_timing,
                article_id=resolved(index.articles, version.article) if version.article else None,
            )
        if guard.ok:
            index.tariff_versions[tariff.code][version.valid_from] = created.pk


def write_groups_and_branches(
    actor: Any, data: ImportFile, index: Index, problems: Problems, counts: dict[str, int]
) -> None:
    # The customers services apply the back office's rules: names and codes unique regardless
    # of case, branch codes of letters, digits, '-' and '_'.
    for i, group in enumerate(data.customer_groups):
        with problems.guard(f"customer_groups[{i}]") as guard:
            row = customer_group_create(actor=actor, name=group.name, description=group.description)
        if guard.ok:
            index.groups[group.name] = row
            counts["customer_groups"] += 1
    for i, branch in enumerate(data.branches):
        with problems.guard(f"branches[{i}]") as guard:
            row = branch_create(actor=actor, code=branch.code, name=branch.name)
        if guard.ok:
            index.branches[branch.code] = row
            counts["branches"] += 1
