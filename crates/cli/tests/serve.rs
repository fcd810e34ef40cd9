//! `archsim serve` as a process: stopped by SIGTERM (a logout, `kill`, a
//! service manager) with unsaved work, it exits cleanly and keeps the work
//! for recovery, as Ctrl-C does.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::example;

fn post(addr: &str, token: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nx-archsim-token: {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn sigterm_keeps_unsaved_work_for_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let design = dir.path().join("api.archsim.json");
    std::fs::copy(example("serverless-api"), &design).unwrap();
    let recovery = dir.path().join("recovery");
    let ui = dir.path().join("ui");
    std::fs::create_dir(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>archsim</title>",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args([
            "serve",
            design.to_str().unwrap(),
            "--port",
            "0",
            "--recovery-dir",
        ])
        .arg(&recovery)
        .arg("--ui-dir")
        .arg(&ui)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // archsim serve: http://127.0.0.1:PORT/#token=TOKEN
    while !line.contains("http://") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "serve printed no URL"
        );
    }
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let token = url.rsplit("token=").next().unwrap().to_string();

    let reply = post(
        &addr,
        &token,
        "/api/edit",
        r#"{"op":"rename","id":"orders-fn","name":"Renamed before SIGTERM"}"#,
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        std::fs::read_dir(&recovery).map_or(true, |d| d.count() == 0),
        "nothing autosaved yet"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(exit.success(), "{exit:?}: {err}");
    assert!(err.contains("kept for recovery"), "{err}");
    let kept: Vec<_> = std::fs::read_dir(&recovery)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".recovery.archsim.json"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(text.contains("Renamed before SIGTERM"));
    // The design file itself is untouched.
    assert!(
        !std::fs::read_to_string(&design)
            .unwrap()
            .contains("Renamed before SIGTERM")
    );
}
