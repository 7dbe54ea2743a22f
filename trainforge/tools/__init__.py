"""Developer tooling (code generators and similar), not used at runtime."""
