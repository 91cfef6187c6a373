"""The jobs side panel: list model, filter, painted rows."""
