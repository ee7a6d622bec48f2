"""Volunteer points: an append-only ledger, balances, rewards and redemption, the volunteer certificate."""
