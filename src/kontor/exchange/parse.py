"""Schema validation item by item, so one broken account does not hide the problems of the
others: the file's frame is checked first, then every catalog item, group, branch and
account on its own. An item that fails keeps its place as `None` (paths stay right), and its
business key, where readable, still counts as declared so references to it do not add
"unknown" errors on top."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kontor.exchange.index import Index
from kontor.exchange.problems import Problems, json_path
from kontor.exchange.schema import (
    AccountIn,
    ArticleIn,
    ArticleTypeIn,
    BranchIn,
    CatalogIn,
    CustomerGroupIn,
    ImportFile,
    ModuleIn,
    TaxCategoryIn,
)


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    format: Any = None
    catalog: dict[str, Any] = Field(default_factory=dict)
    customer_groups: list[Any] = Field(default_factory=list)
    branches: list[Any] = Field(default_factory=list)
    accounts: list[Any] = Field(default_factory=list)


class _CatalogFrame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tax_categories: list[Any] = Field(default_factory=list)
    article_types: list[Any] = Field(default_factory=list)
    articles: list[Any] = Field(default_factory=list)
    modules: list[Any] = Field(default_factory=list)


# Section → (item model, key field, index registry name) for keys of broken items.
CATALOG_SECTIONS: dict[str, tuple[type[BaseModel], str, str]] = {
    "tax_categories": (TaxCategoryIn, "code", "tax_categories"),
    "article_types": (ArticleTypeIn, "code", "article_types"),
    "articles": (ArticleIn, "number", "articles"),
    "modules": (ModuleIn, "code", "modules"),
}


def parse_file(payload: Any, index: Index, problems: Problems) -> ImportFile | None:
    """Validate the payload; returns None when even the frame is broken. Items that fail are
    `None` in the result and their problems are in `problems`."""
    if not isinstance(payload, dict):
        problems.add("", "invalid", _("An import file is a JSON object."))
        return None
    try:
        frame = _Frame.model_validate(payload)
    except ValidationError as exc:
        problems.add_pydantic(exc)
        return None
    try:
        catalog_frame = _CatalogFrame.model_validate(frame.catalog)
    except ValidationError as exc:
        problems.add_pydantic(exc, prefix=("catalog",))
        return None
    try:
        ImportFile.model_validate({k: v for k, v in payload.items() if k == "format"})
    except ValidationError as exc:
        problems.add_pydantic(exc)
    catalog = {}
    for section, (model, key, registry) in CATALOG_SECTIONS.items():
        items = getattr(catalog_frame, section)
        catalog[section] = [
            _item(model, raw, ("catalog", section, i), problems, index, key, registry)
            for i, raw in enumerate(items)
        ]
    return ImportFile.model_construct(
        format=frame.format,
        catalog=CatalogIn.model_construct(**catalog),
        customer_groups=[
            _item(CustomerGroupIn, raw, ("customer_groups", i), problems, index, "name", "groups")
            for i, raw in enumerate(frame.customer_groups)
        ],
        branches=[
            _item(BranchIn, raw, ("branches", i), problems, index, "code", "branches")
            for i, raw in enumerate(frame.branches)
        ],
        accounts=[
            _item(AccountIn, raw, ("accounts", i), problems, index, None, None)
            for i, raw in enumerate(frame.accounts)
        ],
    )


def _item(
    model: type[BaseModel],
    raw: Any,
    loc: tuple[str | int, ...],
    problems: Problems,
    index: Index,
    key: str | None,
    registry: str | None,
) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.add_pydantic(exc, prefix=loc)
    if isinstance(raw, dict) and registry and key:
        _declare_broken(index, registry, raw.get(key), json_path((*loc, key)))
        tariffs = raw.get("tariffs") if model is ModuleIn else None
        for j, tariff in enumerate(tariffs if isinstance(tariffs, list) else []):
            if isinstance(tariff, dict):
                path = json_path((*loc, "tariffs", j, "code"))
                _declare_broken(index, "tariffs", tariff.get("code"), path)
    return None


def _declare_broken(index: Index, registry: str, key: Any, path: str) -> None:
    """Count the key of an item that failed the schema as declared (its own errors are
    reported), so references to it raise no second, misleading error."""
    if isinstance(key, str) and key.strip():
        key = key.strip()
        getattr(index, registry).setdefault(key, None)
        index.declared_at.setdefault((registry, key), path)
        index.broken.add((registry, key))
