"""Activity files recorded elsewhere, imported as completed sessions (GraphQL multipart upload)."""

from __future__ import annotations

import strawberry
from strawberry import Info
from strawberry.file_uploads import Upload

from trainforge.resolvers import activities as resolve
from trainforge.resolvers.context import Context
from trainforge.schema.errors import MutationError, to_mutation_errors
from trainforge.schema.training import TrainingSession
from trainforge.services.errors import InvalidInput
from trainforge.services.fit_files import MAX_FILE_BYTES


@strawberry.type
class ImportActivityPayload:
    session: TrainingSession | None
    heart_rate_samples: int = strawberry.field(description="Samples kept from the file's records.")
    dropped_samples: int = strawberry.field(description="Records out of range, outside the activity or duplicated.")
    errors: list[MutationError]


@strawberry.type
class ActivitiesMutation:
    @strawberry.mutation(description="Import a FIT activity (a multipart upload, at most 20 MB) as a completed "
                         "session of yours: laps become its steps with what was done of each, the session's totals "
                         "its totals, heart-rate records its samples (and its heart-rate summary).")
    async def import_activity(self, info: Info[Context, None], file: Upload) -> ImportActivityPayload:
        read = getattr(file, "read", None)
        data = await read(MAX_FILE_BYTES + 1) if callable(read) else None
        if not isinstance(data, bytes) or len(data) > MAX_FILE_BYTES:
            problem = ("file must be a multipart upload" if not isinstance(data, bytes)
                       else f"a FIT file is at most {MAX_FILE_BYTES} bytes")
            return ImportActivityPayload(session=None, heart_rate_samples=0, dropped_samples=0,
                                         errors=to_mutation_errors([InvalidInput(problem, field="file")]))
        outcome = await resolve.import_fit(info.context, data)
        done = outcome.value
        return ImportActivityPayload(
            session=done.session if done else None, heart_rate_samples=done.samples if done else 0,  # type: ignore[arg-type]
            dropped_samples=done.dropped if done else 0, errors=to_mutation_errors(outcome.errors),
        )
