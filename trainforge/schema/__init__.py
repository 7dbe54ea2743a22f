"""Builds the GraphQL schema from the domain modules."""

from __future__ import annotations

import strawberry
from strawberry.extensions import DisableIntrospection, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from trainforge.config import Settings
from trainforge.schema.accounts import AccountsMutation, AccountsQuery
from trainforge.schema.activities import ActivitiesMutation
from trainforge.schema.caches import CachedOperations, OperationCache
from trainforge.schema.errors import ERROR_TYPES
from trainforge.schema.error_policy import Schema
from trainforge.schema.input_check import CheckedExecutionContext, CheckedPlainDataExecutionContext
from trainforge.schema.endurance import EnduranceMutation, EnduranceQuery
from trainforge.schema.generation import GenerationMutation, GenerationQuery
from trainforge.schema.heart_rate import HeartRateMutation
from trainforge.schema.heart_rate_events import HeartRateSubscription
from trainforge.schema.live import LiveMutation, LiveQuery
from trainforge.schema.live_events import LiveSubscription
from trainforge.schema.node import NodeQuery
from trainforge.schema.programs import ProgramsQuery
from trainforge.schema.routines import RoutinesMutation, RoutinesQuery
from trainforge.schema.training import TrainingMutation, TrainingQuery
from trainforge.schema.wearables import WearablesMutation, WearablesQuery

Query = merge_types(
    "Query",
    (AccountsQuery, ProgramsQuery, GenerationQuery, NodeQuery, TrainingQuery, RoutinesQuery, LiveQuery, EnduranceQuery,
     WearablesQuery),
)
Subscription = merge_types("Subscription", (LiveSubscription, HeartRateSubscription))
Mutation = merge_types(
    "Mutation",
    (AccountsMutation, GenerationMutation, TrainingMutation, RoutinesMutation, LiveMutation, EnduranceMutation,
     HeartRateMutation, WearablesMutation, ActivitiesMutation),
)


def build_schema(settings: Settings, *, plain_data_plans: bool = True) -> strawberry.Schema:
    # The limiters are used for their rule classes only: the rules are fixed per
    # schema, so the validation cache can be keyed by the query text.
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.introspection_enabled:
        rules += DisableIntrospection().validation_rules
    operations = OperationCache(
        rules,
        max_tokens=settings.max_tokens,
        parser_cache_size=settings.parser_cache_size,
        validation_cache_size=settings.validation_cache_size,
    )
    # One extension with one hook: strawberry builds a context manager per hook and
    # request, so no extension is here to do nothing. Errors are masked by the schema
    # (error_policy), which runs only when there are some.
    extensions: list = [lambda: CachedOperations(operations)]
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=ERROR_TYPES,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=CheckedPlainDataExecutionContext if plain_data_plans else CheckedExecutionContext,
        production=settings.is_production,
        operations=operations,
    )


def export_sdl(settings: Settings | None = None) -> str:
    """The schema as SDL, as committed in codegen/schema.graphql."""
    return build_schema(settings or Settings(introspection=True)).as_str() + "\n"
