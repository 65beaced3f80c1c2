"""The catalog: modules with tariffs and versions, articles, tax categories. Writes: managers."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from kontor.api.schemas.catalog import (
    ArticleIn,
    ArticleOut,
    ArticleTypeOut,
    CodeNameIn,
    ModuleIn,
    ModuleOut,
    TariffIn,
    TariffOut,
    TariffVersionIn,
    TariffVersionOut,
    TaxCategoryOut,
    TaxRateIn,
    TaxRateOut,
)
from kontor.api.schemas.common import ERRORS
from kontor.catalog import services
from kontor.catalog.selectors import article_list, module_list, tax_category_list

router = Router(tags=["catalog"])


@router.get("/modules", response={200: list[ModuleOut], **ERRORS}, summary="Modules and tariffs")
def list_modules(request: HttpRequest) -> Any:
    return module_list(request.auth)


@router.get("/articles", response={200: list[ArticleOut], **ERRORS})
def list_articles(request: HttpRequest) -> Any:
    return article_list(request.auth)


@router.get("/tax-categories", response={200: list[TaxCategoryOut], **ERRORS})
def list_tax_categories(request: HttpRequest) -> Any:
    return tax_category_list(request.auth)


@router.post("/tax-categories", response={201: TaxCategoryOut, **ERRORS})
def create_tax_category(request: HttpRequest, payload: CodeNameIn) -> Any:
    return Status(201, services.tax_category_create(actor=request.auth, **payload.model_dump()))


@router.post("/tax-categories/{category_id}/rates", response={201: TaxRateOut, **ERRORS})
def create_tax_rate(request: HttpRequest, category_id: int, payload: TaxRateIn) -> Any:
    return Status(
        201,
        services.tax_rate_create(
            actor=request.auth, category_id=category_id, **payload.model_dump()
        ),
    )


@router.post("/article-types", response={201: ArticleTypeOut, **ERRORS})
def create_article_type(request: HttpRequest, payload: CodeNameIn) -> Any:
    return Status(201, services.article_type_create(actor=request.auth, **payload.model_dump()))


@router.post("/articles", response={201: ArticleOut, **ERRORS})
def create_article(request: HttpRequest, payload: ArticleIn) -> Any:
    return Status(201, services.article_create(actor=request.auth, **payload.model_dump()))


@router.post("/modules", response={201: ModuleOut, **ERRORS})
def create_module(request: HttpRequest, payload: ModuleIn) -> Any:
    return Status(201, services.module_create(actor=request.auth, **payload.model_dump()))


@router.post("/tariffs", response={201: TariffOut, **ERRORS})
def create_tariff(request: HttpRequest, payload: TariffIn) -> Any:
    return Status(201, services.tariff_create(actor=request.auth, **payload.model_dump()))


@router.post("/tariffs/{tariff_id}/versions", response={201: TariffVersionOut, **ERRORS})
def create_tariff_version(request: HttpRequest, tariff_id: int, payload: TariffVersionIn) -> Any:
    terms = payload.model_dump(
        exclude_none=True, exclude={"valid_from", "price", "tax_category_id"}
    )
    return Status(
        201,
        services.tariff_version_create(
            actor=request.auth,
            tariff_id=tariff_id,
            valid_from=payload.valid_from,
            price=payload.price,
            tax_category_id=payload.tax_category_id,
            **terms,
        ),
    )
