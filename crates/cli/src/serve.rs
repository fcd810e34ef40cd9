//! `archsim serve`: the designer in a browser, against the real core. Serves
//! the built web UI (`ui/dist`) and the archsim-app commands as a JSON API
//! on a loopback address only.
//!
//! Security: the listener binds loopback addresses only; every API call
//! must carry the per-launch random token (given to the browser in the URL
//! fragment, which never reaches a server or a log); requests whose `Host`
//! is not the served address (DNS rebinding) or whose `Origin` is another
//! site are refused. The UI has no shell; it reads and writes design files
//! (`*.archsim.json`) and reads template files (`.yaml`, `.yml`, `.json`,
//! `.template`) to import them. Exported templates reach the disk only
//! through the browser's own download.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use archsim_app::{
    AUTOSAVE_INTERVAL_S, ChosenPath, CommandError, Edit, FileKind, LiveControl, LiveSlot,
    LiveStart, RecentFiles, RecoveryStore, Session, TemplateOptions, component_form,
    connection_form, list_dir, palette, starters,
};
use archsim_model::{ComponentKind, Meaning};
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

mod cost;

/// Start the designer in a browser on a design.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The design to open (`*.archsim.json`); a blank design when left out.
    pub design: Option<PathBuf>,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 7878)]
    pub port: u16,
    /// Loopback address to bind; any other address is refused.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Open the URL in the default browser.
    #[arg(long)]
    pub open: bool,
    /// The built web UI (default: ui/dist of this source tree, or $ARCHSIM_UI_DIR).
    #[arg(long)]
    pub ui_dir: Option<PathBuf>,
    /// Where unsaved work is autosaved (default: $XDG_STATE_HOME/archsim/recovery);
    /// the recent-files list (`recent.json`) is kept beside it.
    #[arg(long)]
    pub recovery_dir: Option<PathBuf>,
}

/// The content security policy of every response: scripts and connections
/// from this origin only, no inline scripts, no eval. Inline *style
/// attributes* are allowed because the canvas positions nodes with them.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; \
frame-ancestors 'none'";

/// The header the token travels in.
pub const TOKEN_HEADER: &str = "x-archsim-token";

pub struct AppState {
    session: Mutex<Session>,
    /// The live simulation of the design, polled by the canvas; its clock
    /// is wall time since the server started.
    live: Mutex<LiveSlot>,
    started: std::time::Instant,
    /// The folder of the last file opened or saved, where pickers start.
    last_dir: Mutex<Option<PathBuf>>,
    token: String,
    /// `host:port` values a request may name (`127.0.0.1:7878`, `localhost:7878`).
    hosts: Vec<String>,
}

impl AppState {
    pub fn new(session: Session, token: String, addr: SocketAddr) -> Self {
        let port = addr.port();
        let mut hosts = vec![format!("{addr}"), format!("localhost:{port}")];
        if addr.ip().is_ipv6() {
            hosts.push(format!("[{}]:{port}", addr.ip()));
        }
        Self {
            last_dir: Mutex::new(
                session
                    .path()
                    .and_then(|p| p.parent())
                    .map(Path::to_path_buf),
            ),
            session: Mutex::new(session),
            live: Mutex::new(LiveSlot::default()),
            started: std::time::Instant::now(),
            token,
            hosts,
        }
    }

    fn remember_dir(&self, path: Option<&str>) {
        if let Some(dir) = path.and_then(|p| Path::new(p).parent()) {
            *self.last_dir.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir.to_path_buf());
        }
    }

    fn live(&self) -> MutexGuard<'_, LiveSlot> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn clock(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        // A panic inside a command must not lock the user out of their design.
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Refuses anything but a loopback address.
pub fn check_loopback(ip: IpAddr) -> Result<()> {
    if !ip.is_loopback() {
        bail!(
            "refusing to serve on {ip}: archsim serve listens on loopback only (127.0.0.1 or ::1), because the API can read and write design files"
        );
    }
    Ok(())
}

fn random_token() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no system randomness for the token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn default_ui_dir() -> PathBuf {
    std::env::var_os("ARCHSIM_UI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist"))
}

/// Runs the server until Ctrl-C.
pub fn run(args: ServeArgs) -> Result<u8> {
    check_loopback(args.host)?;
    let mut session = match &args.design {
        Some(path) => Session::open(path).map_err(|e| anyhow::anyhow!(e.message))?,
        None => Session::blank(),
    };
    let recovery_dir = args
        .recovery_dir
        .clone()
        .or_else(RecoveryStore::default_dir)
        .context("no recovery folder: set HOME or pass --recovery-dir")?;
    // The recent-files list sits beside the recovery folder.
    let recent = RecentFiles::new(recovery_dir.with_file_name("recent.json"));
    session = session
        .with_recovery(RecoveryStore::new(recovery_dir))
        .with_recent(recent);
    let ui_dir = args.ui_dir.clone().unwrap_or_else(default_ui_dir);
    if !ui_dir.join("index.html").exists() {
        bail!(
            "{}: the web UI is not built; run `npm ci && npm run build` in ui/ (or pass --ui-dir)",
            ui_dir.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args, session, ui_dir))
}

async fn serve(args: ServeArgs, session: Session, ui_dir: PathBuf) -> Result<u8> {
    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr = listener.local_addr()?;
    let token = random_token()?;
    let state = Arc::new(AppState::new(session, token.clone(), addr));
    let url = format!("http://{addr}/#token={token}");
    // A closed pipe (`archsim serve | head -1` to read the URL) leaves the
    // server running.
    crate::output::print(&format!(
        "archsim serve: {url}\n(loopback only; press Ctrl-C to stop)\n"
    ))?;
    if args.open {
        open_browser(&url);
    }

    let autosave = {
        let state = state.clone();
        tokio::spawn(async move {
            // The first autosave one interval after start: nothing is
            // unsaved before then (an immediate first tick could land
            // after an early edit on a slow machine and save at once).
            let every = Duration::from_secs(AUTOSAVE_INTERVAL_S);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tick.tick().await;
                if let Err(e) = state.session().autosave(now_unix()) {
                    eprintln!("archsim serve: autosave failed: {}", e.message);
                }
            }
        })
    };

    axum::serve(listener, router(state.clone(), &ui_dir))
        .with_graceful_shutdown(stop_signal())
        .await
        .context("serving")?;
    autosave.abort();

    // Stopping with unsaved work keeps it for the next launch.
    let mut session = state.session();
    if session.is_dirty() {
        session.autosave(u64::MAX).ok();
        eprintln!(
            "archsim serve: unsaved changes kept for recovery; reopen the design to recover them"
        );
    } else {
        session.close();
    }
    Ok(0)
}

/// Ctrl-C, or SIGTERM (a logout, `kill`, a service manager): either way the
/// server stops gracefully and unsaved work is kept for recovery.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    // No shell: the URL is one argument.
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("archsim serve: could not open a browser ({opener}: {e}); open the URL above");
    }
}

/// One route of the API: a command's handler at the method and path
/// archsim-app's table gives the command.
struct Endpoint {
    route: archsim_app::Route,
    handler: MethodRouter<Arc<AppState>>,
}

/// The handler of the command `name`; panics (when the router is built, so
/// every test fails) if the table has no serve command of that name.
fn endpoint<H, T>(name: &str, handler: H) -> Endpoint
where
    H: Handler<T, Arc<AppState>>,
    T: 'static,
{
    let command = archsim_app::command(name)
        .unwrap_or_else(|| panic!("serve handles \"{name}\", which archsim_app::COMMANDS lacks"));
    let route = command
        .serve
        .unwrap_or_else(|| panic!("\"{name}\" is a desktop-only command in archsim_app::COMMANDS"));
    let method = match route.method {
        archsim_app::Method::Get => MethodFilter::GET,
        archsim_app::Method::Post => MethodFilter::POST,
    };
    Endpoint {
        route,
        handler: on(method, handler),
    }
}

/// Every command `archsim serve` answers, by its name in archsim-app's
/// command table (which gives its method and path).
fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint("document", document),
        endpoint("palette_groups", || async { Json(palette()) }),
        endpoint("starter_designs", || async { Json(starters()) }),
        endpoint("form_for_component", component_form_of),
        endpoint("form_for_connection", connection_form_of),
        endpoint("can_connect", can_connect),
        endpoint("edit", edit),
        endpoint("undo", undo),
        endpoint("redo", redo),
        endpoint("new_design", new_design),
        endpoint("open_design", open_design),
        endpoint("save", save),
        endpoint("save_as", save_as),
        endpoint("files", files),
        endpoint("recent", recent_files),
        endpoint("export_template", export_template),
        endpoint("export_project", export_project),
        endpoint("import_template", import_template),
        endpoint("import_stacks", import_stacks),
        endpoint("recovery_offer", recovery_offer),
        endpoint("recover", recover),
        endpoint("discard_recovery", discard_recovery),
        endpoint("cost_panel", cost::cost_panel),
        endpoint("run_report", cost::run_report),
        endpoint("live_poll", live_poll),
        endpoint("live_start", live_start),
        endpoint("live_control", live_control),
        endpoint("live_stop", live_stop),
        endpoint("live_series", live_series),
        endpoint("live_traces", live_traces),
        endpoint("present", present),
    ]
}

/// The whole app: the API behind the token and origin checks, the UI as
/// static files, security headers on everything.
pub fn router(state: Arc<AppState>, ui_dir: &Path) -> Router {
    let api = endpoints()
        .into_iter()
        .fold(Router::new(), |api, e| {
            api.route(&format!("/{}", e.route.path), e.handler)
        })
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
        .with_state(state.clone());
    let ui = ServeDir::new(ui_dir).fallback(ServeFile::new(ui_dir.join("index.html")));
    Router::new()
        .nest("/api", api)
        .fallback_service(ui)
        .layer(middleware::from_fn_with_state(state, check_host_and_origin))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

fn refuse(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({ "code": code, "message": message, "suggestion": null })),
    )
        .into_response()
}

/// DNS rebinding and cross-site requests: the Host must be the served
/// address, and an Origin, when sent, must be this origin.
async fn check_host_and_origin(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !state.hosts.iter().any(|h| h == host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "bad_host",
            format!("Host \"{host}\" is not this server; open the URL archsim serve printed"),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if origin != format!("http://{host}") {
            return refuse(
                StatusCode::FORBIDDEN,
                "bad_origin",
                format!(
                    "requests from {origin} are not allowed; only the archsim page itself may call the API"
                ),
            );
        }
    }
    next.run(req).await
}

/// Equal-time comparison, so the token cannot be guessed byte by byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_token(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(TOKEN_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or(b"");
    if !same(given, state.token.as_bytes()) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "bad_token",
            "missing or wrong token; open the URL archsim serve printed (it carries the token)"
                .into(),
        );
    }
    next.run(req).await
}

type Reply<T> = Result<Json<T>, ApiError>;

struct ApiError(CommandError);

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        Self(e)
    }
}

/// The header that marks a refusal: the core said no (a refused edit, a
/// design with no scenario), which is an answer, not a failed request. It
/// travels as 200 with this header, so the browser does not log every
/// refused edit as a failed load; the UI's client throws on it.
pub const REFUSED_HEADER: &str = "x-archsim-refused";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = serde_json::to_value(self.0.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "refused".into());
        let mut res = (StatusCode::OK, Json(self.0)).into_response();
        if let Ok(value) = HeaderValue::from_str(&code) {
            res.headers_mut().insert(REFUSED_HEADER, value);
        }
        res
    }
}

fn bad_request(message: String) -> ApiError {
    ApiError(CommandError::new(
        archsim_app::ErrorCode::InvalidEdit,
        message,
    ))
}

async fn document(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    Json(s.session().document())
}

async fn component_form_of(UrlPath(kind): UrlPath<String>) -> Reply<Vec<archsim_app::FormField>> {
    let kind = ComponentKind::from_slug(&kind)
        .ok_or_else(|| bad_request(format!("no component kind \"{kind}\"")))?;
    Ok(Json(component_form(kind)))
}

async fn connection_form_of(
    UrlPath(meaning): UrlPath<String>,
) -> Reply<Vec<archsim_app::FormField>> {
    let meaning: Meaning = serde_json::from_value(json!(meaning))
        .map_err(|_| bad_request(format!("no connection meaning \"{meaning}\"")))?;
    Ok(Json(connection_form(meaning)))
}

#[derive(Deserialize)]
struct Pair {
    from: String,
    to: String,
}

async fn can_connect(
    State(s): State<Arc<AppState>>,
    Json(p): Json<Pair>,
) -> Reply<archsim_app::ConnectCheck> {
    Ok(Json(s.session().can_connect(&p.from, &p.to)?))
}

async fn edit(State(s): State<Arc<AppState>>, Json(e): Json<Edit>) -> Reply<archsim_app::Applied> {
    Ok(Json(s.session().apply(e)?))
}

async fn undo(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    Json(s.session().undo())
}

async fn redo(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    Json(s.session().redo())
}

#[derive(Deserialize)]
struct NewDesign {
    starter: String,
}

async fn new_design(
    State(s): State<Arc<AppState>>,
    Json(n): Json<NewDesign>,
) -> Reply<archsim_app::DocumentView> {
    Ok(Json(s.session().new_from_starter(&n.starter)?))
}

#[derive(Deserialize)]
struct PathBody {
    path: PathBuf,
}

async fn open_design(
    State(s): State<Arc<AppState>>,
    Json(p): Json<PathBody>,
) -> Reply<archsim_app::DocumentView> {
    let doc = s.session().open_with(&ChosenPath(p.path))?;
    s.remember_dir(doc.path.as_deref());
    Ok(Json(doc))
}

async fn save(State(s): State<Arc<AppState>>) -> Reply<archsim_app::DocumentView> {
    Ok(Json(s.session().save()?))
}

async fn save_as(
    State(s): State<Arc<AppState>>,
    Json(p): Json<PathBody>,
) -> Reply<archsim_app::DocumentView> {
    let doc = s.session().save_as(&ChosenPath(p.path))?;
    s.remember_dir(doc.path.as_deref());
    Ok(Json(doc))
}

async fn export_template(
    State(s): State<Arc<AppState>>,
    Json(options): Json<TemplateOptions>,
) -> Reply<archsim_app::ExportedView> {
    Ok(Json(s.session().export_template(options)?))
}

async fn export_project(State(s): State<Arc<AppState>>) -> Reply<archsim_app::ProjectView> {
    Ok(Json(s.session().export_project()?))
}

async fn import_template(
    State(s): State<Arc<AppState>>,
    Json(p): Json<PathBody>,
) -> Reply<archsim_app::ImportedView> {
    let imported = s.session().import_template(&p.path)?;
    s.remember_dir(p.path.to_str());
    Ok(Json(imported))
}

#[derive(Deserialize)]
struct PathsBody {
    paths: Vec<PathBuf>,
}

async fn import_stacks(
    State(s): State<Arc<AppState>>,
    Json(p): Json<PathsBody>,
) -> Reply<archsim_app::ImportedView> {
    let imported = s.session().import_templates(&p.paths)?;
    s.remember_dir(p.paths.first().and_then(|p| p.to_str()));
    Ok(Json(imported))
}

#[derive(Deserialize)]
struct DirQuery {
    dir: Option<PathBuf>,
    #[serde(default)]
    kind: FileKind,
}

async fn files(
    State(s): State<Arc<AppState>>,
    Query(q): Query<DirQuery>,
) -> Reply<archsim_app::DirListing> {
    let dir = match q.dir {
        Some(d) => d,
        None => s
            .session()
            .path()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .or_else(|| s.last_dir.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    Ok(Json(list_dir(&dir, q.kind)?))
}

async fn recent_files(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    Json(s.session().recent_files())
}

async fn recovery_offer(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    Json(s.session().recovery_offer())
}

async fn recover(State(s): State<Arc<AppState>>) -> Reply<archsim_app::DocumentView> {
    Ok(Json(s.session().recover()?))
}

async fn discard_recovery(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    let mut session = s.session();
    session.discard_recovery();
    Json(session.document())
}

async fn live_start(
    State(s): State<Arc<AppState>>,
    Json(start): Json<LiveStart>,
) -> Reply<archsim_app::LiveView> {
    let session = s.session();
    Ok(Json(s.live().start(&session, &start, s.clock())?))
}

/// The state of the live run now (advanced by the wall time since the last
/// poll), or `null` when none is running.
async fn live_poll(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    Json(s.live().poll(s.clock()))
}

async fn live_control(
    State(s): State<Arc<AppState>>,
    Json(c): Json<LiveControl>,
) -> Reply<archsim_app::LiveView> {
    Ok(Json(s.live().control(c)?))
}

async fn live_stop(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    s.live().stop();
    Json(serde_json::Value::Null)
}

async fn live_series(
    State(s): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
) -> Reply<archsim_app::SeriesView> {
    Ok(Json(s.live().series(&id)?))
}

async fn live_traces(State(s): State<Arc<AppState>>) -> Reply<Vec<archsim_app::RequestTrace>> {
    Ok(Json(s.live().traces()?))
}

#[derive(Deserialize)]
struct PresentBody {
    scenario: Option<String>,
}

/// Opens the presenter window on the design as it is on the canvas.
async fn present(
    State(s): State<Arc<AppState>>,
    Json(b): Json<PresentBody>,
) -> Reply<serde_json::Value> {
    let bin = archsim_app::start_presenter(&s.session(), b.scenario.as_deref())?;
    Ok(Json(json!({ "presenter": bin.display().to_string() })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::HeaderMap;
    use axum::http::Request as HttpRequest;
    use tower::ServiceExt;

    const TOKEN: &str = "test-token";

    fn app(dir: &Path) -> Router {
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>archsim</title>",
        )
        .unwrap();
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let state = Arc::new(AppState::new(Session::blank(), TOKEN.into(), addr));
        router(state, dir)
    }

    fn req(method: &str, uri: &str) -> axum::http::request::Builder {
        HttpRequest::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:4000")
    }

    /// A refusal: 200 with the refused header and the error as the body.
    fn refused(headers: &HeaderMap) -> bool {
        headers.contains_key(REFUSED_HEADER)
    }

    async fn call(
        app: &Router,
        r: HttpRequest<Body>,
    ) -> (StatusCode, serde_json::Value, HeaderMap) {
        let res = app.clone().oneshot(r).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
            headers,
        )
    }

    #[tokio::test]
    async fn api_needs_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let (status, body, _) = call(
            &app,
            req("GET", "/api/document").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "bad_token");
        let wrong = req("GET", "/api/document")
            .header(TOKEN_HEADER, "test-tokem")
            .body(Body::empty())
            .unwrap();
        assert_eq!(call(&app, wrong).await.0, StatusCode::UNAUTHORIZED);
        let right = req("GET", "/api/document")
            .header(TOKEN_HEADER, TOKEN)
            .body(Body::empty())
            .unwrap();
        let (status, body, _) = call(&app, right).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["name"], "Untitled");
    }

    #[tokio::test]
    async fn other_origins_and_hosts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let evil = req("POST", "/api/undo")
            .header(TOKEN_HEADER, TOKEN)
            .header(header::ORIGIN, "http://evil.example")
            .body(Body::empty())
            .unwrap();
        let (status, body, _) = call(&app, evil).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["code"], "bad_origin");
        let same_origin = req("POST", "/api/undo")
            .header(TOKEN_HEADER, TOKEN)
            .header(header::ORIGIN, "http://127.0.0.1:4000")
            .body(Body::empty())
            .unwrap();
        assert_eq!(call(&app, same_origin).await.0, StatusCode::OK);
        // DNS rebinding: a foreign name resolving to 127.0.0.1.
        let rebound = HttpRequest::builder()
            .uri("/")
            .header(header::HOST, "attacker.example:4000")
            .body(Body::empty())
            .unwrap();
        let (status, body, _) = call(&app, rebound).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["code"], "bad_host");
    }

    #[tokio::test]
    async fn the_page_is_served_with_a_strict_csp() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let res = app
            .clone()
            .oneshot(req("GET", "/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(res.headers()[header::REFERRER_POLICY], "no-referrer");
    }

    #[tokio::test]
    async fn edits_go_through_the_model() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let post = |uri: &str, body: serde_json::Value| {
            req("POST", uri)
                .header(TOKEN_HEADER, TOKEN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        for kind in ["lambda_function", "client"] {
            let add = json!({"op": "add_component", "kind": kind, "position": {"x": 0, "y": 0}, "name": null, "group": null});
            assert_eq!(call(&app, post("/api/edit", add)).await.0, StatusCode::OK);
        }
        let (status, body, _) = call(
            &app,
            post(
                "/api/can_connect",
                json!({"from": "lambda_function-1", "to": "client-1"}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["result"], "refused");
        let connect = json!({"op": "connect", "from": "lambda_function-1", "to": "client-1", "meaning": null});
        let (status, body, headers) = call(&app, post("/api/edit", connect)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[REFUSED_HEADER], "connection_refused");
        assert_eq!(body["code"], "connection_refused");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("where traffic starts")
        );
        let (_, body, _) = call(&app, post("/api/undo", json!(null))).await;
        assert_eq!(body["components"].as_array().unwrap().len(), 1);
        // Saving writes only design files.
        let target = dir.path().join("saved");
        let (status, body, _) = call(&app, post("/api/save_as", json!({"path": target}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(dir.path().join("saved.archsim.json").exists());
    }

    #[tokio::test]
    async fn saved_designs_are_listed_as_recent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let session =
            Session::blank().with_recent(RecentFiles::new(dir.path().join("recent.json")));
        let app = router(
            Arc::new(AppState::new(session, TOKEN.into(), addr)),
            dir.path(),
        );
        let get = || {
            req("GET", "/api/recent")
                .header(TOKEN_HEADER, TOKEN)
                .body(Body::empty())
                .unwrap()
        };
        assert_eq!(call(&app, get()).await.1, json!([]));
        let save = req("POST", "/api/save_as")
            .header(TOKEN_HEADER, TOKEN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"path": dir.path().join("kept")}).to_string(),
            ))
            .unwrap();
        assert_eq!(call(&app, save).await.0, StatusCode::OK);
        let (status, body, _) = call(&app, get()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body[0]["name"], "kept.archsim.json");
    }

    #[tokio::test]
    async fn templates_import_and_export() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let post = |uri: &str, body: serde_json::Value| {
            req("POST", uri)
                .header(TOKEN_HEADER, TOKEN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let template = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/iac/templates/alb-fargate-paths.yaml");
        let (status, body, _) = call(&app, post("/api/import", json!({"path": template}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body["document"]["components"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(body["document"]["dirty"], true);
        assert!(!body["report"]["mapped"].as_array().unwrap().is_empty());
        let (status, body, _) = call(
            &app,
            post("/api/export", json!({"flavour": "sam", "syntax": "yaml"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body["template"]
                .as_str()
                .unwrap()
                .contains("AWSTemplateFormatVersion")
        );
        // Only template files are imported.
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "x").unwrap();
        let (status, body, headers) = call(&app, post("/api/import", json!({"path": notes}))).await;
        assert!(refused(&headers), "{status}");
        assert_eq!(body["code"], "bad_path");
    }

    #[tokio::test]
    async fn a_live_simulation_runs_over_the_api() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        let post = |uri: &str, body: serde_json::Value| {
            req("POST", uri)
                .header(TOKEN_HEADER, TOKEN)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let get = |uri: &str| {
            req("GET", uri)
                .header(TOKEN_HEADER, TOKEN)
                .body(Body::empty())
                .unwrap()
        };
        // Nothing runs yet; the live API wants the token like the rest.
        let (status, body, _) = call(&app, get("/api/live")).await;
        assert_eq!((status, body), (StatusCode::OK, serde_json::Value::Null));
        let (status, _, _) = call(&app, req("GET", "/api/live").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body, headers) =
            call(&app, post("/api/live/control", json!({"type": "pause"}))).await;
        assert!(refused(&headers), "{status}");
        assert!(
            body["message"].as_str().unwrap().contains("no simulation"),
            "{body}"
        );
        // A blank design has no scenario: the reason comes back.
        let (status, body, headers) = call(&app, post("/api/live/start", json!({}))).await;
        assert!(refused(&headers), "{status}");
        assert_eq!(body["code"], "simulation");
        assert!(
            body["message"].as_str().unwrap().contains("scenario"),
            "{body}"
        );

        call(&app, post("/api/new", json!({"starter": "serverless-api"}))).await;
        let (status, body, _) = call(&app, post("/api/live/start", json!({"paused": true}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["scenario"], "launch-day");
        assert_eq!(body["at_s"], 0.0);
        let (_, body, _) = call(
            &app,
            post(
                "/api/live/control",
                json!({"type": "step", "seconds": 30.0}),
            ),
        )
        .await;
        assert!(
            (body["at_s"].as_f64().unwrap() - 30.0).abs() < 1e-6,
            "{body}"
        );
        let fn_now = body["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["now"]["id"] == "orders-fn")
            .unwrap();
        assert!(
            fn_now["now"]["requests"].as_u64().unwrap() > 100,
            "{fn_now}"
        );
        let (status, series, _) = call(&app, get("/api/live/series/orders-fn")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(series["series"]["arrivals"].as_array().unwrap().len(), 30);
        let (status, _, _) = call(&app, get("/api/live/traces")).await;
        assert_eq!(status, StatusCode::OK);
        let (_, bad, _) = call(
            &app,
            post("/api/live/control", json!({"type": "speed", "speed": -3})),
        )
        .await;
        assert!(bad["message"].as_str().unwrap().contains("speed"), "{bad}");
        let (status, body, headers) =
            call(&app, post("/api/present", json!({"scenario": "no-such"}))).await;
        assert!(refused(&headers), "{status}");
        assert!(
            body["message"].as_str().unwrap().contains("no-such"),
            "{body}"
        );
        call(&app, post("/api/live/stop", json!(null))).await;
        assert_eq!(
            call(&app, get("/api/live")).await.1,
            serde_json::Value::Null
        );
    }

    /// The table's serve commands as (method, path) with their names.
    fn table_routes() -> std::collections::BTreeMap<(&'static str, &'static str), &'static str> {
        archsim_app::COMMANDS
            .iter()
            .filter_map(|c| c.serve.map(|r| ((r.method.as_str(), r.path), c.name)))
            .collect()
    }

    #[test]
    fn the_api_is_the_command_tables_serve_commands() {
        let table = table_routes();
        let routed = endpoints();
        let served: std::collections::BTreeSet<_> = routed
            .iter()
            .map(|e| (e.route.method.as_str(), e.route.path))
            .collect();
        assert_eq!(served.len(), routed.len(), "a command is handled twice");
        let unserved: Vec<_> = table
            .iter()
            .filter(|(route, _)| !served.contains(*route))
            .map(|(_, name)| name)
            .collect();
        assert!(
            unserved.is_empty(),
            "archsim_app::COMMANDS lists serve commands without a handler in endpoints(): {unserved:?}"
        );
        let unlisted: Vec<_> = served.iter().filter(|r| !table.contains_key(*r)).collect();
        assert!(
            unlisted.is_empty(),
            "endpoints() serves routes archsim_app::COMMANDS does not list: {unlisted:?}"
        );
    }

    /// Each route of the table reaches the router (not the UI's fallback
    /// page) and wants the token: without it, every one answers 401.
    #[tokio::test]
    async fn every_command_is_routed_behind_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path());
        for ((method, path), name) in table_routes() {
            let uri = format!("/api/{}", path.replace(['{', '}'], ""));
            let (status, body, _) =
                call(&app, req(method, &uri).body(Body::empty()).unwrap()).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("bad_token")),
                "{name}: {method} {uri}"
            );
            let other = if method == "GET" { "POST" } else { "GET" };
            let (status, _, _) = call(
                &app,
                req(other, &uri)
                    .header(TOKEN_HEADER, TOKEN)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{name}: {other} {uri}"
            );
        }
    }

    #[test]
    fn only_loopback_addresses_are_served() {
        assert!(check_loopback("127.0.0.1".parse().unwrap()).is_ok());
        assert!(check_loopback("::1".parse().unwrap()).is_ok());
        let err = check_loopback("0.0.0.0".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("loopback only"), "{err}");
        assert!(check_loopback("192.168.1.10".parse().unwrap()).is_err());
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 48);
    }
}
