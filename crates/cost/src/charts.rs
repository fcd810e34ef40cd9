//! Charts of the curves, drawn with plotters to SVG or PNG.
//!
//! Text is drawn with a font embedded in the binary (egui's Ubuntu Light,
//! from `epaint_default_fonts`), registered once as "sans-serif": charts
//! look the same on every machine and never depend on system fonts. The
//! same drawing code serves both formats, so the CLI's PNG and the app's
//! SVG show the same chart.

use crate::curves::{BreakEven, CostCurve, MemoryCurve, ONE_VCPU_MEMORY_MB};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::OnceLock;

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 620;
/// Plotters' SVG backend writes a font of size `s` as `font-size: s / 1.24`.
const SVG_EM: f64 = 1.24;
/// The narrowest chart drawn: below it axis labels would collide.
const MIN_WIDTH: u32 = 320;

/// Sizes of a chart drawn `width` pixels wide: at 1000 px (files, the CLI)
/// the full sizes; narrower (the designer's panel, drawn at its own width
/// so nothing is scaled down) fonts shrink no lower than 14 (plotters
/// writes an SVG font size of size / 1.24, so 11.3 px) and the caption is
/// left to the panel when it would not fit.
#[derive(Debug, Clone, Copy)]
struct Layout {
    width: u32,
    height: u32,
    caption: f64,
    desc: f64,
    label: f64,
    legend: f64,
    margin: u32,
    x_area: u32,
    y_area: u32,
}

impl Layout {
    fn at(width: u32) -> Layout {
        let width = width.max(MIN_WIDTH);
        let s = (f64::from(width) / f64::from(WIDTH)).min(1.0);
        let font = |full: f64, least: f64| (full * s).max(least);
        let size = |full: f64, least: f64| font(full, least).round() as u32;
        Layout {
            width,
            height: if width >= WIDTH {
                HEIGHT
            } else {
                (f64::from(width) * 0.7).round() as u32
            },
            caption: font(22.0, 16.0),
            desc: font(17.0, 14.5),
            label: font(14.0, 14.0),
            legend: font(15.0, 14.0),
            margin: size(20.0, 8.0),
            x_area: size(55.0, 40.0),
            y_area: size(85.0, 74.0),
        }
    }

    /// At most how wide `text` is at `size` px (the embedded font's
    /// average advance is a little over half its size; 0.6 em errs wide).
    fn text_px(text: &str, size: f64) -> i32 {
        (text.chars().count() as f64 * size / SVG_EM * 0.6).ceil() as i32
    }

    /// A chart builder on `root` with this layout's margin and label
    /// areas, captioned `title` when it fits.
    fn builder<'a, 'b, DB: DrawingBackend>(
        &self,
        root: &'a DrawingArea<DB, Shift>,
        title: &'b str,
    ) -> ChartBuilder<'a, 'b, DB> {
        let mut builder = ChartBuilder::on(root);
        if let Some(size) = self.caption_for(title) {
            builder.caption(title, (FONT, size));
        }
        builder
            .margin(self.margin)
            .x_label_area_size(self.x_area)
            .y_label_area_size(self.y_area);
        builder
    }

    /// The caption's font size, or `None` when it would not fit.
    fn caption_for(&self, text: &str) -> Option<f64> {
        (Self::text_px(text, self.caption) <= self.width as i32 - 2 * self.margin as i32)
            .then_some(self.caption)
    }
}
const FONT: &str = "sans-serif";

/// Series colours, readable on white and distinct in a stack.
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Output format of a chart file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Svg,
    Png,
}

impl ImageFormat {
    /// The format named by a path's extension (`.svg` or `.png`).
    pub fn from_path(path: &Path) -> Result<Self, ChartError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(ImageFormat::Svg),
            Some("png") => Ok(ImageFormat::Png),
            _ => Err(ChartError::UnknownFormat {
                path: path.display().to_string(),
            }),
        }
    }
}

/// A chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot register the embedded chart font: {0}")]
    Font(String),
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    #[error("cannot write chart {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("chart file {path} must end in .svg or .png")]
    UnknownFormat { path: String },
    #[error("nothing to chart: {0}")]
    Empty(String),
}

fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(
                FONT,
                FontStyle::Normal,
                epaint_default_fonts::UBUNTU_LIGHT,
            )
            .map_err(|_| {
                "Ubuntu Light from epaint_default_fonts is not a valid TrueType font".to_string()
            })
        })
        .clone()
        .map_err(ChartError::Font)
}

trait DrawResult<T> {
    fn drawn(self) -> Result<T, ChartError>;
}

impl<T, E: std::fmt::Display> DrawResult<T> for Result<T, E> {
    fn drawn(self) -> Result<T, ChartError> {
        self.map_err(|e| ChartError::Draw(e.to_string()))
    }
}

/// Any of the crate's charts.
#[derive(Debug, Clone, Copy)]
pub enum Chart<'a> {
    CostCurve(&'a CostCurve),
    BreakEven(&'a BreakEven),
    Memory(&'a MemoryCurve),
}

impl Chart<'_> {
    /// The chart as an SVG document.
    pub fn to_svg(self) -> Result<String, ChartError> {
        self.to_svg_at(WIDTH)
    }

    /// The chart as an SVG document `width` pixels wide (at least 320),
    /// for a panel that shows it at that size: text stays at least 12 px.
    pub fn to_svg_at(self, width: u32) -> Result<String, ChartError> {
        ensure_font()?;
        let layout = Layout::at(width);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (layout.width, layout.height))
                .into_drawing_area();
            self.draw(&root, layout)?;
            root.present().drawn()?;
        }
        Ok(svg)
    }

    /// Writes the chart to `path` in `format`.
    pub fn render(self, format: ImageFormat, path: &Path) -> Result<(), ChartError> {
        ensure_font()?;
        let write_error = |source| ChartError::Write {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
            && !parent.is_dir()
        {
            return Err(write_error(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("directory {} does not exist", parent.display()),
            )));
        }
        match format {
            ImageFormat::Svg => std::fs::write(path, self.to_svg()?).map_err(write_error),
            ImageFormat::Png => {
                let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
                self.draw(&root, Layout::at(WIDTH))?;
                root.present().drawn()
            }
        }
    }

    fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        l: Layout,
    ) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).drawn()?;
        match self {
            Chart::CostCurve(curve) => draw_cost_curve(root, curve, l),
            Chart::BreakEven(result) => draw_break_even(root, result, l),
            Chart::Memory(curve) => draw_memory(root, curve, l),
        }
    }
}

/// Writes a cost curve chart (stacked by component) to `path`.
pub fn render_cost_curve(
    curve: &CostCurve,
    format: ImageFormat,
    path: &Path,
) -> Result<(), ChartError> {
    Chart::CostCurve(curve).render(format, path)
}

/// Writes a break-even chart (crossings marked and labelled) to `path`.
pub fn render_breakeven(
    result: &BreakEven,
    format: ImageFormat,
    path: &Path,
) -> Result<(), ChartError> {
    Chart::BreakEven(result).render(format, path)
}

/// Writes a Lambda cost-vs-memory chart to `path`.
pub fn render_memory(
    curve: &MemoryCurve,
    format: ImageFormat,
    path: &Path,
) -> Result<(), ChartError> {
    Chart::Memory(curve).render(format, path)
}

/// "0.01", "1", "2.5", "1k", "10k" for axis ticks.
fn tick(value: f64) -> String {
    if value >= 1000.0 {
        format!("{}k", trim(value / 1000.0))
    } else {
        trim(value)
    }
}

fn trim(value: f64) -> String {
    let text = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 1.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn dollars(value: f64) -> String {
    if value == 0.0 {
        "$0".into()
    } else if value >= 1000.0 {
        format!("${:.1}k", value / 1000.0)
    } else if value >= 10.0 {
        format!("${value:.0}")
    } else {
        format!("${value:.2}")
    }
}

fn y_max(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    if max > 0.0 { max * 1.1 } else { 1.0 }
}

fn assumptions_note(a: &crate::usage::Assumptions) -> String {
    let billing = match a.lambda_billing {
        crate::usage::LambdaBilling::Millisecond => "1 ms billing",
        crate::usage::LambdaBilling::Legacy100Ms => "100 ms billing",
    };
    format!(
        "{} h month, free tier {}, {billing}",
        a.month_hours,
        if a.free_tier { "on" } else { "off" }
    )
}

/// Draws the series legend of a chart (plain or dual-axis).
macro_rules! draw_legend {
    ($chart:expr, $position:expr, $size:expr) => {
        $chart
            .configure_series_labels()
            .position($position)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.5))
            .label_font((FONT, $size))
            .draw()
            .drawn()
    };
}

/// One band of the stacked cost curve.
struct Band {
    label: String,
    monthly_usd: Vec<f64>,
    colour: RGBColor,
}

/// The cost curve's bands, bottom first: one per component while the
/// palette has a colour for each; with more components, the
/// `PALETTE.len() - 1` dearest (by their highest monthly cost, in the
/// curve's order) and one grey band on top adding up the rest, labelled
/// with how many it holds, so no two bands share a colour and the legend
/// stays short. The total line is the bill's either way.
fn bands(curve: &CostCurve) -> Vec<Band> {
    let peak =
        |s: &crate::curves::ComponentSeries| s.monthly_usd.iter().copied().fold(0.0, f64::max);
    let own: Vec<usize> = if curve.components.len() <= PALETTE.len() {
        (0..curve.components.len()).collect()
    } else {
        let mut by_cost: Vec<usize> = (0..curve.components.len()).collect();
        by_cost.sort_by(|&a, &b| peak(&curve.components[b]).total_cmp(&peak(&curve.components[a])));
        let mut kept = by_cost[..PALETTE.len() - 1].to_vec();
        kept.sort_unstable();
        kept
    };
    let mut out: Vec<Band> = own
        .iter()
        .enumerate()
        .map(|(i, &c)| Band {
            label: curve.components[c].component_id.clone(),
            monthly_usd: curve.components[c].monthly_usd.clone(),
            colour: colour(i),
        })
        .collect();
    let rest: Vec<&crate::curves::ComponentSeries> = (0..curve.components.len())
        .filter(|i| !own.contains(i))
        .map(|i| &curve.components[i])
        .collect();
    if let Some(first) = rest.first() {
        let mut sum = vec![0.0; first.monthly_usd.len()];
        for s in &rest {
            for (t, v) in sum.iter_mut().zip(&s.monthly_usd) {
                *t += v;
            }
        }
        out.push(Band {
            label: format!("{} others", rest.len()),
            monthly_usd: sum,
            colour: RGBColor(150, 150, 150),
        });
    }
    out
}

fn draw_cost_curve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curve: &CostCurve,
    l: Layout,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (xs, x_desc) = match &curve.requests_per_s {
        Some(rates) => (rates.clone(), "traffic (requests/s, log scale)"),
        None => (
            curve.multipliers.clone(),
            "traffic (multiple of the scenario's load, log scale)",
        ),
    };
    let (Some(&x_min), Some(&x_max)) = (xs.first(), xs.last()) else {
        return Err(ChartError::Empty("the cost curve has no points".into()));
    };
    let bands = bands(curve);
    // Cumulative sums, bottom band first.
    let mut stacked: Vec<Vec<f64>> = Vec::with_capacity(bands.len());
    for band in &bands {
        let below = stacked
            .last()
            .cloned()
            .unwrap_or_else(|| vec![0.0; xs.len()]);
        stacked.push(
            below
                .iter()
                .zip(&band.monthly_usd)
                .map(|(b, v)| b + v)
                .collect(),
        );
    }
    let top = y_max(
        stacked
            .last()
            .into_iter()
            .flatten()
            .copied()
            .chain(curve.total_usd.iter().copied()),
    );
    let title = format!(
        "Monthly cost vs traffic ({})",
        assumptions_note(&curve.assumptions)
    );
    let mut chart = l
        .builder(root, &title)
        .build_cartesian_2d((x_min..x_max).log_scale(), 0.0..top)
        .drawn()?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("cost ($/month)")
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| dollars(*y))
        .axis_desc_style((FONT, l.desc))
        .label_style((FONT, l.label))
        .draw()
        .drawn()?;
    // Draw the tallest band first so each lower one paints over it.
    for (i, band) in bands.iter().enumerate().rev() {
        let c = band.colour;
        chart
            .draw_series(
                AreaSeries::new(
                    xs.iter().copied().zip(stacked[i].iter().copied()),
                    0.0,
                    c.mix(0.85),
                )
                .border_style(c.stroke_width(1)),
            )
            .drawn()?
            .label(band.label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled()));
    }
    chart
        .draw_series(LineSeries::new(
            xs.iter().copied().zip(curve.total_usd.iter().copied()),
            BLACK.stroke_width(2),
        ))
        .drawn()?
        .label("total")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK.stroke_width(2)));
    draw_legend!(chart, SeriesLabelPosition::UpperLeft, l.legend)
}

fn draw_break_even<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    result: &BreakEven,
    l: Layout,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let xs = &result.requests_per_s;
    let (Some(&x_min), Some(&x_max)) = (xs.first(), xs.last()) else {
        return Err(ChartError::Empty(
            "the break-even grid has no points".into(),
        ));
    };
    let top = y_max(
        result
            .series
            .iter()
            .flat_map(|s| s.monthly_usd.iter().copied()),
    );
    let title = break_even_title(result);
    let mut chart = l
        .builder(root, &title)
        .build_cartesian_2d((x_min..x_max).log_scale(), 0.0..top)
        .drawn()?;
    chart
        .configure_mesh()
        .x_desc("request rate (requests/s, log scale)")
        .y_desc("cost ($/month)")
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| dollars(*y))
        .axis_desc_style((FONT, l.desc))
        .label_style((FONT, l.label))
        .draw()
        .drawn()?;
    // The cheapest platform's band goes under the lines.
    let segments = cheapest_segments(result);
    // Tall enough for its label on a short chart: one and a half lines.
    let plot_h = f64::from(chart.plotting_area().dim_in_pixel().1.max(1));
    let band = (top * 0.07).max(top * l.label / SVG_EM * 1.5 / plot_h);
    // The rates sit clear of the band's labels: most of a line above it.
    let rate_y = band + top * l.label / SVG_EM * 0.8 / plot_h;
    for (from, to, i) in &segments {
        let c = colour(*i);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(*from, 0.0), (*to, band)],
                c.mix(0.35).filled(),
            )))
            .drawn()?;
    }
    for (i, series) in result.series.iter().enumerate() {
        let c = colour(i);
        chart
            .draw_series(LineSeries::new(
                xs.iter().copied().zip(series.monthly_usd.iter().copied()),
                c.stroke_width(3),
            ))
            .drawn()?
            .label(series.platform.label())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], c.stroke_width(3)));
    }
    // Every crossing is a dot; the words go in a band along the foot of the
    // plot that says which platform is cheapest at each rate, with the rate
    // where that changes above it. A label is drawn only where it has room
    // (wider than its text, clear of the previous one), so none overlap;
    // the panel lists every crossing with its numbers.
    chart
        .draw_series(
            result
                .crossings
                .iter()
                .map(|c| Circle::new((c.requests_per_s, c.monthly_usd), 5, BLACK.filled())),
        )
        .drawn()?;
    // Where things fall in pixels, decided before drawing (drawing borrows the chart).
    let px = |x: f64| chart.backend_coord(&(x, 0.0)).0;
    let label_px = |text: &str| Layout::text_px(text, l.label);
    let mut band_labels = Vec::new();
    for (from, to, i) in &segments {
        let text = format!("{} cheapest", result.series[*i].platform.label());
        if px(*to) - px(*from) > label_px(&text) + 8 {
            band_labels.push(((from * to).sqrt(), text));
        }
    }
    let mut rate_labels = Vec::new();
    let mut last_right = i32::MIN;
    for (_, to, _) in segments.iter().take(segments.len().saturating_sub(1)) {
        let text = format!("{} req/s", trim(*to));
        let (x, w) = (px(*to), label_px(&text));
        if x - w / 2 > last_right + 6 {
            rate_labels.push((*to, text));
            last_right = x + w / 2;
        }
    }
    let centre =
        TextStyle::from((FONT, l.label).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    chart
        .draw_series(
            band_labels
                .into_iter()
                .map(|(x, text)| Text::new(text, (x, band / 2.0), centre.clone())),
        )
        .drawn()?;
    let above =
        TextStyle::from((FONT, l.label).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart
        .draw_series(
            rate_labels
                .into_iter()
                .map(|(x, text)| Text::new(text, (x, rate_y), above.clone())),
        )
        .drawn()?;
    draw_legend!(chart, SeriesLabelPosition::UpperLeft, l.legend)?;
    Ok(())
}

/// What a break-even chart compares (its caption): the function's
/// workload and the sizes it runs at on each platform.
pub fn break_even_title(result: &BreakEven) -> String {
    let w = &result.input.workload;
    let f = &result.input.fargate;
    let mut title = format!(
        "Break-even: Lambda {} MB, {} ms vs Fargate {} vCPU / {} GB",
        w.memory_mb,
        short_number(w.duration_ms),
        f.vcpu,
        f.memory_gb
    );
    if let Some(e) = &result.input.ec2 {
        title.push_str(&format!(" vs ECS on {}", e.instance_type));
    }
    title
}

/// The rate ranges over which each platform is the cheapest:
/// `(from, to, series index)`, split where the cheapest changes (at the
/// crossing between grid points, on the log scale).
fn cheapest_segments(result: &BreakEven) -> Vec<(f64, f64, usize)> {
    let xs = &result.requests_per_s;
    let cheapest = |k: usize| {
        (0..result.series.len())
            .min_by(|&a, &b| {
                result.series[a].monthly_usd[k].total_cmp(&result.series[b].monthly_usd[k])
            })
            .unwrap_or(0)
    };
    let mut out: Vec<(f64, f64, usize)> = Vec::new();
    for k in 0..xs.len() {
        let i = cheapest(k);
        match out.last_mut() {
            Some(last) if last.2 == i => last.1 = xs[k],
            Some(last) => {
                let at = (xs[k - 1] * xs[k]).sqrt();
                last.1 = at;
                out.push((at, xs[k], i));
            }
            None => out.push((xs[k], xs[k], i)),
        }
    }
    out
}

fn draw_memory<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curve: &MemoryCurve,
    l: Layout,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let points = &curve.points;
    if points.is_empty() {
        return Err(ChartError::Empty("the memory curve has no points".into()));
    }
    let x_max = points
        .iter()
        .map(|p| p.memory_mb)
        .max()
        .unwrap_or(ONE_VCPU_MEMORY_MB) as f64
        * 1.05;
    let cost_top = y_max(points.iter().map(|p| p.cost_per_million_usd));
    let time_top = y_max(points.iter().map(|p| p.duration_ms));
    let input = &curve.input;
    let title = format!(
        "Lambda cost per 1M invocations vs memory ({} ms at {} MB, {:.0}% CPU-bound, {})",
        short_number(input.reference_duration_ms),
        input.reference_memory_mb,
        input.cpu_bound_fraction * 100.0,
        input.architecture.label()
    );
    let mut chart = l
        .builder(root, &title)
        .right_y_label_area_size(l.y_area)
        .build_cartesian_2d(0.0..x_max, 0.0..cost_top)
        .drawn()?
        .set_secondary_coord(0.0..x_max, 0.0..time_top);
    chart
        .configure_mesh()
        .x_desc("memory (MB)")
        .y_desc("cost ($ per 1M invocations)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| dollars(*y))
        .axis_desc_style((FONT, l.desc))
        .label_style((FONT, l.label))
        .draw()
        .drawn()?;
    chart
        .configure_secondary_axes()
        .y_desc("duration (ms)")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .axis_desc_style((FONT, l.desc))
        .label_style((FONT, l.label))
        .draw()
        .drawn()?;
    let cost_colour = colour(0);
    let time_colour = colour(1);
    chart
        .draw_series(LineSeries::new(
            points
                .iter()
                .map(|p| (f64::from(p.memory_mb), p.cost_per_million_usd)),
            cost_colour.stroke_width(3),
        ))
        .drawn()?
        .label("cost per 1M invocations")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], cost_colour.stroke_width(3)));
    chart
        .draw_series(points.iter().map(|p| {
            Circle::new(
                (f64::from(p.memory_mb), p.cost_per_million_usd),
                4,
                cost_colour.filled(),
            )
        }))
        .drawn()?;
    chart
        .draw_secondary_series(LineSeries::new(
            points
                .iter()
                .map(|p| (f64::from(p.memory_mb), p.duration_ms)),
            time_colour.stroke_width(2),
        ))
        .drawn()?
        .label("duration")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], time_colour.stroke_width(2)));
    let cheapest = &points[curve.cheapest];
    let fastest = &points[curve.fastest];
    let marks = [
        (
            cheapest,
            format!(
                "cheapest: {} MB, {} per 1M",
                cheapest.memory_mb,
                dollars(cheapest.cost_per_million_usd)
            ),
            -44,
        ),
        (
            fastest,
            format!(
                "fastest: {} MB, {:.0} ms",
                fastest.memory_mb, fastest.duration_ms
            ),
            16,
        ),
    ];
    chart
        .draw_series(marks.into_iter().map(|(p, label, dy)| {
            EmptyElement::at((f64::from(p.memory_mb), p.cost_per_million_usd))
                + Circle::new((0, 0), 7, BLACK.stroke_width(2))
                + Text::new(label, (10, dy), (FONT, l.legend))
        }))
        .drawn()?;
    draw_legend!(chart, SeriesLabelPosition::UpperRight, l.legend)
}

/// A number for a title: whole numbers as they are, others to one decimal.
fn short_number(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curves::ComponentSeries;
    use std::collections::BTreeSet;

    fn curve(n: usize) -> CostCurve {
        CostCurve {
            multipliers: vec![1.0, 10.0],
            requests_per_s: None,
            // Component i costs i and 10 i.
            components: (0..n)
                .map(|i| ComponentSeries {
                    component_id: format!("c{i}"),
                    monthly_usd: vec![i as f64, 10.0 * i as f64],
                })
                .collect(),
            total_usd: vec![0.0, 0.0],
            assumptions: Default::default(),
        }
    }

    /// As many bands as components while each has a colour of its own;
    /// past the palette, the dearest keep theirs (in the curve's order)
    /// and one grey band on top adds up the rest, so the stack's height
    /// is unchanged and no two bands share a colour.
    #[test]
    fn past_the_palette_the_cheapest_components_share_one_grey_band() {
        let few = bands(&curve(PALETTE.len()));
        assert_eq!(few.len(), PALETTE.len());
        assert_eq!(few[3].label, "c3");

        let many = bands(&curve(11));
        let labels: Vec<&str> = many.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(
            labels,
            ["c4", "c5", "c6", "c7", "c8", "c9", "c10", "4 others"]
        );
        // c0 + c1 + c2 + c3 at each point.
        assert_eq!(many[7].monthly_usd, vec![6.0, 60.0]);
        let height = |b: &[Band], p: usize| b.iter().map(|b| b.monthly_usd[p]).sum::<f64>();
        assert_eq!(
            height(&many, 1),
            (0..11).map(|i| 10.0 * i as f64).sum::<f64>()
        );
        let colours: BTreeSet<(u8, u8, u8)> = many
            .iter()
            .map(|b| (b.colour.0, b.colour.1, b.colour.2))
            .collect();
        assert_eq!(colours.len(), many.len());
    }
}
