"""Tests of hyposti.virtual (a package, so that test_trial.py may share its basename)."""
