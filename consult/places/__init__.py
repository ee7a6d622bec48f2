"""Places and people's standing in them: streets, communities, residences, staff appointments."""
