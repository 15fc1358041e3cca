"""Engine benchmark: assessments per second by chain length and registry size, against pydantic
validation of the same record measured in the same run. Run with ``make bench-engine``."""
