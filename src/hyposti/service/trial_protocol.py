"""The protocol the service runs: the shipped NCT05681650 file, or HYPOSTI_PROTOCOL's."""

from __future__ import annotations

import os
from functools import cache

from hyposti.protocol import Protocol, load_protocol


@cache
def trial_protocol() -> Protocol:
    """Loaded and validated once per process (the file is data and does not change while served)."""
    return load_protocol(os.environ.get("HYPOSTI_PROTOCOL") or None)
