"""Command-line tasks: `flask --app wsgi <command>`."""

import click
from flask import current_app
from flask.cli import with_appcontext
from pymongo.errors import OperationFailure

from app import db
from app.services import demo
from app.services.channel.webhook_replay import replay_failures
from app.services.conversations import message_migration
from app.services.errors import ServiceError
from app.services.people import api_tokens, users
from app.services.retention import erasure, export


def _fail(exc):
    details = "; ".join(f"{field}: {message}" for field, message in exc.fields.items())
    raise click.ClickException(f"{exc.message} {details}".strip())


@click.command("init-db")
@click.option("--rebuild", multiple=True, metavar="COLLECTION.INDEX", help="Drop this index and create it as declared.")
def init_db(rebuild):
    """Create every index the app needs and move messages kept inside interactions (earlier
    versions) into their collection; safe to repeat. Fails naming each index that differs."""
    for name in rebuild:
        try:
            db.rebuild_index(name)
        except KeyError:
            raise click.ClickException(f"no declared index is named {name!r} (collection.index)") from None
        except OperationFailure as exc:
            raise click.ClickException(
                f"{name} could not be created as declared: {(exc.details or {}).get('errmsg', exc)}"
            ) from None
        click.echo(f"{name} rebuilt.")
    conflicts = db.ensure_indexes()
    if conflicts:
        raise click.ClickException("\n".join(conflicts))
    click.echo(f"{len(db.INDEXES)} indexes in place.")
    interactions, moved = message_migration.move_embedded_messages()
    if interactions:
        click.echo(f"{moved} messages of {interactions} interactions moved into the messages collection.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(users.ROLES), default="agent", show_default=True)
def create_user(email, password, name, role):
    """Create an admin or agent."""
    try:
        user = users.create_user(email, password, name, role)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"Created {user['role']} {user['email']}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create the demo admin, agents, queue and sandbox account (idempotent); never in production."""
    if current_app.config["PARLEY_CONFIG_NAME"] == "production":
        raise click.ClickException("demo data has a published password: it is never created in production")
    logins = demo.seed_demo()
    click.echo("Demo logins:")
    for email, password, role in logins:
        click.echo(f"  {role:<6} {email} / {password}")


@click.command("create-token")
@click.option("--email", required=True)
@click.option("--name", default="command line", show_default=True)
@click.option("--read-only", is_flag=True, help="The token may only read (GET).")
@click.option("--valid-until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day the token works (UTC).")
def create_token(email, name, read_only, valid_until):
    """Create a REST API token for a user; it is printed once and stored only as a hash."""
    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    try:
        scope = "read" if read_only else "full"
        token, _ = api_tokens.create_token(user["_id"], name, scope, valid_until.date() if valid_until else None)
    except ServiceError as exc:
        _fail(exc)
    click.echo(token)


@click.command("replay-webhook-failures")
@click.option("--limit", default=500, show_default=True, help="How many failures to replay, oldest first.")
def replay_webhook_failures(limit):
    """Store again the webhook events that could not be stored when they arrived."""
    counts = replay_failures(limit)
    click.echo(f"{counts['replayed']} replayed, {counts['failed']} failed again, {counts['orphaned']} for deleted accounts.")


@click.command("export-contact")
@click.argument("contact_id")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="The ZIP to write (default: contact-<id>.zip).")
def export_contact(contact_id, output):
    """Write everything held about the person of a contact (a GDPR access request) to a ZIP."""
    try:
        name, data = export.build(contact_id)
    except ServiceError as exc:
        _fail(exc)
    with open(output or name, "wb") as out:
        out.write(data)
    click.echo(f"Wrote {output or name} ({len(data):,} bytes).")


@click.command("erase-contact")
@click.argument("contact_id")
@click.confirmation_option(prompt="Erase this person's contacts, conversations and attachments for good?")
def erase_contact(contact_id):
    """Erase the person of a contact (a GDPR erasure request): contacts in every list, conversations, attachments."""
    try:
        counts = erasure.erase(contact_id, "command line")
    except ServiceError as exc:
        _fail(exc)
    click.echo("Erased: " + ", ".join(f"{count} {what.replace('_', ' ')}" for what, count in counts.items()) + ".")


def register_cli(app):
    for command in (init_db, create_user, seed_demo, create_token, replay_webhook_failures, export_contact, erase_contact):
        app.cli.add_command(command)
