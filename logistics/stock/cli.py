"""``flask --app wsgi stock …`` commands."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from logistics.extensions import db


@click.group("stock")
def stock() -> None:
    """Stock ledger commands."""


@stock.command("verify")
@click.option("--mend-expiry", is_flag=True,
              help="First give balances their lot's expiry date where their copy differs.")
@with_appcontext
def verify(mend_expiry: bool) -> None:
    """Recompute every balance from the ledger; exit 1 if any differs."""
    from logistics.stock.catalogue import fmt
    from logistics.stock.ledger import copy_lot_expiry
    from logistics.stock.ledger import verify as verify_ledger
    from logistics.stock.models import Item, Location, Lot

    if mend_expiry:
        mended = copy_lot_expiry(db.session)
        db.session.commit()
        click.echo(f"Gave {mended} balances their lot's expiry date.")
    result = verify_ledger(db.session)
    click.echo(f"Checked {result.checked} balances against the ledger.")
    if result.expiry_differences:
        click.echo(f"{len(result.expiry_differences)} balances do not carry their lot's expiry date "
                   "(item / lot / location ids; --mend-expiry copies it):", err=True)
        for item_id, lot_id, location_id in result.expiry_differences:
            click.echo(f"  {item_id} / {lot_id} / {location_id}", err=True)
    if not result.differences:
        if result.expiry_differences:
            sys.exit(1)
        click.echo("No differences: every balance equals the sum of its movements.")
        return
    click.echo(f"{len(result.differences)} differences (item / lot / location: balance vs ledger):", err=True)
    for item_id, lot_id, location_id, balance, in_ledger in result.differences:
        item, lot = db.session.get(Item, item_id), db.session.get(Lot, lot_id)
        loc = db.session.get(Location, location_id)
        click.echo(f"  {item.full_name if item else item_id} / {lot.code if lot and lot.code else lot_id} / "
                   f"{loc.name if loc else location_id}: balance {fmt(balance)} vs ledger {fmt(in_ledger)}",
                   err=True)
    sys.exit(1)
