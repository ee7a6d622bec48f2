"""`flask points verify`: every balance against the sum of its ledger."""

import click
from flask import Flask

from consult.points.queries import verify_balances


def register(app: Flask) -> None:
    points = app.cli.commands.get("points") or click.Group("points", help="The points ledger.")

    @points.command("verify")
    def verify():
        """Compare every balance (and every entry's balance after it) with the ledger; exit 1 on any difference."""
        problems = verify_balances()
        for p in problems:
            where = f"user {p['user_id']} community {p['community_id']}" + (f" entry {p['entry_id']}" if "entry_id" in p else "")
            click.echo(f"{where}: balance {p['balance']} but ledger {p['ledger']}")
        if problems:
            raise SystemExit(1)
        click.echo("all balances match the ledger")

    app.cli.add_command(points)
