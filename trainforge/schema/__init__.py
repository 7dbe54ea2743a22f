"""Builds the GraphQL schema from the domain modules."""

from __future__ import annotations

import re

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from trainforge.config import Settings
from trainforge.resolvers.context import PublicError
from trainforge.schema.accounts import AccountsMutation, AccountsQuery
from trainforge.schema.errors import ERROR_TYPES
from trainforge.schema.execution import PlainDataExecutionContext
from trainforge.schema.generation import GenerationMutation, GenerationQuery
from trainforge.schema.node import NodeQuery
from trainforge.schema.programs import ProgramsQuery

Query = merge_types("Query", (AccountsQuery, ProgramsQuery, GenerationQuery, NodeQuery))
Mutation = merge_types("Mutation", (AccountsMutation, GenerationMutation))


def should_mask(error: GraphQLError) -> bool:
    """Mask internal failures only: syntax/validation errors and PublicErrors are the client's to see."""
    original = error.original_error
    return original is not None and not isinstance(original, (PublicError, GraphQLError))


SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class ProductionErrors(MaskErrors):
    """Mask internal errors, and drop "Did you mean ...?" hints: with introspection
    off they would still spell out the schema's field and type names."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Internal server error.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            error.message = SUGGESTION.sub("", error.message)
        return processed


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
    ]
    if settings.is_production:
        extensions.append(ProductionErrors)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=ERROR_TYPES,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=PlainDataExecutionContext if plain_data_plans else None,
    )


def export_sdl(settings: Settings | None = None) -> str:
    """The schema as SDL, as committed in codegen/schema.graphql."""
    return build_schema(settings or Settings(introspection=True)).as_str() + "\n"
