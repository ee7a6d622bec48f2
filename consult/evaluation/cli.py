"""`flask evaluation compute --month YYYY-MM`: store a month's figures and rankings."""

import click
from flask import Flask

from consult.core.errors import DomainError
from consult.evaluation import services
from consult.extensions import db


def register(app: Flask) -> None:
    group = click.Group("evaluation", help="Monthly service evaluation.")

    @group.command("compute")
    @click.option("--month", required=True, help="YYYY-MM, a month that has ended")
    def compute(month: str):
        """Compute and store a month's figures for every street (months already stored are kept)."""
        try:
            stored = services.store_all(month)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        click.echo(f"{month}: {stored} street(s) stored")

    app.cli.add_command(group)
