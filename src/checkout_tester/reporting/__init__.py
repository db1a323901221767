"""Reporters: each one is a listener of engine events."""
