"""Small Qt windows, each run as a child process so the tray process never loads a toolkit."""
