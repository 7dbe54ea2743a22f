"""A faster path through graphql-core for plain data.

Most of a program tree is plain data: a workout and its prescription are
objects whose fields are attributes of the loaded row or pydantic model, with
no resolver, no arguments and no directives. graphql-core still runs its full
per-field machinery for each of them (resolve info, awaitable checks, path
bookkeeping): about 2,700 fields for one program, most of the request's time.

For such selections this execution context compiles, once per request and
selection, a plan that reads the attributes and serializes the leaves
directly. Anything the plan is not sure about (a null where the schema says
non-null, a value a scalar refuses, an abstract type, @defer) falls back to
graphql-core's own path for that object, so results and errors stay exactly
what graphql-core would produce; tests compare both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from types import CodeType
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)
from sqlalchemy import Row
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Plan = Callable[[Any], dict[str, Any]]
Complete = Callable[[Any], Any]


class _Fallback(Exception):
    """The plan cannot complete this value the way graphql-core would: let graphql-core do it."""


_FALLBACK = _Fallback()
_NO_PLAN = object()


def _python_name(field: Any) -> str | None:
    """The attribute a strawberry field reads, when it is a plain attribute (no resolver, no arguments)."""
    definition = field.extensions.get("strawberry-definition")
    resolver = field.resolve
    if definition is None or field.args or not getattr(resolver, "_is_default", False):
        return None
    return definition.python_name


# Inline checks for values a built-in scalar passes through unchanged (`v` is the value).
_PASS_THROUGH = {
    "String": "type(v) is str",
    "ID": "type(v) is str",
    "Boolean": "type(v) is bool",
    "Int": "type(v) is int and -2147483648 <= v <= 2147483647",  # GraphQL Int is 32-bit
    "Float": "type(v) is float and v - v == 0.0",  # finite: inf - inf and nan - nan are nan
}
# strawberry serializes Date and DateTime with isoformat().
_ISOFORMAT = {"Date": "date", "DateTime": "datetime"}


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Complete:
    """Serialize like graphql-core's complete_leaf_value, or ask for the fallback."""
    serialize = type_.serialize

    def complete(value: Any) -> Any:
        result = serialize(value)
        if result is None or result is Undefined:
            raise _FALLBACK
        return result

    if isinstance(type_, GraphQLEnumType):
        # Few distinct members: remember each one's serialized name.
        known: dict[Any, Any] = {}

        def enum_value(value: Any) -> Any:
            try:
                return known[value]
            except KeyError:
                known[value] = result = complete(value)
                return result

        return enum_value
    return complete


def _nullable(complete: Complete) -> Complete:
    def nullable(value: Any) -> Any:
        return None if value is None else complete(value)

    return nullable


def _non_null(complete: Complete) -> Complete:
    def non_null(value: Any) -> Any:
        if value is None:
            raise _FALLBACK
        return complete(value)

    return non_null


def _list_of(complete: Complete) -> Complete:
    def list_of(value: Any) -> Any:
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            raise _FALLBACK
        return [complete(item) for item in value]

    return list_of


def _plain_is_type_of(object_type: GraphQLObjectType) -> bool:
    """Whether a plan can complete this type: no `is_type_of`, or one marked
    `plain_data_check` (it reads the value only, not `info`, has no side effect
    and returns a bool, so a plan can call it exactly where graphql-core would).
    Types implementing an interface always have one (strawberry's `isinstance`
    check, unmarked); schema/node.py gives Node types a marked one."""
    is_type_of = object_type.is_type_of
    return is_type_of is None or getattr(is_type_of, "plain_data_check", False) is True


def _checked(plan: Plan, is_type_of: Callable[[Any, Any], Any]) -> Plan:
    def checked(value: Any) -> dict[str, Any]:
        if not is_type_of(value, None):
            raise _FALLBACK  # graphql-core then reports the value as not of the type
        return plan(value)

    return checked


class _PlanSource:
    """Writes one plan as Python source: a function reading the source object's
    attributes into the response dict, with the common leaf cases inlined."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.lines: list[str] = []
        self.keys: list[tuple[str, str]] = []
        self.namespace: dict[str, Any] = {"FALLBACK": _FALLBACK, "date": date, "datetime": datetime}

    def _ref(self, value: Any) -> str:
        name = f"r{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def _target(self, key: str) -> str:
        target = f"f{len(self.keys)}"
        self.keys.append((key, target))
        return target

    def constant(self, key: str, value: str) -> None:
        self.lines.append(f"{self._target(key)} = {value!r}")

    def call(self, key: str, attribute: str, complete: Complete) -> None:
        self.lines.append(f"{self._target(key)} = {self._ref(complete)}(src.{attribute})")

    def leaf(self, key: str, attribute: str, non_null: bool, type_: GraphQLScalarType, slow: Complete) -> None:
        target = self._target(key)
        self.lines.append(f"v = src.{attribute}")
        if non_null:
            self.lines += ["if v is None:", "    raise FALLBACK"]
        else:
            self.lines += ["if v is None:", f"    {target} = None"]
        if type_.name in _ISOFORMAT:
            fast, value = f"type(v) is {_ISOFORMAT[type_.name]}", "v.isoformat()"
        else:
            fast, value = _PASS_THROUGH[type_.name], "v"
        keyword = "if" if non_null else "elif"
        self.lines += [f"{keyword} {fast}:", f"    {target} = {value}", "else:", f"    {target} = {self._ref(slow)}(v)"]

    def compile(self) -> Plan:
        result = ", ".join(f"{key!r}: {target}" for key, target in self.keys)
        body = "\n".join(f"    {line}" for line in [*self.lines, f"return {{{result}}}"])
        source = f"def plan(src):\n{body}\n"
        exec(_compiled(source, self.type_name), self.namespace)  # noqa: S102
        return self.namespace["plan"]


@lru_cache(maxsize=512)
def _compiled(source: str, type_name: str) -> CodeType:
    # Plans are built per request, but their source repeats: compile each text once.
    return compile(source, f"<plan for {type_name}>", "exec")


class PlainDataExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core execution with compiled plans for plain-data selections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, id(field list)) -> (field list kept alive, plan or _NO_PLAN), per request.
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, Any]] = {}
        # Database rows are never awaitable, but asking a Row for `__await__` goes
        # through SQLAlchemy's slow missing-key path: answer for them directly.
        check = self.is_awaitable
        self.is_awaitable = lambda value: False if type(value) is Row else check(value)  # type: ignore[method-assign]

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list)
        if plan is not None:
            try:
                return plan(result)
            except Exception:  # noqa: BLE001 - plans only read attributes: redo the object the slow way
                pass
        return super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )

    def _plan(self, return_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        key = (return_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is None:
            plan = self._compile_object(return_type, field_details_list)
            cached = (field_details_list, _NO_PLAN if plan is None else plan)
            self._plans[key] = cached
        plan = cached[1]
        return None if plan is _NO_PLAN else plan

    def _compile_object(self, object_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        if not _plain_is_type_of(object_type):
            return None
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        code = _PlanSource(object_type.name)
        for response_key, details in grouped_field_set.items():
            if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
                return None
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                code.constant(response_key, object_type.name)
                continue
            field = object_type.fields.get(name)
            attribute = _python_name(field) if field is not None else None
            if attribute is None or node.arguments:
                return None
            if not self._emit_field(code, response_key, attribute, field.type, details):
                return None
        return code.compile()

    def _emit_field(self, code: _PlanSource, key: str, attribute: str, type_: GraphQLOutputType, details: Any) -> bool:
        non_null = isinstance(type_, GraphQLNonNull)
        named = type_.of_type if non_null else type_
        if isinstance(named, GraphQLScalarType) and (named.name in _PASS_THROUGH or named.name in _ISOFORMAT):
            code.leaf(key, attribute, non_null, named, _leaf(named))
            return True
        complete = self._compile_value(type_, details)
        if complete is None:
            return False
        code.call(key, attribute, complete)
        return True

    def _compile_value(self, type_: GraphQLOutputType, details: Any) -> Complete | None:
        if isinstance(type_, GraphQLNonNull):
            inner = self._compile_value(type_.of_type, details)
            return None if inner is None else _non_null(inner)
        return self._compile_nullable(type_, details)

    def _compile_nullable(self, type_: GraphQLOutputType, details: Any) -> Complete | None:
        if isinstance(type_, GraphQLList):
            item = self._compile_value(type_.of_type, details)
            return None if item is None else _nullable(_list_of(item))
        if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
            return _nullable(_leaf(type_))
        if isinstance(type_, GraphQLObjectType):
            plan = self._plan(type_, details)
            if plan is None:
                return None
            # graphql-core checks is_type_of before completing an object; so does a plan for a nested one.
            return _nullable(plan if type_.is_type_of is None else _checked(plan, type_.is_type_of))
        return None  # interfaces and unions resolve their runtime type: not plain
