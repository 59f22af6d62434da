"""Adapters to the operating system: paths, logging and the wall-clock alarm."""
