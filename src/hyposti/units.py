"""Units of time shared by the analysis, the report and the synthetic trial."""

# A month is a twelfth of the Julian year (365.25 days), 30.4375 days: the convention of survival
# reporting (e.g. SAS and R survival tables quoting rates "at 6, 12, 24 months").
DAYS_PER_MONTH = 365.25 / 12
