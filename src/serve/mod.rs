//! `trendsite serve`: the site built in memory, served over HTTP, rebuilt
//! incrementally as files change, with live reload in the browser.
//!
//! Three parts: `state` (the site in memory and incremental rebuilds),
//! `watch` (file events in batches) and `http` (axum, snapshots, SSE). This
//! module wires them: a watcher thread rebuilds and publishes snapshots;
//! the server runs on a tokio runtime in the calling thread.

mod http;
pub mod state;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http::{Notice, Shared, Snapshot};
use state::{Outcome, State};

use crate::diag;
use crate::shell::{Shell, count};

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    /// How long file events must pause before a rebuild starts.
    pub quiet: Duration,
    /// Show the site as it stood on this date (`--as-of`).
    pub as_of: Option<crate::model::Date>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "port {port} on {bind} is already in use; pass --port to use another, for example --port {next}"
    )]
    PortInUse { bind: IpAddr, port: u16, next: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot watch {root} for changes: {source}")]
    Watch {
        root: PathBuf,
        source: notify::Error,
    },
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
}

/// Builds the next snapshot from the previous one and a rebuild's outcome.
pub fn next_snapshot(prev: &Snapshot, state: &State, outcome: &Outcome, instance: u64) -> Snapshot {
    let build = prev.build + 1;
    let version = format!("{instance:x}-{build}");
    let files = if outcome.full {
        state
            .pages()
            .iter()
            .map(|(path, bytes)| {
                (
                    Arc::from(path.as_str()),
                    Arc::new(http::served(path, bytes, &version)),
                )
            })
            .collect()
    } else {
        let mut files = prev.files.clone();
        for path in &outcome.changed {
            if let Some(bytes) = state.pages().get(path) {
                files.insert(
                    Arc::from(path.as_str()),
                    Arc::new(http::served(path, bytes, &version)),
                );
            }
        }
        for path in &outcome.removed {
            files.remove(path.as_str());
        }
        files
    };
    let errors = (!outcome.errors.is_empty()).then(|| http::overlay_json(&outcome.errors));
    Snapshot {
        build,
        files,
        errors,
        pending: outcome
            .deferred
            .iter()
            .map(|p| Arc::from(p.as_str()))
            .collect(),
    }
}

/// What the browsers should do after a rebuild.
pub fn notice_for(outcome: &Outcome) -> Option<Notice> {
    if !outcome.errors.is_empty() {
        return Some(Notice::Errors(http::overlay_json(&outcome.errors)));
    }
    if outcome.css_only() {
        return Some(Notice::Css(outcome.changed.clone()));
    }
    (outcome.full || !outcome.changed.is_empty() || !outcome.removed.is_empty())
        .then_some(Notice::Reload)
}

fn describe(root: &Path, paths: &[PathBuf]) -> String {
    let rel: Vec<String> = paths
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    match rel.as_slice() {
        [] => "nothing".into(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    }
}

fn report(shell: &Shell, outcome: &Outcome, what: &str) {
    diag::print(shell, &outcome.warnings);
    shell.more_warnings(outcome.more_warnings);
    if !outcome.errors.is_empty() {
        diag::print(shell, &outcome.errors);
        shell.print(format_args!(
            "{what}: {}; serving the last good site",
            count(outcome.errors.len(), "error")
        ));
        return;
    }
    shell.info(format_args!(
        "{what}: {} re-rendered, {} updated in {:.1} ms",
        count(outcome.rendered, "page"),
        count(outcome.changed.len() + outcome.removed.len(), "file"),
        outcome.millis
    ));
}

/// Renders the data files a rebuild left until its pages were out, and
/// serves them; requests for them wait until then.
fn finish_deferred(state: &mut State, shared: &Shared) {
    if let Some(outcome) = state.finish_deferred() {
        let next = next_snapshot(&shared.current(), state, &outcome, shared.instance);
        shared.publish(next);
    } else if !shared.current().pending.is_empty() {
        // Nothing came of them (the site has errors): stop the wait.
        let current = shared.current();
        shared.publish(Snapshot {
            build: current.build + 1,
            files: current.files.clone(),
            errors: current.errors.clone(),
            pending: Default::default(),
        });
    }
}

/// Runs the preview server until Ctrl-C.
pub fn run(opts: Options, shell: Arc<Shell>) -> Result<(), ServeError> {
    let root = std::path::absolute(&opts.root).unwrap_or_else(|_| opts.root.clone());
    let (mut state, outcome) = State::load_as_of(&root, "/", opts.as_of);
    report(&shell, &outcome, "initial build");
    let shared = Shared::new(Snapshot::default(), opts.bind.is_loopback());
    shared.publish(next_snapshot(
        &Snapshot::default(),
        &state,
        &outcome,
        shared.instance,
    ));

    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = std::net::TcpListener::bind(addr).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            ServeError::PortInUse {
                bind: opts.bind,
                port: opts.port,
                next: opts.port.wrapping_add(1),
            }
        } else {
            ServeError::Bind { addr, source }
        }
    })?;
    listener
        .set_nonblocking(true)
        .map_err(ServeError::Runtime)?;
    let local = listener.local_addr().map_err(ServeError::Runtime)?;
    let host = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", local.port());

    let mut watcher =
        watch::SourceWatcher::new(&root, opts.quiet).map_err(|source| ServeError::Watch {
            root: root.clone(),
            source,
        })?;
    let rebuild_shared = shared.clone();
    let rebuild_root = root.clone();
    let rebuild_shell = shell.clone();
    std::thread::spawn(move || {
        while let Some(batch) = watcher.next_batch() {
            if batch.is_empty() {
                continue;
            }
            let outcome = state.apply_deferring(&batch);
            let Some(notice) = notice_for(&outcome) else {
                finish_deferred(&mut state, &rebuild_shared);
                if !outcome.warnings.is_empty() || outcome.more_warnings > 0 || outcome.rendered > 0
                {
                    report(&rebuild_shell, &outcome, &describe(&rebuild_root, &batch));
                }
                continue;
            };
            let next = next_snapshot(
                &rebuild_shared.current(),
                &state,
                &outcome,
                rebuild_shared.instance,
            );
            rebuild_shared.publish(next);
            rebuild_shared.notify(notice);
            finish_deferred(&mut state, &rebuild_shared);
            report(&rebuild_shell, &outcome, &describe(&rebuild_root, &batch));
        }
    });

    let as_of = opts
        .as_of
        .map(|d| format!(" as of {d}"))
        .unwrap_or_default();
    // Only now, with the port bound and the watcher in place: from this line
    // on a request is answered and a saved file is seen (tests wait on it).
    shell.status(
        "Serving",
        format_args!("{}{as_of} at {url}", root.display()),
    );
    shell.status(
        "Watching",
        "content/, templates/, static/ and site.toml. Press Ctrl-C to stop.",
    );
    if opts.open
        && let Err(e) = opener::open_browser(&url)
    {
        shell.warn(format_args!("could not open a browser: {e}"));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(ServeError::Runtime)?;
        axum::serve(listener, http::router(shared.clone()))
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                shared.notify(Notice::Shutdown);
            })
            .await
            .map_err(ServeError::Runtime)
    })?;
    shell.info("Stopped.");
    Ok(())
}
