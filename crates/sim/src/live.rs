//! The live runner: a tokio task that advances a simulation at a chosen
//! speed and streams compact frames (about 25 per wall second) to a
//! viewer, taking commands over a channel. The desktop app and the
//! presenter drive it; the engine itself stays synchronous.

use std::time::Duration;

use archsim_model::scenario::ScenarioEvent;
use archsim_model::{Design, Scenario};
use tokio::sync::mpsc;

use crate::{Frame, RunOptions, SimError, Simulation, prepare};

/// Wall time between frames: 40 ms, 25 frames a second.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(40);

/// How fast simulated time runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Simulated seconds per wall second (1.0 is real time).
    Times(f64),
    /// As fast as possible: each frame runs this many simulated seconds'
    /// worth of events... bounded by `MAX_SLICE_S`.
    Max,
}

/// Simulated seconds one frame may cover at `Speed::Max`.
pub const MAX_SLICE_S: f64 = 60.0;

/// What the viewer can ask.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Pause,
    Resume,
    SetSpeed(Speed),
    /// Back to the start (seek-to-start), same seed, paused state kept.
    Restart,
    Inject(ScenarioEvent),
    Stop,
}

/// The viewer's end: send commands, receive frames. Dropping it stops the
/// runner.
pub struct LiveHandle {
    pub commands: mpsc::Sender<Command>,
    pub frames: mpsc::Receiver<Frame>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Starts a live run on the current tokio runtime.
pub fn spawn(
    design: Design,
    scenario: Scenario,
    opts: RunOptions,
    speed: Speed,
) -> Result<LiveHandle, SimError> {
    let sim = prepare(&design, &scenario, &opts)?;
    let (cmd_tx, cmd_rx) = mpsc::channel(64);
    // A small buffer: a slow viewer makes the runner skip frames rather
    // than fall behind.
    let (frame_tx, frame_rx) = mpsc::channel(8);
    let task = tokio::spawn(run_live(
        sim, design, scenario, opts, speed, cmd_rx, frame_tx,
    ));
    Ok(LiveHandle {
        commands: cmd_tx,
        frames: frame_rx,
        task,
    })
}

async fn run_live(
    mut sim: Simulation,
    design: Design,
    scenario: Scenario,
    opts: RunOptions,
    mut speed: Speed,
    mut commands: mpsc::Receiver<Command>,
    frames: mpsc::Sender<Frame>,
) {
    let mut paused = false;
    let mut ticker = tokio::time::interval(FRAME_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            cmd = commands.recv() => match cmd {
                None | Some(Command::Stop) => return,
                Some(Command::Pause) => paused = true,
                Some(Command::Resume) => paused = false,
                Some(Command::SetSpeed(s)) => speed = s,
                Some(Command::Restart) => {
                    // The design was valid when the runner started.
                    if let Ok(s) = Simulation::new(&design, &scenario, &opts) {
                        sim = s;
                    }
                    let _ = frames.try_send(sim.frame());
                }
                Some(Command::Inject(e)) => sim.inject(e),
            },
            _ = ticker.tick() => {
                if paused || sim.is_finished() && sim.now_s() >= sim.duration_s() {
                    continue;
                }
                let step = match speed {
                    Speed::Times(x) => x.max(0.0) * FRAME_INTERVAL.as_secs_f64(),
                    Speed::Max => MAX_SLICE_S,
                };
                sim.run_until(sim.now_s() + step);
                let frame = sim.frame();
                let done = frame.at_s >= sim.duration_s();
                let frame = Frame { finished: done, ..frame };
                if frames.try_send(frame).is_err() && frames.is_closed() {
                    return;
                }
            }
        }
    }
}
