"""``ratings`` and ``agreement``: instructors' blind ratings against the program's scores.

``ratings export FILE.csv`` / ``ratings import FILE.csv`` move ratings in and out
(paper or spreadsheet rounds; columns in ``docs/ratings.md``), ``agreement`` prints how
far the program agrees with the raters (``--json`` keys documented in
``docs/ratings.md``; ``--plot PNG`` draws the scatter and the Bland–Altman plot), and
``ratings calibrate NAME`` fits a reference's weights and two score scales to the ratings
and saves a new version of it (a ``ratings`` subcommand: the ``reference`` family is
trainer/cli/reference_cmds.py's).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.cli.output import print_json
from trainer.exceptions import RatingError, StoreError

if TYPE_CHECKING:
    from trainer.ratings.calibration import Calibration, ScaleEffect
    from trainer.ratings.report import AgreementReport
    from trainer.scoring.model import Reference
    from trainer.store.database import AttemptRecord, Store
    from trainer.store.ratings import AttemptFilter
    from trainer.store.references import ReferenceLibrary

__all__ = ["icc_label", "register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ratings`` (export, import, calibrate) and ``agreement``."""
    p = subparsers.add_parser(
        "ratings",
        help="instructors' blind ratings of attempts: export, import, calibrate",
        description="Move instructors' ratings of attempts in and out as CSV; calibrate a "
        "reference to them. See docs/ratings.md.",
    )
    actions = p.add_subparsers(dest="ratings_action", metavar="ACTION", required=True)
    q = actions.add_parser(
        "export",
        help="write ratings as CSV",
        description="Write ratings as CSV (attempt,rater,rating,tags,note,created_at).",
    )
    q.add_argument("out", metavar="FILE.csv", help="file to write ('-': standard output)")
    _filters(q)
    q.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    q.set_defaults(func=_cmd_export)
    q = actions.add_parser(
        "import",
        help="read ratings from CSV",
        description="Read ratings from CSV: columns attempt (A7 or 7), rater, rating (0-10), "
        "optional tags (';'-separated fault tags) and note. A file with a bad row imports "
        "nothing.",
    )
    q.add_argument("file", type=Path, metavar="FILE.csv")
    q.set_defaults(func=_cmd_import)
    add_calibrate_parser(actions)

    p = subparsers.add_parser(
        "agreement",
        help="how far the program's scores agree with instructors' ratings",
        description="Program vs each rater and vs the raters' mean (overall / 10 against "
        "0-10 ratings): Spearman, Pearson, ICC(2,1), Bland-Altman; raters among themselves: "
        "ICC(2,1), ICC(2,k); Cohen's kappa per fault tag; 95 %% CIs by bootstrap over "
        "attempts. See docs/ratings.md.",
    )
    _filters(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--plot", type=Path, metavar="PNG", help="save the scatter and Bland-Altman")
    p.add_argument(
        "--resamples",
        type=int,
        default=2000,
        metavar="N",
        help="bootstrap resamples (2000; 100-20000)",
    )
    p.set_defaults(func=_cmd_agreement)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--technique", metavar="T", help="only attempts at this technique")
    p.add_argument("--reference", metavar="R", help="only attempts scored against reference R")
    p.add_argument("--rater", action="append", default=[], metavar="NAME", help="only theirs")


def _open_store(*, readonly: bool) -> Store:
    from trainer.store.database import Store

    return Store(readonly=readonly)


def _attempt_filter(args: argparse.Namespace) -> AttemptFilter:
    from trainer.scoring.techniques import check_technique_name
    from trainer.store.ratings import AttemptFilter

    technique = None if args.technique is None else check_technique_name(args.technique)
    return AttemptFilter(technique=technique, reference=args.reference)


def _raters(names: list[str]) -> list[str]:
    from trainer.ratings.model import check_rater

    return [check_rater(n) for n in names]


# -- export / import ---------------------------------------------------------------------


def _cmd_export(args: argparse.Namespace) -> int:
    from trainer.store.files import write_atomic
    from trainer.store.ratings import format_ratings_csv

    with _open_store(readonly=True) as store:
        ratings = store.ratings(attempts=_attempt_filter(args), raters=_raters(args.rater))
    text = format_ratings_csv(ratings)
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise StoreError(f"{out}: file exists (use --overwrite)")
    write_atomic(out, text.encode())
    print(f"exported {len(ratings)} rating{'s' * (len(ratings) != 1)} to {out}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from trainer.store.ratings import read_ratings_csv_lines

    lines = read_ratings_csv_lines(args.file)  # the whole file, validated, before the store
    rows = [r for _line, r in lines]
    with _open_store(readonly=False) as store:
        known = {a.id for a in store.find_attempts(ids=[r.attempt_id for r in rows])}
        for line, r in lines:
            if r.attempt_id not in known:
                raise RatingError(
                    f"{args.file}, line {line}: no attempt A{r.attempt_id} (see "
                    "`massage-trainer history --attempts`); nothing imported"
                )
        added, skipped = store.add_ratings(rows)
    extra = f" ({skipped} already stored)" if skipped else ""
    print(f"imported {added} rating{'s' * (added != 1)} from {args.file}{extra}")
    return 0


# -- agreement ---------------------------------------------------------------------------


def icc_label(value: float | None) -> str:
    """Koo & Li (2016): poor < 0.5 <= moderate < 0.75 <= good < 0.9 <= excellent."""
    if value is None or not math.isfinite(value):
        return "undefined"
    if value < 0.5:
        return "poor"
    if value < 0.75:
        return "moderate"
    if value < 0.9:
        return "good"
    return "excellent"


def _report(args: argparse.Namespace) -> AgreementReport:
    from trainer.ratings.model import program_tags
    from trainer.ratings.report import agreement_report

    if not 100 <= args.resamples <= 20_000:
        raise RatingError("--resamples must be from 100 to 20000")
    with _open_store(readonly=True) as store:
        ratings = store.ratings(attempts=_attempt_filter(args), raters=_raters(args.rater))
        if not ratings:
            raise RatingError(
                "no ratings of these attempts (rate them in the Rate view, or "
                "`massage-trainer ratings import FILE.csv`)"
            )
        attempts = store.find_attempts(ids=sorted({r.attempt_id for r in ratings}))
    program = {a.id: a.score.overall for a in attempts}
    named = {a.id: program_tags((d.code, d.points) for d in a.score.deductions) for a in attempts}
    return agreement_report(program, named, ratings, n_resamples=args.resamples)


def _cmd_agreement(args: argparse.Namespace) -> int:
    report = _report(args)
    if args.plot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a file: no screen needed
        from trainer.ui.rate_view import save_agreement_plot

        save_agreement_plot(report, args.plot)
    if args.json:
        print_json(report.data, indent=1)
        return 0
    print(_agreement_text(report.data))
    if args.plot is not None:
        print(f"saved {args.plot}")
    return 0


def _fmt(value: float | None, ci: list[float | None] | None = None, sign: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+.2f}" if sign else f"{value:.2f}"
    if ci and ci[0] is not None and ci[1] is not None:
        text += f" [{ci[0]:.2f}, {ci[1]:.2f}]"
    return text


def _agreement_text(data: dict[str, Any]) -> str:
    pvm = data["program_vs_mean"]
    ba = pvm["bland_altman"]
    lines = [
        f"{data['n_attempts']} attempts rated by {data['n_raters']} rater"
        f"{'s' * (data['n_raters'] != 1)} ({', '.join(data['rater_names'])}); "
        "95 % CIs by bootstrap over attempts",
        "program (overall / 10) vs the raters' mean:",
        f"  Spearman ρ   {_fmt(pvm['spearman'], pvm['spearman_ci'])}",
        f"  Pearson r    {_fmt(pvm['pearson'], pvm['pearson_ci'])}",
        f"  ICC(2,1)     {_fmt(pvm['icc_2_1'], pvm['icc_2_1_ci'])}  {icc_label(pvm['icc_2_1'])}",
        f"  bias         {_fmt(ba['bias'], ba['bias_ci'], sign=True)} points "
        "(+: the program scores higher)",
        f"  95 % limits  {_fmt(ba['loa_low'], sign=True)} to {_fmt(ba['loa_high'], sign=True)}",
        "per rater:",
    ]
    for r in data["per_rater"]:
        lines.append(
            f"  {r['rater']:<16} n {r['n']:<4} ρ {_fmt(r['spearman'])}  ICC(2,1) "
            f"{_fmt(r['icc_2_1'])}  bias {_fmt(r['bland_altman']['bias'], sign=True)}"
        )
    raters = data["raters"]
    if raters["icc_2_1"] is not None:
        lines.append(
            f"raters among themselves ({raters['n']} attempts rated by all {raters['k']}): "
            f"ICC(2,1) {_fmt(raters['icc_2_1'], raters['icc_2_1_ci'])} "
            f"{icc_label(raters['icc_2_1'])}, ICC(2,k) {_fmt(raters['icc_2_k'])}"
        )
    else:
        lines.append("raters among themselves: needs 2 raters who rated the same 2+ attempts")
    if data["tags"]:
        lines.append("fault tags, Cohen's κ (program named it / rater tagged it, of n):")
        for t in data["tags"]:
            lines.append(
                f"  {t['tag'].replace('_', ' '):<14} {t['rater']:<16} κ {_fmt(t['kappa'])}"
                f"  ({t['program_named']} / {t['rater_named']} of {t['n']})"
            )
    return "\n".join(lines)


def add_calibrate_parser(actions: Any) -> None:
    """Add the ``calibrate NAME`` action (``ratings calibrate``, ``reference calibrate``).

    Parameters
    ----------
    actions : argparse subparsers action
        Where to add it.
    """
    q = actions.add_parser(
        "calibrate",
        help="fit a reference's weights and scales to the ratings; save a new version",
        description="Fit the reference's component weights (non-negative) and its tempo and "
        "smoothness scales to the raters' mean rating (regularised), cross-validated by "
        "attempt; print agreement before "
        "and after on held-out folds and save a new version of the reference when it "
        "improves. Attempts keep the version they were scored with.",
    )
    q.add_argument("name", metavar="NAME", help="reference name")
    q.add_argument("--rater", action="append", default=[], metavar="NAME", help="only theirs")
    q.add_argument("--json", action="store_true", help="print one JSON object")
    q.add_argument("--dry-run", action="store_true", help="fit and report, save nothing")
    q.add_argument(
        "--force", action="store_true", help="save even if held-out agreement does not improve"
    )
    q.add_argument(
        "--weights-only",
        action="store_true",
        help="fit the weights only (no re-scoring of the captures for the score scales)",
    )
    q.set_defaults(func=_cmd_calibrate)


# -- calibrate ---------------------------------------------------------------------------


def _cmd_calibrate(args: argparse.Namespace) -> int:
    import numpy as np

    from trainer.exceptions import ReferenceFileError
    from trainer.ratings.calibration import MIN_ATTEMPTS, calibrate_weights
    from trainer.ratings.report import latest_ratings
    from trainer.scoring.components import default_weights
    from trainer.store.ratings import AttemptFilter
    from trainer.store.references import ReferenceLibrary

    library = ReferenceLibrary()
    try:
        reference = library.get(args.name)
    except ReferenceFileError as err:
        raise RatingError(str(err)) from None
    chosen = AttemptFilter(reference=reference.name)
    with _open_store(readonly=args.dry_run) as store:
        ratings = store.ratings(attempts=chosen, raters=_raters(args.rater))
        attempts = {
            a.id: a for a in store.find_attempts(ids=sorted({r.attempt_id for r in ratings}))
        }
        versions: dict[str | None, dict[str, float]] = {None: reference.weights}
        for a in attempts.values():
            if a.reference_hash not in versions:
                try:
                    versions[a.reference_hash] = store.reference(str(a.reference_hash)).weights
                except StoreError:
                    versions[a.reference_hash] = reference.weights  # unreadable: assume these
        by_attempt: dict[int, list[float]] = {}
        for (aid, _rater), r in latest_ratings(ratings).items():
            by_attempt.setdefault(aid, []).append(r.rating)
        ids = sorted(by_attempt)
        defaults = default_weights()
        names = list(reference.weights)
        present = {c for i in ids for c in attempts[i].components}
        names += sorted((present - set(names)) & set(defaults))
        prior = {n: reference.weights.get(n, defaults.get(n, 0.0)) for n in names}

        def weights_of(version: dict[str, float]) -> list[float]:
            return [version.get(n, defaults.get(n, 0.0)) for n in names]

        comps = np.array(
            [[_nan(attempts[i].components.get(n)) for n in names] for i in ids], dtype=float
        ).reshape(len(ids), len(names))
        scales = [] if args.weights_only or len(ids) < MIN_ATTEMPTS else (
            _scale_effects(store, [attempts[i] for i in ids], reference, names)
        )  # fmt: skip
        result = calibrate_weights(
            names,
            comps,
            np.array([attempts[i].score.overall for i in ids], dtype=float),
            np.array([weights_of(versions[attempts[i].reference_hash]) for i in ids]),
            np.array([float(np.mean(by_attempt[i])) for i in ids]),
            prior,
            scales=scales,
        )
        saved = None
        if not args.dry_run and (result.improved or args.force):
            raters = sorted({r.rater for r in ratings})
            saved = _save_calibrated(library, store, reference, result, len(ratings), raters)
    data = {"reference": reference.name, **result.to_dict(), "saved": saved is not None}
    data["version"] = saved
    if args.json:
        print_json(data, indent=1)
        return 0
    print(_calibration_text(reference.name, data, args))
    return 0


def _save_calibrated(
    library: ReferenceLibrary,
    store: Store,
    reference: Reference,
    result: Calibration,
    n_ratings: int,
    raters: list[str],
) -> str:
    """Save the calibrated reference in the library and its version in the store.

    Returns
    -------
    str
        The new version's content hash.
    """
    from trainer.store.records import content_hash
    from trainer.store.references import encode_reference

    when = datetime.now(UTC)
    note = (
        f"Weights calibrated {when.date().isoformat()} to {n_ratings} ratings of "
        f"{result.n_attempts} attempts by {', '.join(raters)} (massage-trainer ratings "
        f"calibrate; held-out ICC(2,1) {_fmt(result.held_out_before['icc_2_1'])} -> "
        f"{_fmt(result.held_out_after['icc_2_1'])})."
    )
    new = dataclasses.replace(
        reference,
        **{k: getattr(reference, k) * f for k, f in result.scales.items()},
        weights={n: w for n, w in result.after.items() if n in reference.weights or w},
        created=when.date().isoformat(),
        notes=f"{reference.notes}\n{note}".strip(),
    )
    library.add(new, overwrite=True)
    store.add_reference(new)  # the version history, by content hash
    return content_hash(encode_reference(new))


#: Score scales fitted with the weights (each moves one component only), and the factors
#: tried. The shape scale is left alone: it also decides what counts as a stroke at all.
_SCALES = (("tam_p90", "tempo"), ("smoothness_sd", "smoothness"))
_FACTORS = (0.5, 0.7, 1.0, 1.4, 2.0)


def _scale_effects(
    store: Store, attempts: list[AttemptRecord], reference: Reference, names: list[str]
) -> list[ScaleEffect]:
    """Re-score each attempt's stroke from its capture with each scale factor.

    The change of the component score is taken against the attempt re-scored with the
    version it was scored with, so what re-scoring does not reproduce of the live score
    (filter state at the stroke's edges) cancels out. Attempts that cannot be re-scored
    (capture gone, no longer a stroke) change by 0.

    Each scale moves its own component only (``tam_p90`` tempo, ``smoothness_sd``
    smoothness), so one re-scoring per factor, with every scale multiplied by it, gives
    each component's change at once (scoring a stroke twice per factor, once per scale,
    gave the same numbers at twice the cost).
    """
    import numpy as np

    from trainer.exceptions import ScoringError
    from trainer.ratings.calibration import ScaleEffect
    from trainer.scoring.scoring import score_stroke
    from trainer.store.records import content_hash
    from trainer.store.references import encode_reference
    from trainer.store.replay import load_replay

    index = {a.id: i for i, a in enumerate(attempts)}
    library_hash = content_hash(encode_reference(reference))
    effects = [(k, c) for k, c in _SCALES if c in names]
    deltas = {k: np.zeros((len(attempts), len(_FACTORS))) for k, _c in effects}
    variants = {
        f: dataclasses.replace(reference, **{k: getattr(reference, k) * f for k, _c in effects})
        for f in _FACTORS
    }
    for sid in sorted({a.session_id for a in attempts}):
        try:
            data = load_replay(store, ("session", sid))
        except StoreError:
            continue  # its capture is gone: these attempts keep their scores
        version = data.reference
        if version is None:
            continue
        # Scored with the library's reference itself: its factor 1 is the base score.
        unchanged = content_hash(encode_reference(version)) == library_hash
        names_of = list(version.profile.channel_names)
        for r in data.attempts:
            i = index.get(r.attempt.id)
            if i is None:
                continue
            stroke = np.asarray(data.capture.values[r.first : r.stop], dtype=np.float64)
            clipped = [
                names_of.index(f.split(":", 1)[1])
                for f in r.attempt.score.flags
                if f.startswith("clipped:") and f.split(":", 1)[1] in names_of
            ]
            try:
                base = score_stroke(stroke, version.fs_hz, version, clipped_channels=clipped)
                for j, f in enumerate(_FACTORS):
                    scored = base
                    if not (f == 1.0 and unchanged):
                        scored = score_stroke(
                            stroke, version.fs_hz, variants[f], clipped_channels=clipped
                        )
                    for k, component in effects:
                        before = base.components.get(component)
                        after = scored.components.get(component)
                        if before is not None and after is not None:
                            deltas[k][i, j] = after - before
            except ScoringError:
                for k, _c in effects:
                    deltas[k][i, :] = 0.0
    return [ScaleEffect(k, c, np.array(_FACTORS), deltas[k]) for k, c in effects]


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _calibration_text(name: str, data: dict[str, Any], args: argparse.Namespace) -> str:
    before, after = data["held_out_before"], data["held_out_after"]
    lines = [
        f"{name}: {data['n_attempts']} rated attempts, {data['folds']}-fold cross-validation "
        "by attempt",
        f"{'held-out agreement':<20} {'before':>8} {'after':>8}",
    ]
    for key, label in (("icc_2_1", "ICC(2,1)"), ("spearman", "Spearman ρ"),
                       ("pearson", "Pearson r"), ("mae", "mean |error|")):  # fmt: skip
        lines.append(f"  {label:<18} {_fmt(before[key]):>8} {_fmt(after[key]):>8}")
    lines.append("weights:")
    for key, w in data["weights_after"].items():
        lines.append(f"  {key:<18} {data['weights_before'][key]:>8.3f} {w:>8.3f}")
    if data["scale_factors"]:
        lines.append("score scales (factor of the reference's):")
        for key, f in data["scale_factors"].items():
            lines.append(f"  {key:<18} {1.0:>8.2f} {f:>8.2f}")
    if data["saved"]:
        lines.append(
            f"saved a new version of {name} ({data['version'][:12]}); attempts scored "
            "before keep the version they were scored with"
        )
    elif args.dry_run:
        lines.append("dry run: nothing saved")
    else:
        lines.append("not saved: held-out agreement did not improve (--force saves anyway)")
    return "\n".join(lines)
