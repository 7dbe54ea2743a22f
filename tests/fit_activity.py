"""FIT activity files for the tests, built with fit-tool (nothing is downloaded)."""

from __future__ import annotations

from datetime import datetime

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import Event, EventType, FileType, Intensity, Manufacturer, Sport


def activity_fit(start: datetime, minutes: int = 20) -> bytes:
    """A run: 1 Hz heart rate (120 rising to 159), four laps of equal time, a session message."""
    ms = round(start.timestamp() * 1000)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type, file_id.manufacturer, file_id.product = FileType.ACTIVITY, Manufacturer.DEVELOPMENT.value, 0
    file_id.serial_number, file_id.time_created = 1, ms
    builder.add(file_id)
    event = EventMessage()
    event.event, event.event_type, event.timestamp = Event.TIMER, EventType.START, ms
    builder.add(event)
    seconds = minutes * 60
    for i in range(seconds):
        record = RecordMessage()
        record.timestamp, record.heart_rate, record.distance = ms + i * 1000, 120 + (i * 40) // seconds, i * 3.0
        builder.add(record)
    quarter = seconds // 4
    for lap_number in range(4):
        lap = LapMessage()
        lap.start_time = ms + lap_number * quarter * 1000
        lap.timestamp = lap.start_time + quarter * 1000
        lap.total_elapsed_time = lap.total_timer_time = float(quarter)
        lap.total_distance = quarter * 3.0
        lap.avg_heart_rate, lap.max_heart_rate = 125 + lap_number * 10, 130 + lap_number * 10
        lap.intensity = Intensity.WARMUP if lap_number == 0 else Intensity.ACTIVE
        builder.add(lap)
    session = SessionMessage()
    session.start_time, session.timestamp, session.sport = ms, ms + seconds * 1000, Sport.RUNNING
    session.total_elapsed_time = session.total_timer_time = float(seconds)
    session.total_distance, session.total_calories = seconds * 3.0, 240
    session.avg_heart_rate, session.max_heart_rate = 139, 159
    builder.add(session)
    return builder.build().to_bytes()
