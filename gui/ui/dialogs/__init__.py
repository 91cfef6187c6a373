"""Settings, about and keyboard-shortcut dialogs."""
