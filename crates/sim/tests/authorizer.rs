//! API Gateway's Lambda authorizer as a request meets it: invoked before
//! the integration unless the caller's answer is cached, its latency
//! added to the request's, its invocations the function's own (billed),
//! its failures a 500.

mod common;

use archsim_model::component::*;
use archsim_model::connection::Meaning;
use archsim_model::scenario::TrafficPattern;
use archsim_sim::{RunOptions, simulate};
use common::*;

const AUTH_MS: f64 = 20.0;
const HANDLER_MS: f64 = 100.0;

fn function(ms: f64) -> LambdaProps {
    LambdaProps {
        memory_mb: 1769,
        timeout_s: 10,
        init_ms: Some(0.0),
        work: Work {
            duration: Distribution::Constant { ms },
            cpu_share: 0.0,
        },
        ..Default::default()
    }
}

/// Client -> API -> handler, the API authorized by `auth` with `ttl_s`
/// and `callers`.
fn authorized_api(ttl_s: u32, callers: u32, auth: LambdaProps) -> archsim_model::Design {
    authorized(ttl_s, callers, auth, function(HANDLER_MS))
}

fn authorized(
    ttl_s: u32,
    callers: u32,
    auth: LambdaProps,
    handler: LambdaProps,
) -> archsim_model::Design {
    Build::new()
        .add("client", Props::Client(ClientProps::default()))
        .add(
            "api",
            Props::ApiGateway(ApiGatewayProps {
                lambda_authorizer: LambdaAuthorizer {
                    result_ttl_s: ttl_s,
                    callers,
                    ..Default::default()
                },
                ..Default::default()
            }),
        )
        .add("fn", Props::LambdaFunction(handler))
        .add("auth", Props::LambdaFunction(auth))
        .link_as("client", "api", Meaning::InvokeSync)
        .link_as("api", "fn", Meaning::InvokeSync)
        .link_as("auth", "api", Meaning::Authorizes)
        .design()
}

fn run(design: &archsim_model::Design, pattern: TrafficPattern, seed: u64) -> archsim_sim::Run {
    let mut s = scenario("client", pattern, 600.0);
    s.seed = seed;
    simulate(design, &s, &RunOptions::default()).unwrap()
}

#[test]
fn with_no_cache_every_request_invokes_the_authorizer_first() {
    let d = authorized_api(0, 100, function(AUTH_MS));
    let r = run(&d, TrafficPattern::Poisson { rps: 20.0 }, 1);
    let (api, auth, f) = (
        r.component("api").unwrap(),
        r.component("auth").unwrap(),
        r.component("fn").unwrap(),
    );
    assert!(api.requests > 10_000, "{}", api.requests);
    assert_eq!(auth.requests, api.requests);
    assert_eq!(f.requests, api.requests);
    assert_eq!(api.errors, 0);
    // The client waited for the authorizer, then the handler: exactly
    // their sum, every time (no cold start, constant work).
    assert_eq!(api.latency_ms.max.round(), AUTH_MS + HANDLER_MS);
    assert_eq!(api.latency_ms.p50.round(), AUTH_MS + HANDLER_MS);
    // The authorizer's invocations are the function's: billed.
    assert_eq!(r.usage.lambda["auth"].requests, auth.requests);
    assert_eq!(r.usage.api_requests["api"], api.requests);
}

#[test]
fn one_caller_is_authorized_once_per_ttl() {
    let d = authorized_api(300, 1, function(AUTH_MS));
    let r = run(&d, TrafficPattern::Constant { rps: 10.0 }, 1);
    let (api, auth) = (r.component("api").unwrap(), r.component("auth").unwrap());
    assert!(api.requests >= 5_990, "{}", api.requests);
    // The first request's answer is cached until 300 s after it came
    // back; the first request past that fetches it again, and that
    // answer lasts past the end of the run.
    assert_eq!(auth.requests, 2);
    assert_eq!(r.usage.lambda["auth"].requests, 2);
    // Those two waited for it; every other request only for the handler.
    assert_eq!(api.latency_ms.max.round(), AUTH_MS + HANDLER_MS);
    assert_eq!(api.latency_ms.p99.round(), HANDLER_MS);
}

/// Many callers, each answer kept for a minute: each caller's cycle is
/// the TTL plus the wait for its next request (Poisson, 10 callers at 50
/// rps: 0.2 s on average), so 600 / 60.2 fetches per caller, 10 each.
/// A request of the same caller that comes while its answer is being
/// fetched (20 ms) fetches it too, as API Gateway does: 1 - e^(-5 x 0.02)
/// = 9.5 % more, about 110 in all.
#[test]
fn each_caller_has_its_own_cached_answer() {
    let d = authorized_api(60, 10, function(AUTH_MS));
    let r = run(&d, TrafficPattern::Poisson { rps: 50.0 }, 7);
    let auth = r.component("auth").unwrap();
    assert!(
        (104..=116).contains(&auth.requests),
        "{} authorizer invocations",
        auth.requests
    );
    // The same seed draws the same callers: the same run.
    let again = run(&d, TrafficPattern::Poisson { rps: 50.0 }, 7);
    assert_eq!(again.component("auth").unwrap(), auth);
    assert_eq!(again.component("api").unwrap(), r.component("api").unwrap());
}

#[test]
fn a_throttled_authorizer_is_a_500_and_the_integration_is_not_called() {
    let d = authorized_api(
        300,
        1,
        LambdaProps {
            reserved_concurrency: Some(0),
            ..function(AUTH_MS)
        },
    );
    let r = run(&d, TrafficPattern::Constant { rps: 10.0 }, 1);
    let (api, auth, f) = (
        r.component("api").unwrap(),
        r.component("auth").unwrap(),
        r.component("fn").unwrap(),
    );
    // Nothing is cached from a failure: every request tried it.
    assert_eq!(auth.requests, api.requests);
    assert_eq!(auth.throttled, api.requests);
    assert_eq!(api.errors_by_kind.get("500"), Some(&api.requests));
    assert_eq!(f.requests, 0);
}

/// The integration timeout counts from the integration's call, not from
/// the request's arrival: an authorizer that takes 20 s does not make a
/// 15 s handler a 504.
#[test]
fn the_integration_timeout_starts_after_the_authorizer() {
    let d = authorized(
        0,
        1,
        LambdaProps {
            timeout_s: 30,
            ..function(20_000.0)
        },
        LambdaProps {
            timeout_s: 20,
            ..function(15_000.0)
        },
    );
    let r = run(&d, TrafficPattern::Constant { rps: 1.0 }, 1);
    let api = r.component("api").unwrap();
    assert!(api.completed > 500, "{api:?}");
    assert_eq!(api.errors, 0, "{:?}", api.errors_by_kind);
    // (3 significant figures: the histogram's precision.)
    assert!(
        (api.latency_ms.max - 35_000.0).abs() <= 35.0,
        "{}",
        api.latency_ms.max
    );
}
