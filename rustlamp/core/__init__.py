"""The pure core: settings, schedule, content and clock.

Nothing in this package may import a tray, toolkit, notification or image library; the
adapters around it do that. tests/test_core_is_pure.py proves it.
"""
