"""The shift lists' repeated pieces (a calendar chip, a title, a time, the staffing badge, the
person's badge) written in Python: the same HTML as the macros of templates/shifts/_macros.html,
for the pages that draw them for every row (the week, a month's day, my shifts, open shifts).

A macro call per row cost more than anything else on those pages (Jinja's call machinery, a
translation lookup per word, a ``url_for`` and the time-zone and Babel work per shift). Here
the words are translated once per page, a link is ``url_for`` once per endpoint with the id
put in, and a time span is formatted once per distinct value (:class:`Page`, one per request).
The macros stay for the pages that draw a piece once; both must write the same HTML (the
tests compare them).
"""
from __future__ import annotations

from flask import g, url_for
from flask_babel import ngettext
from markupsafe import Markup, escape

from logistics import i18n
from logistics.clock import as_utc, org_tz


def N_(message: str) -> str:
    """Marks a message for the catalogue (pybabel extracts ``N_``); :meth:`Page.word` translates it."""
    return message


_BADGES = "\n        "
_CHIPS = "\n      "

#: The id put into a link and then replaced by the row's (any number no row has).
_MARK = 987654321987


class Page:
    """What a page's rows share, worked out once: the person's view (insider or not), the
    page's words, link patterns, formatted times."""

    def __init__(self):
        from blueprints.shifts.helpers import is_insider

        self.insider = is_insider()
        self.language = i18n.current_language()
        self.catalogue = i18n.translations()
        self.zone = org_tz()
        self._words: dict[str, str] = {}
        self._urls: dict[tuple, tuple[str, str]] = {}
        self._spans: dict[tuple, str] = {}
        self._looks: dict[tuple, tuple[str, str]] = {}

    def word(self, message: str) -> str:
        """A translated message, trusted as a template's ``_()`` is: put into the HTML as it
        is (the values put into it here are numbers)."""
        if message not in self._words:
            self._words[message] = self.catalogue.ugettext(message)
        return self._words[message]

    def url(self, endpoint: str, key: str, value) -> str:
        """``url_for(endpoint, key=value)``, with ``url_for`` once per endpoint and key."""
        if (endpoint, key) not in self._urls:
            head, _mark, tail = url_for(endpoint, **{key: _MARK}).partition(str(_MARK))
            self._urls[(endpoint, key)] = (head, tail)
        head, tail = self._urls[(endpoint, key)]
        return f"{head}{value}{tail}"

    def _wall(self, value):
        """An instant as the organisation's naive wall-clock time (the formatters take those
        as they are: the zone looked up once per page, not per time)."""
        return as_utc(value).astimezone(self.zone).replace(tzinfo=None)

    def span(self, start, end) -> str:
        key = ("span", start, end)
        if key not in self._spans:
            self._spans[key] = i18n.format_span(self._wall(start), self._wall(end), self.language)
        return self._spans[key]

    def day_span(self, start, end) -> str:
        key = ("day_span", start, end)
        if key not in self._spans:
            self._spans[key] = i18n.format_day_span(self._wall(start), self._wall(end), self.language)
        return self._spans[key]

    # --- the pieces -------------------------------------------------------------------------

    def shows_place(self, shift, mine: bool = False) -> bool:
        return not shift.activity.is_discreet or mine or self.insider

    def title_text(self, shift, mine: bool = False) -> str:
        """helpers.shift_title."""
        if shift.activity.is_discreet and not mine and not self.insider:
            return self.word("HopeNow shift")  # escaped where used, as the template's was
        return shift.activity.name

    def title(self, shift, mine: bool = False) -> Markup:
        """The ``title`` macro."""
        html = f'<span class="shift-title">{escape(self.title_text(shift, mine))}</span>'
        if self.shows_place(shift, mine) and shift.place:
            html += f'<span class="muted"> · {escape(shift.place.name)}</span>'
        return Markup(html)

    def when(self, shift) -> Markup:
        """The ``when`` macro."""
        return Markup(f'<span class="shift-when">{escape(self.day_span(shift.starts_at, shift.ends_at))}</span>')

    def staffing(self, shift) -> Markup:
        """The ``staffing`` macro."""
        needed, n = shift.needed, shift.confirmed_count
        of = self.word("%(n)d of %(max)d") % {"n": n, "max": shift.capacity_max}
        if shift.is_cancelled:
            return Markup(f'<span class="badge badge-bad">{self.word("Cancelled")}</span>')
        if n >= needed:
            return Markup(f'<span class="badge badge-ok">{of}</span>')
        if n > 0:
            return Markup(f'<span class="badge badge-warn">{of}'
                          f' · {self.word("needs %(k)d more") % {"k": needed - n}}</span>')
        return Markup(f'<span class="badge badge-bad">{self.word("nobody yet")} · '
                      f'{self.word("needs %(k)d") % {"k": needed}}</span>')

    def my_badge(self, signup) -> Markup:
        """The ``my_badge`` macro."""
        if signup and signup.status.value == "confirmed":
            return Markup(f'<span class="badge badge-info">{self.word("You are on it")}</span>')
        if signup and signup.status.value == "waitlisted":
            place = self.word("Waitlist no. %(n)d") % {"n": signup.position}
            return Markup(f'<span class="badge badge-warn">{place}</span>')
        return Markup("")

    def _chip_look(self, activity, mine: bool) -> tuple[str, str]:
        """A chip's colour class and escaped title for a shift of ``activity``: worked out once
        per activity and page (a week has ~190 chips of a handful of activities)."""
        key = (activity.id, mine)
        look = self._looks.get(key)
        if look is None:
            shows = not activity.is_discreet or mine or self.insider
            title = activity.name if shows else self.word("HopeNow shift")  # as title_text
            look = self._looks[key] = (f"shift-chip colour-{escape(activity.colour if shows else 'grey')}",
                                       str(escape(title)))
        return look

    def chip(self, shift, signup=None) -> Markup:
        """The ``chip`` macro: a shift in a calendar."""
        mine = signup is not None
        waiting = mine and signup.status.value == "waitlisted"
        classes, title = self._chip_look(shift.activity, mine)
        if shift.is_cancelled:
            classes += " is-cancelled"
            meta = self.word("Cancelled")
        else:
            meta = f"{shift.confirmed_count}/{shift.capacity_max}"
            if shift.confirmed_count < shift.needed:
                meta += f' · {self.word("needs people")}'
        if mine and not waiting:
            classes += " is-mine"
        if waiting:
            classes += " is-waiting"
            meta += f' · {self.word("waitlist no. %(n)d") % {"n": signup.position}}'
        elif mine:
            meta += f' · {self.word("you")}'
        return Markup(
            f'<a class="{classes}" href="{self.url("shifts.shift", "shift_id", shift.id)}">\n'
            f'    <span class="chip-time">{escape(self.span(shift.starts_at, shift.ends_at))}</span>\n'
            f'    <span class="chip-title">{title}</span>\n'
            f'    <span class="chip-meta">{meta}</span>\n  </a>')

    def chips(self, shifts, mine) -> Markup:
        """A day's chips (``mine``: the person's sign-ups by shift id)."""
        return Markup(_CHIPS.join(self.chip(shift, mine.get(shift.id)) for shift in shifts))

    # --- whole rows of the lists ------------------------------------------------------------

    def mine_item(self, signup, kit_kinds) -> Markup:
        """A coming sign-up on My shifts (templates/shifts/signups/mine.html)."""
        shift = signup.shift
        url = self.url("shifts.shift", "shift_id", shift.id)
        badges = [self.my_badge(signup)]
        if shift.is_cancelled:
            badges.append(f'<span class="badge badge-bad">{self.word(N_("Cancelled"))}</span>')
        if signup.swap_offered_at:
            badges.append(f'<span class="badge">{self.word(N_("Offered for swap"))}</span>')
        if signup.cancel_requested_at:
            badges.append(f'<span class="badge">{self.word(N_("Cancellation requested"))}</span>')
        kit = ""
        if signup.status.value == "confirmed" and not shift.is_cancelled and shift.activity.kind.value in kit_kinds:
            kit_url = self.url("shifts.kit", "shift_id", shift.id)
            kit = f'<a class="button button-small button-secondary" href="{kit_url}">{self.word(N_("Kit"))}</a>'
        return Markup(
            f'<li class="shift-item colour-{escape(shift.activity.colour)}">\n'
            f'    <div class="shift-main">\n'
            f'      <a href="{url}"><strong>{self.title(shift, True)}</strong></a>\n'
            f'      <div>{self.when(shift)}</div>\n'
            f'      <div class="badges">\n        {_BADGES.join(badges)}\n      </div>\n'
            f'    </div>\n'
            f'    <div class="shift-actions">\n'
            f'      <a class="button button-small button-secondary" href="{url}">{self.word(N_("Details"))}</a>\n'
            f'      {kit}\n'
            f'    </div>\n'
            f'  </li>')

    def open_item(self, shift, hidden: Markup) -> Markup:
        """A shift on Open shifts with its sign-up form (templates/shifts/signups/open.html);
        ``hidden`` is the form's hidden fields (a fresh one-time token for each row)."""
        shows = self.shows_place(shift)
        classes = f"shift-item colour-{escape(shift.activity.colour if shows else 'grey')}"
        if shift.needs_people:
            classes += " needs-people"
        title = escape(self.title_text(shift))
        place = f'<span class="muted">{escape(shift.place.name)}</span> ' if shows and shift.place else ""
        label = f"{title}, {escape(self.day_span(shift.starts_at, shift.ends_at))}"
        if shift.is_full:
            word = self.word(N_("Join the waitlist"))
            button = (f'<button type="submit" class="button button-small button-secondary" '
                      f'aria-label="{word}: {label}">{word}</button>')
        else:
            word = self.word(N_("Sign up"))
            button = f'<button type="submit" class="button button-small" aria-label="{word}: {label}">{word}</button>'
        span = escape(self.span(shift.starts_at, shift.ends_at))
        action = self.url("shifts.signup", "shift_id", shift.id)
        return Markup(
            f'<li class="{classes}">\n'
            f'      <div class="shift-main">\n'
            f'        <a href="{self.url("shifts.shift", "shift_id", shift.id)}"><span class="shift-time">'
            f'{span}</span> <strong class="shift-title">{title}</strong></a>\n'
            f'        <div class="shift-sub">{place}{self.staffing(shift)}</div>\n'
            f'      </div>\n'
            f'      <form method="post" action="{action}" class="shift-actions">\n'
            f'        {hidden}\n'
            f'        {button}\n'
            f'      </form>\n'
            f'    </li>')

    @staticmethod
    def coverage_cells(cells) -> Markup:
        """A day's hours on the coverage board (templates/shifts/staffing/coverage.html): 24
        cells a row, 672 on the board."""
        return Markup("".join(
            f'<td class="cov cov-{c.state}{" is-past" if c.past else ""}"><span class="visually-hidden">'
            f'{c.hour:02d}:00 </span>{int(c.confirmed)}{_coming(c.coming)}</td>' for c in cells))


def _coming(count: int) -> str:
    """The ✓ of an hour where people said "I'm coming" (one-tap replies), with its words for
    screen readers; nothing for most hours."""
    if not count:
        return ""
    words = escape(ngettext("%(num)d said they are coming", "%(num)d said they are coming", count))
    return (f'<span class="cov-coming" aria-hidden="true">✓</span>'
            f'<span class="visually-hidden"> ({words})</span>')


def page() -> Page:
    """This request's :class:`Page` (made on first use)."""
    current = g.get("_shift_rows")
    if current is None:
        current = g._shift_rows = Page()
    return current
