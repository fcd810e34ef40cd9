//! The cost panel and the run report over HTTP: `POST /api/cost` with
//! archsim-app's `CostOptions` answers a `CostPanel`; `POST /api/report`
//! with `ReportOptions` answers a `RunReport` (the HTML page and two CSV
//! files as text, which the browser saves as downloads). Both work on a
//! copy of the open design, off the async workers, so a simulation never
//! holds the session lock.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use archsim_app::{CommandError, CostOptions, CostPanel, ErrorCode, ReportOptions, RunReport};
use archsim_model::Design;
use axum::Json;
use axum::extract::State;

use super::{AppState, Reply};

/// The open design and its folder (trace files are read relative to it).
fn snapshot(state: &AppState) -> (Design, Option<PathBuf>) {
    let session = state.session();
    (
        session.design().clone(),
        session.path().and_then(Path::parent).map(Path::to_path_buf),
    )
}

/// Runs `job` on the blocking pool; a panic in it is a `code` error.
async fn off_the_workers<T: Send + 'static>(
    code: ErrorCode,
    job: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Reply<T> {
    match tokio::task::spawn_blocking(job).await {
        Ok(result) => Ok(Json(result?)),
        Err(e) => Err(CommandError::new(code, format!("the computation failed: {e}")).into()),
    }
}

pub(super) async fn cost_panel(
    State(s): State<Arc<AppState>>,
    Json(options): Json<CostOptions>,
) -> Reply<CostPanel> {
    let (design, dir) = snapshot(&s);
    off_the_workers(ErrorCode::Cost, move || {
        archsim_app::cost_panel(&design, dir.as_deref(), &options)
    })
    .await
}

pub(super) async fn run_report(
    State(s): State<Arc<AppState>>,
    Json(options): Json<ReportOptions>,
) -> Reply<RunReport> {
    let (design, dir) = snapshot(&s);
    off_the_workers(ErrorCode::Report, move || {
        archsim_app::run_report(&design, dir.as_deref(), &options)
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use archsim_app::Session;
    use archsim_cost::design_cost::{monthly_bill, scenario_usage};
    use archsim_cost::{Assumptions, PriceBook};
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use serde_json::{Value, json};
    use tower::ServiceExt;

    use super::super::{AppState, TOKEN_HEADER, router};

    const TOKEN: &str = "cost-token";

    fn app(dir: &std::path::Path, session: Session) -> Router {
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        router(Arc::new(AppState::new(session, TOKEN.into(), addr)), dir)
    }

    async fn post(
        app: &Router,
        uri: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut r = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::HOST, "127.0.0.1:4000")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            r = r.header(TOKEN_HEADER, t);
        }
        let res = app
            .clone()
            .oneshot(r.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[tokio::test]
    async fn cost_and_report_need_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path(), Session::from_starter("serverless-api").unwrap());
        for uri in ["/api/cost", "/api/report"] {
            let (status, body) = post(&app, uri, None, json!({})).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
            assert_eq!(body["code"], "bad_token");
            let (status, _) = post(&app, uri, Some("cost-tokem"), json!({})).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        }
    }

    #[tokio::test]
    async fn the_cost_panel_prices_the_open_design() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::from_starter("serverless-api").unwrap();
        let design = session.design().clone();
        let app = app(dir.path(), session);
        let (status, body) = post(&app, "/api/cost", Some(TOKEN), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let book = PriceBook::embedded(&design.region).unwrap();
        let assumptions = Assumptions::default();
        let usage = scenario_usage(&design, None, &assumptions).unwrap();
        let want = monthly_bill(&book, &usage, &assumptions).unwrap();
        assert_eq!(body["total_usd"], want.total_usd.to_string());
        assert!(body["cost_curve_svg"].as_str().unwrap().contains("<svg"));
        assert!(body["break_even"]["svg"].as_str().unwrap().contains("<svg"));
        let (_, free) = post(&app, "/api/cost", Some(TOKEN), json!({"free_tier": true})).await;
        assert_ne!(free["total_usd"], body["total_usd"]);
        // A scenario the design lacks is a clear refusal (200 with the
        // refused header and the error), not a crash.
        let (status, body) =
            post(&app, "/api/cost", Some(TOKEN), json!({"scenario": "nope"})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["code"], "cost");
        assert!(body["message"].as_str().unwrap().contains("nope"), "{body}");
        // Unknown option names are a malformed request (axum's 422).
        let (status, _) = post(&app, "/api/cost", Some(TOKEN), json!({"free": true})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn a_blank_design_has_no_scenario_to_price() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path(), Session::blank());
        let (status, body) = post(&app, "/api/cost", Some(TOKEN), json!({})).await;
        assert_eq!(status, StatusCode::OK, "a refusal");
        assert!(
            body["message"].as_str().unwrap().contains("no scenario"),
            "{body}"
        );
        let (status, body) = post(&app, "/api/report", Some(TOKEN), json!({})).await;
        assert_eq!(status, StatusCode::OK, "a refusal");
        assert_eq!(body["code"], "report");
    }

    #[tokio::test]
    async fn the_report_holds_the_page_and_the_csv_files() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::from_starter("queue-worker").unwrap();
        let components = session.design().component_count();
        let app = app(dir.path(), session);
        let (status, body) = post(&app, "/api/report", Some(TOKEN), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body["html"]
                .as_str()
                .unwrap()
                .starts_with("<!doctype html>")
        );
        assert!(body["html_file_name"].as_str().unwrap().ends_with(".html"));
        let csv = body["components_csv"].as_str().unwrap();
        assert_eq!(csv.lines().count(), components + 1, "{csv}");
        assert!(
            body["series_csv"]
                .as_str()
                .unwrap()
                .starts_with("component,second,")
        );
    }
}
