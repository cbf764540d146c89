"""The in-silico twin: mechanistic virtual patients (hypoxia-gated CAR), the trial's rules."""
