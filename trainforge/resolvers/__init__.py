"""Root resolvers, per-request loaders and the request context: the GraphQL-facing glue over services."""
