"""The committed SDL and the frontends' operations in codegen/.

`trainforge codegen` writes codegen/schema.graphql; GraphQL Code Generator (codegen/codegen.ts,
run by `make codegen`) then writes the TypeScript types from it and codegen/operations/*.graphql.
The tests use these helpers to check both inputs without Node.
"""

from __future__ import annotations

from pathlib import Path

from graphql import DocumentNode, Source, parse

from trainforge.schema import export_sdl

SCHEMA_FILE = "schema.graphql"
OPERATIONS_DIR = "operations"


def write_sdl(codegen_dir: Path) -> Path:
    path = codegen_dir / SCHEMA_FILE
    path.write_text(export_sdl())
    return path


def operation_documents(codegen_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((codegen_dir / OPERATIONS_DIR).glob("*.graphql"))}


def operations_document(codegen_dir: Path) -> DocumentNode:
    """Every operation file as one document, the way the Code Generator sees them (fragments are shared
    across files); each definition keeps its file name for error messages."""
    definitions = []
    for path in sorted((codegen_dir / OPERATIONS_DIR).glob("*.graphql")):
        source = Source(path.read_text(), f"{codegen_dir.name}/{OPERATIONS_DIR}/{path.name}")
        definitions.extend(parse(source).definitions)
    return DocumentNode(definitions=tuple(definitions))
