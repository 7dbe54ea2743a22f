"""Parsed and validated documents, cached by query text.

strawberry's ParserCache and ValidationCache key by document: the validation
cache hashes the whole AST on every request (nodes are frozen dataclasses, so
that is a walk over the tree), and MaxTokensLimiter and AddValidationRules are
two more extensions whose hooks run per request only to set options. Here one
hook does all of it by the query's text: a hit costs a dict lookup on a string,
no lexing and no tree walk.

The same text yields the same document object while it stays cached, which the
per-document caches of execution (input_check, compiled reads) rely on.
Failures are not cached: a syntax error is raised afresh each time, as
graphql-core makes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache, partial
from typing import TYPE_CHECKING

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

if TYPE_CHECKING:
    from functools import _CacheInfo, _lru_cache_wrapper


class OperationCache:
    """The parse and validation caches of one schema: bounded LRUs keyed by query text.

    Validation depends on the schema, the rules and the document; the rules are
    fixed here and the schema is part of the key, so the text decides the rest.
    """

    def __init__(
        self,
        rules: Sequence[type[ASTValidationRule]],
        *,
        max_tokens: int,
        parser_cache_size: int,
        validation_cache_size: int,
    ) -> None:
        # graphql-core's own rules first, as strawberry's ExecutionContext has them.
        self.rules: tuple[type[ASTValidationRule], ...] = (*specified_rules, *rules)
        # The token limit is counted while parsing: a cached document is never lexed again.
        self.parse: _lru_cache_wrapper[DocumentNode] = lru_cache(maxsize=parser_cache_size)(
            partial(parse, max_tokens=max_tokens)
        )
        self._errors: _lru_cache_wrapper[tuple[GraphQLError, ...]] = lru_cache(maxsize=validation_cache_size)(
            self._validate
        )

    def _validate(self, schema: GraphQLSchema, query: str) -> tuple[GraphQLError, ...]:
        return tuple(validate_document(schema, self.parse(query), self.rules))

    def errors(self, schema: GraphQLSchema, query: str) -> list[GraphQLError]:
        """The validation errors of `query`; a fresh list, so no caller alters the cache."""
        return list(self._errors(schema, query))

    def cache_info(self) -> dict[str, _CacheInfo]:
        """Hits, misses and sizes of the two caches."""
        return {"parse": self.parse.cache_info(), "validation": self._errors.cache_info()}


class CachedOperations(SchemaExtension):
    """Hands strawberry the document and its validation errors, both from an OperationCache.

    One hook (`on_parse`) does both: with `pre_execution_errors` set, even to an
    empty list, strawberry skips its own validation, and an `on_validate` hook
    would cost a context manager per request for nothing. Strawberry checks the
    operation type (mutation over GET, unknown operationName) in between either
    way, before it looks at the validation errors.
    """

    def __init__(self, cache: OperationCache) -> None:
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:  # strawberry reports a missing query before this hook
            # A syntax error raises here, reported by strawberry as a request error.
            context.graphql_document = self.cache.parse(context.query)
            context.validation_rules = self.cache.rules
            context.pre_execution_errors = self.cache.errors(context.schema._schema, context.query)
        yield
