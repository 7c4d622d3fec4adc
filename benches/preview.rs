//! Preview latency: on a synthetic site (10,000 companies by default), edit
//! one company's note N times while `trendsite serve` runs, and print the
//! median time from the file write to the reload event reaching a client.
//! With `--changes K` every company has K dated changes, and the summary of
//! one change is edited N times as well.
//!
//!     cargo bench --bench preview -- [--companies 10000] [--edits 30] [--changes 3]
//!
//! The site is the synthetic one of `examples/gen_site`, generated into
//! $BENCH_DIR (default /tmp/trendsite-bench) and kept between runs.
//! $TRENDSITE_BIN runs another build of trendsite instead of this tree's,
//! to compare two versions on the same machine.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

#[path = "../examples/gen_site/synthetic.rs"]
mod synthetic;

struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Reads and drops whatever events are already on their way, so the next
/// edit is timed against its own reload and not a late one from before (a
/// new templates/ folder, say, brings two).
fn drain(events: &mut TcpStream, buf: &mut [u8]) {
    let _ = events.set_read_timeout(Some(Duration::from_millis(300)));
    while matches!(events.read(buf), Ok(n) if n > 0) {}
    let _ = events.set_read_timeout(None);
}

/// Writes `text` to `file` and returns the milliseconds until the next
/// reload event arrives.
fn timed_write(events: &mut TcpStream, buf: &mut [u8], file: &Path, text: &str) -> f64 {
    drain(events, buf);
    let t0 = Instant::now();
    std::fs::write(file, text).expect("write");
    let mut got = String::new();
    while !got.contains("event: reload") {
        let n = events.read(buf).expect("read event");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    t0.elapsed().as_secs_f64() * 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let companies = arg("--companies", 10_000);
    let edits = arg("--edits", 30);
    let changes = arg("--changes", 0);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench_dir =
        PathBuf::from(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/tmp/trendsite-bench".into()));
    let site = bench_dir.join(format!("synthetic-{companies}-{changes}"));
    let spec = synthetic::Spec {
        companies,
        flavor: synthetic::Flavor::Trendsite,
        seed: 1,
        changes,
    };
    match synthetic::generate(&site, &spec) {
        Ok(outcome) => println!("site {}: {outcome}", site.display()),
        Err(e) => panic!("generating the site: {e}"),
    }
    let binary = match std::env::var_os("TRENDSITE_BIN") {
        Some(bin) => PathBuf::from(bin),
        None => {
            let status = Command::new("cargo")
                .args(["build", "--release", "--quiet"])
                .current_dir(repo)
                .status()
                .expect("cargo build");
            assert!(status.success());
            std::env::var_os("CARGO_TARGET_DIR")
                .map(|d| repo.join(d))
                .unwrap_or_else(|| repo.join("target"))
                .join("release/trendsite")
        }
    };

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let log = bench_dir.join("preview-serve.log");
    let started = Instant::now();
    let server = Guard(
        Command::new(&binary)
            .args(["serve", "--port", &port.to_string(), "--root"])
            .arg(&site)
            .env("NO_COLOR", "1")
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("start serve"),
    );
    let mut events = loop {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    println!(
        "serve ready after {:.2} s (initial build in memory)",
        started.elapsed().as_secs_f64()
    );
    events
        .write_all(
            format!("GET /__trendsite/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
                .as_bytes(),
        )
        .expect("subscribe");
    let mut buf = [0u8; 65536];
    let mut seen = String::new();
    while !seen.contains("event: hello") {
        let n = events.read(&mut buf).expect("read");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }

    let mut slugs: Vec<PathBuf> = std::fs::read_dir(site.join("content/companies"))
        .expect("companies")
        .flatten()
        .map(|e| e.path())
        .collect();
    slugs.sort();
    // The edit changes the note, so take a company that has one.
    let file = slugs[slugs.len() / 2..]
        .iter()
        .chain(&slugs)
        .find(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("\nnote = \"")))
        .expect("a company with a note")
        .clone();
    let original = std::fs::read_to_string(&file).expect("read company");
    // Edits the value of `key` (its first occurrence) `edits` times, then
    // restores the file; returns each edit's time to the reload.
    let mut edit_field = |key: &str| {
        let mut times = Vec::new();
        for i in 0..edits {
            let text = original.replacen(key, &format!("{key}Edit {i}. "), 1);
            times.push(timed_write(&mut events, &mut buf, &file, &text));
            // Let the debounce window close before the next edit.
            std::thread::sleep(Duration::from_millis(100));
        }
        std::fs::write(&file, &original).expect("restore");
        std::thread::sleep(Duration::from_millis(300));
        times
    };
    let times = edit_field("note = \"");
    // An edit of one dated change: its summary, shown on the company page,
    // the changes page, the home page's latest changes and the feed.
    let mut change_times = if changes > 0 {
        edit_field("summary = \"")
    } else {
        Vec::new()
    };

    // A template edit: company.html, which every company page uses.
    let template_dir = site.join("templates");
    std::fs::create_dir_all(&template_dir).expect("templates dir");
    let template = template_dir.join("company.html");
    let builtin = std::fs::read_to_string(repo.join("templates/company.html")).expect("template");
    let template_edits = (edits / 3).max(3);
    let mut template_times = Vec::new();
    for i in 0..=template_edits {
        let text = builtin.replacen(
            "<h2 id=\"tiers\">Tiers</h2>",
            &format!("<h2 id=\"tiers\">Tiers {i}</h2>"),
            1,
        );
        let ms = timed_write(&mut events, &mut buf, &template, &text);
        // The first write creates templates/ and reloads everything.
        if i > 0 {
            template_times.push(ms);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    std::fs::remove_dir_all(&template_dir).expect("remove templates");
    std::thread::sleep(Duration::from_millis(1500));
    drop(server);

    let server_ms: Vec<f64> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("content/companies/") && l.contains("re-rendered"))
        .filter_map(|l| l.rsplit(" in ").next()?.strip_suffix(" ms")?.parse().ok())
        .collect();
    // The log has a line per note edit, the restore, then a line per
    // change edit.
    let mut rebuild: Vec<f64> = server_ms.iter().take(edits).copied().collect();
    let mut change_rebuild: Vec<f64> = server_ms
        .iter()
        .skip(edits + 1)
        .take(edits)
        .copied()
        .collect();
    let mut all = times.clone();
    println!(
        "companies: {companies}, changes per company: {changes}, edits: {edits}, file: {}",
        file.display()
    );
    println!(
        "write -> reload event, median: {:.1} ms (min {:.1}, max {:.1})",
        median(&mut all),
        all[0],
        all[all.len() - 1]
    );
    if !rebuild.is_empty() {
        println!(
            "rebuild alone (server log), median: {:.1} ms",
            median(&mut rebuild)
        );
    }
    if !change_times.is_empty() {
        println!(
            "change summary edit -> reload event, median: {:.1} ms (rebuild alone {:.1} ms)",
            median(&mut change_times),
            if change_rebuild.is_empty() {
                0.0
            } else {
                median(&mut change_rebuild)
            }
        );
    }
    println!(
        "template edit (company.html) -> reload event, median: {:.0} ms over {} edits",
        median(&mut template_times),
        template_times.len()
    );
}
