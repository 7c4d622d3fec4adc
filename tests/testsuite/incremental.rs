//! Incremental rebuilds in serve: after any sequence of edits, the pages in
//! memory equal a full build of the same files, byte for byte.

use std::collections::BTreeMap;
use std::path::PathBuf;

use trendsite::serve::state::State;

use crate::support::{SiteTest, built_files};

fn full_build_for(site: &SiteTest, base_url: &str) -> BTreeMap<String, Vec<u8>> {
    built_files(trendsite::build(&site.root, Some(base_url)).expect("full build"))
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
    assert_same_for(state, site, "/", step)
}

#[track_caller]
pub(crate) fn assert_same_for(state: &State, site: &SiteTest, base_url: &str, step: &str) {
    assert!(!state.has_errors(), "{step}: {:?}", state.errors());
    let full = full_build_for(site, base_url);
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

/// A small, seeded generator, so a failing sequence can be replayed:
/// `TRENDSITE_SEED=<n> cargo test random_edits`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PACKAGING: &[&str] = &["bundled", "tiered", "add-on", "separate-sku", "usage-based"];
const MECHANICS: &[&str] = &["credits", "tokens", "seats", "requests", "outcomes"];

fn company_text(name: &str, packaging: &str, mechanic: &str, note: &str) -> String {
    let metering = if packaging == "none" {
        String::new()
    } else {
        format!("\n[metering]\nmechanic = \"{mechanic}\"\nnote = \"{note}\"\n")
    };
    format!(
        "+++\nname = \"{name}\"\nwebsite = \"https://{name}.example\"\ncategory = \"tools\"\n\
         ai_packaging = \"{packaging}\"\nverified = 2026-09-01\n{metering}\n[[sources]]\n\
         url = \"https://{name}.example/pricing\"\nchecked = 2026-09-01\n+++\n{name} prices AI.\n"
    )
}

fn trend_text(title: &str, mechanics: &[&str]) -> String {
    let list: Vec<String> = mechanics.iter().map(|m| format!("\"{m}\"")).collect();
    format!(
        "+++\ntitle = \"{title}\"\nsummary = \"About {title}.\"\nsee_also = [\"plain\"]\n\n\
         [select]\n\"metering.mechanic\" = [{}]\n\n[[groups]]\ntitle = \"Bundled\"\n\
         ai_packaging = [\"bundled\"]\n+++\nIntro of {title}.\n",
        list.join(", ")
    )
}

/// One random edit of the site's files, as an editor might make it, and
/// the paths it touched. Acme, Beta and the two fixture trends stay, as
/// other entries link to them.
fn random_edit(site: &SiteTest, rng: &mut Rng, n: usize) -> (String, Vec<String>) {
    let companies: Vec<String> = std::fs::read_dir(site.root.join("content/companies"))
        .expect("companies")
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(str::to_string)
        })
        .collect();
    let removable: Vec<&String> = companies
        .iter()
        .filter(|s| *s != "acme" && *s != "beta")
        .collect();
    let extra_trends: Vec<String> = std::fs::read_dir(site.root.join("content/trends"))
        .expect("trends")
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(str::to_string)
        })
        .filter(|s| s != "credits" && s != "plain")
        .collect();
    let company = |slug: &str| format!("content/companies/{slug}.md");
    match rng.below(15) {
        0 | 1 => {
            // A field that moves a company between trends, packaging and
            // metering pages.
            let slug = rng.pick(&companies).clone();
            let packaging = *rng.pick(PACKAGING);
            let mechanic = *rng.pick(MECHANICS);
            let rel = company(&slug);
            let text = site.read(&rel);
            let text = if text.contains("[metering]") {
                replace_value(
                    &replace_value(&text, "ai_packaging", packaging),
                    "mechanic",
                    mechanic,
                )
            } else {
                // Only `none` may go without metering: the whole entry anew.
                company_text(&slug, packaging, mechanic, "Metered now.")
            };
            site.write(&rel, text);
            (format!("{slug}: {packaging}, {mechanic}"), vec![rel])
        }
        2 => {
            let slug = rng.pick(&companies).clone();
            let rel = company(&slug);
            let text = site.read(&rel);
            site.write(&rel, replace_value(&text, "name", &format!("Name {n}")));
            (format!("{slug}: renamed to Name {n}"), vec![rel])
        }
        3 => {
            let slug = format!("new-{n}");
            let rel = company(&slug);
            let (p, m) = (*rng.pick(PACKAGING), *rng.pick(MECHANICS));
            let text = company_text(&slug, p, m, "New.");
            site.write(&rel, text);
            (format!("added {slug}"), vec![rel])
        }
        4 if !removable.is_empty() => {
            let slug = (*rng.pick(&removable)).clone();
            let rel = company(&slug);
            site.remove(&rel);
            (format!("removed {slug}"), vec![rel])
        }
        5 if !removable.is_empty() => {
            let slug = (*rng.pick(&removable)).clone();
            let (from, to) = (company(&slug), company(&format!("moved-{n}")));
            let text = site.read(&from);
            site.remove(&from);
            site.write(&to, text);
            (format!("file {slug} renamed moved-{n}"), vec![from, to])
        }
        6 => {
            // A trend's query.
            let mechanics: Vec<&str> = MECHANICS
                .iter()
                .copied()
                .filter(|_| rng.below(2) == 0)
                .collect();
            let list: Vec<String> = mechanics.iter().map(|m| format!("\"{m}\"")).collect();
            let rel = "content/trends/credits.md";
            let text = site.read(rel);
            let start = text.find("\"metering.mechanic\" = [").expect("select");
            let end = start + text[start..].find(']').expect("list end") + 1;
            let text = format!(
                "{}\"metering.mechanic\" = [{}]{}",
                &text[..start],
                list.join(", "),
                &text[end..]
            );
            site.write(rel, text);
            (
                format!("credits selects {mechanics:?}"),
                vec![rel.to_string()],
            )
        }
        7 => {
            if let Some(slug) = extra_trends.first().filter(|_| rng.below(2) == 0) {
                let rel = format!("content/trends/{slug}.md");
                site.remove(&rel);
                (format!("removed trend {slug}"), vec![rel])
            } else {
                let rel = format!("content/trends/t-{n}.md");
                site.write(&rel, trend_text(&format!("T {n}"), &["credits", "seats"]));
                (format!("added trend t-{n}"), vec![rel])
            }
        }
        8 => {
            let rel = "content/trends/credits.md";
            let text = site.read(rel);
            site.write(rel, replace_value(&text, "title", &format!("Credits {n}")));
            ("credits retitled".into(), vec![rel.to_string()])
        }
        9 => {
            // A template override, written or removed.
            let name = *rng.pick(&[
                "company.html",
                "company_item.html",
                "base.html",
                "trend.html",
            ]);
            let rel = format!("templates/{name}");
            if site.root.join(&rel).is_file() && rng.below(2) == 0 {
                site.remove(&rel);
                (format!("removed {rel}"), vec![rel])
            } else {
                let builtin = trendsite::render::BUILTIN_TEMPLATES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| *t)
                    .expect("built-in");
                // Inside the first element, which is inside a block in a
                // child template.
                site.write(
                    &rel,
                    builtin.replacen("</", &format!("<!-- edit {n} --></"), 1),
                );
                (format!("wrote {rel}"), vec![rel])
            }
        }
        10 => {
            let rel = rng
                .pick(&["static/extra.css", "static/style.css"])
                .to_string();
            if site.root.join(&rel).is_file() && rng.below(2) == 0 {
                site.remove(&rel);
                (format!("removed {rel}"), vec![rel])
            } else {
                site.write(&rel, format!("/* edit {n} */"));
                (format!("wrote {rel}"), vec![rel])
            }
        }
        11 => {
            // A fact marked unconfirmed, or the mark removed: the company's
            // page, its rows and the lists its mechanic or packaging decide
            // change, the others do not.
            let slug = rng.pick(&companies).clone();
            let rel = company(&slug);
            let text = site.read(&rel);
            let (text, what) = if text.contains("\nunconfirmed = ") {
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with("unconfirmed = "))
                    .collect();
                (kept.join("\n") + "\n", "marks removed".to_string())
            } else {
                let path = *rng.pick(&["metering.mechanic", "ai_packaging"]);
                let marked = text.replacen(
                    "\nverified = ",
                    &format!("\nunconfirmed = [\"{path}\"]\nverified = "),
                    1,
                );
                (marked, format!("{path} unconfirmed"))
            };
            site.write(&rel, text);
            (format!("{slug}: {what}"), vec![rel])
        }
        12 => {
            // A dated change, moving a company's packaging: appended to the
            // file, so the front matter stays the state now.
            let slug = rng.pick(&companies).clone();
            let rel = company(&slug);
            let text = site.read(&rel);
            let before = *rng.pick(PACKAGING);
            let day = 1 + rng.below(28);
            let change = format!(
                "\n[[changes]]\ndate = 2025-0{}-{day:02}\nsummary = \"Change {n}.\"\n\
                 source = \"https://{slug}.example/news/{n}\"\n\n[changes.before]\n\
                 ai_packaging = \"{before}\"\n",
                1 + rng.below(9)
            );
            site.write(&rel, insert_before_closing_fence(&text, &change));
            (format!("{slug}: change {n}, before {before}"), vec![rel])
        }
        13 => {
            // Every change of a company dropped.
            let slug = rng.pick(&companies).clone();
            let rel = company(&slug);
            let text = site.read(&rel);
            let Some(start) = text.find("\n[[changes]]") else {
                return (format!("{slug}: no change to drop"), Vec::new());
            };
            let end = text[start..]
                .find("\n+++")
                .map_or(text.len(), |i| start + i);
            site.write(&rel, format!("{}{}", &text[..start], &text[end..]));
            (format!("{slug}: changes dropped"), vec![rel])
        }
        14 => {
            // A change's summary reworded: a trend page shows it only among
            // its recent moves, so it follows only when the change is one.
            let slug = rng.pick(&companies).clone();
            let rel = company(&slug);
            let text = site.read(&rel);
            let Some(at) = text.find("\nsummary = \"") else {
                return (format!("{slug}: no change to reword"), Vec::new());
            };
            let at = at + "\nsummary = \"".len();
            site.write(
                &rel,
                format!("{}Reworded {n}. {}", &text[..at], &text[at..]),
            );
            (format!("{slug}: a summary reworded"), vec![rel])
        }
        _ => {
            let rel = "site.toml";
            let text = site.read(rel);
            site.write(rel, replace_value(&text, "title", &format!("Site {n}")));
            ("site retitled".into(), vec![rel.to_string()])
        }
    }
}

/// `addition` placed at the end of the front matter.
fn insert_before_closing_fence(text: &str, addition: &str) -> String {
    let body_at = text[3..].find("\n+++").map_or(text.len(), |i| i + 3);
    format!("{}{addition}{}", &text[..body_at], &text[body_at..])
}

/// `key = "…"` with a new value, at the key's first line.
fn replace_value(text: &str, key: &str, value: &str) -> String {
    let prefix = format!("{key} = \"");
    let Some(start) = text.lines().position(|l| l.starts_with(&prefix)) else {
        return text.to_string();
    };
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == start {
                format!("{key} = \"{value}\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The property the incremental test above checks by hand, over random
/// sequences of edits: after every step, serve's pages equal a full build,
/// byte for byte, with and without a host in the base URL (which adds the
/// sitemap and feed), and with the data files left for later or not.
#[test]
fn random_edits_equal_a_full_build_after_every_step() {
    let seeds: Vec<u64> = match std::env::var("TRENDSITE_SEED") {
        Ok(s) => vec![s.parse().expect("TRENDSITE_SEED is a number")],
        Err(_) => (1..=6).collect(),
    };
    for seed in seeds {
        let base = if seed % 2 == 0 {
            "https://example.org/sub/"
        } else {
            "/"
        };
        let site = SiteTest::new("minimal");
        let (mut state, outcome) = State::load(&site.root, base);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        let mut rng = Rng(seed);
        let mut log = Vec::new();
        for n in 0..25 {
            let (what, rels) = random_edit(&site, &mut rng, n);
            log.push(what);
            let paths: Vec<PathBuf> = rels.iter().map(|r| site.root.join(r)).collect();
            if rng.below(3) == 0 {
                state.apply_deferring(&paths);
                state.finish_deferred();
            } else {
                state.apply(&paths);
            }
            let step = format!("seed {seed}, base {base}, after {}", log.join("; "));
            // A random edit may break the site (a change whose `before`
            // now equals the value after it): serve must then report errors
            // as the build does, and equal it again once it builds.
            if trendsite::build(&site.root, Some(base)).is_err() {
                assert!(
                    state.has_errors(),
                    "{step}: the build fails, serve does not"
                );
                continue;
            }
            assert_same_for(&state, &site, base, &step);
        }
    }
}

/// A trend page's "Over time" ends at the newest date in the content, which
/// any company's `verified` may move, members or not: the plan reads it as
/// a value, so serve re-renders the page when it moves.
#[test]
fn a_later_verified_anywhere_extends_every_trend_s_history() {
    let site = SiteTest::new("minimal");
    // A change for Acme, so the credits trend has history.
    let acme = site.read(ACME);
    site.write(
        ACME,
        insert_before_closing_fence(
            &acme,
            "\n[[changes]]\ndate = 2026-01-15\nsummary = \"Credits came in.\"\n\
             source = \"https://acme.example/news\"\n\n[changes.before]\n\
             \"metering.mechanic\" = \"seats\"\n",
        ),
    );
    let (mut state, outcome) = State::load(&site.root, "/");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_same(&state, &site, "with a change");
    // Gamma lists under no trend with history of its own; its `verified`
    // moves the newest date, and with it the last quarter of the charts.
    let gamma = "content/companies/gamma.md";
    let text = site.read(gamma);
    let verified = text
        .lines()
        .find(|l| l.starts_with("verified = "))
        .expect("verified")
        .to_string();
    site.write(gamma, text.replacen(&verified, "verified = 2026-11-30", 1));
    let o = state.apply(&[site.root.join(gamma)]);
    assert!(
        o.changed.iter().any(|p| p == "trends/credits/index.html"),
        "{:?}",
        o.changed
    );
    assert_same(&state, &site, "a later verified");
}
