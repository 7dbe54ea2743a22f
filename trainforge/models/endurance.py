"""Endurance session templates: structured steps and repeat blocks, created once and executed many times."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, PydanticJSONB, Timestamps, UUIDPrimaryKey, text_enum
from trainforge.models.endurance_content import Sport, TemplateContent
from trainforge.models.programs import MesocyclePhase


class EnduranceTemplate(UUIDPrimaryKey, Timestamps, Base):
    """A template owned by a coach or an athlete. Its sessions copy the expanded steps into their snapshot,
    so editing the template changes no session already made from it."""

    __tablename__ = "endurance_templates"
    __table_args__ = (Index("ix_endurance_templates_owner_created", "owner_id", "created_at", "id"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    sport: Mapped[Sport] = mapped_column(text_enum(Sport, "sport"), nullable=False)
    phase: Mapped[MesocyclePhase | None] = mapped_column(text_enum(MesocyclePhase, "mesocycle_phase"))
    focus_block: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    content: Mapped[TemplateContent] = mapped_column(PydanticJSONB(TemplateContent), nullable=False)
