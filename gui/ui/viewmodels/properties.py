"""Observable properties and bindings, after krita-ai-diffusion's ``Property`` and ``bind()``.

``budget_message = Property[str | None](None)`` on a QObject with a ``budget_message_changed``
signal makes an attribute that emits that signal with the new value when (and only when) the
value really changes. :func:`bind` keeps a widget's setter in step with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from PySide6.QtCore import QObject, SignalInstance

__all__ = ["Property", "bind", "bind_two_way"]

T = TypeVar("T")


class Property(Generic[T]):
    """An attribute whose changes are announced by the owner's ``<name>_changed`` signal."""

    def __init__(self, default: T) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Property[T]: ...
    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> T: ...
    def __get__(self, obj: object | None, objtype: type | None = None) -> Property[T] | T:
        if obj is None:
            return self
        value: T = obj.__dict__.get(self.name, self.default)
        return value

    def __set__(self, obj: object, value: T) -> None:
        if obj.__dict__.get(self.name, self.default) == value:
            return
        obj.__dict__[self.name] = value
        changed(obj, self.name).emit(value)


def changed(model: object, name: str) -> SignalInstance:
    """The model's ``<name>_changed`` signal."""
    signal: SignalInstance = getattr(model, f"{name}_changed")
    return signal


def bind(model: QObject, name: str, setter: Callable[[Any], object]) -> None:
    """Call ``setter`` with the model's ``name`` now and each time it changes."""
    setter(getattr(model, name))
    changed(model, name).connect(setter)


def bind_two_way(
    model: QObject, name: str, setter: Callable[[Any], object], edited: SignalInstance
) -> None:
    """:func:`bind`, and the widget's ``edited(value)`` signal sets the model's property."""
    bind(model, name, setter)
    edited.connect(lambda value: setattr(model, name, value))
