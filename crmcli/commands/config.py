"""crm config get / set / list: settings kept in the database."""

from typing import Annotated

import typer

from .. import output, settings
from ..options import Format, Wide, command_group, open_store

app = command_group("Settings kept in the database.")


@app.command("get")
def get(
    key: Annotated[str, typer.Argument(metavar="KEY", help="A setting (see `crm config list`).")],
) -> None:
    """Print one setting's value."""
    print(settings.get(open_store(), key))


@app.command("set")
def set_(
    key: Annotated[str, typer.Argument(metavar="KEY", help="A setting.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="Its new value.")],
) -> None:
    """Change a setting."""
    stored = settings.put(open_store(create=True), key, value)
    output.message(f"{settings.setting(key).key} = {stored}")


@app.command("list")
def list_(fmt: Format = None, wide: Wide = False) -> None:
    """Every setting with its value and default."""
    output.render(settings.listing(open_store()), output.check_format(fmt))
