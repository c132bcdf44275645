"""The stock ledger's movement table, written in Python: an item's page shows 40 movements a
page, and the table drawn as a Jinja macro (a filter, a label and a link per cell) cost more
than the rest of the page. Here each column's word is translated once a table, a link is
``url_for`` once an endpoint (:func:`~blueprints.stock.helpers.stock_link`), and every value
that comes from people (names, codes, free text) is escaped.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from blueprints.stock.helpers import qty, stock_link
from blueprints.stock.labels import movement_kind_label, reason_label
from logistics.i18n import format_datetime


def movement_table(movements, show_item: bool = False, undo: bool = False) -> Markup:
    """Movements as a table that stacks into cards on a phone (``show_item``: a column naming
    the item; ``undo``: a link to undo each movement that is not itself an undo)."""
    when, item, what, quantity, lot, from_, to, reason, by = (
        _("When"), _("Item"), _("What"), _("Quantity"), _("Lot"), _("From"), _("To"), _("Reason"), _("By"))
    head = (f'<th>{when}</th>{f"<th>{item}</th>" if show_item else ""}<th>{what}</th>\n'
            f'    <th class="num">{quantity}</th><th>{lot}</th><th>{from_}</th><th>{to}</th>\n'
            f'    <th>{reason}</th><th>{by}</th>')
    if undo:
        head += f'<th><span class="visually-hidden">{_("Actions")}</span></th>'
        undo_word = _("Undo")
    trip = _("the bag's trip")
    rows = []
    for m in movements:
        cells = [f'<td data-label="{when}">{escape(format_datetime(m.at))}</td>']
        if show_item:
            cells.append(f'<td data-label="{item}"><a href="{stock_link("stock.item", "item_id", m.item_id)}">'
                         f'{escape(m.item.full_name)}</a></td>')
        undoes = (f' <span class="small muted">{escape(_("undoes %(id)s", id=m.reverses_id))}</span>'
                  if m.reverses_id else "")
        cells.append(f'<td data-label="{what}"><span class="badge kind-{escape(m.kind.value)}">'
                     f'{escape(movement_kind_label(m.kind))}</span>{undoes}</td>')
        cells.append(f'<td class="num" data-label="{quantity}">{escape(qty(m.quantity))}</td>')
        cells.append(f'<td data-label="{lot}"><a href="{stock_link("stock.lot", "lot_id", m.lot_id)}">'
                     f'{escape(m.lot.code or "—")}</a></td>')
        cells.append(f'<td data-label="{from_}">{escape(m.from_location.name) if m.from_location else ""}</td>')
        cells.append(f'<td data-label="{to}">{escape(m.to_location.name) if m.to_location else ""}</td>')
        why = str(escape(reason_label(m.reason))) if m.reason else ""
        if m.source_name:
            why += f" {escape(m.source_name)}"
        if m.reference_type == "outreach":
            why += (f' <a class="small" href="{url_for("stock.outreach_detail", outreach_id=m.reference_id)}">'
                    f'({trip})</a>')
        elif m.reference_type:
            why += f' <span class="small muted">({escape(m.reference_type)} {escape(m.reference_id)})</span>'
        cells.append(f'<td data-label="{reason}">{why}</td>')
        cells.append(f'<td data-label="{by}">{escape(m.by.first_name) if m.by else ""}</td>')
        if undo:
            link = ("" if m.reverses_id else
                    f'<a class="small" href="{stock_link("stock.undo", "movement_id", m.id)}">{undo_word}</a>')
            cells.append(f"<td>{link}</td>")
        rows.append("  <tr>\n    " + "\n    ".join(cells) + "\n  </tr>")
    return Markup(
        '<div class="table-wrap">\n<table class="stack-table">\n'
        f'  <thead><tr>\n    {head}\n  </tr></thead>\n  <tbody>\n'
        + "\n".join(rows) + "\n  </tbody>\n</table>\n</div>")
