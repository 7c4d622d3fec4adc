//! A real browser (headless Chromium over WebDriver) on a page served by
//! `trendsite serve`: edits show up by themselves, and so do build errors.
//!
//! Skips with a reason when Chromium or ChromeDriver is missing, except
//! under CI (`CI=true`), where a missing browser fails the test.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::support::{Server, SiteTest, free_port, http, wait_for};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {CHROMIUM} or {CHROMEDRIVER} is missing: .ci/run must install chromium and chromium-driver"
        );
        eprintln!(
            "skipping the browser test: {CHROMIUM} or {CHROMEDRIVER} is not installed (apt-get install chromium chromium-driver)"
        );
    }
    present
}

/// ChromeDriver and one browser session, both ended when dropped.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        wait_for(20, "chromedriver", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}});
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let reply = browser.call("POST", "/session", caps);
        browser.session = reply["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        browser
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let body = body.to_string();
        let r = http(
            self.port,
            method,
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        assert!(
            r.status < 300,
            "WebDriver {method} {path}: {} {v}",
            r.status
        );
        v
    }

    fn goto(&self, url: &str) {
        self.call(
            "POST",
            &format!("/session/{}/url", self.session),
            json!({ "url": url }),
        );
    }

    fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            &format!("/session/{}/execute/sync", self.session),
            json!({"script": script, "args": []}),
        )["value"]
            .clone()
    }

    fn text(&self) -> String {
        self.eval("return document.body ? document.body.innerText : '';")
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                &[],
                b"",
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn the_open_page_follows_edits_and_shows_build_errors() {
    if !browser_available() {
        return;
    }
    let site = SiteTest::new("minimal");
    let server = Server::start(&site);
    let browser = Browser::start();
    browser.goto(&format!("http://127.0.0.1:{}/companies/acme/", server.port));
    wait_for(15, "the page", || {
        browser
            .text()
            .contains("Credits with limits per tier.")
            .then_some(())
    });
    // Mark this page load; a reload clears the mark, navigation by the test
    // never happens.
    browser.eval("window.__loadMark = 1; return null;");
    wait_for(10, "the live-reload connection", || {
        server.log().contains("Serving").then_some(())
    });
    std::thread::sleep(std::time::Duration::from_millis(300));

    site.edit(
        "content/companies/acme.md",
        "Credits with `limits` per tier.",
        "Credits, edited in the browser test.",
    );
    wait_for(15, "the edit in the page", || {
        browser
            .text()
            .contains("Credits, edited in the browser test.")
            .then_some(())
    });
    assert!(
        browser
            .eval("return window.__loadMark === undefined;")
            .as_bool()
            .unwrap_or(false),
        "the page reloaded itself"
    );

    site.edit(
        "content/companies/acme.md",
        "ai_packaging = \"bundled\"",
        "ai_packaging = \"bundle\"",
    );
    let overlay = wait_for(15, "the error overlay", || {
        let t = browser.eval("var o = document.getElementById('trendsite-error-overlay'); return o ? o.innerText : null;");
        t.as_str().map(str::to_string)
    });
    assert!(
        overlay.contains("content/companies/acme.md:5:16"),
        "{overlay}"
    );
    assert!(
        overlay.contains("\"bundle\" is not a valid value of `ai_packaging`"),
        "{overlay}"
    );

    site.edit(
        "content/companies/acme.md",
        "ai_packaging = \"bundle\"",
        "ai_packaging = \"bundled\"",
    );
    wait_for(15, "the overlay to go", || {
        browser
            .eval("return document.getElementById('trendsite-error-overlay') === null && document.readyState === 'complete';")
            .as_bool()
            .filter(|gone| *gone)
    });
    assert!(
        browser
            .text()
            .contains("Credits, edited in the browser test.")
    );
}
