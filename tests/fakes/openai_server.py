"""A fake OpenAI-compatible server for tests: real HTTP on 127.0.0.1, in the test loop.

    async with FakeOpenAI() as fake:
        fake.script('{"not": "valid"}', HTTPError(500), Delay(2.0))
        fake.responder = lambda body: answer_for(body)   # when the script is used up
        client = AsyncOpenAI(base_url=fake.base_url, api_key="test")

`POST /v1/chat/completions` answers with the next scripted item, else with the
responder, else HTTP 500 ("nothing scripted"). Every request body is recorded in
`fake.requests`; `fake.max_in_flight` shows how many were served at once.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Responder = Callable[[dict[str, Any]], "str | Awaitable[str]"]


@dataclass(frozen=True)
class HTTPError:
    """An error answer; `body` defaults to OpenAI's error shape."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delay:
    """Wait `seconds` (cut short when the server stops), then answer with `then`
    (else the responder). Longer than the client's timeout, it makes one."""

    seconds: float
    then: str | HTTPError | None = None


Scripted = str | dict[str, Any] | list[Any] | HTTPError | Delay


class FakeOpenAI:
    def __init__(self, responder: Responder | None = None, latency: float = 0.0) -> None:
        self.responder = responder
        self.latency = latency  # added to every answer
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[Scripted] = deque()
        self._ids = itertools.count(1)
        self._closing = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.base_url = ""

    def script(self, *items: Scripted) -> None:
        """Queue answers: reply content (a string, or JSON-able data dumped to one),
        an `HTTPError`, or a `Delay`."""
        self._script.extend(items)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def user_messages(self, index: int) -> list[str]:
        """The user messages of the `index`-th request, in order."""
        return [m["content"] for m in self.requests[index]["messages"] if m["role"] == "user"]

    async def __aenter__(self) -> FakeOpenAI:
        app = Starlette(routes=[Route("/v1/chat/completions", self._completions, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        async with asyncio.timeout(10):
            while not self._server.started:
                if self._task.done():
                    self._task.result()  # surface a startup failure
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._task is not None
        self._closing.set()  # ends pending delays
        self._server.should_exit = True
        async with asyncio.timeout(10):
            await self._task

    async def _completions(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            item: Scripted | None = self._script.popleft() if self._script else None
            if isinstance(item, Delay):
                await self._sleep(item.seconds)
                item = item.then
            if self.latency:
                await self._sleep(self.latency)
            if item is None and self.responder is not None:
                answer = self.responder(body)
                item = await answer if inspect.isawaitable(answer) else answer
            if item is None:
                item = HTTPError(500, _error("FakeOpenAI: nothing scripted and no responder"))
            if isinstance(item, HTTPError):
                return JSONResponse(
                    item.body if item.body is not None else _error(f"fake error {item.status}"),
                    status_code=item.status,
                    headers=item.headers,
                )
            content = item if isinstance(item, str) else json.dumps(item)
            return JSONResponse(self._completion(body, content))
        finally:
            self.in_flight -= 1

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            pass

    def _completion(self, body: dict[str, Any], content: str) -> dict[str, Any]:
        prompt_tokens = sum(len(str(m.get("content", ""))) // 4 for m in body.get("messages", []))
        completion_tokens = len(content) // 4
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _error(message: str, type_: str = "server_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": None}}
