"""The tray icon behind one interface; the backend (SNI, XEmbed, pystray) is chosen in `select`."""
