"""The local MTurk's memory on disk: the market's changes written to its store and read
back when the process starts again (:mod:`sims.store`; ``var/mturk/`` in ``make run``).

HIT types (with their notification settings), HITs with their assignments, the
``UniqueRequestToken`` memory and the balance are kept, each change committed before
the answer, as MTurk keeps them whatever happens to one of its servers. A HIT's page is
parsed again from its ``Question`` when read back.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from sims.mturk.hits import Assignment, Hit, HitType
from sims.mturk.market import Market
from sims.mturk.questions import html_of, page_of
from sims.store import Store


def hit_record(hit: Hit) -> dict[str, Any]:
    """A HIT as stored: its fields, its type's id and its assignments."""
    return {
        "hit_id": hit.hit_id,
        "type_id": hit.hit_type.type_id,
        "question": hit.question,
        "max_assignments": hit.max_assignments,
        "creation_time": hit.creation_time,
        "expiration": hit.expiration,
        "annotation": hit.annotation,
        "status": hit.status,
        "assignments": [asdict(assignment) for assignment in hit.assignments],
    }


def hit_of(record: dict[str, Any], types: dict[str, HitType]) -> Hit:
    """A stored HIT as the market holds it."""
    hit = Hit(
        record["hit_id"],
        types[record["type_id"]],
        record["question"],
        page_of(html_of(record["question"])),
        record["max_assignments"],
        record["creation_time"],
        record["expiration"],
        record["annotation"],
        record["status"],
    )
    hit.assignments = [Assignment(**shown) for shown in record["assignments"]]
    return hit


class Ledger:
    """Writes the market's changes to ``store``; reads the market back from it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def batch(self) -> AbstractContextManager[None]:
        """One commit for the changes inside."""
        return self.store.batch()

    def hit_changed(self, hit: Hit) -> None:
        self.store.put("hit", hit.hit_id, hit_record(hit))

    def type_changed(self, hit_type: HitType) -> None:
        shown = {"fields": hit_type.fields, "notification": hit_type.notification}
        self.store.put("hit_type", hit_type.type_id, shown | {"active": hit_type.active})

    def token_used(self, key: str, hit_id: str, at: float) -> None:
        self.store.put("token", key, [hit_id, at])

    def balance_changed(self, balance: Decimal) -> None:
        self.store.put("account", "balance", str(balance))

    def market(self, balance_dollars: float) -> Market:
        """The market as stored (``balance_dollars`` is the balance of a new account)."""
        market = Market(balance_dollars, self)
        balance = self.store.get("account", "balance")
        if balance is not None:
            market.balance = Decimal(balance)
        for type_id, shown in self.store.load("hit_type"):
            market.types[type_id] = HitType(
                type_id, shown["fields"], shown["notification"], shown["active"]
            )
        for hit_id, record in self.store.load("hit"):
            hit = market.hits[hit_id] = hit_of(record, market.types)
            market.assignments |= {a.assignment_id: a for a in hit.assignments}
        market.tokens = {key: (hit_id, at) for key, (hit_id, at) in self.store.load("token")}
        return market
