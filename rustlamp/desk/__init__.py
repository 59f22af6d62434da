"""Knowing the desk: whether the person is there (idle), whether now is a bad moment (fullscreen,
do-not-disturb), and when the machine sleeps or the screen locks. Thin OS adapters that report what
they see as DeskEvents; what the events mean for reminders is decided in the core."""
