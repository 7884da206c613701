"""Who took part in which agenda item, judged in the order the items were treated.

A member who "left after sak 72" when sak 72 was treated after sak 69 was not there for 70 and
71; one who took part only in some items was there for those. `check` uses this to test what
the minutes say against itself: a vote with more votes than members there, a named voter or a
disqualified member who was not there.
"""

from __future__ import annotations

from .model import Meeting, Person, Substitute


def _position(meeting: Meeting, order: list[int], ref: int | str | None) -> int | None:
    if ref is None:
        return None
    item = meeting.item_for(ref)
    return next((k for k, i in enumerate(order) if meeting.data.items[i] is item), None)


def _there(meeting: Meeting, order: list[int], person: Person | Substitute) -> set[int]:
    """The indexes of the items ``person`` took part in."""
    if person.items:
        named = [meeting.item_for(r) for r in person.items]
        return {i for i in order if any(meeting.data.items[i] is x for x in named)}
    first, last = 0, len(order) - 1
    if isinstance(person, Person):
        arrived = _position(meeting, order, person.arrived_at)
        left = _position(meeting, order, person.left_after)
        first = arrived if arrived is not None else first
        last = left if left is not None else last
    return {order[k] for k in range(first, last + 1)}


def members_at(meeting: Meeting) -> dict[int, set[str]]:
    """Item index → the names of the members (chair, present, substitutes) there for it;
    empty when the minutes list no member as present."""
    p = meeting.data.participants
    people: list[Person | Substitute] = [*((p.chair,) if p.chair else ()), *p.present,
                                         *p.substitutes]  # fmt: skip
    order = meeting.treatment_order()
    at: dict[int, set[str]] = {i: set() for i in order}
    if not p.present and not p.substitutes:
        return {}
    for person in people:
        for i in _there(meeting, order, person):
            at[i].add(person.who)
    return at
