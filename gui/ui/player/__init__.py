"""The media player with transport controls."""
