//! `SiteTest`: a fixture site copied into a temp folder, edited, built with
//! the real binary, and inspected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The files of an in-memory build, by path, static files read.
pub fn built_files(built: trendsite::Built) -> BTreeMap<String, Vec<u8>> {
    built
        .pages
        .into_iter()
        .map(|p| {
            let bytes = match p.content {
                trendsite::render::Content::Bytes(b) => b,
                trendsite::render::Content::Copy(path) => std::fs::read(path).expect("static"),
            };
            (p.path, bytes)
        })
        .collect()
}

pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// Every file under `dir` with its bytes, to compare outputs whole.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

pub struct Run {
    pub output: Output,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.output.status.success()
    }
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert!(
            self.ok(),
            "expected success, got {:?}\n{}",
            self.code(),
            self.stderr()
        );
        self
    }
    #[track_caller]
    pub fn assert_failed(&self) -> &Self {
        assert_eq!(self.code(), Some(1), "expected exit 1\n{}", self.stderr());
        self
    }
    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        let err = self.stderr();
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
        self
    }
}

pub struct SiteTest {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl SiteTest {
    /// A copy of `tests/fixtures/<name>`.
    pub fn new(name: &str) -> SiteTest {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        copy_tree(&fixture_dir(name), &root);
        SiteTest { _dir: dir, root }
    }

    /// No site yet: `root` does not exist, for a test that writes one.
    pub fn empty() -> SiteTest {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        SiteTest { _dir: dir, root }
    }

    /// A copy of the repository's own site (site.toml, content/, static/).
    pub fn repo() -> SiteTest {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::copy(repo.join("site.toml"), root.join("site.toml")).expect("copy site.toml");
        for sub in ["content", "static", "templates"] {
            if repo.join(sub).is_dir() {
                copy_tree(&repo.join(sub), &root.join(sub));
            }
        }
        SiteTest { _dir: dir, root }
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).expect("read")
    }

    /// Replaces the first occurrence of `from` in `rel`.
    #[track_caller]
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} lacks {from:?}");
        self.write(rel, text.replacen(from, to, 1))
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.root.join(rel)).expect("remove");
        self
    }

    pub fn out(&self) -> PathBuf {
        self.root.join("public")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_trendsite"))
            .args(args)
            .arg("--root")
            .arg(&self.root)
            .env("NO_COLOR", "1")
            .output()
            .expect("run trendsite");
        Run { output }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn check(&self) -> Run {
        self.run(&["check"])
    }

    /// A built page, by its URL path (`trends/credits/`).
    #[track_caller]
    pub fn page(&self, url: &str) -> String {
        let mut path = self.out().join(url.trim_start_matches('/'));
        if url.ends_with('/') || url.is_empty() {
            path = path.join("index.html");
        }
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// The groups of a built trend page: each `<h3>` title under the companies
/// heading with the slugs of the companies listed below it (each item's
/// first link: a mark beside a name links the company page too), in page
/// order.
pub fn trend_groups(html: &str) -> Vec<(String, Vec<String>)> {
    let start = html
        .find("<section class=\"groups\"")
        .expect("groups section");
    let end = html[start..]
        .find("</section>\n</section>")
        .map_or(html.len(), |i| start + i + 20);
    let mut section = &html[start..end];
    let mut groups = Vec::new();
    while let Some(h) = section.find("<h3") {
        section = &section[h..];
        let title_start = section.find('>').expect(">") + 1;
        let title_end = section.find("</h3>").expect("</h3>");
        let title = section[title_start..title_end].to_string();
        section = &section[title_end..];
        let next = section.find("<h3").unwrap_or(section.len());
        let body = &section[..next];
        let slugs = body
            .split("<li><a href=\"/companies/")
            .skip(1)
            .map(|s| s.split('/').next().unwrap_or_default().to_string())
            .collect();
        groups.push((title, slugs));
    }
    if groups.is_empty() {
        // A trend without [[groups]] lists its companies under no heading:
        // they are its "Other".
        let slugs: Vec<String> = html[start..end]
            .split("<li><a href=\"/companies/")
            .skip(1)
            .map(|s| s.split('/').next().unwrap_or_default().to_string())
            .collect();
        if !slugs.is_empty() {
            groups.push(("Other".to_string(), slugs));
        }
    }
    groups
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A plain HTTP/1.1 response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request as written (the path is not normalised, so tests can
/// send traversal attempts verbatim) and reads the whole response.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    http_waiting(port, (method, path), headers, body, 10)
}

/// [`http`] for a reply that may take up to `secs` seconds.
pub fn http_waiting(
    port: u16,
    (method, path): (&str, &str),
    headers: &[(&str, &str)],
    body: &[u8],
    secs: u64,
) -> Response {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(secs)))
        .expect("timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (n, v) in headers {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(request.as_bytes()).expect("send");
    stream.write_all(body).expect("send body");
    // Read until the headers end, then exactly the body they announce:
    // some servers keep the connection open despite `Connection: close`.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf).expect("read");
        assert!(n > 0, "connection closed before the headers ended");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = raw[split + 4..].to_vec();
    let bodiless = method == "HEAD" || status == 304 || status == 204;
    if bodiless {
        body.clear();
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        while body.len() < len {
            let n = stream.read(&mut buf).expect("read body");
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        body.truncate(len);
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        while !body.windows(5).any(|w| w == b"0\r\n\r\n") {
            let n = stream.read(&mut buf).expect("read chunks");
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        body = dechunk(&body);
    } else {
        stream.read_to_end(&mut body).expect("read to end");
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < end + 4 + size {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 4 + size..];
    }
    out
}

pub fn get(port: u16, path: &str) -> Response {
    http(port, "GET", path, &[], b"")
}

/// Polls `f` every 25 ms until it returns `Some`, or panics after `secs`.
#[track_caller]
pub fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

/// `trendsite serve` running on a site, killed when dropped.
pub struct Server {
    child: std::process::Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    pub fn start(site: &SiteTest) -> Server {
        let port = free_port();
        let log = site
            .root
            .parent()
            .expect("parent")
            .join(format!("serve-{port}.log"));
        let file = std::fs::File::create(&log).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_trendsite"))
            .args(["serve", "--port", &port.to_string(), "--root"])
            .arg(&site.root)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start serve");
        let mut server = Server { child, port, log };
        // Not a TCP connect: the port is bound before the watcher exists, so
        // a connection can succeed while a file written now would be missed.
        // "Serving" is printed once both are in place; requests sent after it
        // wait in the listen queue until the server accepts them.
        wait_for(30, "the server to start", || {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("serve exited with {status}:\n{}", server.log());
            }
            let log = server.log();
            log.lines().any(|l| l.starts_with("Serving ")).then_some(())
        });
        server
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A live-reload subscription: the raw event stream, read in a thread.
pub struct Events {
    received: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Events {
    pub fn subscribe(port: u16) -> Events {
        use std::io::{Read, Write};
        let received = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = received.clone();
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .write_all(format!("GET /__trendsite/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n").as_bytes())
            .expect("send");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let events = Events { received };
        wait_for(10, "the hello event", || {
            events.text().contains("event: hello").then_some(())
        });
        events
    }

    pub fn text(&self) -> String {
        self.received.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn count(&self, event: &str) -> usize {
        self.text().matches(&format!("event: {event}\n")).count()
    }
}
