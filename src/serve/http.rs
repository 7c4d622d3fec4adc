//! The preview server: serves the in-memory site over HTTP with axum, and
//! pushes live-reload events to browsers with Server-Sent Events.
//!
//! Pages live in an immutable snapshot swapped whole after each rebuild, so
//! a request sees one build or the next, never a mix. Paths are looked up in
//! that map, never on disk, so no request can reach a file outside the site.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::diag::Diagnostic;

/// Where the server's own endpoints live; no site path starts with it.
pub(super) const PREFIX: &str = "/__trendsite/";
const RELOAD_JS: &str = include_str!("reload.js");

/// One file as served.
#[derive(Debug)]
pub struct Served {
    pub body: Parts,
    pub etag: HeaderValue,
    pub content_type: HeaderValue,
}

/// What the server serves between two rebuilds.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub build: u64,
    /// Keys are shared between snapshots, so copying the map for the next
    /// build copies pointers, not ten thousand paths.
    pub files: HashMap<Arc<str>, Arc<Served>>,
    /// The current build errors as the overlay shows them; `None` when clean.
    pub errors: Option<String>,
    /// Files whose new bytes are still being rendered (the data files, after
    /// pages): a request for one waits for the snapshot that has them.
    pub pending: HashSet<Arc<str>>,
}

/// A message to every open page.
#[derive(Debug, Clone)]
pub enum Notice {
    Reload,
    Css(Vec<String>),
    /// JSON for the overlay.
    Errors(String),
    /// The server is stopping: event streams end so it can exit.
    Shutdown,
}

pub(super) struct Shared {
    pub snapshot: RwLock<Arc<Snapshot>>,
    /// Bound to a loopback address: only requests that name a loopback host
    /// are answered, so a web page cannot reach the preview through a DNS
    /// name that resolves to 127.0.0.1 (DNS rebinding).
    pub loopback_only: bool,
    pub notices: broadcast::Sender<Notice>,
    /// The number of the build last published, for requests waiting on a
    /// pending file.
    pub builds: tokio::sync::watch::Sender<u64>,
    /// Differs between server processes, so a page that reconnects after a
    /// restart knows to reload.
    pub instance: u64,
}

impl Shared {
    pub(super) fn new(snapshot: Snapshot, loopback_only: bool) -> Arc<Shared> {
        let (notices, _) = broadcast::channel(64);
        let instance = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id());
        Arc::new(Shared {
            builds: tokio::sync::watch::Sender::new(snapshot.build),
            snapshot: RwLock::new(Arc::new(snapshot)),
            loopback_only,
            notices,
            instance,
        })
    }

    pub(super) fn current(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(super) fn publish(&self, snapshot: Snapshot) {
        let build = snapshot.build;
        let snapshot = Arc::new(snapshot);
        match self.snapshot.write() {
            Ok(mut s) => *s = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
        self.builds.send_replace(build);
    }

    /// The current snapshot once `key` is no longer pending in it. The
    /// wait is milliseconds; the deadline only guards against a rebuild
    /// thread that died.
    pub(super) async fn settled(&self, key: &str) -> Arc<Snapshot> {
        let mut builds = self.builds.subscribe();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let snapshot = self.current();
            if !snapshot.pending.contains(key) {
                return snapshot;
            }
            match tokio::time::timeout_at(deadline, builds.changed()).await {
                Ok(Ok(())) => {}
                _ => return snapshot,
            }
        }
    }

    pub(super) fn notify(&self, notice: Notice) {
        // No receiver just means no page is open.
        let _ = self.notices.send(notice);
    }
}

#[derive(Serialize)]
struct OverlayError {
    location: String,
    report: String,
}

#[derive(Serialize)]
struct Overlay {
    errors: Vec<OverlayError>,
}

/// The overlay's JSON for a list of errors.
pub(super) fn overlay_json(errors: &[Diagnostic]) -> String {
    let overlay = Overlay {
        errors: errors
            .iter()
            .map(|d| OverlayError {
                location: d.location(),
                report: d.render(false),
            })
            .collect(),
    };
    serde_json::to_string(&overlay).unwrap_or_else(|_| "{\"errors\":[]}".into())
}

/// A file as served: HTML pages get the live-reload script. `version`
/// names the server process and the build that last changed the file: the
/// ETag needs to change when the bytes do, and hashing megabytes of index
/// page on every rebuild would cost more than the rebuild itself.
pub(super) fn served(path: &str, bytes: &Arc<Vec<u8>>, version: &str) -> Served {
    let content_type = mime_guess::from_path(path).first_or_octet_stream();
    let is_html = content_type.essence_str() == "text/html";
    let whole = axum::body::Bytes::from_owner(Page(bytes.clone()));
    let body = if is_html {
        // The reload script goes before `</body>`; the page around it is
        // served from the state's own buffer, not a copy (a changes page
        // with 30,000 changes is 17 MB).
        let at = find_last(bytes, b"</body>").unwrap_or(bytes.len());
        Parts {
            head: whole.slice(..at),
            script: axum::body::Bytes::from(format!(
                "<script src=\"{PREFIX}reload.js\" defer></script>"
            )),
            tail: whole.slice(at..),
        }
    } else {
        Parts {
            head: whole,
            script: axum::body::Bytes::new(),
            tail: axum::body::Bytes::new(),
        }
    };
    let etag = HeaderValue::from_str(&format!("\"{version}-{:x}\"", body.len()))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    let mime = if content_type.type_() == "text" || content_type.subtype() == "javascript" {
        format!("{}; charset=utf-8", content_type.essence_str())
    } else {
        content_type.essence_str().to_string()
    };
    Served {
        body,
        etag,
        content_type: HeaderValue::from_str(&mime)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    }
}

/// A rendered page shared with the state, as `Bytes` can own it.
struct Page(Arc<Vec<u8>>);

impl AsRef<[u8]> for Page {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// A served file in three parts: the page up to the reload script, the
/// script's tag (empty for other files), and the rest.
#[derive(Debug, Clone)]
pub struct Parts {
    head: axum::body::Bytes,
    script: axum::body::Bytes,
    tail: axum::body::Bytes,
}

impl Parts {
    pub fn len(&self) -> usize {
        self.head.len() + self.script.len() + self.tail.len()
    }

    /// The parts as a response body.
    fn body(&self) -> Body {
        if self.script.is_empty() && self.tail.is_empty() {
            return Body::from(self.head.clone());
        }
        let parts = [self.head.clone(), self.script.clone(), self.tail.clone()];
        Body::from_stream(tokio_stream::iter(
            parts.map(Ok::<_, std::convert::Infallible>),
        ))
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__trendsite/events", get(events))
        .route("/__trendsite/reload.js", get(reload_js))
        .fallback(site)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            check_host,
        ))
        .with_state(shared)
}

/// Whether a Host header names this machine: `localhost` (or a name under
/// it), `127.0.0.0/8` or `[::1]`, with or without a port.
pub(super) fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn check_host(
    AxumState(shared): AxumState<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if shared.loopback_only {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| request.uri().host());
        if !host.is_some_and(is_loopback_host) {
            return plain(
                StatusCode::MISDIRECTED_REQUEST,
                "this preview server only answers requests for localhost\n",
            );
        }
    }
    next.run(request).await
}

async fn reload_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        RELOAD_JS,
    )
}

async fn events(
    AxumState(shared): AxumState<Arc<Shared>>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    // Subscribed before the current errors are read: a rebuild published
    // between the two then arrives twice rather than not at all.
    let notices = shared.notices.subscribe();
    let hello = Event::default()
        .event("hello")
        .data(format!("{{\"instance\":{}}}", shared.instance));
    let mut first = vec![Ok(hello)];
    if let Some(errors) = &shared.current().errors {
        first.push(Ok(Event::default().event("errors").data(errors.clone())));
    }
    let updates = BroadcastStream::new(notices)
        .take_while(|n| !matches!(n, Ok(Notice::Shutdown)))
        .filter_map(|notice| {
            let event = match notice.ok()? {
                Notice::Shutdown => return None,
                Notice::Reload => Event::default().event("reload").data("{}"),
                Notice::Css(paths) => Event::default()
                    .event("css")
                    .data(serde_json::json!({ "paths": paths }).to_string()),
                Notice::Errors(json) => Event::default().event("errors").data(json),
            };
            Some(Ok(event))
        });
    Sse::new(tokio_stream::iter(first).chain(updates)).keep_alive(KeepAlive::default())
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum BadPath {
    Traversal,
    Encoding,
}

/// Turns a request path into a key of the snapshot: percent-decoded once,
/// and refused if it could mean anything but a plain path inside the site
/// (`..` or `.` segments, backslashes, NUL, still-encoded `%`, bad UTF-8).
pub(super) fn site_key(raw_path: &str) -> Result<String, BadPath> {
    let decoded = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| BadPath::Encoding)?;
    if decoded.contains(['\\', '\0', '%']) || decoded.chars().any(char::is_control) {
        return Err(BadPath::Encoding);
    }
    let trimmed = decoded.trim_start_matches('/');
    if trimmed.len() + 1 < decoded.len() {
        // `//etc/passwd`: an absolute path smuggled after the root.
        return Err(BadPath::Traversal);
    }
    if trimmed.split('/').any(|s| s == ".." || s == ".") {
        return Err(BadPath::Traversal);
    }
    let mut key = trimmed.to_string();
    if key.is_empty() || key.ends_with('/') {
        key.push_str("index.html");
    }
    Ok(key)
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

async fn site(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let key = match site_key(uri.path()) {
        Ok(k) => k,
        Err(_) => return plain(StatusCode::BAD_REQUEST, "bad request path\n"),
    };
    let mut snapshot = shared.current();
    if snapshot.pending.contains(key.as_str()) {
        snapshot = shared.settled(&key).await;
    }
    let build = HeaderValue::from(snapshot.build);
    let Some(file) = snapshot.files.get(key.as_str()) else {
        let folder = format!("{key}/index.html");
        if snapshot.files.contains_key(folder.as_str()) {
            let mut location = format!("{}/", uri.path());
            if let Some(q) = uri.query() {
                location.push('?');
                location.push_str(q);
            }
            let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return r;
        }
        return not_found(&snapshot, &method, build);
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == file.etag || t.trim() == "*")
        });
    let status = if fresh {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let body = if fresh || method == Method::HEAD {
        Body::empty()
    } else {
        file.body.body()
    };
    let mut r = Response::builder()
        .status(status)
        .header(header::ETAG, file.etag.clone())
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-trendsite-build", build);
    if !fresh {
        r = r
            .header(header::CONTENT_TYPE, file.content_type.clone())
            .header(header::CONTENT_LENGTH, file.body.len());
    }
    r.body(body)
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "error\n"))
}

fn not_found(snapshot: &Snapshot, method: &Method, build: HeaderValue) -> Response {
    let (body, len, content_type) = match snapshot.files.get(crate::plan::NOT_FOUND) {
        Some(page) => (page.body.body(), page.body.len(), page.content_type.clone()),
        None => (
            Body::from("not found\n"),
            "not found\n".len(),
            HeaderValue::from_static("text/plain; charset=utf-8"),
        ),
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        body
    };
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, len)
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-trendsite-build", build)
        .body(body)
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "error\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_for_plain_paths() {
        assert_eq!(site_key("/").unwrap(), "index.html");
        assert_eq!(
            site_key("/trends/ai-credits/").unwrap(),
            "trends/ai-credits/index.html"
        );
        assert_eq!(site_key("/style.css").unwrap(), "style.css");
        assert_eq!(
            site_key("/companies/caf%C3%A9/").unwrap(),
            "companies/café/index.html"
        );
    }

    #[test]
    fn traversal_in_every_form_is_refused() {
        for path in [
            "/../etc/passwd",
            "/trends/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/%252e%252e/etc/passwd",
            "/..%5cetc%5cpasswd",
            "/..\\etc\\passwd",
            "//etc/passwd",
            "/%2Fetc/passwd",
            "/index.html%00.css",
            "/%c0%ae%c0%ae/etc/passwd",
            "/./index.html",
        ] {
            assert!(site_key(path).is_err(), "{path} was accepted");
        }
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "localhost:1111",
            "127.0.0.1:8080",
            "127.1.2.3",
            "[::1]:1111",
            "[::1]",
            "site.localhost:1111",
            "LOCALHOST",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "10.0.0.1:1111",
            "[2001:db8::1]:80",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[tokio::test]
    async fn a_pending_file_is_served_from_the_snapshot_that_has_it() {
        let shared = Shared::new(Snapshot::default(), true);
        let key: Arc<str> = Arc::from("data/companies.json");
        shared.publish(Snapshot {
            build: 1,
            pending: [key.clone()].into_iter().collect(),
            ..Snapshot::default()
        });
        let waiter = {
            let shared = shared.clone();
            tokio::spawn(async move { shared.settled("data/companies.json").await.build })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "it waits while the file is pending");
        shared.publish(Snapshot {
            build: 2,
            ..Snapshot::default()
        });
        let build = tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("settles")
            .expect("task");
        assert_eq!(build, 2);
        // Other files never wait.
        assert_eq!(shared.settled("index.html").await.build, 2);
    }

    fn whole(p: &Parts) -> String {
        String::from_utf8([&p.head[..], &p.script[..], &p.tail[..]].concat()).unwrap()
    }

    #[test]
    fn the_script_goes_before_the_closing_body_tag() {
        let page = Arc::new(b"<html><body><p>x</p></body></html>".to_vec());
        let out = served("index.html", &page, "v");
        assert_eq!(
            whole(&out.body),
            "<html><body><p>x</p><script src=\"/__trendsite/reload.js\" defer></script></body></html>"
        );
        assert_eq!(out.body.len(), whole(&out.body).len());
        // The page is served from the state's buffer, not a copy of it.
        assert_eq!(out.body.head.as_ptr(), page.as_ptr());
        let css = Arc::new(b"body{}".to_vec());
        assert_eq!(whole(&served("style.css", &css, "v").body), "body{}");
    }
}
