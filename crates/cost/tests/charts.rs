//! Charts: the files exist, SVG parses as XML with the expected title,
//! axis labels, legend and marks, PNG decodes to the chart's size, and
//! snapshots guard the SVG's text (not its float coordinates).

use archsim_cost::{
    Architecture, Assumptions, BreakEven, BreakEvenInput, Chart, ComponentUsage, CostCurve,
    CurveOptions, Ec2Sizing, FargateSizing, FargateUsage, ImageFormat, LambdaUsage,
    LoadBalancerUsage, MemoryCurve, PowerTuningInput, PriceBook, UsageProfile, Workload,
    break_even, cost_curve, memory_curve, render_breakeven, render_cost_curve, render_memory,
};
use std::path::Path;

fn book() -> PriceBook {
    PriceBook::default_book().expect("embedded book")
}

fn sample_cost_curve() -> CostCurve {
    let profile = UsageProfile {
        components: vec![
            ComponentUsage::new("orders-fn", LambdaUsage::new(3e6, 120.0, 1536)),
            ComponentUsage::new("web-service", FargateUsage::always_on(2.0, 0.5, 1.0)),
            ComponentUsage::new(
                "public-alb",
                LoadBalancerUsage {
                    new_connections_per_s: 10.0,
                    gb_processed_per_hour: 0.5,
                    ..LoadBalancerUsage::alb()
                },
            ),
        ],
    };
    let options = CurveOptions {
        base_requests_per_s: Some(1.14),
        ..CurveOptions::default()
    };
    cost_curve(&book(), &profile, &Assumptions::default(), &options).unwrap()
}

fn sample_break_even() -> BreakEven {
    let input = BreakEvenInput {
        workload: Workload {
            duration_ms: 200.0,
            cpu_ms_per_request: 200.0,
            memory_mb: 1024,
            architecture: Architecture::X86_64,
        },
        fargate: FargateSizing {
            vcpu: 1.0,
            memory_gb: 2.0,
            target_cpu_utilization: 1.0,
            min_tasks: 1,
            architecture: Architecture::X86_64,
            spot: false,
        },
        ec2: Some(Ec2Sizing {
            instance_type: "m5.large".into(),
            task_vcpu: 1.0,
            task_memory_gb: 2.0,
            target_cpu_utilization: 1.0,
            min_tasks: 1,
            min_instances: 1,
        }),
        min_requests_per_s: 0.1,
        max_requests_per_s: 9.9,
        points: 300,
        surroundings: false,
    };
    break_even(&book(), &input, &Assumptions::default()).unwrap()
}

fn sample_memory_curve() -> MemoryCurve {
    let input = PowerTuningInput {
        reference_memory_mb: 1024,
        reference_duration_ms: 400.0,
        cpu_bound_fraction: 0.8,
        architecture: Architecture::X86_64,
        memory_sizes_mb: PowerTuningInput::default_memory_sizes(),
    };
    memory_curve(&book(), &input, &Assumptions::default()).unwrap()
}

/// The text content of every `<text>` element, in document order.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("chart is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect()
}

fn check_png(path: &Path) {
    let bytes = std::fs::read(path).expect("PNG written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG magic bytes");
    let decoder = png::Decoder::new(bytes.as_slice());
    let reader = decoder.read_info().expect("PNG decodes");
    let info = reader.info();
    assert_eq!((info.width, info.height), (1000, 620));
}

fn render_all(chart: Chart<'_>, name: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join(format!("{name}.svg"));
    let png_path = dir.path().join(format!("{name}.png"));
    match chart {
        Chart::CostCurve(c) => {
            render_cost_curve(c, ImageFormat::Svg, &svg_path).unwrap();
            render_cost_curve(c, ImageFormat::Png, &png_path).unwrap();
        }
        Chart::BreakEven(b) => {
            render_breakeven(b, ImageFormat::Svg, &svg_path).unwrap();
            render_breakeven(b, ImageFormat::Png, &png_path).unwrap();
        }
        Chart::Memory(m) => {
            render_memory(m, ImageFormat::Svg, &svg_path).unwrap();
            render_memory(m, ImageFormat::Png, &png_path).unwrap();
        }
    }
    if let Ok(keep) = std::env::var("ARCHSIM_KEEP_CHARTS") {
        for path in [&svg_path, &png_path] {
            std::fs::copy(path, Path::new(&keep).join(path.file_name().unwrap())).unwrap();
        }
    }
    check_png(&png_path);
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert_eq!(
        svg,
        chart.to_svg().unwrap(),
        "file and string renderings agree"
    );
    svg_texts(&svg)
}

fn has(texts: &[String], needle: &str) -> bool {
    texts.iter().any(|t| t.contains(needle))
}

#[test]
fn cost_curve_chart_has_title_axes_and_stacked_legend() {
    let curve = sample_cost_curve();
    let texts = render_all(Chart::CostCurve(&curve), "cost-curve");
    assert!(has(
        &texts,
        "Monthly cost vs traffic (730 h month, free tier off, 1 ms billing)"
    ));
    assert!(has(&texts, "traffic (requests/s, log scale)"));
    assert!(has(&texts, "cost ($/month)"));
    for legend in ["orders-fn", "web-service", "public-alb", "total"] {
        assert!(
            texts.iter().any(|t| t == legend),
            "legend {legend} in {texts:?}"
        );
    }
    insta::assert_snapshot!("cost_curve_svg_text", texts.join("\n"));
}

#[test]
fn break_even_chart_marks_and_labels_crossings() {
    let result = sample_break_even();
    let texts = render_all(Chart::BreakEven(&result), "breakeven");
    assert!(has(
        &texts,
        "Break-even: Lambda 1024 MB, 200 ms vs Fargate 1 vCPU / 2 GB vs ECS on m5.large"
    ));
    assert!(has(&texts, "request rate (requests/s, log scale)"));
    for legend in ["Lambda", "Fargate", "ECS on EC2"] {
        assert!(
            texts.iter().any(|t| t == legend),
            "legend {legend} in {texts:?}"
        );
    }
    // A band says which platform is cheapest where; Lambda at low rates.
    assert!(has(&texts, "Lambda cheapest"), "{texts:?}");
    // The rate where the cheapest changes, from the first crossing.
    assert!(has(&texts, "3.9 req/s"), "{texts:?}");
    insta::assert_snapshot!("breakeven_svg_text", texts.join("\n"));
}

/// Each `<text>` with its anchor point and font size.
fn placed_texts(svg: &str) -> Vec<(String, f64, f64, f64)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| {
            let num =
                |a: &str| -> f64 { n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(0.0) };
            // The text nodes only (an element's `text()` is its first
            // child's, which would count it twice).
            let text: String = n
                .descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect();
            (
                text.trim().to_string(),
                num("x"),
                num("y"),
                num("font-size").max(10.0),
            )
        })
        .collect()
}

#[test]
fn break_even_labels_never_overlap_on_any_example() {
    // Every example's functions (the cost panel's break-even), drawn: no two
    // labels' boxes (width from the text at 0.6 em a character) intersect.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut charts = 0;
    for entry in std::fs::read_dir(&examples).unwrap() {
        let design = archsim_model::load(entry.unwrap().path()).unwrap();
        for c in design.components() {
            let Ok(input) = archsim_cost::design_cost::break_even_input(&design, &c.id) else {
                continue;
            };
            let result = break_even(
                &PriceBook::embedded(&design.region).unwrap(),
                &input,
                &Assumptions::default(),
            )
            .unwrap();
            // At full size (files) and at the panel's narrow widths.
            for width in [1000, 480, 360] {
                let svg = Chart::BreakEven(&result).to_svg_at(width).unwrap();
                let texts = placed_texts(&svg);
                let boxes: Vec<_> = texts
                    .iter()
                    .map(|(t, x, y, size)| {
                        let w = t.chars().count() as f64 * size * 0.6;
                        (t, x - w / 2.0, x + w / 2.0, y - size, y + size * 0.3)
                    })
                    .collect();
                // Plotters anchors vary; compare labels drawn inside the plot
                // (the band and its rates) with each other.
                let inner: Vec<_> = boxes
                    .iter()
                    .filter(|b| b.0.ends_with(" cheapest") || b.0.ends_with(" req/s"))
                    .collect();
                for (i, a) in inner.iter().enumerate() {
                    for b in &inner[i + 1..] {
                        let apart = a.2 <= b.1 || b.2 <= a.1 || a.4 <= b.3 || b.4 <= a.3;
                        assert!(
                            apart,
                            "{} at {width} px: \"{}\" overlaps \"{}\" {a:?} {b:?}",
                            c.id, a.0, b.0
                        );
                    }
                }
            }
            charts += 1;
        }
    }
    assert!(charts >= 3, "{charts} break-even charts drawn");
}

/// Drawn at a panel's width, a chart is that wide (the panel shows it
/// unscaled) and none of its text is under 11 px; a caption that would not
/// fit is left to the panel, and the full-size chart keeps it.
#[test]
fn charts_drawn_at_a_panels_width_keep_their_text_readable() {
    let curve = sample_cost_curve();
    let even = sample_break_even();
    let memory = sample_memory_curve();
    for chart in [
        Chart::CostCurve(&curve),
        Chart::BreakEven(&even),
        Chart::Memory(&memory),
    ] {
        for width in [400, 560, 760] {
            let svg = chart.to_svg_at(width).unwrap();
            let doc = roxmltree::Document::parse(&svg).unwrap();
            assert_eq!(
                doc.root_element().attribute("width"),
                Some(width.to_string().as_str()),
                "{chart:?}"
            );
            let sizes: Vec<f64> = doc
                .descendants()
                .filter(|n| n.tag_name().name() == "text")
                .filter_map(|n| n.attribute("font-size")?.parse().ok())
                .collect();
            assert!(!sizes.is_empty());
            assert!(
                sizes.iter().all(|&s| s >= 11.0),
                "{width} px: font sizes {sizes:?}"
            );
            // The axes are labelled at every width.
            let texts = placed_texts(&svg);
            assert!(
                texts
                    .iter()
                    .any(|t| t.0.contains("log scale") || t.0.contains("memory (MB)"))
            );
        }
    }
    let full = placed_texts(&Chart::BreakEven(&even).to_svg().unwrap());
    let narrow = placed_texts(&Chart::BreakEven(&even).to_svg_at(400).unwrap());
    assert!(full.iter().any(|t| t.0.starts_with("Break-even:")));
    assert!(!narrow.iter().any(|t| t.0.starts_with("Break-even:")));
}

#[test]
fn memory_chart_marks_cheapest_and_fastest() {
    let curve = sample_memory_curve();
    let texts = render_all(Chart::Memory(&curve), "memory");
    assert!(has(&texts, "Lambda cost per 1M invocations vs memory"));
    assert!(has(&texts, "memory (MB)"));
    assert!(has(&texts, "cost ($ per 1M invocations)"));
    assert!(has(&texts, "duration (ms)"));
    assert!(has(&texts, "fastest: 1769 MB"));
    assert!(has(&texts, "cheapest: "));
    insta::assert_snapshot!("memory_svg_text", texts.join("\n"));
}

#[test]
fn chart_format_comes_from_the_extension() {
    assert_eq!(
        ImageFormat::from_path(Path::new("a/b.SVG")).unwrap(),
        ImageFormat::Svg
    );
    assert_eq!(
        ImageFormat::from_path(Path::new("chart.png")).unwrap(),
        ImageFormat::Png
    );
    let err = ImageFormat::from_path(Path::new("chart.jpg")).unwrap_err();
    assert!(err.to_string().contains(".svg or .png"), "{err}");
}

#[test]
fn writing_into_a_missing_directory_names_the_path() {
    let curve = sample_memory_curve();
    let err = render_memory(
        &curve,
        ImageFormat::Png,
        Path::new("/nonexistent-dir/x/memory.png"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent-dir/x/memory.png"),
        "{err}"
    );
}
