"""Safety: the CTCAE v5.0 dictionary and lab grading, CRS/ICANS/CRES graders, DLT adjudication."""
