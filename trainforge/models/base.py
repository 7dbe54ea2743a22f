"""Declarative base, shared columns and column types."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import DateTime, Enum, MetaData, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic revisions can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UUIDPrimaryKey:
    # Ids are made client-side so a whole tree can be inserted in batches
    # without a RETURNING round trip per level.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # Also kept current by a trigger (see the first migration), so Core
    # updates that bypass the ORM stamp it too.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


E = TypeVar("E", bound=enum.Enum)


def text_enum(enum_cls: type[E], name: str) -> Enum:
    """An enum stored as text with a CHECK constraint (values, not names).

    Text plus CHECK keeps adding a value a one-line migration, unlike a native
    PostgreSQL enum type.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


M = TypeVar("M", bound=BaseModel)


class PydanticJSONB(TypeDecorator, Generic[M]):
    """JSONB holding one pydantic model, validated on the way in and out."""

    impl = JSONB
    cache_ok = True

    def __init__(self, model: type[M]) -> None:
        super().__init__()
        self.model = model

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, self.model):
            value = self.model.model_validate(value)
        return value.model_dump(mode="json", exclude_none=True)

    def process_result_value(self, value: Any, dialect: Any) -> M | None:
        if value is None:
            return None
        return self.model.model_validate(value)
