"""The generators of one process, built on first use and then kept (the LLM
client keeps its HTTP connection pool)."""

from __future__ import annotations

from trainforge.config import Settings
from trainforge.services.errors import InvalidInput
from trainforge.services.generation.types import Generator, GeneratorKind


class Generators:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._built: dict[GeneratorKind, Generator] = {}

    def get(self, kind: GeneratorKind) -> Generator:
        if kind not in self._built:
            self._built[kind] = self._build(kind)
        return self._built[kind]

    async def aclose(self) -> None:
        """Close what the generators hold open (the LLM client's connections)."""
        for generator in self._built.values():
            close = getattr(generator, "aclose", None)
            if close is not None:
                await close()
        self._built.clear()

    def _build(self, kind: GeneratorKind) -> Generator:
        if kind is GeneratorKind.RULES:
            from trainforge.services.generation.rules import RuleBasedGenerator

            return RuleBasedGenerator()
        if not (self.settings.openai_base_url or self.settings.openai_api_key):
            raise InvalidInput(
                "the LLM generator is not configured on this server (OPENAI_BASE_URL / OPENAI_API_KEY)",
                field="generator",
            )
        from trainforge.services.generation.llm import llm_generator_from_settings

        return llm_generator_from_settings(self.settings)
