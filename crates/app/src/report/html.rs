//! The run report's page: one self-contained HTML document (inline CSS
//! and SVG, no scripts, nothing fetched) with the diagram from the
//! design's saved positions, the 1 s series as small line charts, the
//! tables of figures, scale decisions and placement, and the bill.

use std::fmt::Write as _;

use archsim_model::Design;
use archsim_sim::{ComponentStats, Run};

use super::{errors_by_kind, is_busy, num};
use crate::cost_panel::component_name;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// 1234567 -> "1,234,567".
fn int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// 5073.34 -> "$5,073.34".
fn dollars(d: archsim_cost::Decimal) -> String {
    let text = d.round_dp(2).to_string();
    let (int_part, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let (sign, digits) = int_part
        .strip_prefix('-')
        .map_or(("", int_part), |rest| ("-", rest));
    let grouped = digits
        .parse::<u64>()
        .map_or_else(|_| digits.to_string(), int);
    format!("{sign}${grouped}.{cents:0<2}")
}

fn ms(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// An SVG document made inline: the namespace is implied inside HTML, and
/// leaving it out keeps the page free of any URL.
fn inline_svg(svg: &str) -> String {
    svg.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "")
        .lines()
        .filter(|l| !l.trim_start().starts_with("<?xml"))
        .collect::<Vec<_>>()
        .join("\n")
}

const STYLE: &str = "
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #16202c; margin: 0; background: #f5f7fa; }
header { background: #232f3e; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #c8d1dc; }
main { padding: 12px 28px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid #dde3ea; border-radius: 8px; padding: 12px 18px; margin: 16px 0; }
h2 { font-size: 16px; margin: 4px 0 10px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid #eef1f5; white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
th { background: #f3f5f8; font-weight: 600; }
tfoot td { font-weight: 700; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid #dde3ea; border-radius: 8px; padding: 8px 14px; min-width: 150px; background: #fbfcfe; }
.card b { display: block; font-size: 20px; }
.card span { color: #5b6b7f; font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 10px; }
.chart h3 { font-size: 13px; margin: 6px 0 2px; }
svg { max-width: 100%; height: auto; }
.wide { overflow-x: auto; }
.muted, .notes { color: #5b6b7f; font-size: 12.5px; }
.bad { color: #b91c1c; }
";

pub(super) struct Page<'a> {
    pub design: &'a Design,
    pub run: &'a Run,
    pub bill: &'a archsim_cost::CostReport,
    pub notes: &'a [String],
    pub cost_of: &'a dyn Fn(&str) -> archsim_cost::Decimal,
    pub curve: Result<&'a str, &'a String>,
}

impl Page<'_> {
    fn name(&self, id: &str) -> String {
        component_name(self.design, id)
    }

    pub fn html(&self) -> String {
        let d = self.design;
        let r = self.run;
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{} — run report ({})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            esc(&d.name),
            esc(&r.scenario)
        );
        let _ = write!(
            h,
            "<header><h1>{}</h1><p>Run report: scenario <b>{}</b>, seed {}, {} simulated seconds, region {}. Made by archsim; the same design, scenario and seed give the same report.</p></header>\n<main>\n",
            esc(&d.name),
            esc(&r.scenario),
            r.seed,
            num(r.duration_s),
            esc(&d.region)
        );
        self.summary(&mut h);
        self.diagram(&mut h);
        self.stats_table(&mut h);
        self.charts(&mut h);
        self.scale_decisions(&mut h);
        self.notes(&mut h);
        self.deployments(&mut h);
        self.placements(&mut h);
        self.cost(&mut h);
        h.push_str("</main>\n</body>\n</html>\n");
        h
    }

    fn summary(&self, h: &mut String) {
        let r = self.run;
        let scenario = self.design.scenario(&r.scenario);
        let entries: Vec<&ComponentStats> = scenario
            .map(|s| {
                s.traffic
                    .iter()
                    .filter_map(|t| r.component(&t.entry))
                    .collect()
            })
            .unwrap_or_default();
        let requests: u64 = entries.iter().map(|c| c.requests).sum();
        let failed: u64 = entries.iter().map(|c| c.errors + c.throttled).sum();
        let p99 = entries
            .iter()
            .map(|c| c.latency_ms.p99)
            .fold(0.0_f64, f64::max);
        let cold: u64 = r.components.iter().map(|c| c.cold_starts).sum();
        h.push_str("<section><h2>Summary</h2><div class=\"cards\">");
        let mut card = |value: String, label: &str, id: &str| {
            let _ = write!(
                h,
                "<div class=\"card\" id=\"{id}\"><b>{value}</b><span>{label}</span></div>"
            );
        };
        card(
            int(requests),
            "requests entering the design",
            "sum-requests",
        );
        card(
            int(failed),
            "failed or throttled at the entry",
            "sum-failed",
        );
        card(
            format!("{} ms", ms(p99)),
            "p99 latency at the entry",
            "sum-p99",
        );
        card(int(cold), "Lambda cold starts", "sum-cold");
        card(
            dollars(self.bill.total_usd),
            "monthly cost (measured usage)",
            "sum-total",
        );
        h.push_str("</div>");
        if let Some(s) = scenario
            && !s.description.is_empty()
        {
            let _ = write!(h, "<p class=\"muted\">{}</p>", esc(&s.description));
        }
        h.push_str("</section>\n");
    }

    /// The design from its saved positions, each card with its key numbers.
    fn diagram(&self, h: &mut String) {
        const W: f64 = 164.0;
        const H: f64 = 54.0;
        const PAD: f64 = 30.0;
        let comps: Vec<_> = self.design.components().collect();
        if comps.is_empty() {
            return;
        }
        let min_x = comps.iter().map(|c| c.position.x).fold(f64::MAX, f64::min) - PAD;
        let min_y = comps.iter().map(|c| c.position.y).fold(f64::MAX, f64::min) - PAD;
        let max_x = comps.iter().map(|c| c.position.x).fold(f64::MIN, f64::max) + W + PAD;
        let max_y = comps.iter().map(|c| c.position.y).fold(f64::MIN, f64::max) + H + PAD;
        let (w, ht) = (max_x - min_x, max_y - min_y);
        h.push_str("<section><h2>Diagram</h2>");
        let _ = write!(
            h,
            "<svg id=\"diagram\" viewBox=\"{} {} {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"Diagram of {}\" font-family=\"system-ui, sans-serif\">",
            num(min_x),
            num(min_y),
            num(w),
            num(ht),
            num(w),
            num(ht),
            esc(&self.design.name)
        );
        h.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#7b8794\"/></marker></defs>");
        for conn in self.design.connections() {
            let (Some(a), Some(b)) = (
                self.design.component(&conn.from),
                self.design.component(&conn.to),
            ) else {
                continue;
            };
            let (x1, y1) = (a.position.x + W, a.position.y + H / 2.0);
            let (x2, y2) = (b.position.x, b.position.y + H / 2.0);
            let dx = ((x2 - x1).abs() / 2.0).max(40.0);
            let _ = write!(
                h,
                "<path d=\"M{} {} C{} {} {} {} {} {}\" fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"><title>{}</title></path>",
                num(x1),
                num(y1),
                num(x1 + dx),
                num(y1),
                num(x2 - dx),
                num(y2),
                num(x2),
                num(y2),
                esc(&format!("{} -> {}", a.name, b.name))
            );
        }
        for c in comps {
            let stats = self.run.component(&c.id);
            let failing = stats.is_some_and(|s| s.errors + s.throttled > 0);
            let busy = stats.is_some_and(|s| s.requests > 0 || s.max_instances > 0);
            let stroke = if failing {
                "#d13212"
            } else if busy {
                "#1d8102"
            } else {
                "#c9d1de"
            };
            let (x, y) = (c.position.x, c.position.y);
            let _ = write!(
                h,
                "<g class=\"node\" data-id=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{W}\" height=\"{H}\" rx=\"7\" fill=\"#fff\" stroke=\"{stroke}\" stroke-width=\"1.6\"/>",
                esc(&c.id),
                num(x),
                num(y)
            );
            let _ = write!(
                h,
                "<text x=\"{}\" y=\"{}\" font-size=\"11.5\" font-weight=\"600\" fill=\"#16202c\">{}</text>",
                num(x + 8.0),
                num(y + 16.0),
                esc(&truncate(&c.name, 24))
            );
            let _ = write!(
                h,
                "<text x=\"{}\" y=\"{}\" font-size=\"9.5\" fill=\"#5b6b7f\">{}</text>",
                num(x + 8.0),
                num(y + 29.0),
                esc(c.kind().label())
            );
            if let Some(s) = stats {
                let _ = write!(
                    h,
                    "<text x=\"{}\" y=\"{}\" font-size=\"9.5\" fill=\"{}\">{}</text>",
                    num(x + 8.0),
                    num(y + 44.0),
                    if failing { "#b91c1c" } else { "#16202c" },
                    esc(&key_numbers(s))
                );
            }
            h.push_str("</g>");
        }
        h.push_str("</svg></section>\n");
    }

    fn stats_table(&self, h: &mut String) {
        h.push_str("<section><h2>Components</h2><div class=\"wide\"><table id=\"components\"><thead><tr>\
            <th>component</th><th class=\"text\">kind</th><th>requests</th><th>completed</th><th>errors</th><th>throttled</th>\
            <th>cold starts</th><th>concurrency mean / max</th><th>p50 ms</th><th>p99 ms</th>\
            <th>tasks mean / max</th><th>instances mean / max</th><th>environments alive / idle (mean)</th><th>P(wait) / queue mean</th><th class=\"text\">errors by kind</th><th>USD / month</th></tr></thead><tbody>");
        for c in &self.run.components {
            let _ = write!(
                h,
                "<tr data-id=\"{}\"><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td{}>{}</td><td{}>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td><td>{}</td></tr>",
                esc(&c.id),
                esc(&self.name(&c.id)),
                esc(&c.kind),
                int(c.requests),
                int(c.completed),
                if c.errors > 0 { " class=\"bad\"" } else { "" },
                int(c.errors),
                if c.throttled > 0 {
                    " class=\"bad\""
                } else {
                    ""
                },
                int(c.throttled),
                int(c.cold_starts),
                num((c.mean_concurrency * 10.0).round() / 10.0),
                int(c.max_concurrency),
                ms(c.latency_ms.p50),
                ms(c.latency_ms.p99),
                if c.max_tasks > 0 {
                    format!(
                        "{} / {}",
                        num((c.mean_tasks * 10.0).round() / 10.0),
                        c.max_tasks
                    )
                } else {
                    String::new()
                },
                if c.max_instances > 0 {
                    format!(
                        "{} / {}",
                        num((c.mean_instances * 10.0).round() / 10.0),
                        c.max_instances
                    )
                } else {
                    String::new()
                },
                c.environments.as_ref().map_or(String::new(), |e| format!(
                    "{} / {}",
                    num((e.mean_alive * 10.0).round() / 10.0),
                    num((e.mean_idle * 10.0).round() / 10.0)
                )),
                c.queue
                    .as_ref()
                    .filter(|q| q.served > 0)
                    .map_or(String::new(), |q| format!(
                        "{} / {}",
                        num((q.p_wait * 1000.0).round() / 1000.0),
                        num((q.mean_length * 10.0).round() / 10.0)
                    )),
                esc(&errors_by_kind(c).replace(';', ", ")),
                (self.cost_of)(&c.id),
            );
        }
        h.push_str("</tbody></table></div></section>\n");
    }

    fn charts(&self, h: &mut String) {
        let busy: Vec<_> = self.run.components.iter().filter(|c| is_busy(c)).collect();
        if busy.is_empty() {
            return;
        }
        h.push_str("<section><h2>Per second</h2><p class=\"muted\">Requests arriving, completed, failed and throttled each second, and what was in service at the end of each second.</p><div class=\"charts\">");
        for c in busy {
            let s = &c.series;
            let counters = [
                ("arrivals", &s.arrivals, "#1f77b4"),
                ("completed", &s.completions, "#2ca02c"),
                ("errors", &s.errors, "#d62728"),
                ("throttled", &s.throttles, "#ff7f0e"),
                ("cold starts", &s.cold_starts, "#9467bd"),
            ];
            let gauges = [
                ("concurrency", &s.concurrency, "#17becf"),
                ("tasks", &s.tasks, "#8c564b"),
                ("queue depth", &s.queue_depth, "#e377c2"),
                ("instances", &s.instances, "#7f7f7f"),
                ("environments alive", &s.environments, "#bcbd22"),
            ];
            for (title, lines) in [("per second", &counters[..]), ("in service", &gauges[..])] {
                let shown: Vec<(&str, &[u32], &str)> = lines
                    .iter()
                    .filter(|(_, v, _)| v.iter().any(|&x| x > 0))
                    .map(|(l, v, col)| (*l, v.as_slice(), *col))
                    .collect();
                if shown.is_empty() {
                    continue;
                }
                let _ = write!(
                    h,
                    "<div class=\"chart\"><h3>{} — {}</h3>{}</div>",
                    esc(&self.name(&c.id)),
                    title,
                    line_chart(&shown)
                );
            }
        }
        h.push_str("</div></section>\n");
    }

    fn scale_decisions(&self, h: &mut String) {
        h.push_str("<section><h2>Scale decisions</h2>");
        if self.run.scale_decisions.is_empty() {
            h.push_str(
                "<p class=\"muted\">No service or capacity scaled during the run.</p></section>\n",
            );
            return;
        }
        h.push_str("<table id=\"scale-decisions\"><thead><tr><th>at (s)</th><th class=\"text\">component</th><th>from</th><th>to</th><th class=\"text\">reason</th></tr></thead><tbody>");
        for d in &self.run.scale_decisions {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                num(d.at_s),
                esc(&self.name(&d.component)),
                d.from,
                d.to,
                esc(&d.reason)
            );
        }
        h.push_str("</tbody></table></section>\n");
    }

    /// What the run could not do as the design asks, when anything.
    fn notes(&self, h: &mut String) {
        if self.run.notes.is_empty() {
            return;
        }
        h.push_str("<section><h2>Run notes</h2><ul id=\"run-notes\">");
        for n in &self.run.notes {
            let _ = write!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul></section>\n");
    }

    /// The run's deployments, when it had any: each one's traffic shifts
    /// in time order, its outcome and alarm, and each version's numbers.
    fn deployments(&self, h: &mut String) {
        if self.run.deployments.is_empty() {
            return;
        }
        h.push_str("<section><h2>Deployments</h2><table id=\"deployments\"><thead><tr><th class=\"text\">component</th><th class=\"text\">strategy</th><th>started (s)</th><th class=\"text\">traffic to the new version</th><th class=\"text\">outcome</th><th class=\"text\">version</th><th>requests</th><th>errors</th><th>cold starts</th><th>p99 ms</th></tr></thead><tbody>");
        for d in &self.run.deployments {
            let shifts: Vec<String> = d
                .shifts
                .iter()
                .map(|s| format!("{}% at {} s", s.percent, num(s.at_s)))
                .collect();
            let outcome = match (d.outcome, d.finished_at_s) {
                (archsim_sim::DeploymentOutcome::Succeeded, Some(t)) => {
                    format!("succeeded at {} s", num(t))
                }
                (archsim_sim::DeploymentOutcome::RolledBack, Some(t)) => format!(
                    "rolled back at {} s by {}",
                    num(t),
                    d.alarm.as_deref().unwrap_or("an alarm")
                ),
                (archsim_sim::DeploymentOutcome::Failed, Some(t)) => format!(
                    "failed at {} s: {}",
                    num(t),
                    d.alarm.as_deref().unwrap_or("stopped")
                ),
                _ => "in progress at the end".to_string(),
            };
            for (i, v) in d.versions.iter().enumerate() {
                let lead = if i == 0 {
                    format!(
                        "<td class=\"text\" rowspan=\"{n}\">{}</td><td class=\"text\" rowspan=\"{n}\">{}</td><td rowspan=\"{n}\">{}</td><td class=\"text\" rowspan=\"{n}\">{}</td><td class=\"text\" rowspan=\"{n}\">{}</td>",
                        esc(&self.name(&d.component)),
                        esc(&d.strategy),
                        num(d.started_at_s),
                        esc(&shifts.join(" \u{2192} ")),
                        esc(&outcome),
                        n = d.versions.len()
                    )
                } else {
                    String::new()
                };
                let _ = write!(
                    h,
                    "<tr>{lead}<td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&v.version),
                    int(v.requests),
                    int(v.errors),
                    int(v.cold_starts),
                    num(v.p99_ms)
                );
            }
        }
        h.push_str("</tbody></table>\n");
        for (i, d) in self.run.deployments.iter().enumerate() {
            let _ = writeln!(
                h,
                "<figure><figcaption>{}: traffic to the new version</figcaption>{}</figure>",
                esc(&self.name(&d.component)),
                deployment_timeline(i, d, self.run.duration_s)
            );
        }
        h.push_str("</section>\n");
    }

    /// Where tasks ran on EC2 capacity when the run ended.
    fn placements(&self, h: &mut String) {
        let mut last: Vec<&archsim_sim::PlacementSnapshot> = Vec::new();
        for p in &self.run.placements {
            match last.iter_mut().find(|q| q.capacity == p.capacity) {
                Some(q) => *q = p,
                None => last.push(p),
            }
        }
        if last.is_empty() {
            return;
        }
        h.push_str("<section><h2>Placement at the end of the run</h2><table id=\"placements\"><thead><tr><th>capacity</th><th class=\"text\">instance</th><th class=\"text\">zone</th><th class=\"text\">tasks</th></tr></thead><tbody>");
        for p in last {
            for i in &p.instances {
                let mut tasks: Vec<(String, usize)> = Vec::new();
                for t in &i.tasks {
                    match tasks.iter_mut().find(|(n, _)| n == t) {
                        Some((_, k)) => *k += 1,
                        None => tasks.push((t.clone(), 1)),
                    }
                }
                let list = tasks
                    .iter()
                    .map(|(t, k)| format!("{} × {k}", self.name(t)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
                    esc(&self.name(&p.capacity)),
                    esc(&i.instance),
                    esc(&i.zone),
                    esc(&list)
                );
            }
        }
        h.push_str("</tbody></table></section>\n");
    }

    fn cost(&self, h: &mut String) {
        let b = self.bill;
        let a = &b.assumptions;
        h.push_str("<section><h2>Monthly cost</h2>");
        let _ = write!(
            h,
            "<p class=\"muted\">The run's measured usage scaled from {} s to a {} h month; free tier {}, Lambda billing {}, region {}, {}.</p>",
            num(self.run.duration_s),
            num(a.month_hours),
            if a.free_tier { "on" } else { "off" },
            match a.lambda_billing {
                archsim_cost::LambdaBilling::Millisecond => "1 ms",
                archsim_cost::LambdaBilling::Legacy100Ms => "100 ms (legacy)",
            },
            esc(&b.region),
            esc(&b.currency)
        );
        h.push_str("<table id=\"bill\"><thead><tr><th>component</th><th class=\"text\">service</th><th class=\"text\">item</th><th>quantity</th><th class=\"text\">unit</th><th>USD</th></tr></thead><tbody>");
        for l in &b.line_items {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td><td class=\"text\">{}</td><td>{}</td></tr>",
                esc(&self.name(&l.component_id)),
                esc(&l.service),
                esc(&l.description),
                l.quantity.round_dp(2).normalize(),
                esc(&l.unit),
                l.amount_usd
            );
        }
        for n in &b.not_priced {
            let _ = write!(
                h,
                "<tr class=\"not-priced\"><td>{}</td><td class=\"text\">{}</td><td class=\"text\" colspan=\"3\">not priced: {}</td><td>-</td></tr>",
                esc(&self.name(&n.component_id)),
                esc(&n.service),
                esc(&n.reason)
            );
        }
        h.push_str("</tbody><tfoot>");
        if !b.discount_usd.is_zero() {
            let _ = write!(
                h,
                "<tr><td colspan=\"5\">subtotal</td><td>{}</td></tr><tr><td colspan=\"5\">discount</td><td>-{}</td></tr>",
                b.subtotal_usd, b.discount_usd
            );
        }
        let _ = write!(
            h,
            "<tr><td colspan=\"5\">total (USD per month){}</td><td id=\"total-usd\">{}</td></tr></tfoot></table>",
            if b.total_complete {
                String::new()
            } else {
                format!(", incomplete: {} not priced", b.not_priced.len())
            },
            b.total_usd
        );
        if !self.notes.is_empty() {
            h.push_str("<ul class=\"notes\">");
            for n in self.notes {
                let _ = write!(h, "<li>{}</li>", esc(n));
            }
            h.push_str("</ul>");
        }
        match self.curve {
            Ok(svg) => {
                let _ = write!(
                    h,
                    "<h3>Cost against traffic</h3><div class=\"curve\">{}</div>",
                    inline_svg(svg)
                );
            }
            Err(e) => {
                let _ = write!(h, "<p class=\"muted\">No cost curve: {}</p>", esc(e));
            }
        }
        h.push_str("</section>\n");
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// The figures a diagram card shows: traffic, tail latency, failures.
fn key_numbers(s: &ComponentStats) -> String {
    let mut parts = Vec::new();
    if s.requests > 0 {
        parts.push(format!("{} req", short(s.requests)));
        if s.latency_ms.count > 0 {
            let p99 = s.latency_ms.p99;
            parts.push(if p99 >= 1000.0 {
                format!("p99 {:.1} s", p99 / 1000.0)
            } else {
                format!("p99 {} ms", ms(p99))
            });
        }
    }
    if s.errors + s.throttled > 0 {
        parts.push(format!("{} failed", short(s.errors + s.throttled)));
    } else if s.cold_starts > 0 {
        parts.push(format!("{} cold", short(s.cold_starts)));
    }
    if s.max_tasks > 0 {
        parts.push(format!("≤{} tasks", s.max_tasks));
    }
    if s.max_instances > 0 {
        parts.push(format!("≤{} inst", s.max_instances));
    }
    parts.truncate(3);
    parts.join(" · ")
}

/// 950 -> "950", 12_345 -> "12.3k", 420_515 -> "421k", 2_500_000 -> "2.5M".
fn short(n: u64) -> String {
    let x = n as f64;
    if n < 1000 {
        n.to_string()
    } else if n < 100_000 {
        format!("{:.1}k", x / 1e3)
    } else if n < 1_000_000 {
        format!("{:.0}k", x / 1e3)
    } else {
        format!("{:.1}M", x / 1e6)
    }
}

/// A small line chart of 1 s series (at most 300 points: longer runs are
/// averaged over windows), with a y scale, a time axis and a legend.
fn line_chart(lines: &[(&str, &[u32], &str)]) -> String {
    const W: f64 = 460.0;
    const H: f64 = 170.0;
    const L: f64 = 44.0;
    const R: f64 = 10.0;
    const T: f64 = 10.0;
    const B: f64 = 40.0;
    let len = lines.iter().map(|(_, v, _)| v.len()).max().unwrap_or(0);
    let step = len.div_ceil(300).max(1);
    let windows: Vec<Vec<f64>> = lines
        .iter()
        .map(|(_, v, _)| {
            v.chunks(step)
                .map(|c| c.iter().map(|&x| f64::from(x)).sum::<f64>() / c.len() as f64)
                .collect()
        })
        .collect();
    let top = windows
        .iter()
        .flatten()
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let top = nice_ceiling(top);
    let points = len.div_ceil(step).max(2);
    let x = |i: usize| L + (W - L - R) * i as f64 / (points - 1) as f64;
    let y = |v: f64| T + (H - T - B) * (1.0 - v / top);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" font-family=\"system-ui, sans-serif\" font-size=\"10\">"
    );
    for frac in [0.0, 0.5, 1.0] {
        let v = top * frac;
        let _ = write!(
            s,
            "<line x1=\"{L}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#e3e8ee\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#5b6b7f\">{}</text>",
            W - R,
            num(y(v)),
            num(y(v)),
            L - 4.0,
            num(y(v) + 3.0),
            num(v)
        );
    }
    let end_s = len;
    let _ = write!(
        s,
        "<text x=\"{L}\" y=\"{}\" fill=\"#5b6b7f\">0 s</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#5b6b7f\">{end_s} s</text>",
        H - B + 13.0,
        W - R,
        H - B + 13.0
    );
    for ((label, _, colour), values) in lines.iter().zip(&windows) {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", num(x(i)), num(y(*v))))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.4\" points=\"{}\"><title>{label}</title></polyline>",
            pts.join(" ")
        );
    }
    let mut lx = L;
    for (label, _, colour) in lines {
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"3\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" fill=\"#16202c\">{label}</text>",
            num(lx),
            H - 12.0,
            num(lx + 13.0),
            H - 8.0
        );
        lx += 20.0 + 6.0 * label.len() as f64;
    }
    s.push_str("</svg>");
    s
}

/// A deployment's timeline over the whole run: the new version's share of
/// traffic as a step line (0% until it starts, each shift at its time),
/// the time it ran shaded, each shift's time and share on hover.
fn deployment_timeline(i: usize, d: &archsim_sim::Deployment, duration_s: f64) -> String {
    const W: f64 = 460.0;
    const H: f64 = 110.0;
    const L: f64 = 44.0;
    const R: f64 = 10.0;
    const T: f64 = 10.0;
    const B: f64 = 26.0;
    let span = duration_s.max(1.0);
    let x = |t: f64| L + (W - L - R) * t.clamp(0.0, span) / span;
    let y = |p: u32| T + (H - T - B) * (1.0 - f64::from(p.min(100)) / 100.0);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"deployment-timeline-{i}\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" font-family=\"system-ui, sans-serif\" font-size=\"10\" role=\"img\" aria-label=\"Traffic to the new version of {} over the run\">",
        esc(&d.component)
    );
    let end = d.finished_at_s.unwrap_or(duration_s);
    let _ = write!(
        s,
        "<rect x=\"{}\" y=\"{T}\" width=\"{}\" height=\"{}\" fill=\"#eef3f9\"/>",
        num(x(d.started_at_s)),
        num((x(end) - x(d.started_at_s)).max(1.0)),
        H - T - B
    );
    for p in [0, 50, 100] {
        let _ = write!(
            s,
            "<line x1=\"{L}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#e3e8ee\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#5b6b7f\">{p}%</text>",
            W - R,
            num(y(p)),
            num(y(p)),
            L - 4.0,
            num(y(p) + 3.0)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{L}\" y=\"{}\" fill=\"#5b6b7f\">0 s</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#5b6b7f\">{} s</text>",
        H - B + 13.0,
        W - R,
        H - B + 13.0,
        num(duration_s)
    );
    let mut pts = vec![format!("{},{}", num(x(0.0)), num(y(0)))];
    let mut share = 0;
    for shift in &d.shifts {
        pts.push(format!("{},{}", num(x(shift.at_s)), num(y(share))));
        pts.push(format!("{},{}", num(x(shift.at_s)), num(y(shift.percent))));
        share = shift.percent;
    }
    pts.push(format!("{},{}", num(x(duration_s)), num(y(share))));
    let colour = match d.outcome {
        archsim_sim::DeploymentOutcome::Succeeded => "#1f7a4d",
        archsim_sim::DeploymentOutcome::InProgress => "#2b6cb0",
        archsim_sim::DeploymentOutcome::RolledBack | archsim_sim::DeploymentOutcome::Failed => {
            "#c0392b"
        }
    };
    let _ = write!(
        s,
        "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
        pts.join(" ")
    );
    for shift in &d.shifts {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\"><title>{}% at {} s</title></circle>",
            num(x(shift.at_s)),
            num(y(shift.percent)),
            shift.percent,
            num(shift.at_s)
        );
    }
    s.push_str("</svg>");
    s
}

/// 1, 2 or 5 times a power of ten, at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(int(1234567), "1,234,567");
        let d = |s: &str| s.parse::<archsim_cost::Decimal>().unwrap();
        assert_eq!(dollars(d("5073.34")), "$5,073.34");
        assert_eq!(dollars(d("0")), "$0.00");
        assert_eq!(dollars(d("1234567.5")), "$1,234,567.50");
        assert_eq!(short(950), "950");
        assert_eq!(short(12_345), "12.3k");
        assert_eq!(short(420_515), "421k");
        assert_eq!(short(2_500_000), "2.5M");
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
    }
}
