//! S3 notification filters: a write notifies only when its key (the
//! request's path without the leading `/`) begins with the bucket's prefix
//! and ends with its suffix; the key goes on with the notification, so a
//! function that writes the object elsewhere writes the same key.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::{RequestAttributes, TrafficPattern, TrafficProfile};
use archsim_sim::{RunOptions, simulate};
use common::*;

fn bucket(prefix: &str, suffix: &str) -> Props {
    Props::S3Bucket(S3BucketProps {
        prefix: prefix.into(),
        suffix: suffix.into(),
        ..Default::default()
    })
}

fn function() -> Props {
    Props::LambdaFunction(LambdaProps {
        work: Work {
            duration: Distribution::Constant { ms: 50.0 },
            cpu_share: 0.0,
        },
        ..Default::default()
    })
}

/// uploader -> uploads (filtered) -> resize -> thumbnails (filtered) -> index
fn pipeline(prefix: &str, suffix: &str) -> archsim_model::Design {
    Build::new()
        .add("uploader", Props::Client(ClientProps::default()))
        .add("uploads", bucket(prefix, suffix))
        .add("resize", function())
        .add("thumbnails", bucket("", ".png"))
        .add("index", function())
        .link(
            "uploader",
            "uploads",
            Meaning::Uses.default_kind_to(ComponentKind::S3Bucket),
        )
        .link_as("uploads", "resize", Meaning::InvokeAsync)
        .link(
            "resize",
            "thumbnails",
            Meaning::Uses.default_kind_to(ComponentKind::S3Bucket),
        )
        .link_as("thumbnails", "index", Meaning::InvokeAsync)
        .design()
}

/// Evenly spaced uploads of each key at its rate, for 100 s.
fn uploads(keys: &[(&str, f64)]) -> archsim_model::scenario::Scenario {
    let mut s = scenario("uploader", TrafficPattern::Constant { rps: 1.0 }, 100.0);
    s.traffic = keys
        .iter()
        .map(|(path, rps)| TrafficProfile {
            entry: "uploader".into(),
            pattern: TrafficPattern::Constant { rps: *rps },
            request: RequestAttributes {
                path: (*path).into(),
                ..Default::default()
            },
        })
        .collect();
    s
}

#[test]
fn only_keys_that_pass_the_prefix_and_suffix_notify() {
    let design = pipeline("uploads/", ".jpg");
    let scenario = uploads(&[
        ("/uploads/cat.jpg", 10.0),
        ("/uploads/cat.png", 5.0),
        ("/other/cat.jpg", 3.0),
    ]);
    let r = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    let written = r.component("uploads").unwrap();
    let resize = r.component("resize").unwrap();
    // Every upload is written; only /uploads/*.jpg notifies.
    assert_eq!(written.requests, 1800);
    assert_eq!(resize.requests, 1000);
    // The resize function writes the same key, a .jpg: the thumbnails
    // bucket's `.png` filter passes none of them.
    assert_eq!(r.component("thumbnails").unwrap().requests, 1000);
    assert_eq!(r.component("index").unwrap().requests, 0);
}

#[test]
fn the_key_goes_on_with_the_notification() {
    let design = pipeline("", "");
    let scenario = uploads(&[("/a.png", 4.0), ("/b.jpg", 6.0)]);
    let r = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    assert_eq!(r.component("resize").unwrap().requests, 1000);
    // Only the .png keys pass the thumbnails bucket's filter.
    assert_eq!(r.component("index").unwrap().requests, 400);
}

#[test]
fn a_bucket_without_a_filter_notifies_on_every_write() {
    let design = pipeline("", "");
    let scenario = uploads(&[("/", 7.0)]);
    let r = simulate(&design, &scenario, &RunOptions::default()).unwrap();
    assert_eq!(r.component("resize").unwrap().requests, 700);
}
