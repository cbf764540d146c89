"""hyposti: the NCT05681650 protocol as data and the engine that applies it."""

__version__ = "0.1.0"
