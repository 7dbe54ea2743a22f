"""Builds the GraphQL schema from the domain modules."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from trainforge.config import Settings
from trainforge.schema.accounts import AccountsMutation, AccountsQuery
from trainforge.schema.errors import ERROR_TYPES
from trainforge.schema.error_policy import InternalErrors, Schema
from trainforge.schema.input_check import CheckedExecutionContext, CheckedPlainDataExecutionContext
from trainforge.schema.generation import GenerationMutation, GenerationQuery
from trainforge.schema.node import NodeQuery
from trainforge.schema.programs import ProgramsQuery

Query = merge_types("Query", (AccountsQuery, ProgramsQuery, GenerationQuery, NodeQuery))
Mutation = merge_types("Mutation", (AccountsMutation, GenerationMutation))


def build_schema(settings: Settings, *, plain_data_plans: bool = True) -> strawberry.Schema:
    # Rule classes are built once: they are part of the validation cache's key,
    # so rules made per request would never hit it.
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection_enabled:
        rules += DisableIntrospection().validation_rules
    extensions: list = [
        lambda: ParserCache(maxsize=settings.parser_cache_size),
        lambda: ValidationCache(maxsize=settings.validation_cache_size),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: InternalErrors(production=settings.is_production),
    ]
    return Schema(
        query=Query,
        mutation=Mutation,
        types=ERROR_TYPES,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=CheckedPlainDataExecutionContext if plain_data_plans else CheckedExecutionContext,
    )


def export_sdl(settings: Settings | None = None) -> str:
    """The schema as SDL, as committed in codegen/schema.graphql."""
    return build_schema(settings or Settings(introspection=True)).as_str() + "\n"
