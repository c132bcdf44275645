"""The stock ledger's long tables, written in Python: the movement table (an item's page shows
40 movements a page) and the stock overview's rows (100 items a page). Drawn in Jinja (a
filter, a label and a link per cell) they cost more than the rest of their pages. Here each
column's word is translated once a table, a link is ``url_for`` once an endpoint
(:func:`~blueprints.stock.helpers.stock_link`), and every value that comes from people
(names, codes, sizes, free text) is escaped.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from blueprints.stock.helpers import qty, stock_link
from blueprints.stock.labels import category_label, fit_label, movement_kind_label, reason_label
from logistics.i18n import format_date, format_datetime
from logistics.stock.catalogue import unit_label


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


def overview_rows(rows, today, warn_until: int) -> Markup:
    """The stock overview's rows, a ``<tbody>`` per category in the order given (rows come
    sorted by category): item, on hand with its unit, nearest usable expiry (red when past,
    amber up to ``warn_until``, an ordinal day)."""
    below_word, none_word = _("Below minimum"), _("None")
    groups: list[str] = []
    category = object()
    lines: list[str] = []
    for row in rows:
        item = row.item
        if item.category != category:
            if lines:
                groups.append("\n".join(lines))
            category = item.category
            lines = [f'    <tr class="group-row"><th colspan="3" scope="colgroup">{escape(category_label(category))}'
                     f'</th></tr>']
        name = f'<a href="{stock_link("stock.item", "item_id", item.id)}">{escape(item.name)}</a>'
        if item.size:
            name += f' <span class="muted">{escape(fit_label(item.fit))} {escape(item.size)}</span>'
        if row.below_minimum:
            name += f' <span class="badge badge-bad">{below_word}</span>'
        elif row.total == 0:
            name += f' <span class="badge">{none_word}</span>'
        expiry = ""
        if row.nearest_expiry:
            nearest = row.nearest_expiry
            look = ("badge badge-bad" if nearest < today else
                    "badge badge-warn" if nearest.toordinal() <= warn_until else "")
            expiry = f'<span class="{look}">{escape(format_date(nearest))}</span>'
        lines.append(f"    <tr>\n      <td>{name}</td>\n"
                     f'      <td class="num">{escape(qty(row.on_hand))} <span class="muted small">'
                     f"{escape(unit_label(item.unit))}</span></td>\n"
                     f"      <td>{expiry}</td>\n    </tr>")
    if lines:
        groups.append("\n".join(lines))
    return Markup("".join(f"\n  <tbody>\n{group}\n  </tbody>" for group in groups))
