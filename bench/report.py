"""The one table (ours beside stock, with ratios) as text, Markdown and JSON."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

RSS_LIMIT_MB = 1200.0
Getter = Callable[[dict], Optional[float]]


def _get(*keys: str) -> Getter:
    def read(side: dict) -> Optional[float]:
        value: Any = side
        for key in keys:
            if not isinstance(value, dict) or key not in value or value[key] is None:
                return None
            value = value[key]
        return value
    return read


def _turn_over_parse(side: dict) -> Optional[float]:
    turn, parse = _get("single", "p50_ms")(side), _get("parse", "p50_ms")(side)
    return round(turn / parse, 2) if turn and parse else None


def _dialogue_overhead(side: dict) -> Optional[float]:
    """What a turn costs beyond NLU: tracker store, policies, actions, NLG, HTTP."""
    turn, parse = _get("single", "p50_ms")(side), _get("parse", "p50_ms")(side)
    return round(turn - parse, 1) if turn is not None and parse is not None else None


# (label, how to read it from one side's results, decimals)
ROWS: List[Tuple[str, Getter, int]] = [
    ("Load: turn latency p50 (ms)", _get("load", "p50_ms"), 0),
    ("Load: turn latency p95 (ms)", _get("load", "p95_ms"), 0),
    ("Load: turn latency p99 (ms)", _get("load", "p99_ms"), 0),
    ("Load: throughput (messages/s)", _get("load", "messages_per_s"), 1),
    ("Load: errors", _get("load", "errors"), 0),
    ("Rasa server RSS, peak (MiB)", _get("load", "rss_peak_mb", "rasa"), 0),
    ("Action server RSS, peak (MiB)", _get("load", "rss_peak_mb", "actions"), 0),
    ("1 visitor: turn latency p50 (ms)", _get("single", "p50_ms"), 1),
    ("1 visitor: turn latency p95 (ms)", _get("single", "p95_ms"), 1),
    ("Bare NLU parse p50 (ms)", _get("parse", "p50_ms"), 1),
    ("1-visitor turn p50 / parse p50", _turn_over_parse, 2),
    ("1 visitor: turn p50 minus parse p50 (ms)", _dialogue_overhead, 1),
    ("Training time (s)", _get("training_s"), 0),
    ("Model load time (s)", _get("model_load_s"), 1),
    ("Start-up to first answer (s)", _get("startup_s"), 1),
    ("Content-only change served after (s)", _get("content_change_s"), 1),
]


def _cell(value: Optional[float], decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{decimals}f}"


def _ratio(ours: Optional[float], stock: Optional[float]) -> str:
    if ours is None or stock is None or stock == 0:
        return "-"
    return f"{ours / stock:.2f}x"


def table_rows(results: Dict[str, dict], ours: Sequence[str]) -> Tuple[List[str], List[List[str]]]:
    """Metric rows: each configuration of ours, then stock and ours/stock when stock ran."""
    stock = results.get("stock")
    header = ["Metric", *[f"ours ({name})" for name in ours]]
    if stock:
        header += ["stock", *[f"{name} / stock" for name in ours]]
    rows = []
    for label, read, decimals in ROWS:
        values = [read(results[name]) for name in ours]
        row = [label, *[_cell(v, decimals) for v in values]]
        if stock:
            # Stock has no content outside its model: changing a text means retraining.
            stock_value = None if label.startswith("Content-only") else read(stock)
            row += ["retrain + restart" if label.startswith("Content-only") else _cell(stock_value, decimals),
                    *[_ratio(v, stock_value) for v in values]]
        rows.append(row)
    return header, rows


def text_table(header: List[str], rows: List[List[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def markdown_table(header: List[str], rows: List[List[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def targets(side: dict, stock: dict) -> List[dict]:
    """The issue's targets for one configuration of ours, each met or not."""
    load = side.get("load", {})
    checks = []

    def check(name: str, value: Optional[float], limit: Optional[float], met: Optional[bool]) -> None:
        checks.append({"target": name, "value": value, "limit": limit, "met": met})

    ratio = _turn_over_parse(side)
    check("1-visitor turn p50 <= 1.5 x bare parse p50", ratio, 1.5, None if ratio is None else ratio <= 1.5)
    ours_tp, stock_tp = load.get("messages_per_s"), stock.get("load", {}).get("messages_per_s")
    tp_ratio = round(ours_tp / stock_tp, 2) if ours_tp and stock_tp else None
    check("throughput >= 3 x stock", tp_ratio, 3.0, None if tp_ratio is None else tp_ratio >= 3.0)
    p95 = load.get("p95_ms")
    check("load p95 <= 500 ms", p95, 500.0, None if p95 is None else p95 <= 500.0)
    errors = load.get("errors")
    check("zero errors", errors, 0, None if errors is None else errors == 0)
    rss = load.get("rss_peak_mb", {}).get("rasa")
    check("Rasa server RSS <= 1.2 GB", rss, RSS_LIMIT_MB, None if rss is None else rss <= RSS_LIMIT_MB)
    return checks


def targets_text(name: str, checks: List[dict]) -> str:
    mark = {True: "met", False: "NOT met", None: "not measured"}
    return "\n".join(f"  ours ({name}): {c['target']}: {c['value']} -> {mark[c['met']]}" for c in checks)


def write(directory: Path, document: dict, header: List[str], rows: List[List[str]], notes: List[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench.json").write_text(json.dumps(document, indent=2, default=str))
    markdown = [f"# Benchmark {document['started_at']}", "", markdown_table(header, rows), "", *notes, ""]
    (directory / "bench.md").write_text("\n".join(markdown))
