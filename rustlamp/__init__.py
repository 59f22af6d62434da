"""rustlamp: a quiet tray lamp that invites a tired person to rest, gently."""

__version__ = "0.1.0"
APP_NAME = "rustlamp"
