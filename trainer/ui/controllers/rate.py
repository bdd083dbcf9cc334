"""The Rate view's controller: draws a random round of attempts, stores each rating.

Blind by construction: the view is only ever given forces and the reference (replay
data, which the view draws without its scores); the round is drawn in a random order
per rater (a new order for every round), attempts the rater already rated first left
out unless they ask for a retest.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore

from trainer.ratings.model import Rating

if TYPE_CHECKING:
    from trainer.store.database import Store
    from trainer.ui.controllers.base import JobRunner, Shell, StoreSlot
    from trainer.ui.rate_view import RateView

__all__ = ["RateController", "draw_round"]


def draw_round(
    candidates: list[int], rated: set[int], count: int, rng: random.Random, *, retest: bool
) -> list[int]:
    """Pick ``count`` attempt ids at random, in random order.

    Parameters
    ----------
    candidates : list of int
        Attempts that may be rated.
    rated : set of int
        Those this rater already rated (left out unless ``retest``).
    count : int
        How many to draw (fewer when there are fewer).
    rng : random.Random
        The draw (tests seed it).
    retest : bool
        Draw from the attempts already rated too.
    """
    pool = [a for a in candidates if retest or a not in rated]
    return rng.sample(pool, min(count, len(pool)))


class RateController(QtCore.QObject):
    """Runs a rating round: draw, show one attempt at a time, store each rating.

    Parameters
    ----------
    view : RateView
        The view it drives.
    jobs : JobRunner
        Where store reads and writes run.
    shell : Shell
        The window (status-bar lines).
    store : StoreSlot
        The session store.
    rng : callable
        ``rng(rater) -> random.Random`` for the round's order (default: a fresh,
        unseeded generator, so every round and every rater gets its own order).

    Signals
    -------
    shown()
        An attempt is shown, ready to rate.
    finished()
        The round is over.
    """

    shown = QtCore.Signal()
    finished = QtCore.Signal()

    def __init__(
        self,
        view: RateView,
        jobs: JobRunner,
        shell: Shell,
        store: StoreSlot,
        *,
        rng: Callable[[str], random.Random] | None = None,
    ) -> None:
        super().__init__()
        self.view = view
        self.jobs = jobs
        self.shell = shell
        self.store = store
        self._rng = rng or (lambda _rater: random.Random())
        self.rater = ""
        self.queue: list[int] = []
        self.position = 0
        self.rated = 0
        self.current: int | None = None
        view.start_requested.connect(self.start_round)
        view.rating_submitted.connect(self.save_rating)
        view.skip_requested.connect(self.next_attempt)

    def _store(self) -> Store | None:
        store = self.store.store
        if store is None:
            self.view.show_message(f"Rating needs the session store: {self.store.error}")
        return store

    def start_round(self, rater: str, filters: Mapping[str, str], count: int, retest: bool) -> None:
        """Draw a round of ``count`` attempts matching ``filters`` for ``rater``.

        ``filters``: ``technique``, ``reference``, ``user`` (the student), ``since``
        (``YYYY-MM-DD``); empty or missing means any.
        """
        store = self._store()
        if store is None:
            return
        from trainer.exceptions import StoreError
        from trainer.store.ratings import AttemptFilter
        from trainer.store.records import parse_since

        def given(key: str) -> str | None:
            return str(filters.get(key, "")).strip() or None

        since = given("since")
        try:
            start = None if since is None else parse_since(since).isoformat(timespec="milliseconds")
        except StoreError as err:
            self.view.show_message(str(err))
            return
        chosen = AttemptFilter(
            technique=given("technique"), reference=given("reference"), user=given("user"),
            since=start,
        )  # fmt: skip
        technique = chosen.technique or ""
        rng = self._rng(rater)

        def draw() -> list[int]:
            candidates = [a.id for a in store.find_attempts(chosen)]
            rated = {r.attempt_id for r in store.ratings(attempts=chosen, raters=[rater])}
            return draw_round(candidates, rated, count, rng, retest=retest)

        def done(queue: list[int] | None, err: BaseException | None) -> None:
            if err is not None:
                self.view.show_message(str(err))
                return
            self.rater, self.queue = rater, list(queue or [])
            self.position = self.rated = 0
            if not self.queue:
                self.view.show_message(
                    "Nothing to rate: no stored attempts"
                    + (f" of {technique}" if technique else "")
                    + (" matching the filters" if any(filters.values()) else "")
                    + ("" if retest else " that you have not rated yet")
                    + "."
                )
                return
            self.next_attempt()

        self.view.show_message("Drawing attempts…")
        self.jobs.submit(draw, done)

    def next_attempt(self) -> None:
        """Show the next attempt of the round, or end it."""
        store = self._store()
        if store is None:
            return
        if self.position >= len(self.queue):
            self.current = None
            self.view.show_finished(self.rated, len(self.queue))
            self.shell.show_message(f"{self.rated} ratings saved", 4000)
            self.finished.emit()
            return
        attempt_id = self.queue[self.position]
        self.position += 1
        from trainer.store.replay import load_replay

        def done(data: Any, err: BaseException | None) -> None:
            if err is not None:  # e.g. its capture is gone: say so and go on
                self.shell.show_message(f"A{attempt_id} skipped: {err}", 6000)
                self.next_attempt()
                return
            self.current = attempt_id
            self.view.show_attempt(data, self.position, len(self.queue))
            self.shown.emit()

        self.jobs.submit(lambda: load_replay(store, ("attempt", attempt_id)), done)

    def save_rating(self, rating: float, tags: tuple[str, ...], note: str) -> None:
        """Store the rating of the attempt shown, then show the next."""
        store = self._store()
        if store is None or self.current is None:
            return
        # Stamped here: a re-rating equal to an earlier one is a retest, not a duplicate.
        when = datetime.now(UTC).isoformat(timespec="milliseconds")
        item = Rating(self.current, self.rater, rating, tags, note, when)

        def done(_result: Any, err: BaseException | None) -> None:
            if err is not None:
                self.view.show_message(f"Not saved: {err}")
                return
            self.rated += 1
            self.next_attempt()

        self.jobs.submit(lambda: store.add_ratings([item]), done)
