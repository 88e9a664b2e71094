"""Write docs/benchmarks.md from the JSON results of bench/run.py."""

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path


def machine(platform):
    def read(command):
        try:
            return subprocess.run(command, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in read(["lscpu"]).splitlines()
            if line.startswith("Model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return (
        f"{model}, {os.cpu_count()} cores, {int(memory) / 1024 / 1024:.0f} GiB RAM; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}"
    )


def fmt(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def verdict(value, budget, lower_is_better=True):
    if value is None:
        return "not measured"
    ok = value <= budget if lower_is_better else value >= budget
    if ok:
        return "met"
    factor = value / budget if lower_is_better else budget / value
    return f"**missed** by {factor:.2f}×"


def write_report(out, target, budgets, endpoints, key, platform):
    runs = {}
    for kind in ("sqlite", "postgres"):
        path = out / f"results-{kind}.json"
        if path.exists():
            runs[kind] = json.loads(path.read_text())
    if not runs:
        raise SystemExit("No results: run `python bench/run.py sqlite` first.")
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, on {machine(platform)}.",
        "",
        "Each database holds the knowledge base plus N generated demo providers (1–6 service lines "
        "and 1–3 cities each, every fact cited). The app runs under gunicorn with 2 workers and "
        "DEBUG off on 127.0.0.1; wrk drives it from a separate process for a fixed time per "
        "measurement: p50 and p95 at 1 connection, requests per second at 8 connections. Every "
        "endpoint gets 20 warm-up requests first, so cached aggregates (facet and result counts, "
        "similar providers) are in place, as they are for real visitors between curator edits; "
        "the *cold* line shows the first request after a data change, when they are recomputed. "
        "Queries are counted per request in-process on the same database.",
        "",
    ]
    for kind, run in runs.items():
        version = ", ".join(f"{k} {v}" for k, v in run["versions"].items())
        lines += [f"## {'SQLite' if kind == 'sqlite' else 'PostgreSQL'} ({version})", ""]
        for result in run["results"]:
            size = result["size"]
            lines += [
                f"### {size:,} providers (database built in {result['build_seconds']} s)",
                "",
                "| page | p50 ms | p95 ms | req/s at 8 connections | SQL queries | errors |",
                "| --- | ---: | ---: | ---: | ---: | ---: |",
            ]
            for name, (label, path) in endpoints.items():
                m = result["endpoints"][name]
                lines.append(
                    f"| {label} (`{path if len(path) < 60 else path[:57] + '…'}`) | {fmt(m['p50'])} | "
                    f"{fmt(m['p95'])} | {fmt(m['rps'], 0)} | {result['queries'][name]} | {m['errors']} |"
                )
            csv = result["csv"]
            lines += [
                f"| CSV export of all {size:,} providers (one download) | {fmt(csv['seconds'] * 1000, 0)} | | | | |",
                "",
                f"First request to the key page after a data change (cold caches): {result['cold_key_ms']} ms. "
                f"CSV export: {csv['megabytes']} MB in {csv['seconds']} s; the serving worker's peak RSS grew by "
                f"{csv['rss_growth_mb']} MB.",
                "",
            ]
            ours = result["endpoints"][key]
            rows = [("BPO Portal", ours), ("Django admin changelist, same filter", result["admin"])]
            if "datasette" in result:
                rows.insert(
                    1, ("Datasette, same filter (`_through`), `_facet=kind`", result["datasette"])
                )
            base = result.get("datasette", {}).get("rps")
            lines += [
                f"Service line + city, side by side on the same {'SQLite file' if kind == 'sqlite' else 'database'}:",
                "",
                "| tool | p50 ms | p95 ms | req/s at 8 connections | throughput vs Datasette |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            for label, m in rows:
                ratio = f"{m['rps'] / base:.1f}×" if base else "–"
                lines.append(
                    f"| {label} | {fmt(m['p50'])} | {fmt(m['p95'])} | {fmt(m['rps'], 0)} | {ratio} |"
                )
            lines.append("")
    lines += budget_section(runs, budgets, key)
    lines += [
        "## Notes",
        "",
        "- Datasette runs with `--setting suggest_facets off`; its facet and SQL time limits are "
        "raised so that its facets and counts complete, as ours do, rather than being cut off. It "
        "can facet only on columns of the provider table (`kind`); its many-to-many facets need "
        "link tables with exactly two foreign keys, and ours also carry timestamps. Our page "
        "computes four facets (service line, category, city, kind).",
        "- The admin changelist is measured logged in as a superuser, with the same two filters.",
        "- Deep pages of a filtered directory walk the name index further; page 100 is measured "
        "above.",
        "",
    ]
    target.write_text("\n".join(lines))
    print(f"Wrote {target}")


def budget_section(runs, budgets, key):
    sqlite = runs.get("sqlite")
    if not sqlite:
        return []
    big = max(sqlite["results"], key=lambda r: r["size"])
    m = big["endpoints"]
    lines = [
        f"## Budgets at {big['size']:,} providers (SQLite)",
        "",
        "| budget | measured | verdict |",
        "| --- | ---: | --- |",
        f"| Directory, service line + city, p50 ≤ 20 ms | {fmt(m[key]['p50'])} ms | {verdict(m[key]['p50'], 20)} |",
        f"| … p95 ≤ 40 ms | {fmt(m[key]['p95'])} ms | {verdict(m[key]['p95'], 40)} |",
        f"| … ≥ 100 req/s | {fmt(m[key]['rps'], 0)} | {verdict(m[key]['rps'], 100, False)} |",
    ]
    if "datasette" in big:
        ratio = m[key]["rps"] / big["datasette"]["rps"]
        lines.append(
            f"| … ≥ 2× Datasette's throughput | {ratio:.1f}× | {verdict(ratio, 2, False)} |"
        )
    for name, budget in budgets.items():
        if name != key:
            lines.append(
                f"| {name} p50 ≤ {budget} ms | {fmt(m[name]['p50'])} ms | {verdict(m[name]['p50'], budget)} |"
            )
    csv = big["csv"]
    lines += [
        f"| CSV export ≤ 5 s | {csv['seconds']} s | {verdict(csv['seconds'], 5)} |",
        f"| CSV export: worker RSS grows < 50 MB | {csv['rss_growth_mb']} MB | {verdict(csv['rss_growth_mb'], 50)} |",
    ]
    postgres = runs.get("postgres")
    if postgres:
        pg_big = max(postgres["results"], key=lambda r: r["size"])
        pg = pg_big["endpoints"]
        lines += [
            f"| PostgreSQL: service line + city p95 ≤ 40 ms | {fmt(pg[key]['p95'])} ms | {verdict(pg[key]['p95'], 40)} |",
            f"| PostgreSQL: service line + city ≥ 100 req/s | {fmt(pg[key]['rps'], 0)} | {verdict(pg[key]['rps'], 100, False)} |",
            f"| PostgreSQL: CSV export ≤ 5 s | {pg_big['csv']['seconds']} s | {verdict(pg_big['csv']['seconds'], 5)} |",
        ]
        for name, budget in budgets.items():
            lines.append(
                f"| PostgreSQL: {name} p50 ≤ {budget} ms | {fmt(pg[name]['p50'])} ms | {verdict(pg[name]['p50'], budget)} |"
            )
            limit = m[name]["p50"] * 1.5
            lines.append(
                f"| PostgreSQL: {name} p50 within 1.5× of SQLite's {fmt(m[name]['p50'])} ms ({fmt(limit)} ms) | "
                f"{fmt(pg[name]['p50'])} ms | {verdict(pg[name]['p50'], limit)} |"
            )
    return [*lines, ""]
