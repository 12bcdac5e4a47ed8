"""crm template list / show / render: messages filled from a contact's fields."""

from typing import Annotated

import typer

from .. import clock, contacts, output, templates
from ..options import Format, Ref, Wide, command_group, db_path, open_store

app = command_group("Message templates filled from a contact's fields.")


@app.command("list")
def template_list(fmt: Format = None, wide: Wide = False) -> None:
    """Built-in templates and your own (NAME.txt in the templates folder beside the database)."""
    output.render(templates.listing(db_path()), output.check_format(fmt))


@app.command("show")
def template_show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A template's name.")],
) -> None:
    """Print a template as written, placeholders and all."""
    output.document(templates.get(db_path(), name)[1])


@app.command("render")
def template_render(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A template's name.")],
    ref: Ref,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="Supply a field: --set amount_due=1200.")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Fill it for a contact marked do-not-contact all the same."),
    ] = False,
) -> None:
    """Print a message filled with a contact's fields; a missing field is an error naming it.
    A contact marked do-not-contact is refused (unless --force)."""
    store = open_store()
    text = templates.get(db_path(), name)[1]
    contact = contacts.resolve(store, ref)
    templates.check_reachable(contact, force)
    fields = templates.contact_fields(store, contact, clock.today(), clock.now())
    fields.update(templates.parse_sets(sets or []))
    output.document(templates.render(name, text, fields, contact["name"]))
