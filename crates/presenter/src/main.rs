//! `archsim-presenter DESIGN [--scenario NAME]`: runs the scenario live in
//! a projector-friendly window. Keys: space pause, +/- speed, r restart,
//! s spike, z zone loss, d deploy a new version (shift+d a failing one,
//! ctrl+d an ECS service's that fails its health checks),
//! f fullscreen.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use archsim_app::{LiveControl, LiveRun, LiveStart};
use archsim_presenter::run_feed::RunFeed;
use archsim_presenter::{Presenter, PresenterApp};
use clap::Parser;

/// Present a design's simulation live.
#[derive(Parser)]
#[command(name = "archsim-presenter", version, about)]
struct Args {
    /// The design (`*.archsim.json`).
    design: PathBuf,
    /// The scenario to run (default: the design's first).
    #[arg(long)]
    scenario: Option<String>,
    /// Random seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Simulated seconds per wall second at the start (`inf`: as fast as
    /// possible).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Start full screen.
    #[arg(long)]
    fullscreen: bool,
    /// Window size when not full screen, WIDTHxHEIGHT in points.
    #[arg(long, default_value = "1600x900", value_parser = parse_size)]
    size: [f32; 2],
    /// Print frames per second and CPU time per frame to stderr every
    /// five seconds (for benchmarks).
    #[arg(long)]
    stats: bool,
}

/// Frame counting around the presenter, for `--stats`.
struct Measured {
    app: PresenterApp,
    since: std::time::Instant,
    frames: u32,
    cpu_s: f64,
}

impl eframe::App for Measured {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.app.ui(ui, frame);
        self.frames += 1;
        self.cpu_s += f64::from(frame.info().cpu_usage.unwrap_or(0.0));
        let elapsed = self.since.elapsed().as_secs_f64();
        if elapsed >= 5.0 {
            eprintln!(
                "archsim-presenter: {} frames in {elapsed:.1} s = {:.1} fps; mean CPU per frame {:.2} ms",
                self.frames,
                f64::from(self.frames) / elapsed,
                1e3 * self.cpu_s / f64::from(self.frames.max(1)),
            );
            self.since = std::time::Instant::now();
            self.frames = 0;
            self.cpu_s = 0.0;
        }
    }
}

fn parse_size(s: &str) -> Result<[f32; 2], String> {
    let bad = || format!("expected WIDTHxHEIGHT, e.g. 1920x1080, not {s:?}");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let n = |v: &str| {
        v.trim()
            .parse::<f32>()
            .ok()
            .filter(|v| (200.0..=16384.0).contains(v))
            .ok_or_else(bad)
    };
    Ok([n(w)?, n(h)?])
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("archsim-presenter: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<()> {
    let design = archsim_model::load(&args.design)?;
    // The canvas's live run, on this window's clock (egui's frame time).
    let start = LiveStart {
        scenario: args.scenario.clone(),
        seed: args.seed,
        speed: args.speed.is_finite().then_some(args.speed),
        paused: false,
    };
    let base_dir = args.design.parent().map(PathBuf::from);
    let mut run =
        LiveRun::start(&design, base_dir, &start).map_err(|e| anyhow::anyhow!(e.message))?;
    if !args.speed.is_finite() {
        run.control(LiveControl::Speed { speed: None })
            .map_err(|e| anyhow::anyhow!(e.message))?;
    }
    let scenario = run.view().scenario;
    let presenter =
        Presenter::new(design, scenario, Box::new(RunFeed::new(run))).with_speed(args.speed);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("archsim presenter")
            .with_inner_size(args.size)
            .with_fullscreen(args.fullscreen),
        ..Default::default()
    };
    eframe::run_native(
        "archsim presenter",
        options,
        Box::new(move |_cc| {
            let app = PresenterApp(presenter);
            Ok(if args.stats {
                Box::new(Measured {
                    app,
                    since: std::time::Instant::now(),
                    frames: 0,
                    cpu_s: 0.0,
                }) as Box<dyn eframe::App>
            } else {
                Box::new(app)
            })
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
