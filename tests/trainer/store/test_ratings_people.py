"""The ratings' student filter matches names as the people code does (issue 20).

Before: ``AttemptFilter(user=...)`` compared names exactly, so the Rate view's student
field found nothing for "ana" when the person is "Ana", though History, ``history
--user`` and ``users`` all find her.
"""

from __future__ import annotations

from pathlib import Path

from trainer.ratings.model import Rating
from trainer.store.database import Store
from trainer.store.ratings import AttemptFilter


def test_the_student_filter_ignores_case_and_spacing(
    tmp_path: Path, make_session, make_score
) -> None:
    with Store(tmp_path) as store:
        ana = make_session(store, user="Ana Lopez")
        elo = make_session(store, technique="petrissage", user="Élodie")
        other = make_session(store, user="Ben")
        mine = [store.add_attempt(ana, i, make_score(float(i))) for i in range(2)]
        hers = store.add_attempt(elo, 0, make_score(0.0))
        store.add_attempt(other, 0, make_score(0.0))
        store.add_ratings([Rating(mine[0], "cat", 6), Rating(hers, "cat", 4)])
        for spelled in ("Ana Lopez", "ana lopez", "ANA  LOPEZ", " ana lopez "):
            chosen = AttemptFilter(user=spelled)
            assert [a.id for a in store.find_attempts(chosen)] == mine, spelled
            assert [r.attempt_id for r in store.ratings(attempts=chosen)] == [mine[0]], spelled
        # Beyond ASCII, where SQLite's NOCASE would not fold.
        assert [a.id for a in store.find_attempts(AttemptFilter(user="ÉLODIE"))] == [hers]
        # Nobody of that name: nothing, not everyone.
        assert store.find_attempts(AttemptFilter(user="anna")) == []
        assert store.ratings(attempts=AttemptFilter(user="anna")) == []
