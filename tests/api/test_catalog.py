"""The catalog over HTTP: reads for every role, writes for managers."""

from __future__ import annotations

import pytest

from kontor.catalog.models import Module, TariffVersion
from tests.api.conftest import ApiClient, World


def test_modules_list_tariffs_with_versions_and_money_as_strings(api: ApiClient, world: World):
    response = api.get("/catalog/modules")

    assert response.status == 200
    [module] = response.body
    assert (module["code"], module["name"]) == ("WEB", "Webhosting")
    tariffs = {t["code"]: t for t in module["tariffs"]}
    assert set(tariffs) == {"WEB-S", "WEB-L"}
    assert tariffs["WEB-S"]["addons"] == [world.addon_id]
    [version] = tariffs["WEB-S"]["versions"]
    assert version["price"] == "5.00"
    assert version["setup_fee"] == "0.00"
    assert version["valid_from"] == "2020-01-01"
    assert (version["notice_amount"], version["notice_unit"], version["notice_anchor"]) == (
        1,
        "months",
        "month_end",
    )


def test_articles_and_tax_categories(api: ApiClient, world: World):
    articles = api.get("/catalog/articles")
    categories = api.get("/catalog/tax-categories")

    assert [(a["number"], a["price"], a["is_addon"]) for a in articles.body] == [
        ("ADD-1", "2.50", True)
    ]
    assert [
        (c["code"], [(r["rate"], r["valid_from"]) for r in c["rates"]]) for c in categories.body
    ] == [("S", [("19.00", "2007-01-01")])]


def test_customer_may_read_the_catalog(world: World):
    assert world.api("customer").get("/catalog/modules").status == 200


def test_manager_builds_a_tariff_end_to_end(api: ApiClient, world: World):
    category = api.post("/catalog/tax-categories", {"code": "AA", "name": "Ermäßigt"}).body
    rate = api.post(
        f"/catalog/tax-categories/{category['id']}/rates",
        {"rate": "7.00", "valid_from": "2007-01-01"},
    )
    article_type = api.post("/catalog/article-types", {"code": "hw", "name": "Hardware"}).body
    article = api.post(
        "/catalog/articles",
        {
            "number": "ART-9",
            "name": "Router",
            "article_type_id": article_type["id"],
            "tax_category_id": category["id"],
            "price": "49.9900",
            "is_addon": True,
        },
    )
    module = api.post("/catalog/modules", {"code": "NET", "name": "Internet"}).body
    tariff = api.post(
        "/catalog/tariffs",
        {
            "module_id": module["id"],
            "code": "NET-100",
            "name": "100 Mbit",
            "addon_article_ids": [article.body["id"]],
        },
    )
    version = api.post(
        f"/catalog/tariffs/{tariff.body['id']}/versions",
        {
            "valid_from": "2025-01-01",
            "price": "29.9950",
            "tax_category_id": category["id"],
            "billing_interval_months": 3,
            "minimum_term_months": 24,
        },
    )

    assert rate.status == 201 and rate.body["rate"] == "7.00"
    assert article.status == 201 and article.body["price"] == "49.99"
    assert tariff.status == 201 and tariff.body["addons"] == [article.body["id"]]
    assert version.status == 201
    assert version.body["price"] == "29.995"
    assert (version.body["billing_interval_months"], version.body["minimum_term_months"]) == (3, 24)


@pytest.mark.parametrize(
    "price, code",
    [(29.99, "money_as_string"), (30, "money_as_string"), ("abc", "invalid"), ("-1", "invalid")],
)
def test_money_must_be_a_non_negative_decimal_string(api: ApiClient, world: World, price, code):
    response = api.post(
        f"/catalog/tariffs/{world.small.tariff_id}/versions",
        {
            "valid_from": "2026-01-01",
            "price": price,
            "tax_category_id": world.small.tax_category_id,
        },
    )

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [("price", code)]
    assert TariffVersion.objects.filter(tariff_id=world.small.tariff_id).count() == 1


def test_money_given_as_a_number_explains_the_rule(api: ApiClient, world: World):
    response = api.post(
        f"/catalog/tariffs/{world.small.tariff_id}/versions",
        {"valid_from": "2026-01-01", "price": 9.5, "tax_category_id": world.small.tax_category_id},
    )

    assert response.body["errors"][0]["message"] == (
        'Give amounts as strings, e.g. "12.50" (never as JSON numbers).'
    )


def test_duplicate_module_code_is_422(api: ApiClient, world: World):
    response = api.post("/catalog/modules", {"code": "WEB", "name": "Nochmal"})

    assert response.status == 422
    assert response.body == {
        "errors": [{"field": "code", "code": "duplicate", "message": "WEB is already taken."}]
    }
    assert Module.objects.count() == 1


def test_tariff_for_unknown_module_is_422(api: ApiClient, world: World):
    response = api.post("/catalog/tariffs", {"module_id": 4711, "code": "X", "name": "X"})

    assert response.status == 422
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [("module", "not_found")]


def test_clerk_may_not_change_the_catalog(world: World):
    response = world.api("clerk").post("/catalog/modules", {"code": "NEW", "name": "Neu"})

    assert response.status == 403
    assert response.body == {
        "errors": [
            {
                "field": None,
                "code": "permission_denied",
                "message": "You are not allowed to do this (catalog.manage).",
            }
        ]
    }
    assert not Module.objects.filter(code="NEW").exists()
