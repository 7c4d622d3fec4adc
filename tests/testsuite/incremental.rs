//! Incremental rebuilds in serve: after any sequence of edits, the pages in
//! memory equal a full build of the same files, byte for byte.

use std::collections::BTreeMap;
use std::path::PathBuf;

use trendsite::render::Content;
use trendsite::serve::state::State;

use crate::support::SiteTest;

fn full_build(site: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    let built = trendsite::build(&site.root, Some("/")).expect("full build");
    built
        .pages
        .into_iter()
        .map(|p| {
            let bytes = match p.content {
                Content::Bytes(b) => b,
                Content::Copy(path) => std::fs::read(path).expect("static"),
            };
            (p.path, bytes)
        })
        .collect()
}

fn pages(state: &State) -> BTreeMap<String, Vec<u8>> {
    state
        .pages()
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect()
}

#[track_caller]
fn assert_same(state: &State, site: &SiteTest, step: &str) {
    assert!(!state.has_errors(), "{step}: {:?}", state.errors());
    let full = full_build(site);
    let live = pages(state);
    let full_keys: Vec<&String> = full.keys().collect();
    let live_keys: Vec<&String> = live.keys().collect();
    assert_eq!(live_keys, full_keys, "{step}: page sets differ");
    for (path, bytes) in &full {
        assert!(
            live[path] == *bytes,
            "{step}: {path} differs from a full build"
        );
    }
}

struct Live<'a> {
    site: &'a SiteTest,
    state: State,
}

impl Live<'_> {
    fn apply(&mut self, rels: &[&str]) -> trendsite::serve::state::Outcome {
        let paths: Vec<PathBuf> = rels.iter().map(|r| self.site.root.join(r)).collect();
        self.state.apply(&paths)
    }
}

const ACME: &str = "content/companies/acme.md";
const BETA: &str = "content/companies/beta.md";
const CREDITS: &str = "content/trends/credits.md";

#[test]
fn incremental_rebuilds_equal_a_full_build_after_every_edit() {
    let site = SiteTest::new("minimal");
    let (state, outcome) = State::load(&site.root, "/");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let mut live = Live { site: &site, state };
    assert_same(&live.state, &site, "initial");
    let total = live.state.pages().len();

    // A note edit re-renders only the pages that show it.
    site.edit(
        ACME,
        "Credits with `limits` per tier.",
        "Credits, *edited*.",
    );
    let o = live.apply(&[ACME]);
    assert!(
        !o.full && o.rendered < total - 5,
        "rendered {} of {total}",
        o.rendered
    );
    assert!(o.changed.contains(&"companies/acme/index.html".to_string()));
    assert!(!o.changed.contains(&"companies/beta/index.html".to_string()));
    assert_same(&live.state, &site, "note edit");

    // Packaging moves a company between groups and empties a term page.
    site.edit(
        BETA,
        "ai_packaging = \"add-on\"",
        "ai_packaging = \"tiered\"",
    );
    let o = live.apply(&[BETA]);
    assert!(
        o.removed
            .contains(&"packaging/add-on/index.html".to_string())
    );
    assert_same(&live.state, &site, "packaging change");

    // Mechanic out of the trend's selection, then back.
    site.edit(BETA, "mechanic = \"tokens\"", "mechanic = \"seats\"");
    live.apply(&[BETA]);
    assert_same(&live.state, &site, "mechanic leaves the trend");
    site.edit(BETA, "mechanic = \"seats\"", "mechanic = \"tokens\"");
    live.apply(&[BETA]);
    assert_same(&live.state, &site, "mechanic back");

    // Trend edits: prose, title, selection.
    site.edit(CREDITS, "Intro about credits.", "New intro.");
    live.apply(&[CREDITS]);
    assert_same(&live.state, &site, "trend prose");
    site.edit(
        CREDITS,
        "title = \"Credits\"",
        "title = \"Credit metering\"",
    );
    live.apply(&[CREDITS]);
    assert_same(&live.state, &site, "trend title");
    site.edit(CREDITS, "[\"credits\", \"tokens\"]", "[\"credits\"]");
    live.apply(&[CREDITS]);
    assert_same(&live.state, &site, "trend selection");

    // Add, rename and delete companies.
    site.write(
        "content/companies/delta.md",
        site.read(BETA)
            .replace("name = \"beta\"", "name = \"Delta\""),
    );
    live.apply(&["content/companies/delta.md"]);
    assert_same(&live.state, &site, "add");
    std::fs::rename(
        site.root.join("content/companies/delta.md"),
        site.root.join("content/companies/epsilon.md"),
    )
    .expect("rename");
    live.apply(&["content/companies/delta.md", "content/companies/epsilon.md"]);
    assert_same(&live.state, &site, "rename");
    site.remove("content/companies/epsilon.md");
    live.apply(&["content/companies/epsilon.md"]);
    assert_same(&live.state, &site, "delete");

    // Errors keep the last good pages; edits made meanwhile show once fixed.
    let before = pages(&live.state);
    site.edit(
        ACME,
        "ai_packaging = \"bundled\"",
        "ai_packaging = \"bundle\"",
    );
    let o = live.apply(&[ACME]);
    assert_eq!(o.errors.len(), 1);
    assert_eq!(o.errors[0].location(), "content/companies/acme.md:5:16");
    site.edit(BETA, "Token packs", "Token bundles");
    let o = live.apply(&[BETA]);
    assert_eq!(o.errors.len(), 1, "the other file's error stays");
    assert_eq!(pages(&live.state), before, "last good site kept");
    site.edit(
        ACME,
        "ai_packaging = \"bundle\"",
        "ai_packaging = \"bundled\"",
    );
    let o = live.apply(&[ACME]);
    assert!(o.errors.is_empty());
    assert_same(&live.state, &site, "fixed");

    // A broken link, then fixed.
    site.edit(ACME, "(@/companies/beta.md)", "(@/companies/nope.md)");
    assert_eq!(live.apply(&[ACME]).errors.len(), 1);
    site.edit(ACME, "(@/companies/nope.md)", "(@/companies/beta.md)");
    live.apply(&[ACME]);
    assert_same(&live.state, &site, "link fixed");

    // Templates: a page template re-renders its pages only.
    site.write("templates/term.html", "{% extends \"base.html\" %}{% block content %}<p>{{ term.value }}</p>{% endblock content %}");
    let o = live.apply(&["templates/term.html"]);
    assert!(
        !o.full
            && o.changed
                .iter()
                .all(|p| p.starts_with("packaging/") || p.starts_with("metering/"))
    );
    assert_same(&live.state, &site, "page template");

    // Serve keeps each body's HTML: an edited body shows after a later
    // company.html edit, which renders every company page from those.
    site.edit(ACME, "Acme sells credits.", "Acme sells *edited* credits.");
    live.apply(&[ACME]);
    assert_same(&live.state, &site, "body edit");
    site.write(
        "templates/company.html",
        trendsite::render::BUILTIN_TEMPLATES
            .iter()
            .find(|(n, _)| *n == "company.html")
            .map(|(_, t)| {
                t.replace(
                    "<h2 id=\"sources\">Sources</h2>",
                    "<h2 id=\"sources\">Read</h2>",
                )
            })
            .expect("built-in company.html"),
    );
    let o = live.apply(&["templates/company.html"]);
    assert!(!o.full && o.changed.iter().all(|p| p.starts_with("companies/")));
    assert!(
        String::from_utf8_lossy(&live.state.pages()["companies/acme/index.html"])
            .contains("Acme sells <em>edited</em> credits.")
    );
    assert_same(&live.state, &site, "company template after a body edit");
    site.remove("templates/company.html");
    live.apply(&["templates/company.html"]);
    assert_same(&live.state, &site, "company template removed");
    site.write(
        "templates/base.html",
        trendsite::render::BUILTIN_TEMPLATES[0]
            .1
            .replace("Skip to content", "Skip"),
    );
    live.apply(&["templates/base.html"]);
    assert_same(&live.state, &site, "base template");
    site.write("templates/trend.html", "{% if %}");
    assert!(!live.apply(&["templates/trend.html"]).errors.is_empty());
    site.remove("templates/trend.html");
    live.apply(&["templates/trend.html"]);
    assert_same(&live.state, &site, "template fixed");

    // Static files: added, replaced, removed (the built-in stylesheet returns).
    site.write("static/style.css", "body{}");
    let o = live.apply(&["static/style.css"]);
    assert!(o.css_only());
    assert_same(&live.state, &site, "static override");
    site.remove("static/style.css");
    live.apply(&["static/style.css"]);
    assert_same(&live.state, &site, "static removed");

    // site.toml reloads everything.
    site.edit("site.toml", "Fixture Site", "Renamed Site");
    let o = live.apply(&["site.toml"]);
    assert!(o.full);
    assert_same(&live.state, &site, "config");

    // Several files at once, as a checkout does.
    site.edit(ACME, "name = \"Acme\"", "name = \"Acme Corp\"");
    site.edit(BETA, "Token bundles", "Token packs");
    site.edit(
        CREDITS,
        "heading = \"Who meters\"",
        "heading = \"Metering\"",
    );
    live.apply(&[ACME, BETA, CREDITS]);
    assert_same(&live.state, &site, "batch");

    // Editor leftovers change nothing.
    site.write("content/companies/.acme.md.swp", "junk");
    let o = live.apply(&["content/companies/.acme.md.swp"]);
    assert_eq!(o.rendered, 0);
    assert_same(&live.state, &site, "swap file");
}

#[test]
fn deferred_data_files_catch_up_with_the_pages() {
    let site = SiteTest::new("minimal");
    let (mut state, _) = State::load(&site.root, "/");
    let json_before = pages(&state)["data/companies.json"].clone();
    site.edit(
        ACME,
        "Credits with `limits` per tier.",
        "Credits, deferred.",
    );
    let o = state.apply_deferring(&[site.root.join(ACME)]);
    assert!(
        o.deferred.contains(&"data/companies.json".to_string()),
        "{:?}",
        o.deferred
    );
    assert!(o.changed.contains(&"companies/acme/index.html".to_string()));
    // Until finished, the old data is what there is.
    assert_eq!(pages(&state)["data/companies.json"], json_before);
    let done = state.finish_deferred().expect("data files to render");
    assert!(done.changed.contains(&"data/companies.csv".to_string()));
    assert!(state.finish_deferred().is_none(), "nothing left");
    assert_same(&state, &site, "deferred");
}

#[test]
fn a_site_with_errors_at_start_serves_once_fixed() {
    let site = SiteTest::new("minimal");
    site.edit(
        ACME,
        "ai_packaging = \"bundled\"",
        "ai_packaging = \"bundle\"",
    );
    let (state, outcome) = State::load(&site.root, "/");
    assert_eq!(outcome.errors.len(), 1);
    // Only the built-in assets, which need no content.
    assert!(state.pages().keys().all(|p| {
        trendsite::render::BUILTIN_STATIC
            .iter()
            .any(|(n, _)| n == p)
    }));
    let mut live = Live { site: &site, state };
    site.edit(
        ACME,
        "ai_packaging = \"bundle\"",
        "ai_packaging = \"bundled\"",
    );
    let o = live.apply(&[ACME]);
    assert!(o.full, "the first good build renders everything");
    assert_same(&live.state, &site, "fixed at start");
}

#[test]
fn tool_temp_files_and_folder_moves_are_told_apart() {
    let site = SiteTest::new("minimal");
    let (state, _) = State::load(&site.root, "/");
    let mut live = Live { site: &site, state };
    // sed -i and many editors write a temp file beside the original, then
    // rename it over: only the one page set is rebuilt.
    site.edit(BETA, "Token packs", "Token bundles");
    let o = live.apply(&["content/companies/sedX1b2c3", BETA]);
    assert!(!o.full, "a vanished temp file is not a structural change");
    assert_same(&live.state, &site, "sed -i");
    // A folder of entries moved out is.
    std::fs::create_dir_all(site.root.join("content/companies/more")).expect("mkdir");
    site.write(
        "content/companies/more/delta.md",
        site.read(BETA)
            .replace("name = \"beta\"", "name = \"Delta\""),
    );
    let o = live.apply(&["content/companies/more"]);
    assert!(o.full);
    assert_same(&live.state, &site, "folder moved in");
    std::fs::remove_dir_all(site.root.join("content/companies/more")).expect("rm");
    let o = live.apply(&["content/companies/more"]);
    assert!(o.full);
    assert_same(&live.state, &site, "folder moved out");
}

#[test]
fn a_broken_body_link_at_start_is_an_error_naming_its_file() {
    let site = SiteTest::new("minimal");
    site.edit(ACME, "@/companies/beta.md", "@/companies/nobody.md");
    let (_, outcome) = State::load(&site.root, "/");
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    assert_eq!(outcome.errors[0].file, ACME);
    assert!(
        outcome.errors[0].message.contains("nobody"),
        "{:?}",
        outcome.errors[0]
    );
}
