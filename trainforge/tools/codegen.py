"""`trainforge codegen`: the committed SDL and the TypeScript types of the frontends' operations."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema as build_sdl_schema

from trainforge.schema import export_sdl
from trainforge.tools.typescript import generate_typescript

SCHEMA_FILE = "schema.graphql"
TYPES_FILE = "types.ts"
OPERATIONS_DIR = "operations"


def operation_documents(codegen_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((codegen_dir / OPERATIONS_DIR).glob("*.graphql"))}


def render(codegen_dir: Path) -> dict[Path, str]:
    """What every generated file should contain, from the code as it is now."""
    sdl = export_sdl()
    types = generate_typescript(build_sdl_schema(sdl), operation_documents(codegen_dir))
    return {codegen_dir / SCHEMA_FILE: sdl, codegen_dir / TYPES_FILE: types}


def write_codegen(codegen_dir: Path) -> list[Path]:
    written = []
    for path, content in render(codegen_dir).items():
        path.write_text(content)
        written.append(path)
    return written


def drifted(codegen_dir: Path) -> list[Path]:
    """Generated files whose committed content differs from what the code generates."""
    return [path for path, content in render(codegen_dir).items() if not path.exists() or path.read_text() != content]
