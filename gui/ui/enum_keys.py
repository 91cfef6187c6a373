"""Set a Qt enum property by its C++ key names, without a Python enum.

The first enum of PySide's ``Qt`` namespace to reach Python (``Qt.AlignmentFlag``, or a value a
getter returns) builds all 93 of them: about 40 ms, a sixth of what a bare PySide window takes
to start. The window's frame is set up with this helper so that it paints before that; the
property system converts the key names in C++ (``QMetaEnum.keysToValue``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

__all__ = ["set_by_keys"]


def set_by_keys(target: QObject, prop: str, keys: str) -> None:
    """``target.prop = keys``: e.g. ``set_by_keys(label, "alignment", "AlignCenter")`` or
    ``set_by_keys(dock, "allowedAreas", "LeftDockWidgetArea|RightDockWidgetArea")``.
    Raises ``ValueError`` for a property that is not an enum of ``target`` or an unknown key."""
    meta = target.metaObject()
    index = meta.indexOfProperty(prop)
    enum = meta.property(index).enumerator() if index >= 0 else None
    if enum is None or not enum.isValid():
        raise ValueError(f"{meta.className()} has no enum property {prop!r}")
    # a str: PySide's stub says bytes, which the call itself refuses (6.11.3)
    value, known = enum.keysToValue(keys)  # type: ignore[arg-type]
    if not known:
        raise ValueError(f"{keys!r} is not a key of {meta.className()}.{prop}")
    if not target.setProperty(prop, value):
        raise ValueError(f"{meta.className()}.{prop} did not take {keys!r}")
