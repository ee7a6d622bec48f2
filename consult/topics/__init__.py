"""Consultation topics: propose, support, vote, discuss, outcome, progress, satisfaction."""
