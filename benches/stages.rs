//! One benchmark per pipeline stage, on a synthetic site of 1,000 companies
//! (`examples/gen_site`, generated into $BENCH_DIR, default
//! /tmp/trendsite-bench, on first use).
//!
//!     cargo bench --bench stages
//!
//! Whole builds, Hugo and the I/O floor are in `scripts/bench.sh`; the
//! time from an edit to the reload event is in `benches/preview.rs`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use trendsite::content::{self, frontmatter};
use trendsite::{markdown, query, render};

#[path = "../examples/gen_site/synthetic.rs"]
mod synthetic;

fn main() {
    divan::main();
}

const COMPANIES: usize = 1000;

fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = PathBuf::from(
            std::env::var("BENCH_DIR").unwrap_or_else(|_| "/tmp/trendsite-bench".into()),
        );
        let site = dir.join(format!("synthetic-{COMPANIES}"));
        let spec = synthetic::Spec {
            companies: COMPANIES,
            flavor: synthetic::Flavor::Trendsite,
            seed: 1,
            changes: 0,
        };
        if let Err(e) = synthetic::generate(&site, &spec) {
            panic!("generating the site: {e}");
        }
        site
    })
}

/// Every company file's path, slug and text.
fn texts() -> &'static [(String, String, String)] {
    static TEXTS: OnceLock<Vec<(String, String, String)>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let mut ignored = trendsite::diag::Diagnostics::new();
        content::discover(site(), content::COMPANIES_DIR, &mut ignored)
            .into_iter()
            .map(|e| {
                let text = std::fs::read_to_string(&e.path).expect("read");
                (e.rel, e.slug, text)
            })
            .collect()
    })
}

fn prepared() -> &'static trendsite::Prepared {
    static PREPARED: OnceLock<trendsite::Prepared> = OnceLock::new();
    PREPARED.get_or_init(|| trendsite::prepare(site(), Some("/"), markdown::Bodies::Skip))
}

#[divan::bench]
fn split() -> usize {
    texts()
        .iter()
        .filter_map(|(_, _, t)| frontmatter::split(divan::black_box(t)).ok())
        .count()
}

#[divan::bench]
fn parse_and_validate() -> usize {
    texts()
        .iter()
        .filter_map(|(rel, slug, t)| content::parse_company_text(rel, slug, divan::black_box(t)).0)
        .count()
}

#[divan::bench]
fn read_and_validate_site() -> usize {
    content::load(divan::black_box(site()))
        .dataset
        .companies
        .len()
}

#[divan::bench]
fn query_index() -> usize {
    let ds = divan::black_box(&prepared().site.dataset);
    let history = query::histories(ds);
    query::index(ds, &history).order.len()
}

#[divan::bench]
fn markdown_notes_and_trends() -> usize {
    let p = prepared();
    markdown::render_all(&p.site.dataset, &p.site.links, markdown::Bodies::Skip)
        .0
        .notes
        .len()
}

#[divan::bench]
fn templates_compile() -> bool {
    render::templates(divan::black_box(site())).is_ok()
}

/// Every page of the prepared site, rendered in memory.
fn render_all_pages() -> Vec<render::Page> {
    let p = prepared();
    let history = query::histories(&p.site.dataset);
    let index = query::index(&p.site.dataset, &history);
    let plan = trendsite::plan::Plan::new(&p.site.dataset, &index, &p.site.base);
    let inputs = render::Inputs::new(&p.site, &index, &plan).expect("templates");
    let fragments = render::Fragments::render(&inputs, render::DataLines::Skip).expect("snippets");
    render::render_entries(&inputs, &fragments, plan.entries()).expect("render")
}

#[divan::bench]
fn templates_render_all_pages() -> usize {
    render_all_pages().len()
}

#[divan::bench(sample_count = 10)]
fn write_output(bencher: divan::Bencher) {
    let pages = render_all_pages();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    bencher.bench_local(|| {
        n += 1;
        trendsite::output::write(&dir.path().join(format!("out-{n}")), &pages).map(|s| s.files)
    });
}
