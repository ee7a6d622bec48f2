"""`flask create-admin`: the first site administrator of a real installation."""

import click
from flask import Flask

from consult.core.errors import DomainError
from consult.extensions import db
from consult.places import residents


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--username", prompt=True)
    @click.option("--display-name", prompt=True)
    @click.password_option()
    def create_admin(username: str, display_name: str, password: str):
        """Create a site administrator account."""
        try:
            user = residents.create_site_admin(username, display_name, password)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        click.echo(f"site admin {user.username} created")
