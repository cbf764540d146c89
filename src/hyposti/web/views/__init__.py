"""One module per page; each view reads through selectors and writes through one service."""
