"""`flask generate city`: a realistic generated city for benchmarks and demonstrations (city.py)."""
