"""The tray menu as a `com.canonical.dbusmenu` object, the menu protocol of StatusNotifierItem hosts.

Built from rustlamp's plain MenuItem values. Every row gets an integer id: 0 is the (invisible) root;
an item with a non-empty `id` string keeps its integer id for as long as this object lives, and rows
without one (separators, submenu rows, the status line) are known by their position. So a new menu
whose shape is the same only changes properties, and a host keeps its widgets and just relabels them.

Only dbus_fast and rustlamp.core are imported here; the connection is the caller's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from dbus_fast import DBusError, ErrorType, PropertyAccess, Variant
from dbus_fast.annotations import DBusSignature
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from rustlamp.core.menu import MenuItem

log = logging.getLogger("rustlamp.tray")

INTERFACE = "com.canonical.dbusmenu"
MENU_PATH = "/MenuBar"
ROOT_ID = 0
# Version 3 tells libdbusmenu clients (gtk-sni-tray, Xfce, ...) that EventGroup and
# AboutToShowGroup exist; they then send clicks through EventGroup.
PROTOCOL_VERSION = 3

# D-Bus signatures as type hints (dbus-fast reads the signature, mypy the Python type). The names are
# module-level on purpose: dbus-fast evaluates postponed annotations in this module's namespace.
Int32 = Annotated[int, DBusSignature("i")]
UInt32 = Annotated[int, DBusSignature("u")]
Str = Annotated[str, DBusSignature("s")]
Bool = Annotated[bool, DBusSignature("b")]
AnyVariant = Annotated[Variant, DBusSignature("v")]
IntList = Annotated[list[int], DBusSignature("ai")]
StrList = Annotated[list[str], DBusSignature("as")]
LayoutReply = Annotated[list[Any], DBusSignature("u(ia{sv}av)")]
GroupProperties = Annotated[list[list[Any]], DBusSignature("a(ia{sv})")]
EventList = Annotated[list[list[Any]], DBusSignature("a(isvu)")]
AboutToShowGroupReply = Annotated[list[list[int]], DBusSignature("aiai")]
LayoutUpdatedArgs = Annotated[list[int], DBusSignature("ui")]
PropertiesUpdatedArgs = Annotated[list[list[Any]], DBusSignature("a(ia{sv})a(ias)")]
NoReply = Annotated[None, DBusSignature("")]  # a plain "-> None" reads as a missing signature to dbus-fast

PropValue = str | bool | int
# The D-Bus type of each item property we send, and its value when it is not sent (the spec's default).
_PROP_SIGNATURES = {
    "label": "s",
    "enabled": "b",
    "visible": "b",
    "type": "s",
    "children-display": "s",
    "toggle-type": "s",
    "toggle-state": "i",
}
_PROP_DEFAULTS: dict[str, PropValue] = {
    "label": "",
    "enabled": True,
    "visible": True,
    "type": "standard",
    "children-display": "",
    "toggle-type": "",  # "": not a check item
    "toggle-state": -1,  # the spec: 0 off, 1 on, anything else indeterminate
}
CHECKMARK = "checkmark"  # toggle-type of an independent check item ("radio" is the other kind)

Change = Literal["layout", "properties"]


@dataclass(frozen=True)
class _Node:
    id: int
    props: dict[str, PropValue]
    children: tuple[_Node, ...]
    kind: Literal["root", "item", "separator", "submenu"]
    key: str  # what the handler receives on a click; "" when a click means nothing
    clickable: bool  # an enabled leaf with a key, under enabled submenus only

    def shape(self) -> tuple[Any, ...]:
        """What a LayoutUpdated is about: ids, nesting and kinds (a check item is its own kind: some
        hosts make another widget for it), not labels, enabled or check states."""
        toggle = self.props.get("toggle-type", "")
        return (self.id, self.kind, toggle, tuple(child.shape() for child in self.children))

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def _variant(name: str, value: PropValue) -> Variant:
    return Variant(_PROP_SIGNATURES[name], value)


def _label(text: str) -> str:
    # dbusmenu reads "_" as an access-key marker and shows "__" as "_": keep our text as written.
    return text.replace("_", "__")


class DBusMenu(ServiceInterface):
    """`com.canonical.dbusmenu` for a tuple of MenuItem; `on_click` gets the id of a clicked item.

    Export it at MENU_PATH. `set_menu` shows a new menu and tells hosts only what changed.
    """

    def __init__(self, items: tuple[MenuItem, ...], on_click: Callable[[str], None]) -> None:
        super().__init__(INTERFACE)
        self._on_click = on_click
        self._ids: dict[tuple[str, Any], int] = {}  # item id string or position -> integer id, never reused
        self._next_id = ROOT_ID + 1
        self.revision = 1
        self._root = self._build(items)
        self._index = {node.id: node for node in self._root.walk()}

    # ----- building and diffing ------------------------------------------------------------------

    def _id_for(self, key: tuple[str, Any]) -> int:
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = self._next_id
            self._next_id += 1
        return found

    def _build(self, items: tuple[MenuItem, ...]) -> _Node:
        used: set[str] = set()

        def build(item: MenuItem, path: tuple[int, ...], parents_enabled: bool) -> _Node:
            if item.id and not item.separator and item.id not in used:
                used.add(item.id)
                node_id = self._id_for(("id", item.id))
            else:  # separators, submenu rows, the status line (and a repeated id): known by position
                node_id = self._id_for(("position", path))
            if item.separator:
                return _Node(node_id, {"type": "separator"}, (), "separator", "", False)
            props: dict[str, PropValue] = {"label": _label(item.label), "visible": True}
            if not item.enabled:
                props["enabled"] = False  # enabled is the default: sent only when it is not
            enabled = parents_enabled and item.enabled
            if item.checked is not None and not item.children:
                # A check item: a host draws the mark and, on a click, sends "clicked" like for any
                # item; the state shown is always ours, sent again (ItemsPropertiesUpdated) when it flips.
                props["toggle-type"] = CHECKMARK
                props["toggle-state"] = 1 if item.checked else 0
            if item.children:
                props["children-display"] = "submenu"
                children = tuple(build(child, (*path, i), enabled) for i, child in enumerate(item.children))
                return _Node(node_id, props, children, "submenu", "", False)
            return _Node(node_id, props, (), "item", item.id, enabled and bool(item.id))

        top = tuple(build(item, (i,), True) for i, item in enumerate(items))
        # Without children-display on the root some hosts (libdbusmenu) show no menu at all.
        return _Node(ROOT_ID, {"children-display": "submenu"}, top, "root", "", False)

    def set_menu(self, items: tuple[MenuItem, ...]) -> Change | None:
        """Show `items`; emit LayoutUpdated when the shape changed, ItemsPropertiesUpdated when only
        labels, enabled or check states did, nothing when nothing did. Returns which one was sent."""
        old = self._index
        root = self._build(items)
        if root.shape() != self._root.shape():
            self._root, self._index = root, {node.id: node for node in root.walk()}
            self.revision += 1
            self.LayoutUpdated(self.revision, ROOT_ID)
            return "layout"
        updated: list[list[Any]] = []
        for node in root.walk():
            before = old[node.id].props
            changed = {
                # A property that is no longer sent went back to its default: send that value rather
                # than a "removed" entry, which not every host handles.
                name: _variant(name, node.props.get(name, _PROP_DEFAULTS[name]))
                for name in before.keys() | node.props.keys()
                if before.get(name) != node.props.get(name)
            }
            if changed:
                updated.append([node.id, changed])
        self._root, self._index = root, {node.id: node for node in root.walk()}
        if not updated:
            return None
        self.ItemsPropertiesUpdated(updated, [])
        return "properties"

    # ----- what hosts call -----------------------------------------------------------------------

    def _node(self, item_id: int) -> _Node:
        node = self._index.get(item_id)
        if node is None:
            raise DBusError(ErrorType.INVALID_ARGS, f"there is no menu item with id {item_id}")
        return node

    @staticmethod
    def _props(node: _Node, names: list[str]) -> dict[str, Variant]:
        wanted = set(names)
        return {
            name: _variant(name, value) for name, value in node.props.items() if not wanted or name in wanted
        }

    def _layout(self, node: _Node, depth: int, names: list[str]) -> list[Any]:
        children = []
        if depth != 0:  # -1: everything below; n: n levels
            children = [
                Variant("(ia{sv}av)", self._layout(child, depth - 1, names)) for child in node.children
            ]
        return [node.id, self._props(node, names), children]

    @dbus_method()
    def GetLayout(self, parentId: Int32, recursionDepth: Int32, propertyNames: StrList) -> LayoutReply:
        return [self.revision, self._layout(self._node(parentId), recursionDepth, propertyNames)]

    @dbus_method()
    def GetGroupProperties(self, ids: IntList, propertyNames: StrList) -> GroupProperties:
        nodes = [self._index[i] for i in ids if i in self._index] if ids else list(self._root.walk())
        return [[node.id, self._props(node, propertyNames)] for node in nodes]

    @dbus_method()
    def GetProperty(self, id: Int32, name: Str) -> AnyVariant:
        node = self._node(id)
        if name in node.props:
            return _variant(name, node.props[name])
        if name in _PROP_DEFAULTS:
            return _variant(name, _PROP_DEFAULTS[name])
        raise DBusError(ErrorType.INVALID_ARGS, f"menu item {id} has no property {name!r}")

    def _event(self, item_id: int, event_id: str) -> bool:
        """Handle one event; False when there is no such item."""
        node = self._index.get(item_id)
        if node is None:
            return False
        if event_id == "clicked" and node.clickable:
            self._on_click(node.key)
        return True

    @dbus_method()
    def Event(self, id: Int32, eventId: Str, data: AnyVariant, timestamp: UInt32) -> NoReply:
        if not self._event(id, eventId):
            raise DBusError(ErrorType.INVALID_ARGS, f"there is no menu item with id {id}")

    @dbus_method()
    def EventGroup(self, events: EventList) -> IntList:
        missing = [
            item_id for item_id, event_id, _data, _time in events if not self._event(item_id, event_id)
        ]
        if events and len(missing) == len(events):  # as the spec asks: an error when none was found
            raise DBusError(ErrorType.INVALID_ARGS, f"there are no menu items with ids {missing}")
        return missing

    @dbus_method()
    def AboutToShow(self, id: Int32) -> Bool:
        return False  # the menu is always up to date: nothing to refresh before it opens

    @dbus_method()
    def AboutToShowGroup(self, ids: IntList) -> AboutToShowGroupReply:
        return [[], [i for i in ids if i not in self._index]]

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> UInt32:
        return PROTOCOL_VERSION

    @dbus_property(access=PropertyAccess.READ)
    def TextDirection(self) -> Str:
        return "ltr"

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> Str:
        return "normal"

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> StrList:
        return []

    @dbus_signal()
    def LayoutUpdated(self, revision: int, parent: int) -> LayoutUpdatedArgs:
        return [revision, parent]

    @dbus_signal()
    def ItemsPropertiesUpdated(
        self, updated: list[list[Any]], removed: list[list[Any]]
    ) -> PropertiesUpdatedArgs:
        return [updated, removed]
