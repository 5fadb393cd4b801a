namespace Sidecar.Web;

/// <summary>The pages' only stylesheet, inlined so nothing is fetched from anywhere (no CDN, no fonts).</summary>
internal static class Stylesheet
{
    public const string Css = """
        :root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#f6f8fa; --accent:#0969da; --bad:#cf222e; --ok:#1a7f37; }
        * { box-sizing:border-box; }
        body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif; color:var(--fg); background:#fff; }
        header { display:flex; align-items:center; gap:24px; padding:10px 24px; background:#24292f; color:#fff; }
        header .brand { font-weight:600; }
        header nav a { color:#d0d7de; text-decoration:none; margin-right:16px; }
        header nav a.active, header nav a:hover { color:#fff; }
        main { padding:16px 24px; max-width:1280px; }
        h1 { font-size:20px; margin:4px 0 12px; word-break:break-all; }
        h2 { font-size:16px; margin:20px 0 8px; }
        .card h2 { margin-top:0; }
        table { border-collapse:collapse; width:100%; margin-bottom:12px; }
        th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
        th { background:var(--bg); font-weight:600; }
        td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
        code, .labels { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; word-break:break-all; }
        a { color:var(--accent); }
        .muted { color:var(--muted); }
        .error { color:var(--bad); }
        .card { border:1px solid var(--line); border-radius:6px; padding:12px 16px; margin-bottom:16px; }
        .facts { display:flex; flex-wrap:wrap; gap:8px 28px; margin:0 0 8px; }
        .facts div { min-width:110px; }
        .facts dt { color:var(--muted); font-size:12px; }
        .facts dd { margin:0; font-weight:500; }
        progress { width:120px; vertical-align:middle; }
        .score { font-weight:600; }
        .score.anomalous, tr.anomalous td.score-cell { color:var(--bad); }
        .badge { display:inline-block; padding:0 6px; border-radius:10px; font-size:12px; background:var(--bg); border:1px solid var(--line); }
        .badge.anomalous { background:#ffebe9; border-color:#ff818266; color:var(--bad); }
        .badge.normal { background:#dafbe1; border-color:#4ac26b66; color:var(--ok); }
        form.search { display:flex; gap:8px; align-items:center; margin-bottom:12px; }
        form.search input[type=search] { flex:1; max-width:480px; padding:5px 8px; border:1px solid var(--line); border-radius:6px; font:inherit; }
        form.search select, form.search button { padding:5px 8px; border:1px solid var(--line); border-radius:6px; font:inherit; background:var(--bg); }
        svg.chart { width:100%; height:auto; border:1px solid var(--line); border-radius:6px; background:#fff; }
        svg.chart .axis { stroke:#8c959f; stroke-width:1; }
        svg.chart .grid { stroke:#eaeef2; stroke-width:1; }
        svg.chart text { font:11px system-ui,sans-serif; fill:var(--muted); }
        svg.chart .history { fill:none; stroke:var(--accent); stroke-width:1.5; }
        svg.chart .fan { fill:#bf8700; fill-opacity:.12; stroke:none; }
        svg.chart .band { stroke:#bf8700; stroke-width:2; fill:none; }
        svg.chart .forecast-line { fill:none; stroke:#bf8700; stroke-width:1.5; stroke-dasharray:5 4; }
        svg.chart .forecast { fill:#bf8700; stroke:#fff; stroke-width:1.5; }
        svg.chart .now { stroke:#8c959f; stroke-dasharray:2 3; }
        svg.chart .latest { fill:var(--accent); }
        svg.chart .latest.anomalous { fill:var(--bad); }
        .meter { position:relative; height:10px; width:220px; background:var(--bg); border:1px solid var(--line); border-radius:5px; display:inline-block; vertical-align:middle; overflow:hidden; }
        .meter span { position:absolute; left:0; top:0; bottom:0; background:var(--ok); }
        .meter.anomalous span { background:var(--bad); }
        .meter i { position:absolute; top:-2px; bottom:-2px; width:2px; background:var(--fg); }
        """;
}
