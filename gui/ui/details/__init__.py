"""The selected result: what it was made from, and what to do with it."""
