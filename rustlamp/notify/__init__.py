"""Notifications behind one small typed interface; backends are chosen in `rustlamp.notify.select`."""

from rustlamp.notify.base import ActionHandler, Button, Message, Notifier, NotifierStatus

__all__ = ["ActionHandler", "Button", "Message", "Notifier", "NotifierStatus"]
