//! `trendsite build` on a small fixture site: the pages, their cross-links,
//! templates and static files, base URLs and the output folder's safety.

use crate::support::{SiteTest, built_files, snapshot, trend_groups};

#[test]
fn builds_every_page_the_format_lists() {
    let site = SiteTest::new("minimal");
    site.build()
        .assert_ok()
        .assert_stderr_contains("Built 3 companies and 2 trends");
    for url in [
        "",
        "trends/",
        "trends/credits/",
        "trends/plain/",
        "companies/acme/",
        "companies/beta/",
        "companies/gamma/",
        "packaging/",
        "packaging/bundled/",
        "packaging/add-on/",
        "packaging/none/",
        "metering/",
        "metering/credits/",
        "metering/tokens/",
        "metering/none/",
        "404.html",
        "style.css",
    ] {
        site.page(url);
    }
    // The live-reload client belongs to serve only.
    for url in ["", "trends/credits/", "companies/acme/"] {
        assert!(
            !site.page(url).contains("__trendsite"),
            "{url} carries the reload script"
        );
    }
    // Only values in use get a page.
    assert!(!site.out().join("packaging/tiered").exists());
    assert!(!site.out().join("metering/seats").exists());
}

#[test]
fn trend_page_groups_first_match_and_sorts_by_name_case_insensitively() {
    let site = SiteTest::new("minimal");
    site.write(
        "content/companies/aardvark.md",
        site.read("content/companies/acme.md")
            .replace("name = \"Acme\"", "name = \"aardvark\""),
    );
    site.build().assert_ok();
    let html = site.page("trends/credits/");
    let groups = trend_groups(&html);
    assert_eq!(
        groups,
        vec![
            (
                "Bundled".to_string(),
                vec!["aardvark".to_string(), "acme".to_string()]
            ),
            ("Add-on".to_string(), vec!["beta".to_string()]),
        ]
    );
    assert!(html.contains("<h2 id=\"companies-heading\">Who meters</h2>"));
    // Prose before the marker, groups, then prose after it.
    let intro = html.find("Intro about credits.").expect("intro");
    let groups_at = html.find("Who meters").expect("groups");
    let outro = html.find("The Pattern").expect("outro");
    assert!(intro < groups_at && groups_at < outro);
    // Notes are inline Markdown.
    assert!(html.contains("Credits with <code>limits</code> per tier."));
}

#[test]
fn pages_link_both_ways() {
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    let trend = site.page("trends/credits/");
    assert!(trend.contains("href=\"/companies/acme/\""));
    assert!(
        trend.contains("href=\"/trends/plain/\">No AI</a>"),
        "see also by title"
    );
    let acme = site.page("companies/acme/");
    assert!(
        acme.contains("href=\"/trends/credits/\""),
        "company links to its trend"
    );
    assert!(
        !acme.contains("href=\"/trends/plain/\""),
        "only the trends that list it"
    );
    assert!(acme.contains("href=\"/packaging/bundled/\""));
    assert!(acme.contains("href=\"/metering/credits/\""));
    assert!(acme.contains("$20 / month per user"));
    assert!(acme.contains("500 credits"));
    assert!(acme.contains("href=\"https://acme.example/pricing\""));
    // @/ links in a body become page URLs.
    assert!(acme.contains("<a href=\"/companies/beta/\">Beta</a>"));
    assert!(acme.contains("<a href=\"/trends/credits/\">the credits trend</a>"));
    let gamma = site.page("companies/gamma/");
    assert!(gamma.contains("href=\"/trends/plain/\""));
    assert!(
        gamma.contains("href=\"/metering/none/\""),
        "no [metering] counts as none"
    );
    let term = site.page("packaging/add-on/");
    assert!(
        term.contains("href=\"/companies/beta/\"") && !term.contains("href=\"/companies/acme/\"")
    );
    let list = site.page("packaging/");
    assert!(list.contains("href=\"/packaging/bundled/\""));
}

#[test]
fn a_company_matching_no_group_goes_under_other_with_a_warning() {
    let site = SiteTest::new("minimal");
    site.edit(
        "content/companies/beta.md",
        "ai_packaging = \"add-on\"",
        "ai_packaging = \"usage-based\"",
    );
    let run = site.build();
    run.assert_ok()
        .assert_stderr_contains(
            "warning: 1 selected company matches no group and is listed under \"Other\": beta",
        )
        .assert_stderr_contains("content/trends/credits.md:14:1");
    let groups = trend_groups(&site.page("trends/credits/"));
    assert_eq!(
        groups.last(),
        Some(&("Other".to_string(), vec!["beta".to_string()]))
    );
}

#[test]
fn a_trend_selecting_nothing_renders_an_empty_state() {
    let site = SiteTest::new("minimal");
    site.remove("content/companies/gamma.md");
    site.edit(
        "content/companies/acme.md",
        "[Beta](@/companies/beta.md)",
        "Beta",
    );
    site.build().assert_ok();
    let html = site.page("trends/plain/");
    assert!(html.contains("No company in the dataset matches this trend yet."));
}

#[test]
fn base_url_flag_prefixes_every_internal_link() {
    let site = SiteTest::new("minimal");
    site.run(&["build", "--base-url", "https://example.org/sub"])
        .assert_ok();
    let trend = site.page("trends/credits/");
    assert!(trend.contains("href=\"/sub/companies/acme/\""));
    assert!(trend.contains("href=\"/sub/style.css\""));
    assert!(
        trend.contains("<link rel=\"canonical\" href=\"https://example.org/sub/trends/credits/\">")
    );
    assert!(!trend.contains("href=\"/companies/"));
}

#[test]
fn site_templates_override_the_built_in_ones_by_name() {
    let site = SiteTest::new("minimal");
    site.write(
        "templates/company.html",
        "{% extends \"base.html\" %}{% block content %}<p class=\"custom\">{{ company.name }}</p>{% endblock content %}",
    );
    site.build().assert_ok();
    assert!(
        site.page("companies/acme/")
            .contains("<p class=\"custom\">Acme</p>")
    );
    assert!(
        site.page("trends/credits/").contains("<h1>Credits</h1>"),
        "others stay built-in"
    );
}

#[test]
fn a_broken_site_template_names_the_file() {
    let site = SiteTest::new("minimal");
    site.write("templates/trend.html", "{% if %}");
    site.build()
        .assert_failed()
        .assert_stderr_contains("templates/trend.html:1:7");
}

#[test]
fn every_broken_template_is_reported_at_its_line_in_one_run() {
    let site = SiteTest::new("minimal");
    site.write("templates/trend.html", "<p>\n{% if %}</p>");
    site.write(
        "templates/company.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ company.name | shout }}{% endblock content %}",
    );
    site.write(
        "templates/term.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ term.value | whisper }}{% endblock content %}",
    );
    site.write("templates/term_list.html", "{% extends \"nothing.html\" %}");
    site.build()
        .assert_failed()
        .assert_stderr_contains("templates/trend.html:2:7")
        .assert_stderr_contains("Unknown filter `shout`")
        .assert_stderr_contains("templates/company.html:2:38")
        .assert_stderr_contains("Unknown filter `whisper`")
        .assert_stderr_contains("templates/term.html:3:17")
        .assert_stderr_contains("'nothing.html', which doesn't exist")
        .assert_stderr_contains("4 errors");
}

#[test]
fn a_template_asking_for_a_missing_field_names_its_line_and_the_fields_there_are() {
    let site = SiteTest::new("minimal");
    site.write(
        "templates/company.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ company.nmae }}</p>{% endblock content %}",
    );
    site.build()
        .assert_failed()
        .assert_stderr_contains("templates/company.html:3:15")
        .assert_stderr_contains("Field `nmae` is not defined")
        .assert_stderr_contains("name, note");
}

#[test]
fn static_files_are_copied_and_may_replace_the_stylesheet() {
    let site = SiteTest::new("minimal");
    site.write("static/img/logo.svg", "<svg/>");
    site.build().assert_ok();
    assert_eq!(site.page("img/logo.svg"), "<svg/>");
    assert!(
        site.page("style.css")
            .contains("prefers-color-scheme: dark")
    );
    site.write("static/style.css", "body{}");
    site.build().assert_ok();
    assert_eq!(site.page("style.css"), "body{}");
}

#[test]
fn fields_are_escaped_in_every_page() {
    let site = SiteTest::new("minimal");
    site.edit(
        "content/companies/beta.md",
        "name = \"beta\"",
        "name = \"<script>alert('x')</script> & {{ x }}\"",
    );
    site.edit(
        "content/companies/beta.md",
        "note = \"Token packs on top of any plan.\"",
        "note = \"<img src=x onerror=alert(1)> packs\"",
    );
    site.build().assert_ok();
    for url in [
        "",
        "trends/credits/",
        "companies/beta/",
        "packaging/add-on/",
    ] {
        let html = site.page(url);
        assert!(!html.contains("<script>alert"), "{url} has a live script");
        assert!(!html.contains("<img src=x"), "{url} has a live img");
    }
    let page = site.page("companies/beta/");
    assert!(
        page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;&#x2F;script&gt; &amp; {{ x }}")
            || page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; {{ x }}")
    );
}

#[test]
fn output_folder_defaults_to_public_and_is_replaced_whole() {
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    std::fs::write(site.out().join("stale.html"), "old").expect("write");
    site.build().assert_ok();
    assert!(!site.out().join("stale.html").exists());
}

#[test]
fn out_refuses_the_site_root_and_source_folders() {
    let site = SiteTest::new("minimal");
    let root = site.root.to_string_lossy().into_owned();
    for out in [
        root.clone(),
        format!("{root}/content"),
        format!("{root}/.."),
        "/".to_string(),
    ] {
        site.run(&["build", "--out", &out])
            .assert_failed()
            .assert_stderr_contains("refusing");
    }
    assert!(site.root.join("content/companies/acme.md").exists());
}

#[test]
fn out_flag_writes_elsewhere() {
    let site = SiteTest::new("minimal");
    let other = tempfile::tempdir().expect("tempdir");
    let out = other.path().join("www");
    site.run(&["build", "--out", &out.to_string_lossy()])
        .assert_ok();
    assert!(out.join("index.html").exists());
    assert!(!site.out().exists());
}

#[test]
fn two_builds_give_the_same_bytes() {
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    let first = snapshot(&site.out());
    site.build().assert_ok();
    assert_eq!(first, snapshot(&site.out()));
}

#[test]
fn check_writes_nothing() {
    let site = SiteTest::new("minimal");
    site.check()
        .assert_ok()
        .assert_stderr_contains("Checked 3 companies and 2 trends");
    assert!(!site.out().exists());
}

#[test]
fn editor_leftovers_and_hidden_files_are_ignored() {
    let site = SiteTest::new("minimal");
    site.write("content/companies/.acme.md.swp", "junk");
    site.write("content/companies/acme.md~", "junk");
    site.write("content/companies/4913", "junk");
    site.write("content/companies/.#acme.md", "junk");
    site.build().assert_ok();
}

#[test]
fn crlf_and_bom_are_accepted() {
    let site = SiteTest::new("minimal");
    let text = site.read("content/companies/beta.md").replace('\n', "\r\n");
    site.write("content/companies/beta.md", format!("\u{feff}{text}"));
    site.build().assert_ok();
    assert!(
        site.page("companies/beta/")
            .contains("Token packs on top of any plan.")
    );
}

#[test]
fn the_streaming_build_writes_exactly_the_in_memory_site() {
    let site = SiteTest::new("minimal");
    site.write("static/img/logo.svg", "<svg/>");
    site.build().assert_ok();
    let expected = built_files(trendsite::build(&site.root, None).expect("build"));
    assert_eq!(snapshot(&site.out()), expected);
}

/// Hostile text in every kind of field, as an editor could paste it.
const HOSTILE: &str =
    "<script>alert('x')</script> \"q\" & {{ x }} {% raw %}r{% endraw %} \u{202E}gpj.exe";

#[test]
fn hostile_text_in_any_field_renders_as_text() {
    let site = SiteTest::new("minimal");
    let toml = HOSTILE.replace('\\', "\\\\").replace('"', "\\\"");
    site.edit(
        "content/companies/acme.md",
        "name = \"Acme\"",
        &format!("name = \"{toml}\""),
    );
    site.edit(
        "content/companies/acme.md",
        "name = \"Pro\"",
        &format!("name = \"{toml}\""),
    );
    site.edit(
        "content/companies/acme.md",
        "payg = true",
        &format!("payg = true\nunit = \"{toml}\""),
    );
    site.edit(
        "content/companies/acme.md",
        "ai_allowance = \"500 credits\"",
        &format!("ai_allowance = \"{toml}\""),
    );
    site.edit(
        "content/companies/acme.md",
        "note = \"Credits with `limits` per tier.\"",
        &format!("note = \"{toml}\""),
    );
    site.edit(
        "content/trends/credits.md",
        "title = \"Credits\"",
        &format!("title = \"{toml}\""),
    );
    site.edit(
        "content/trends/credits.md",
        "summary = \"Companies metering AI in credits or tokens.\"",
        &format!("summary = \"{toml}\""),
    );
    site.edit(
        "content/trends/credits.md",
        "title = \"Bundled\"",
        &format!("title = \"{toml}\""),
    );
    site.edit(
        "site.toml",
        "title = \"Fixture Site\"",
        &format!("title = \"{toml}\""),
    );
    site.build().assert_ok();
    for url in [
        "",
        "trends/",
        "trends/credits/",
        "trends/plain/",
        "companies/acme/",
        "packaging/bundled/",
        "metering/credits/",
        "404.html",
    ] {
        let html = site.page(url);
        assert!(!html.contains("<script>"), "{url}: a live script tag");
        assert!(!html.contains('\u{202E}'), "{url}: a live bidi override");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
            "{url}: the text is shown"
        );
        assert!(
            html.contains("&quot;q&quot; &amp; {{ x }} {% raw %}r{% endraw %} [U+202E]gpj.exe"),
            "{url}: {html}"
        );
    }
    // Attributes too: the description meta tag carries the trend summary.
    let trend = site.page("trends/credits/");
    assert!(trend.contains("<meta name=\"description\" content=\"&lt;script&gt;"));
}

#[test]
fn raw_html_is_kept_in_bodies_and_escaped_in_notes() {
    // Bodies are the editors' prose, trusted like templates; notes are data
    // shown on many pages, so markup in them is text.
    let site = SiteTest::new("minimal");
    site.edit(
        "content/companies/acme.md",
        "Acme sells credits.",
        "<details><summary>More</summary>Acme sells credits.</details>",
    );
    site.edit(
        "content/companies/acme.md",
        "note = \"Credits with `limits` per tier.\"",
        "note = \"<b>bold</b> credits\"",
    );
    site.build().assert_ok();
    let page = site.page("companies/acme/");
    assert!(
        page.contains("<details><summary>More</summary>"),
        "body HTML kept"
    );
    assert!(
        page.contains("&lt;b&gt;bold&lt;/b&gt; credits"),
        "note HTML escaped"
    );
    assert!(!page.contains("<b>bold</b>"));
    assert!(
        site.page("trends/credits/")
            .contains("&lt;b&gt;bold&lt;/b&gt; credits")
    );
}

/// The list item or table row of the page at `url` that links `slug`'s
/// page first.
#[track_caller]
fn entry_of(site: &SiteTest, url: &str, open: &str, slug: &str) -> String {
    let page = site.page(url);
    let start = page
        .find(&format!("{open}<a href=\"/companies/{slug}/\">"))
        .unwrap_or_else(|| panic!("{slug} is not listed on {url:?}"));
    let close = if open == "<li>" { "</li>" } else { "</tr>" };
    let end = page[start..].find(close).expect("closed") + start;
    page[start..end].to_string()
}

#[test]
fn unconfirmed_facts_are_marked_where_readers_see_them() {
    let site = SiteTest::new("minimal");
    site.edit(
        "content/companies/acme.md",
        "verified = ",
        "unconfirmed = [\"metering.mechanic\", \"metering.payg\", \"tiers.Pro.ai_allowance\"]\nverified = ",
    );
    site.build().assert_ok();
    const MARK: &str = "<a class=\"unconfirmed\" href=\"#unconfirmed\">unconfirmed</a>";

    // The company page: beside each value, and a section saying what the
    // mark means and listing the facts.
    let page = site.page("companies/acme/");
    for (fact, marked) in [
        ("href=\"/metering/credits/\">credits</a>", true),
        ("Yes: usage can be bought beyond the plan", true),
        ("<td>500 credits", true),
        ("<td>$20 / month per user", false),
        ("href=\"/packaging/bundled/\">bundled</a>", false),
    ] {
        let at = page.find(fact).unwrap_or_else(|| panic!("{fact} missing"));
        let after = &page[at + fact.len()..];
        assert_eq!(after.starts_with(&format!(" {MARK}")), marked, "{fact}");
    }
    assert_eq!(page.matches(MARK).count(), 3);
    assert!(page.contains("<section class=\"unconfirmed-facts\" id=\"unconfirmed\" aria-labelledby=\"unconfirmed-heading\">\n<h2 id=\"unconfirmed-heading\">Unconfirmed</h2>"));
    for fact in [
        "<li>Metering: credits</li>",
        "<li>Pay as you go: yes</li>",
        "<li>Pro: AI allowance: 500 credits</li>",
    ] {
        assert!(page.contains(fact), "{fact} not listed");
    }
    assert!(!site.page("companies/beta/").contains("unconfirmed"));

    // Lists: marked where the unconfirmed mechanic decides the list (the
    // credits trend selects on it; the metering page is its value), not
    // where packaging does, and never for a company without marks.
    let marked = " <a class=\"unconfirmed\" href=\"/companies/acme/#unconfirmed\">unconfirmed</a>";
    for (url, expected) in [
        ("trends/credits/", true),
        ("metering/credits/", true),
        ("packaging/bundled/", false),
    ] {
        let item = entry_of(&site, url, "<li>", "acme");
        assert_eq!(item.contains(marked), expected, "{url}: {item}");
    }
    assert!(!entry_of(&site, "trends/credits/", "<li>", "beta").contains("unconfirmed"));
    let row = entry_of(&site, "", "<tr data-slug=\"acme\"><td>", "acme");
    assert!(
        row.contains(&format!(
            "href=\"/metering/credits/\">credits</a>{marked}</td>"
        )),
        "{row}"
    );
    assert!(
        row.contains("href=\"/packaging/bundled/\">bundled</a></td>"),
        "{row}"
    );

    // The data: the paths in companies.json, joined in the CSV.
    let json: serde_json::Value =
        serde_json::from_str(&site.page("data/companies.json")).expect("JSON");
    let acme = &json["companies"][0];
    assert_eq!(acme["slug"], "acme");
    assert_eq!(
        acme["unconfirmed"],
        serde_json::json!([
            "metering.mechanic",
            "metering.payg",
            "tiers.Pro.ai_allowance"
        ])
    );
    assert_eq!(json["companies"][1]["unconfirmed"], serde_json::json!([]));
    let csv = site.page("data/companies.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let column = reader
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == "unconfirmed")
        .expect("unconfirmed column");
    let first = reader.records().next().expect("a row").expect("CSV");
    assert_eq!(
        &first[column],
        "metering.mechanic; metering.payg; tiers.Pro.ai_allowance"
    );
}
