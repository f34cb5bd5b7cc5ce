"""Forms by area: each module parses and shows errors; the services decide (STYLE.md 15)."""
