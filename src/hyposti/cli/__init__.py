"""The `hyposti` command: one module per command group, all calling the same engine functions."""
