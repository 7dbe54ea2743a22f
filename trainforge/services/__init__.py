"""Domain logic. Knows nothing of GraphQL: takes sessions and plain values, returns rows or raises `errors`."""
