"""``progress``: dependence on feedback and retention, per technique.

``progress [--technique T] [--user NAME] [--surface S] [--json]`` reads the store's
sessions and prints, per user and technique, the mean score with feedback and in
no-feedback probes (dependence = the difference, with its spread), retention after gaps of
1 day, 1 week and 8 weeks, and the next spaced re-test. The maths is
:mod:`trainer.store.progress`; the JSON keys are in ``docs/user-guide.md``.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from trainer.cli.output import print_json

if TYPE_CHECKING:
    from trainer.store.progress import Retention, TechniqueProgress

__all__ = ["register"]

_GAP_NAMES = {1: "1 day", 7: "1 week", 56: "8 weeks"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``progress``."""
    p = subparsers.add_parser(
        "progress",
        help="dependence on feedback and retention, per technique",
        description=(
            "Per technique: mean score with feedback vs in no-feedback probes (dependence), "
            "retention after 1 day, 1 week and 8 weeks without practice, next re-test date."
        ),
    )
    p.add_argument("--technique", metavar="T", help="only this technique")
    p.add_argument("--user", metavar="NAME", help="only this user's sessions")
    p.add_argument(
        "--surface", metavar="S", help="only sessions on this surface (pad, mannequin, person...)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_cmd_progress)


def _cmd_progress(args: argparse.Namespace) -> int:
    from trainer.scoring.techniques import check_technique_name
    from trainer.store.database import Store
    from trainer.store.progress import check_surface, load_session_scores, progress

    technique = check_technique_name(args.technique) if args.technique else None
    surface = check_surface(args.surface) if args.surface else None
    with Store(readonly=True) as store:
        scores = load_session_scores(store, technique=technique, user=args.user, surface=surface)
        everything = store.sessions() if not scores else []
    now = datetime.now(UTC)
    results = progress(scores, now=now)
    if args.json:
        print_json(
            {
                "now": now.isoformat(timespec="seconds"),
                "filters": {"technique": technique, "user": args.user, "surface": surface},
                "techniques": [r.to_dict() for r in results],
            },
            indent=2,
            sort_keys=True,
        )
        return 0
    if not results:
        if not everything:
            print("no sessions yet: practise with `massage-trainer demo`")
        else:
            given = (("technique", technique), ("user", args.user), ("surface", surface))
            filters = " ".join(f"--{flag} {value}" for flag, value in given if value)
            print(f"no sessions match {filters} ({len(everything)} in all)")
        return 0
    for n, r in enumerate(results):
        if n:
            print()
        print("\n".join(_lines(r)))
    return 0


def _num(x: float | None, fmt: str = "5.1f") -> str:
    return "–" if x is None else format(x, fmt)


def _lines(r: TechniqueProgress) -> list[str]:
    surfaces = f" on {', '.join(r.surfaces)}" if r.surfaces else ""
    out = [f"{r.technique} ({r.user}){surfaces}"]
    for label, m in (("with feedback", r.with_feedback), ("probes", r.probe)):
        out.append(f"  {label:18} {_num(m.mean)}  ({m.n} strokes in {m.sessions} session(s))")
    d = r.dependence
    if d is None:
        out.append("  dependence         –  (needs practice with feedback and a probe)")
    else:
        ci = d.ci95
        spread = "" if ci is None else f" (se {d.se:.1f}; 95 % {ci[0]:+.1f} to {ci[1]:+.1f})"
        out.append(f"  dependence     {d.difference:+9.1f} points{spread}")
    out.extend(_retention_line(x) for x in r.retention)
    if r.next_retest is None:
        out.append("  next re-test       –" + ("" if r.last_practice else "  (no practice yet)"))
    else:
        when = r.next_retest.astimezone().strftime("%Y-%m-%d %H:%M")
        gap = _GAP_NAMES.get(r.next_retest_gap_days or 0, f"{r.next_retest_gap_days} days")
        due = "  due now" if r.overdue else ""
        out.append(f"  next re-test       {when} (a probe {gap} after the last practice){due}")
    return out


def _retention_line(x: Retention) -> str:
    label = f"retention {_GAP_NAMES.get(x.gap_days, f'{x.gap_days} days')}"
    if x.after is None:
        return f"  {label:18} –  (no probe after such a gap yet)"
    before = "–" if x.before is None else f"{x.before.mean:.1f} (S{x.before.session})"
    change = "" if x.change is None else f", {x.change:+.1f}"
    return (
        f"  {label:18} {before} -> {x.after.mean:.1f} (S{x.after.session}, "
        f"{x.after.gap_days or 0:.1f} days without practice{change})"
    )
