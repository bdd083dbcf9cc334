"""Scoring-validity benchmark (issue 13): does the score and its advice mean what it says?

Strokes come from five generator families independent of the project's simulator
(``benchmarks/validity/generators.py`` documents the modelling choices and figures),
three performer styles per technique, graded error kinds with ground truth, and
non-strokes. References are built from two styles (4 takes × 3 strokes); the third is
held out. Strokes are found and scored the way ``massage-trainer score`` does.

Run::

    python benchmarks/bench_validity.py [--quick] [--family A|B|C|D|E|all]
        [--json OUT] [--markdown OUT]

Prints a markdown report per family: the issue's targets with PASS/FAIL, then the tables.
Measurement only: the exit status is 0 even when targets fail.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.validity import generators as gen
from benchmarks.validity.runner import Config, run_family


def _f(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += [
        "| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
    return [*out, ""]


def markdown(res: dict[str, Any]) -> str:
    """The report of one family as markdown."""
    fam = res["family"]
    techs = list(res["auc_technique"])
    lines = [f"## Family {fam}", ""]
    lines.append(
        f"{res['n_items']} generated items, {res['n_scored']} scored; "
        f"{res['spurious_pieces']} pieces found outside any item."
    )
    lines.append("")
    lines.append("### Targets (issue 13)")
    lines.append("")
    lines += _table(
        ["target", "measured", "worst at", "result"],
        [
            [t["target"], _f(t["measured"]), t["where"] or "", "PASS" if t["pass"] else "FAIL"]
            for t in res["targets"]
        ],
    )
    lines.append("### References")
    lines.append("")
    brows = []
    for t, s in res["builds"].items():
        brows.append([t, s["source"], s.get("error", f"{s.get('n_strokes')} strokes")])
    lines += _table(["technique", "reference used", "build"], brows)
    lines.append(
        "Crisp tapotement probe (45 ms strikes, style 0 only): "
        + ", ".join(f"force {k}: {v}" for k, v in res["crisp_tapotement_probe"].items())
    )
    lines.append("")
    lines.append("### AUC of the overall score, clean vs moderate (level 2) errors")
    lines.append("")
    rows = [["**all kinds**", *[res["auc_technique"][t] for t in techs]]]
    rows += [[k, *[d[t] for t in techs]] for k, d in res["auc_kind"].items()]
    lines += _table(["error kind", *techs], rows)
    lines.append("### Spearman ρ of severity level (0–4) vs overall / vs matching component")
    lines.append("")
    rows = []
    for k, d in res["spearman"].items():
        comp = next(iter(d.values()))["component_name"]
        rows.append(
            [
                f"{k} ({comp})",
                *[f"{_f(d[t]['overall'], 2)} / {_f(d[t]['component'], 2)}" for t in techs],
            ]
        )
    lines += _table(["error kind (component)", *techs], rows)
    d = res["deductions"]
    lines.append("### Deductions")
    lines.append("")
    lines.append(
        f"precision {_f(d['precision'])} (TP {d['tp']}, FP {d['fp']}), recall "
        f"{_f(d['recall'])}, largest deduction right {_f(d['largest_right'])}, "
        f"strokes with contradictory deductions {d['contradictory_strokes']}."
    )
    lines.append("")
    rows = [
        [
            k,
            v["n"],
            v["recall"],
            v["largest_right"],
            ", ".join(f"{c} ×{n}" for c, n in v["largest"].items()),
        ]
        for k, v in d["per_kind"].items()
    ]
    lines += _table(
        [
            "technique/kind (level ≥ 2)",
            "n",
            "recall",
            "largest right",
            "largest deduction (most frequent)",
        ],
        rows,
    )
    c = res.get("combined_faults")
    if c:
        lines.append(
            f"Two faults at once ({c['n']} strokes, levels 2-3): both named "
            f"{_f(c['both'])}, either {_f(c['either'])}; by pair: "
            + ", ".join(f"{p} {_f(v, 2)}" for p, v in c["by_pair"].items())
            + "."
        )
        lines.append("")
    if d["top_false_positives"]:
        lines.append(
            "Most frequent false positives (kind->code ×n): "
            + "; ".join(f"{k} ×{n}" for k, n in d["top_false_positives"].items())
        )
        lines.append("")
    if d["contradictions"]:
        lines.append(
            "Contradictions: " + "; ".join(f"{k} ×{n}" for k, n in d["contradictions"].items())
        )
        lines.append("")
    lines.append("### Clean strokes per style (overall / shape / pressure / tempo / smoothness)")
    lines.append("")
    rows = []
    for t, styles in res["clean_by_style"].items():
        for s, v in styles.items():
            who = "held out" if int(s) == gen.HELD_OUT_STYLE else "reference performer"
            rows.append(
                [
                    t,
                    f"{s} ({who})",
                    " / ".join(
                        _f(v[c], 1) for c in ("overall", "shape", "pressure", "tempo", "smoothness")
                    ),
                ]
            )
    lines += _table(["technique", "style", "mean scores"], rows)
    rec = res["recognition"]
    lines.append(
        f"### Recognition (accuracy {_f(rec['accuracy'])}, cross-technique "
        f"confusions {rec['cross_technique']})"
    )
    lines.append("")
    labels = [*gen.TECHNIQUES, "none"]
    rows = [[t, *[v[u] for u in labels]] for t, v in rec["confusion"].items()]
    lines += _table(["performed \\ recognised", *labels], rows)
    lines.append(f"### Non-strokes (rejection {_f(res['non_stroke_rejection'])})")
    lines.append("")
    rows = [[k, v["n"], v["rejected"], v["mean_score"]] for k, v in res["non_strokes"].items()]
    lines += _table(["reference/non-stroke", "n", "rejected", "mean score if scored"], rows)
    if res["segmentation"]:
        lines.append("### Segmentation: items not found, refused by the scorer, or split")
        lines.append("")
        rows = [
            [k, v["n"], v["not_found"], v["refused"], v["split"]]
            for k, v in res["segmentation"].items()
        ]
        lines += _table(["technique/kind", "n", "not found", "refused", "split"], rows)
    lines.append(
        f"Min filtered force {_f(res['min_filtered_force_n'])} N; deterministic "
        f"scores {_f(res['deterministic_scores'])}, reference bytes "
        f"{_f(res['deterministic_build'])}."
    )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer strokes and severities (< 60 s)")
    p.add_argument("--family", choices=[*gen.FAMILIES, "all"], default="all")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    p.add_argument("--markdown", type=Path, metavar="OUT", help="write the report as markdown")
    args = p.parse_args(argv)
    cfg = Config.quick() if args.quick else Config()
    families = gen.FAMILIES if args.family == "all" else (args.family,)
    results, parts = {}, []
    for fam in families:
        t0 = time.perf_counter()
        results[fam] = run_family(fam, cfg)
        text = markdown(results[fam])
        parts.append(text)
        print(text)
        print(f"(family {fam}: {time.perf_counter() - t0:.1f} s)\n", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    if args.markdown:
        args.markdown.write_text("# Scoring validity benchmark\n\n" + "\n".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
