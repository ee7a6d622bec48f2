"""`flask create-admin`: the first site administrator of a real installation."""

import click
from flask import Flask

from consult.accounts import services
from consult.core.errors import DomainError
from consult.extensions import db
from consult.places import services as places_services


def register(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.option("--username", prompt=True)
    @click.option("--display-name", prompt=True)
    @click.password_option()
    def create_admin(username: str, display_name: str, password: str):
        """Create a site administrator account."""
        try:
            services._check_new_password(password)
            user = services._create_user(username, display_name, password=password, phone=None, language="zh_CN")
            places_services.appoint_site_admin(None, user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        click.echo(f"site admin {user.username} created")
