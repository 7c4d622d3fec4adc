//! A real browser (headless Chromium over WebDriver) on a page served by
//! `trendsite serve`: edits show up by themselves, and so do build errors;
//! every kind of page passes axe-core, and chart links are reached by
//! keyboard.
//!
//! Skips with a reason when Chromium, ChromeDriver or axe-core (installed
//! with `npm ci --prefix tests/browser-deps`) is missing, except under CI
//! (`CI=true`), where a missing tool fails the test.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::support::{Server, SiteTest, free_port, get, http_waiting, wait_for};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Says why a test skips, or fails it under CI, where nothing may be
/// missing. `missing` says what is missing, `install` what .ci/run must do.
fn skip(missing: &str, install: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {missing}: .ci/run must {install}"
    );
    eprintln!("skipping a browser test: {missing} ({install})");
}

fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present {
        skip(
            &format!("{CHROMIUM} or {CHROMEDRIVER} is missing"),
            "apt-get install chromium chromium-driver",
        );
    }
    present
}

/// Where `npm ci --prefix tests/browser-deps` puts axe-core.
const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser-deps/node_modules/axe-core/axe.min.js"
);

/// axe-core's script, when the browser and it are installed.
fn axe_script() -> Option<String> {
    if !browser_available() {
        return None;
    }
    std::fs::read_to_string(AXE)
        .inspect_err(|e| {
            skip(
                &format!("{AXE} cannot be read ({e})"),
                "npm ci --prefix tests/browser-deps",
            )
        })
        .ok()
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
        Browser::start_with(&[])
    }

    /// A browser started with `extra` flags besides the usual ones.
    fn start_with(extra: &[&str]) -> Browser {
        // A port found free may be taken by another test's server before
        // ChromeDriver binds it; ChromeDriver then exits, and the port
        // answers, but not as ChromeDriver. Wait for its own /status, and
        // start it again on another port if it has exited.
        let (driver, port) = (0..5)
            .find_map(|_| {
                let port = free_port();
                let mut driver = Command::new(CHROMEDRIVER)
                    .arg(format!("--port={port}"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("start chromedriver");
                let ready = wait_for(20, "chromedriver", || {
                    if matches!(driver.try_wait(), Ok(Some(_))) {
                        return Some(false);
                    }
                    std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
                    let status = http_waiting(port, ("GET", "/status"), &[], b"", 5);
                    let body: Value = serde_json::from_slice(&status.body).ok()?;
                    body["value"]["ready"].as_bool().filter(|&r| r)
                });
                ready.then_some((driver, port))
            })
            .expect("chromedriver on a free port");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut args = vec![
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ];
        let profile_arg = format!("--user-data-dir={}", profile.path().display());
        args.push(&profile_arg);
        args.extend(extra);
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
        // Generous: axe-core on a debug build's page, on a busy machine.
        let r = http_waiting(
            self.port,
            (method, path),
            &[("Content-Type", "application/json")],
            body.as_bytes(),
            90,
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
        self.execute("sync", script)
    }

    /// Runs `script`, which ends by calling `arguments[0]` with its result.
    fn eval_async(&self, script: &str) -> Value {
        self.execute("async", script)
    }

    fn execute(&self, how: &str, script: &str) -> Value {
        self.call(
            "POST",
            &format!("/session/{}/execute/{how}", self.session),
            json!({"script": script, "args": []}),
        )["value"]
            .clone()
    }

    /// Presses and releases one key, as a reader does, wherever focus is.
    fn press(&self, key: &str) {
        self.call(
            "POST",
            &format!("/session/{}/actions", self.session),
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]}),
        );
    }

    fn text(&self) -> String {
        self.eval("return document.body ? document.body.innerText : '';")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The WebDriver id of the element `css` selects.
    fn element(&self, css: &str) -> String {
        let reply = self.call(
            "POST",
            &format!("/session/{}/element", self.session),
            json!({"using": "css selector", "value": css}),
        );
        reply["value"][ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {reply}"))
            .to_string()
    }

    /// A real click, as a reader's: the element must be visible and on top.
    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/session/{}/element/{id}/click", self.session),
            json!({}),
        );
    }

    /// Key presses into the element, as a reader types them.
    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/session/{}/element/{id}/value", self.session),
            json!({ "text": text }),
        );
    }

    fn string(&self, script: &str) -> String {
        let v = self.eval(script);
        v.as_str()
            .unwrap_or_else(|| panic!("{script} gave {v}"))
            .to_string()
    }
}

/// The key WebDriver names element references by.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session is what stops Chromium; killing ChromeDriver
        // alone would leave it running. Sent without `http`, whose panics
        // would abort a run that is already failing.
        if !self.session.is_empty() {
            use std::io::{Read, Write};
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
                let _ = write!(
                    stream,
                    "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                    self.session, self.port
                );
                let _ = stream.read(&mut [0u8; 256]);
            }
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
    // An edit made before the page's event stream is open would never reach
    // it; reload.js marks the page once the stream is open.
    wait_for(30, "the page's live-reload connection", || {
        browser
            .eval("return document.documentElement.dataset.trendsiteReload === 'open';")
            .as_bool()
            .filter(|open| *open)
    });

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
    // The first overlay can be for the file caught half written; the next
    // errors event replaces it.
    let overlay = wait_for(15, "the error overlay", || {
        let t = browser.eval("var o = document.getElementById('trendsite-error-overlay'); return o ? o.innerText : null;");
        t.as_str()
            .filter(|t| t.contains("content/companies/acme.md:5:16"))
            .map(str::to_string)
    });
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

/// The rows of the index's company table a reader sees, top to bottom: each
/// by its data-slug, or by its first cell's text when it has none.
fn visible_rows(browser: &Browser) -> Vec<String> {
    let rows = browser.eval(
        "return [...document.querySelectorAll('table[data-companies] tbody tr')]
           .filter(r => r.getClientRects().length > 0)
           .map(r => r.dataset.slug || r.cells[0].textContent.trim());",
    );
    serde_json::from_value(rows).expect("a list of rows")
}

/// Waits until find.js has loaded the data (or failed to) on this page.
fn wait_for_find(browser: &Browser, state: &str) {
    wait_for(15, &format!("find.js to be {state}"), || {
        browser
            .eval("var t = document.querySelector('table[data-companies]'); return t && t.dataset.findState;")
            .as_str()
            .filter(|s| *s == state)
            .map(|_| ())
    });
}

#[track_caller]
fn wait_for_rows(browser: &Browser, want: &[&str]) {
    let mut last = Vec::new();
    let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_for(10, "the rows", || {
            last = visible_rows(browser);
            (last == want).then_some(())
        })
    }));
    assert!(found.is_ok(), "visible rows {last:?}, want {want:?}");
}

fn count_text(browser: &Browser) -> String {
    browser.string("return document.querySelector('#company-find [aria-live]').textContent;")
}

fn query(browser: &Browser) -> String {
    browser.string("return location.search;")
}

fn aria_sort(browser: &Browser, column: &str) -> Value {
    browser.eval(&format!(
        "return document.querySelector('th[data-sort=\"{column}\"]').getAttribute('aria-sort');"
    ))
}

/// A company file: the fixture's shape with these facts.
fn company(name: &str, category: &str, packaging: &str, mechanic: &str, note: &str) -> String {
    let host = name.to_lowercase().replace(' ', "-");
    format!(
        "+++\nname = \"{name}\"\nwebsite = \"https://{host}.example\"\ncategory = \"{category}\"\n\
         ai_packaging = \"{packaging}\"\nverified = 2026-09-01\n\n\
         [metering]\nmechanic = \"{mechanic}\"\nnote = \"{note}\"\n\n\
         [[sources]]\nurl = \"https://{host}.example/pricing\"\nchecked = 2026-09-01\n+++\n"
    )
}

#[test]
fn the_company_table_filters_searches_sorts_and_keeps_the_view_in_the_url() {
    if !browser_available() {
        return;
    }
    // The fixture's acme (bundled), beta (add-on) and gamma (none), and three
    // names a plain sort gets wrong: an accent and numbers.
    let site = SiteTest::new("minimal");
    site.write(
        "content/companies/emile.md",
        company(
            "Émile",
            "design",
            "add-on",
            "credits",
            "Crédits for image generation.",
        ),
    );
    site.write(
        "content/companies/item-9.md",
        company("Item 9", "design", "add-on", "seats", "Per seat."),
    );
    site.write(
        "content/companies/item-10.md",
        company(
            "Item 10",
            "developer-tools",
            "tiered",
            "requests",
            "Requests per month.",
        ),
    );
    site.check().assert_ok();
    let server = Server::start(&site);
    let base = format!("http://127.0.0.1:{}", server.port);
    let browser = Browser::start();

    // A shared URL opens on its view.
    browser.goto(&format!("{base}/?packaging=add-on"));
    wait_for_find(&browser, "ready");
    wait_for_rows(&browser, &["beta", "emile", "item-9"]);
    assert_eq!(count_text(&browser), "3 of 6 companies");
    assert_eq!(
        browser.string("return document.querySelector('select[name=packaging]').value;"),
        "add-on"
    );
    assert_eq!(
        browser.eval("return document.getElementById('company-find').getClientRects().length > 0;"),
        json!(true),
        "the controls show"
    );
    assert_eq!(aria_sort(&browser, "name"), json!("ascending"));
    assert_eq!(
        browser
            .eval("return document.getElementById('company-find-empty').getClientRects().length;"),
        json!(0)
    );

    // Typing searches names, within the packaging filter: Item 10 is tiered.
    browser.type_into("input[name=q]", "item");
    wait_for_rows(&browser, &["item-9"]);
    assert_eq!(count_text(&browser), "1 of 6 companies");
    // ... and notes, accents ignored: "credit" finds Émile's "Crédits";
    // Acme's note says credits too, but Acme is bundled.
    browser.type_into("input[name=q]", "\u{E009}a\u{E000}credit");
    wait_for_rows(&browser, &["emile"]);
    let q = query(&browser);
    assert!(
        q.contains("q=credit") && q.contains("packaging=add-on"),
        "{q}"
    );
    assert!(
        !q.contains("sort=") && !q.contains("dir="),
        "defaults stay out: {q}"
    );

    // Nothing matches: the empty-state line shows.
    browser.type_into("input[name=q]", "zzz");
    wait_for_rows(&browser, &[]);
    assert_eq!(count_text(&browser), "0 of 6 companies");
    assert_eq!(
        browser.eval(
            "return document.getElementById('company-find-empty').getClientRects().length > 0;"
        ),
        json!(true)
    );

    // Clearing the filters shows all, in locale order: Émile among the Es,
    // Item 9 before Item 10.
    browser.click("#company-find button[type=reset]");
    wait_for_rows(
        &browser,
        &["acme", "beta", "emile", "gamma", "item-9", "item-10"],
    );
    assert_eq!(count_text(&browser), "6 of 6 companies");
    wait_for(5, "a clean URL", || {
        (query(&browser).is_empty()).then_some(())
    });

    // The Company header flips the name order.
    browser.click("th[data-sort=name] button");
    wait_for_rows(
        &browser,
        &["item-10", "item-9", "gamma", "emile", "beta", "acme"],
    );
    assert_eq!(aria_sort(&browser, "name"), json!("descending"));
    assert_eq!(query(&browser), "?dir=desc");

    // Another header sorts by its column, ascending; ties keep name order.
    browser.click("th[data-sort=packaging] button");
    wait_for_rows(
        &browser,
        &["beta", "emile", "item-9", "acme", "gamma", "item-10"],
    );
    assert_eq!(aria_sort(&browser, "packaging"), json!("ascending"));
    assert_eq!(aria_sort(&browser, "name"), Value::Null);
    assert_eq!(query(&browser), "?sort=packaging");
    browser.click("th[data-sort=packaging] button");
    wait_for_rows(
        &browser,
        &["item-10", "gamma", "acme", "beta", "emile", "item-9"],
    );
    assert_eq!(aria_sort(&browser, "packaging"), json!("descending"));
    assert_eq!(query(&browser), "?sort=packaging&dir=desc");

    // Sort and filters from the URL together; a value no company has is
    // dropped rather than hiding everything.
    browser.goto(&format!(
        "{base}/?category=design&sort=mechanic&dir=desc&packaging=bogus"
    ));
    wait_for_find(&browser, "ready");
    wait_for_rows(&browser, &["item-9", "emile"]);
    assert_eq!(aria_sort(&browser, "mechanic"), json!("descending"));
    assert_eq!(
        browser.string("return document.querySelector('select[name=category]').value;"),
        "design"
    );
    assert_eq!(query(&browser), "?category=design&sort=mechanic&dir=desc");
}

#[test]
fn find_leaves_rows_without_a_slug_and_a_table_without_data_alone() {
    if !browser_available() {
        return;
    }
    let site = SiteTest::new("minimal");
    let builtin = |name: &str| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("templates")
                .join(name),
        )
        .expect("built-in template")
    };
    // A site's own row template that gives Gamma's row no data-slug.
    let row = builtin("company_row.html");
    assert!(row.contains("<tr data-slug=\"{{ c.slug }}\">"));
    site.write(
        "templates/company_row.html",
        row.replace(
            "<tr data-slug=\"{{ c.slug }}\">",
            "<tr{% if c.slug != \"gamma\" %} data-slug=\"{{ c.slug }}\"{% endif %}>",
        ),
    );
    let server = Server::start(&site);
    let base = format!("http://127.0.0.1:{}", server.port);
    let browser = Browser::start();

    browser.goto(&format!("{base}/?packaging=add-on"));
    wait_for_find(&browser, "ready");
    wait_for_rows(&browser, &["beta", "Gamma"]);
    assert_eq!(count_text(&browser), "2 of 3 companies");
    browser.click("#company-find button[type=reset]");
    wait_for_rows(&browser, &["acme", "beta", "Gamma"]);
    browser.click("th[data-sort=name] button");
    // The row the script cannot match stays, last.
    wait_for_rows(&browser, &["beta", "acme", "Gamma"]);

    // A site's own index.html made before data/find.json, pointing at the
    // full companies.json, still gets the controls.
    let index = builtin("index.html");
    assert!(index.contains("data/find.json"));
    // Points the site's own index.html at `data`, and waits until it is served.
    let index_reading = |data: &str| {
        // The open page would get a live reload for this edit, and its
        // `location.reload()` can land after the test's next navigation and
        // undo it: no page is open while the template changes.
        browser.goto("about:blank");
        site.write(
            "templates/index.html",
            index.replace("data/find.json", data),
        );
        let attribute = format!("data-companies=\"/{data}\"");
        wait_for(15, "the rebuilt index", || {
            get(server.port, "/")
                .text()
                .contains(&attribute)
                .then_some(())
        });
    };
    index_reading("data/companies.json");
    browser.goto(&format!("{base}/?mechanic=credits"));
    wait_for_find(&browser, "ready");
    wait_for_rows(&browser, &["acme", "Gamma"]);

    // A table whose data cannot be fetched stays as served.
    index_reading("data/missing.json");
    browser.goto(&format!("{base}/?packaging=add-on&sort=category"));
    wait_for_find(&browser, "failed");
    assert_eq!(visible_rows(&browser), ["acme", "beta", "Gamma"]);
    assert_eq!(
        browser.eval("return document.getElementById('company-find').getClientRects().length;"),
        json!(0),
        "the controls stay hidden"
    );
    assert_eq!(
        browser.eval("return document.querySelectorAll('thead button').length;"),
        json!(0)
    );
    assert_eq!(aria_sort(&browser, "category"), Value::Null);
    assert_eq!(query(&browser), "?packaging=add-on&sort=category");
}

/// What a reader without JavaScript gets: the whole table, and none of the
/// controls that need the script.
#[test]
fn without_javascript_the_index_lists_every_company_and_hides_the_find_controls() {
    let site = SiteTest::new("minimal");
    let server = Server::start(&site);
    let page = get(server.port, "/");
    assert_eq!(page.status, 200);
    let html = page.text();
    for (slug, name) in [("acme", "Acme"), ("beta", "beta"), ("gamma", "Gamma")] {
        assert!(
            html.contains(&format!(
                "<tr data-slug=\"{slug}\"><td><a href=\"/companies/{slug}/\">{name}</a></td>"
            )),
            "no row for {slug}"
        );
    }
    let tag = |id: &str| {
        let at = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id}"));
        let start = html[..at].rfind('<').expect("<");
        html[start..at + html[at..].find('>').expect(">")].to_string()
    };
    assert!(
        tag("company-find").contains(" hidden"),
        "{}",
        tag("company-find")
    );
    assert!(tag("company-find-empty").contains(" hidden"));
    // The count lives inside the hidden form.
    let form = &html[html.find("id=\"company-find\"").unwrap()..];
    assert!(form[..form.find("</form>").expect("</form>")].contains("aria-live=\"polite\""));
    // The script and the data it fetches are served too.
    let js = get(server.port, "/find.js");
    assert_eq!(js.status, 200);
    assert!(
        js.header("content-type")
            .unwrap_or("")
            .contains("javascript")
    );
    assert_eq!(get(server.port, "/data/companies.json").status, 200);
}

/// One of each kind of page of [`crate::over_time::history_site`], whose
/// trend pages have every chart: group sizes, "Over time", and a trend
/// without groups. Add a path here when the site gains a kind of page.
const EVERY_KIND_OF_PAGE: &[&str] = &[
    "/",
    "/trends/",
    "/trends/credits/",
    "/trends/plain/",
    "/companies/acme/",
    "/companies/gamma/",
    "/packaging/",
    "/packaging/bundled/",
    "/metering/",
    "/metering/credits/",
    "/changes/",
    // The 404 page, as served for any path the site does not have.
    "/no-such-page/",
];

/// axe-core's serious and critical violations on the open page, each as
/// `rule (impact): the elements`.
fn axe_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser.eval(&format!("{axe}\n;return null;"));
    let result = browser.eval_async(
        "const done = arguments[0];
         axe.run(document).then(
           r => done(r.violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => v.id + ' (' + v.impact + '): '
                  + v.nodes.map(n => n.target.join(' ')).join(', '))),
           e => done(['axe-core failed: ' + e]));",
    );
    serde_json::from_value(result.clone())
        .unwrap_or_else(|e| panic!("axe-core's result {result}: {e}"))
}

#[test]
fn every_kind_of_page_passes_axe_core_in_light_and_dark() {
    let Some(axe) = axe_script() else {
        return;
    };
    let site = crate::over_time::history_site();
    // Unconfirmed facts, so their marks are checked on the company page,
    // the trend and metering pages and the home page's table.
    site.edit(
        "content/companies/acme.md",
        "verified = ",
        "unconfirmed = [\"metering.mechanic\", \"tiers.Pro.ai_allowance\"]\nverified = ",
    );
    let server = Server::start(&site);
    let base = format!("http://127.0.0.1:{}", server.port);
    for path in [
        "/",
        "/companies/acme/",
        "/trends/credits/",
        "/metering/credits/",
    ] {
        assert!(
            get(server.port, path)
                .text()
                .contains("class=\"unconfirmed\""),
            "{path} shows no unconfirmed mark"
        );
    }
    // Dark mode has colours of its own, so contrast is checked in both.
    for (scheme, flags) in [
        ("light", &[][..]),
        (
            "dark",
            &[
                "--force-dark-mode",
                "--blink-settings=preferredColorScheme=0",
            ][..],
        ),
    ] {
        let browser = Browser::start_with(flags);
        let mut problems = Vec::new();
        for path in EVERY_KIND_OF_PAGE {
            browser.goto(&format!("{base}{path}"));
            wait_for(15, path, || {
                browser
                    .eval("return document.readyState === 'complete' && !!document.querySelector('main');")
                    .as_bool()
                    .filter(|ready| *ready)
            });
            if *path == "/" {
                // The page as a reader sees it: with the find controls.
                wait_for_find(&browser, "ready");
            }
            assert_eq!(
                browser.string(
                    "return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';"
                ),
                scheme
            );
            problems.extend(
                axe_violations(&browser, &axe)
                    .into_iter()
                    .map(|v| format!("{scheme} {path}: {v}")),
            );
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
    // The trend page did have the chart the test is about.
    assert!(
        get(server.port, "/trends/credits/")
            .text()
            .contains("chart-over-time")
    );
}

/// Tabs through the page from its top until focus comes back round, and
/// returns each chart link focused, by its position among the page's
/// chart links, with its name.
fn tab_through_charts(browser: &Browser) -> Vec<(u64, String)> {
    let links = browser
        .eval("return document.querySelectorAll('svg.chart a').length;")
        .as_u64()
        .unwrap_or(0);
    let stops = browser
        .eval("return document.querySelectorAll('a[href], button, input, select, summary').length;")
        .as_u64()
        .unwrap_or(0);
    let mut reached = Vec::new();
    for _ in 0..stops + 5 {
        browser.press("\u{E004}");
        let at = browser.eval(
            "const e = document.activeElement;
             const all = [...document.querySelectorAll('svg.chart a')];
             const i = all.indexOf(e);
             return i < 0 ? null : [i, e.getAttribute('aria-label'),
                                    e.getBoundingClientRect().width > 0];",
        );
        if let Some([i, name, shown]) = at.as_array().map(Vec::as_slice) {
            assert_eq!(shown, &json!(true), "a focused link is on screen: {name}");
            reached.push((i.as_u64().unwrap_or(u64::MAX), name.to_string()));
        }
    }
    reached.sort();
    reached.dedup();
    assert!(links > 0, "the page has chart links");
    reached
}

#[test]
fn every_chart_link_is_reached_by_keyboard() {
    if !browser_available() {
        return;
    }
    let site = crate::over_time::history_site();
    let server = Server::start(&site);
    let base = format!("http://127.0.0.1:{}", server.port);
    let browser = Browser::start();

    browser.goto(&format!("{base}/trends/credits/"));
    wait_for(15, "the trend page", || {
        browser.text().contains("Over time").then_some(())
    });
    let reached = tab_through_charts(&browser);
    let names: Vec<&str> = reached.iter().map(|(_, n)| n.as_str()).collect();
    // Group sizes, then each line of "Over time", in page order.
    assert_eq!(
        names,
        [
            "\"Bundled: 1 company\"",
            "\"Add-on: 1 company\"",
            "\"Bundled: 1 company at the end of 2026 Q1\"",
            "\"Add-on: 1 company at the end of 2026 Q1\"",
        ]
    );
    assert_eq!(
        reached.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );

    // Enter on a focused line's key goes to its group.
    browser.eval("document.querySelector('#chart-over-time-title').parentNode.querySelector('a').focus(); return null;");
    browser.press("\u{E007}");
    wait_for(10, "the group's anchor", || {
        (browser.string("return location.hash;") == "#bundled").then_some(())
    });

    // The index's charts: every bar and matrix label with a page.
    browser.goto(&format!("{base}/"));
    wait_for_find(&browser, "ready");
    let reached = tab_through_charts(&browser);
    let links = browser
        .eval("return document.querySelectorAll('svg.chart a').length;")
        .as_u64()
        .unwrap_or(0);
    assert_eq!(reached.len() as u64, links, "{reached:?}");
    assert!(
        reached
            .iter()
            .any(|(_, n)| n == "\"AI packaging bundled: 1 company\""),
        "{reached:?}"
    );
}
