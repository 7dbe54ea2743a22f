"""FIT files (Garmin's Flexible and Interoperable data Transfer): activities read with fitdecode, planned
endurance sessions written as FIT workouts with fit-tool, and rides as Zwift workouts (.zwo).

Field meanings follow the FIT SDK profile (Profile.xlsx, messages `workout_step`, `lap`, `session`,
`record`): a custom heart-rate target is 0-100 (% of max HR) or bpm + 100; a custom power target is 0-1000
(% of FTP) or watts + 1000; speed is in m/s; a repeat step (`repeat_until_steps_cmplt`) names the index of
the first step it repeats and how many times.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.etree import ElementTree

import fitdecode
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import FileType, Intensity, Manufacturer, WorkoutStepDuration, WorkoutStepTarget
from fit_tool.profile.profile_type import Sport as FitSport

from trainforge.models.endurance_content import PlannedStep, Sport, StepType, TargetKind
from trainforge.models.training_content import WorkoutSnapshot
from trainforge.services.errors import InvalidInput
from trainforge.services.heart_rate_zones import Zones

MAX_FILE_BYTES = 20 * 1024 * 1024
HR_OFFSET = 100  # custom heart-rate targets: bpm + 100
POWER_OFFSET = 1000  # custom power targets: watts + 1000

# ----------------------------------------------------------------------------- reading activities

SPORTS = {"running": Sport.RUN, "cycling": Sport.RIDE, "swimming": Sport.SWIM, "rowing": Sport.ROW}
LAP_TYPES = {"warmup": StepType.WARM_UP, "cooldown": StepType.COOL_DOWN, "recovery": StepType.RECOVERY,
             "rest": StepType.RECOVERY, "interval": StepType.INTERVAL, "active": StepType.STEADY}


@dataclass(frozen=True, slots=True)
class Lap:
    started_at: datetime
    seconds: float
    distance_meters: float | None
    avg_hr: int | None
    max_hr: int | None
    avg_speed: float | None  # m/s
    step_type: StepType


@dataclass
class Activity:
    sport: Sport = Sport.OTHER
    started_at: datetime | None = None
    seconds: float | None = None
    distance_meters: float | None = None
    calories: int | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    laps: list[Lap] = field(default_factory=list)
    heart_rate: list[tuple[datetime, int]] = field(default_factory=list)  # record messages, in file order


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return None


def read_activity(data: bytes) -> Activity:
    """The activity in a FIT file: its session's totals, laps and heart-rate records. InvalidInput (field
    `file`) when the file is not a readable FIT activity."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"a FIT file is at most {MAX_FILE_BYTES} bytes", field="file")
    activity = Activity()
    kind = None
    try:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED) as fit:
            for frame in fit:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                values = {f.name: f.value for f in frame.fields}
                if frame.name == "file_id":
                    kind = values.get("type")
                elif frame.name == "record":
                    at, bpm = _when(values.get("timestamp")), values.get("heart_rate")
                    if at is not None and isinstance(bpm, int):
                        activity.heart_rate.append((at, bpm))
                elif frame.name == "lap":
                    start = _when(values.get("start_time"))
                    seconds = _number(values.get("total_elapsed_time")) or _number(values.get("total_timer_time"))
                    if start is not None and seconds is not None:
                        activity.laps.append(Lap(
                            start, seconds, _number(values.get("total_distance")),
                            values.get("avg_heart_rate"), values.get("max_heart_rate"),
                            _number(values.get("enhanced_avg_speed")) or _number(values.get("avg_speed")),
                            LAP_TYPES.get(str(values.get("intensity")), StepType.STEADY),
                        ))
                elif frame.name == "session":
                    activity.sport = SPORTS.get(str(values.get("sport")), Sport.OTHER)
                    activity.started_at = _when(values.get("start_time"))
                    activity.seconds = _number(values.get("total_elapsed_time"))
                    activity.distance_meters = _number(values.get("total_distance"))
                    calories = values.get("total_calories")
                    activity.calories = calories if isinstance(calories, int) else None
                    activity.avg_hr = values.get("avg_heart_rate")
                    activity.max_hr = values.get("max_heart_rate")
    except (fitdecode.FitError, ValueError, KeyError, TypeError, EOFError) as exc:
        raise InvalidInput(f"not a readable FIT file ({type(exc).__name__})", field="file") from None
    if kind != "activity":
        raise InvalidInput("the FIT file is not an activity", field="file")
    if activity.started_at is None:  # no session message: what the records and laps cover
        times = [at for at, _ in activity.heart_rate] + [lap.started_at for lap in activity.laps]
        if not times:
            raise InvalidInput("the FIT activity holds no session, lap or record", field="file")
        activity.started_at = min(times)
    return activity


# ----------------------------------------------------------------------------- planned steps, compact again


@dataclass(frozen=True, slots=True)
class Block:
    block_id: str
    count: int
    items: list[PlannedStep | Block]


def compact(steps: Sequence[PlannedStep]) -> list[PlannedStep | Block]:
    """The expanded steps folded back into repeat blocks (each block's first iteration, `count` times)."""

    def fold(items: Sequence[PlannedStep], depth: int) -> list[PlannedStep | Block]:
        out: list[PlannedStep | Block] = []
        i = 0
        while i < len(items):
            step = items[i]
            if len(step.repeats) <= depth:
                out.append(step)
                i += 1
                continue
            block = step.repeats[depth]
            j = i
            while j < len(items) and len(items[j].repeats) > depth and items[j].repeats[depth].block_id == block.block_id:
                j += 1
            first = [s for s in items[i:j] if s.repeats[depth].iteration == 1]
            out.append(Block(block.block_id, block.count, fold(first, depth + 1)))
            i = j
        return out

    return fold(list(steps), 0)


# ----------------------------------------------------------------------------- FIT workouts

FIT_SPORTS = {Sport.RUN: FitSport.RUNNING, Sport.RIDE: FitSport.CYCLING, Sport.SWIM: FitSport.SWIMMING,
              Sport.ROW: FitSport.ROWING, Sport.OTHER: FitSport.GENERIC}
INTENSITIES = {StepType.WARM_UP: Intensity.WARMUP, StepType.COOL_DOWN: Intensity.COOLDOWN,
               StepType.RECOVERY: Intensity.RECOVERY, StepType.INTERVAL: Intensity.INTERVAL,
               StepType.TEMPO: Intensity.ACTIVE, StepType.STEADY: Intensity.ACTIVE}


def _fit_step(index: int, step: PlannedStep) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    message.workout_step_name = step.type.value.replace("_", " ")[:50]
    message.intensity = INTENSITIES[step.type]
    if step.duration_seconds is not None:
        message.duration_type = WorkoutStepDuration.TIME
        message.duration_time = float(step.duration_seconds)
    else:
        message.duration_type = WorkoutStepDuration.DISTANCE
        message.duration_distance = float(step.distance_meters or 0)
    target = step.target
    if target is None:
        message.target_type = WorkoutStepTarget.OPEN
        message.target_value = 0
    elif target.kind in (TargetKind.HR_ZONE, TargetKind.HR_RANGE):
        message.target_type = WorkoutStepTarget.HEART_RATE
        if step.target_bpm_low is not None and step.target_bpm_high is not None:
            message.target_hr_zone = 0  # custom: the athlete's bpm
            message.custom_target_heart_rate_low = step.target_bpm_low + HR_OFFSET
            message.custom_target_heart_rate_high = step.target_bpm_high + HR_OFFSET
        else:
            message.target_hr_zone = target.zone or 0  # the device's own zone
    elif target.kind is TargetKind.PACE_RANGE:  # s/km -> m/s; the slower pace is the lower speed
        message.target_type = WorkoutStepTarget.SPEED
        message.target_value = 0
        message.custom_target_speed_low = round(1000 / (target.high or 1), 3)
        message.custom_target_speed_high = round(1000 / (target.low or 1), 3)
    else:
        message.target_type = WorkoutStepTarget.POWER
        message.target_value = 0
        message.custom_target_power_low = round(target.low or 0) + POWER_OFFSET
        message.custom_target_power_high = round(target.high or 0) + POWER_OFFSET
    return message


def workout_fit(snapshot: WorkoutSnapshot, created: datetime) -> bytes:
    """A FIT workout file of a session's planned steps, repeat blocks as repeat steps."""
    steps: list[WorkoutStepMessage] = []

    def emit(items: Sequence[PlannedStep | Block]) -> None:
        for item in items:
            if isinstance(item, Block):
                first = len(steps)
                emit(item.items)
                repeat = WorkoutStepMessage()
                repeat.message_index = len(steps)
                repeat.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
                repeat.duration_step = first
                repeat.target_repeat_steps = item.count
                steps.append(repeat)
            else:
                steps.append(_fit_step(len(steps), item))

    emit(compact(snapshot.planned_steps))
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 1
    file_id.time_created = round(created.timestamp() * 1000)
    workout = WorkoutMessage()
    workout.workout_name = snapshot.name[:50]
    workout.sport = FIT_SPORTS[snapshot.sport or Sport.OTHER]
    workout.num_valid_steps = len(steps)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    builder.add(file_id)
    builder.add(workout)
    builder.add_all(steps)
    return builder.build().to_bytes()


# ----------------------------------------------------------------------------- Zwift workouts

# A heart-rate zone as a share of FTP for Zwift, which steers rides by power: the middle of each of
# Coggan's power levels the zone corresponds to (recovery 0.55, endurance 0.68, tempo 0.83, threshold
# 0.98, VO2max 1.13); an approximation, stated in docs/endurance.md.
ZONE_POWER = {1: 0.55, 2: 0.68, 3: 0.83, 4: 0.98, 5: 1.13}
EASY = 0.55


def workout_zwo(snapshot: WorkoutSnapshot, ftp: int | None, zones: Zones | None) -> str:
    """A Zwift workout (.zwo) of a ride's planned steps: every step by time, power as a share of FTP (power
    targets in watts need `ftp`, heart-rate ranges the athlete's zones). InvalidInput names what is missing."""
    if snapshot.sport is not Sport.RIDE:
        raise InvalidInput("Zwift workouts are rides; this session is not", field="sport")
    root = ElementTree.Element("workout_file")
    ElementTree.SubElement(root, "author").text = "trainforge"
    ElementTree.SubElement(root, "name").text = snapshot.name
    ElementTree.SubElement(root, "description").text = snapshot.notes or ""
    ElementTree.SubElement(root, "sportType").text = "bike"
    workout = ElementTree.SubElement(root, "workout")
    for step in snapshot.planned_steps:
        if step.duration_seconds is None:
            raise InvalidInput(f"step {step.index} is a distance; Zwift steps are timed", field=f"steps.{step.index}")
        low, high = _power(step, ftp, zones)
        duration = str(step.duration_seconds)
        if step.type is StepType.WARM_UP:
            ElementTree.SubElement(workout, "Warmup", Duration=duration, PowerLow=_share(low), PowerHigh=_share(high))
        elif step.type is StepType.COOL_DOWN:
            ElementTree.SubElement(workout, "Cooldown", Duration=duration, PowerLow=_share(high), PowerHigh=_share(low))
        else:
            ElementTree.SubElement(workout, "SteadyState", Duration=duration, Power=_share((low + high) / 2))
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=False) + "\n"


def _share(value: float) -> str:
    return f"{value:.3f}"


def _power(step: PlannedStep, ftp: int | None, zones: Zones | None) -> tuple[float, float]:
    target = step.target
    if target is None or target.kind is TargetKind.PACE_RANGE:
        if step.type is StepType.WARM_UP:
            return 0.45, 0.70
        if step.type is StepType.COOL_DOWN:
            return 0.40, 0.65
        return EASY, EASY
    if target.kind is TargetKind.POWER_RANGE:
        if not ftp:
            raise InvalidInput("power targets in watts need the rider's FTP (?ftp=watts)", field="ftp")
        return (target.low or 0) / ftp, (target.high or 0) / ftp
    if target.kind is TargetKind.HR_ZONE:
        share = ZONE_POWER[target.zone or 1]
        return share, share
    # An HR range: the athlete's zone its middle falls in.
    if zones is None:
        raise InvalidInput("heart-rate ranges need the athlete's zones (a max HR or birth date on the profile)",
                           field=f"steps.{step.index}")
    share = ZONE_POWER[max(1, zones.zone_of(((target.low or 0) + (target.high or 0)) / 2))]
    return share, share
