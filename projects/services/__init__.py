"""Writes: typed, keyword-only, atomic functions named <entity>_<action>, one module per area."""
