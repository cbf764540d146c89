"""Virtual patients and the synthetic trial run through the real rule engines."""
