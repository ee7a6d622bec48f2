"""Resident requests (接诉即办): report, respond, hand over, resolve, confirm or call back (docs/requests.md)."""
