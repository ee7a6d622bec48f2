"""Shared services: model base, clock, errors, access, audit, notifications, exports."""
