//! The presenter's diagram geometry: the canvas layout scaled into the
//! area, and where live numbers may go without covering anything.

use archsim_model::Design;
use archsim_model::starters::STARTERS;
use archsim_presenter::diagram::{
    CARD, Layout, MAX_ZOOM, View, badge_parts, deployment_part, fit_parts,
};
use archsim_presenter::{ComponentStatus, DeploymentStatus};
use egui::{Pos2, Rect, Vec2};

/// A grid of `chains` client -> API -> function -> table rows, laid out as
/// the live benchmark design is (three chains per row).
fn grid(chains: usize) -> Design {
    let mut components = Vec::new();
    for i in 0..chains {
        for (col, kind) in ["client", "api_gateway", "lambda_function", "dynamodb_table"]
            .iter()
            .enumerate()
        {
            let (x, y) = ((i % 3) * 1000 + col * 230, (i / 3) * 110);
            components.push(format!(
                r#"{{"id":"{kind}-{i}","kind":"{kind}","name":"{kind} {i}","position":{{"x":{x},"y":{y}}}}}"#
            ));
        }
    }
    let json = format!(
        r#"{{"format":1,"name":"grid","components":[{}]}}"#,
        components.join(",")
    );
    archsim_model::file::parse_str(&json, "grid.archsim.json").unwrap()
}

fn designs() -> Vec<(String, Design)> {
    let mut all: Vec<(String, Design)> = STARTERS
        .iter()
        .map(|s| (s.name.to_string(), s.build().unwrap()))
        .collect();
    all.push(("grid of 100".into(), grid(25)));
    all.push(("grid of 400".into(), grid(100)));
    all
}

fn areas() -> [Rect; 3] {
    [
        Rect::from_min_size(Pos2::new(8.0, 60.0), Vec2::new(1150.0, 640.0)),
        Rect::from_min_size(Pos2::new(8.0, 60.0), Vec2::new(1400.0, 820.0)),
        Rect::from_min_size(Pos2::ZERO, Vec2::new(500.0, 300.0)),
    ]
}

#[test]
fn cards_keep_the_canvas_layout_scaled_into_the_area() {
    for (name, design) in designs() {
        for area in areas() {
            let layout = Layout::new(&design, area);
            assert!(
                layout.scale > 0.0 && layout.scale <= 1.6,
                "{name}: scale {}",
                layout.scale
            );
            let comps: Vec<_> = design.components().collect();
            if comps.is_empty() {
                continue;
            }
            assert_eq!(
                layout.cards.len(),
                comps.len(),
                "{name}: one card per component"
            );
            for (c, card) in comps.iter().zip(&layout.cards) {
                assert_eq!(card.id, c.id);
                assert!(
                    area.contains_rect(card.rect),
                    "{name}: {} at {:?} outside {area:?}",
                    c.id,
                    card.rect
                );
                let size = card.rect.size() / layout.scale;
                assert!(
                    (size - CARD).length() < 0.01,
                    "{name}: {} is {size:?}",
                    c.id
                );
            }
            // Offsets between cards are the canvas offsets times the scale.
            let (a, first) = (&comps[0], layout.cards[0].rect.min);
            for (c, card) in comps.iter().zip(&layout.cards).skip(1) {
                let canvas = Vec2::new(
                    (c.position.x - a.position.x) as f32,
                    (c.position.y - a.position.y) as f32,
                );
                let drawn = card.rect.min - first;
                assert!(
                    (drawn - canvas * layout.scale).length() < 0.05,
                    "{name}: {}",
                    c.id
                );
            }
            // Frames hold their members' cards.
            for f in &layout.frames {
                let g = design.groups().find(|g| g.name == f.name).unwrap();
                for m in &g.members {
                    let card = layout.card(m).unwrap();
                    assert!(
                        f.rect.contains_rect(card.rect),
                        "{name}: {m} outside frame {}",
                        f.name
                    );
                }
            }
        }
    }
}

#[test]
fn live_numbers_under_a_card_cover_no_card_and_no_other_numbers() {
    for (name, design) in designs() {
        for area in areas() {
            let layout = Layout::new(&design, area);
            let strips: Vec<(&str, Rect)> = layout
                .cards
                .iter()
                .filter_map(|c| c.below.map(|b| (c.id.as_str(), b)))
                .collect();
            for (id, strip) in &strips {
                assert!(
                    area.contains_rect(*strip),
                    "{name}: {id}'s numbers leave the area"
                );
                for card in &layout.cards {
                    assert!(
                        !card.rect.intersects(*strip),
                        "{name}: {id}'s numbers cover {}",
                        card.id
                    );
                }
                for (other, s) in &strips {
                    assert!(
                        other == id || !s.intersects(*strip),
                        "{name}: {id} and {other} overlap"
                    );
                }
            }
        }
    }
    // On the 100-component grid at presenter size every card has room.
    let layout = Layout::new(&grid(25), areas()[0]);
    assert_eq!(
        layout.lines_inside(),
        1,
        "cards this small hold only the name"
    );
    assert!(layout.cards.iter().all(|c| c.below.is_some()));
}

#[test]
fn small_designs_are_magnified_and_hold_their_numbers_inside() {
    let design = STARTERS[0].build().unwrap();
    let layout = Layout::new(&design, areas()[1]);
    assert!(layout.scale > 1.0, "scale {}", layout.scale);
    assert_eq!(layout.lines_inside(), 3);
}

#[test]
fn badge_parts_put_trouble_first_and_fit_whole_parts() {
    let s = ComponentStatus {
        requests_per_s: 120.4,
        concurrency: 8,
        environments: 11,
        cold_starts: 3,
        throttles: 2,
        errors: 1,
        p99_ms: 250.0,
        queue_depth: 7,
        health: archsim_app::Health::Strained,
        deployment: None,
    };
    assert_eq!(
        badge_parts(&s),
        [
            "120 rps",
            "1 error",
            "2 throttled",
            "queue 7",
            "p99 250 ms",
            "8 busy",
            "3 warm",
            "3 cold"
        ]
    );
    let quiet = ComponentStatus::default();
    assert_eq!(badge_parts(&quiet), ["0 rps", "0 busy"]);
    // One unit per character: whole parts only, the first always.
    let width = |t: &str| t.chars().count() as f32;
    let parts = badge_parts(&s);
    assert_eq!(fit_parts(&parts, 3.0, width), "120 rps");
    assert_eq!(fit_parts(&parts, 18.0, width), "120 rps · 1 error");
    assert_eq!(fit_parts(&parts, 1000.0, width), parts.join(" · "));
}

#[test]
fn a_deployment_shows_its_version_share_and_errors_after_the_rate() {
    use archsim_app::{DeploymentOutcome, VersionNow};
    let deploying = |outcome, percent, new_errors| ComponentStatus {
        requests_per_s: 100.0,
        concurrency: 4,
        deployment: Some(DeploymentStatus {
            version: 2,
            percent,
            outcome,
            old: VersionNow {
                requests: 900,
                errors: 0,
            },
            new: VersionNow {
                requests: 100,
                errors: new_errors,
            },
        }),
        ..Default::default()
    };
    let parts = |s: &ComponentStatus| badge_parts(s)[..2].to_vec();
    use DeploymentOutcome as O;
    assert_eq!(
        parts(&deploying(O::InProgress, 10, 0)),
        ["100 rps", "v2 10%"]
    );
    assert_eq!(
        parts(&deploying(O::InProgress, 10, 12)),
        ["100 rps", "v2 10% (12 errors)"]
    );
    assert_eq!(
        parts(&deploying(O::Succeeded, 100, 0)),
        ["100 rps", "v2 100%"]
    );
    assert_eq!(
        parts(&deploying(O::RolledBack, 0, 12)),
        ["100 rps", "v2 rolled back"]
    );
    // Once it ended, the errors now come before how it ended.
    let errors = |outcome| ComponentStatus {
        errors: 12,
        ..deploying(outcome, 0, 12)
    };
    assert_eq!(
        badge_parts(&errors(O::RolledBack))[..3],
        ["100 rps", "12 errors", "v2 rolled back"]
    );
    assert_eq!(
        badge_parts(&errors(O::InProgress))[..3],
        ["100 rps", "v2 0% (12 errors)", "12 errors"]
    );
    assert_eq!(
        deployment_part(&deploying(O::Failed, 40, 3)).as_deref(),
        Some("v2 failed")
    );
}

#[test]
fn a_zoomed_view_keeps_the_point_under_the_pointer_and_stays_within_limits() {
    let design = grid(25);
    let area = areas()[0];
    let fitted = Layout::new(&design, area);
    let card = fitted.cards[37].rect;
    let at = card.center();
    let view = View::default().zoomed(2.5, at, area.center());
    let zoomed = Layout::with_view(&design, area, view);
    assert!((zoomed.scale - fitted.scale * 2.5).abs() < 1e-4);
    let moved = zoomed.cards[37].rect;
    // The card under the pointer is 2.5 times larger, around the same point.
    assert!((moved.width() - card.width() * 2.5).abs() < 0.01);
    let rel = |r: Rect| (at - r.min) / r.size();
    assert!(
        (rel(moved) - rel(card)).length() < 1e-3,
        "{:?} vs {:?}",
        rel(moved),
        rel(card)
    );
    // Zooming back out to 1 and no further; in to MAX_ZOOM and no further.
    assert_eq!(view.zoomed(0.01, at, area.center()).zoom, 1.0);
    assert_eq!(view.zoomed(100.0, at, area.center()).zoom, MAX_ZOOM);
    // Text follows the zoom: small cards hold only the name, zoomed ones more.
    assert_eq!(fitted.lines_inside(), 1);
    assert_eq!(zoomed.lines_inside(), 3);
}
