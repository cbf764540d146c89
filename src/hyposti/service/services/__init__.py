"""Write services, one module per workflow area: keyword-only, typed, one transaction each."""
