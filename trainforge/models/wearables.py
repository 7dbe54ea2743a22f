"""Wearable devices of a user, with their OAuth credentials encrypted at rest."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from trainforge.models.base import Base, Timestamps, UUIDPrimaryKey, text_enum


class WearableType(str, enum.Enum):
    APPLE_WATCH = "apple_watch"
    GARMIN = "garmin"
    WHOOP = "whoop"
    FITBIT = "fitbit"
    POLAR = "polar"
    COROS = "coros"


class WearableStatus(str, enum.Enum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # its credentials are gone
    ERROR = "error"  # the vendor refused the credentials; reconnect


class Wearable(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "wearables"
    __table_args__ = (Index("uq_wearables_user_name", "user_id", "name", unique=True),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[WearableType] = mapped_column(text_enum(WearableType, "wearable_type"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)  # what its samples name as their device
    model: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[WearableStatus] = mapped_column(text_enum(WearableStatus, "wearable_status"), nullable=False)
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Fernet token (services/wearables.py Vault) of the OAuth credentials as JSON; never sent to clients.
    credentials: Mapped[bytes | None] = mapped_column(LargeBinary)
