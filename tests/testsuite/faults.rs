//! File-system faults: links that loop or lead nowhere, files that vanish or
//! cannot be read, huge files, huge folders, odd names. Each either builds or
//! fails with exit 1 and an error naming the file; none may panic (exit 101).
//!
//! Covered elsewhere, not repeated here: CRLF line endings and a byte order
//! mark (`build::crlf_and_bom_are_accepted`), an empty file
//! (`errors::empty_file`), a trend selecting no company
//! (`build::a_trend_selecting_nothing_renders_an_empty_state`), a file that is
//! not UTF-8 (`errors::non_utf8_file`), and a file removed between being
//! found and being read (the unit test
//! `content::tests::a_file_removed_after_it_was_found_is_an_error_naming_it`).

use std::path::Path;

use crate::support::{Run, SiteTest, snapshot};

/// Exit 0 or 1, never a panic.
#[track_caller]
fn no_panic(run: &Run) {
    assert!(
        matches!(run.code(), Some(0 | 1)),
        "expected exit 0 or 1, got {:?}\n{}",
        run.code(),
        run.stderr()
    );
    assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
}

/// A built site, broken by `break_it`, built again: the second build must
/// fail with exit 1 and leave the first one's output as it was.
fn fails(break_it: impl FnOnce(&SiteTest)) -> String {
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    let before = snapshot(&site.out());
    break_it(&site);
    let run = site.build();
    no_panic(&run);
    run.assert_failed()
        .assert_stderr_contains("nothing was written");
    assert_eq!(before, snapshot(&site.out()), "previous output changed");
    run.stderr()
}

#[track_caller]
fn has(stderr: &str, needle: &str) {
    assert!(
        stderr.contains(needle),
        "stderr lacks {needle:?}:\n{stderr}"
    );
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_under_content_is_an_error_naming_the_link() {
    let err = fails(|s| {
        // To the section's parent, to the section itself, and two files
        // pointing at each other.
        symlink("..", &s.root.join("content/companies/loop"));
        symlink(".", &s.root.join("content/trends/self"));
        symlink("b.md", &s.root.join("content/companies/a.md"));
        symlink("a.md", &s.root.join("content/companies/b.md"));
    });
    has(&err, "symbolic link loop");
    has(&err, "--> content/companies/loop\n");
    has(&err, "links back to content, one of its parents");
    has(&err, "--> content/trends/self\n");
    has(&err, "links back to content/trends, one of its parents");
    has(&err, "--> content/companies/a.md\n");
    has(&err, "--> content/companies/b.md\n");
    has(&err, "4 errors");
}

/// A file deleted after the folder was listed, made deterministic: a link
/// that is found by the walk but leads to nothing.
#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_an_error_naming_the_file() {
    let err = fails(|s| {
        symlink("missing.md", &s.root.join("content/companies/ghost.md"));
    });
    has(&err, "error: broken symbolic link");
    has(&err, "\"missing.md\", which does not exist");
    has(&err, "--> content/companies/ghost.md\n");
    has(&err, "1 error, 0 warnings in 1 file");
}

/// Emacs marks a file it is editing with `.#name`, a symbolic link to
/// nowhere: ignored like any editor leftover. A broken link that is not
/// Markdown is ignored with a warning, like any other non-Markdown file.
#[cfg(unix)]
#[test]
fn broken_links_that_are_not_content_do_not_fail_the_build() {
    let site = SiteTest::new("minimal");
    symlink(
        "root@host.4242:1700000000",
        &site.root.join("content/companies/.#acme.md"),
    );
    symlink("nowhere", &site.root.join("content/companies/notes.txt"));
    let run = site.build();
    no_panic(&run);
    run.assert_ok()
        .assert_stderr_contains("warning: ignored: broken symbolic link")
        .assert_stderr_contains("--> content/companies/notes.txt")
        .assert_stderr_contains("Built 3 companies");
    assert!(!run.stderr().contains(".#acme.md"), "{}", run.stderr());
}

/// Measured on the 2-core development machine, debug build: about 2.3 s,
/// nearly all of it Markdown rendering. Paragraphs of about 1 KB keep it
/// there; 80-byte paragraphs of the same total take 3.5 s.
#[test]
fn a_50_mb_body_builds() {
    let site = SiteTest::new("minimal");
    let sentence = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. ";
    let paragraph = format!("{}\n\n", sentence.repeat(13));
    let count = 50 * 1024 * 1024 / paragraph.len();
    let mut text = site.read("content/companies/gamma.md");
    text.reserve(count * paragraph.len() + 64);
    for _ in 0..count {
        text.push_str(&paragraph);
    }
    text.push_str("The last words of a very long body.\n");
    assert!(text.len() >= 50 * 1024 * 1024);
    site.write("content/companies/gamma.md", text);
    let run = site.build();
    no_panic(&run);
    run.assert_ok();
    let page = site.page("companies/gamma/");
    assert!(page.len() >= 50 * 1024 * 1024, "{} bytes", page.len());
    assert!(page.contains("<p>The last words of a very long body.</p>"));
    assert!(page.trim_end().ends_with("</html>"));
}

/// The benchmarks' largest folder, in full. Measured on the 2-core
/// development machine, debug build, temp folder on disk: about 11 s in all,
/// of which 3.5 s writing the files, 5.5 s the build and 1.5 s removing them.
#[test]
fn ten_thousand_files_in_one_folder_build() {
    const N: usize = 10_000;
    let site = SiteTest::new("minimal");
    let template = site.read("content/companies/beta.md");
    let dir = site.root.join("content/companies");
    for i in 0..N {
        let text = template.replacen("name = \"beta\"", &format!("name = \"Bulk {i:05}\""), 1);
        std::fs::write(dir.join(format!("bulk-{i:05}.md")), text).expect("write");
    }
    let run = site.build();
    no_panic(&run);
    // The fixture's 3 companies and 29 files, plus a page per new company.
    run.assert_ok().assert_stderr_contains(&format!(
        "Built {} companies and 2 trends: {} files",
        N + 3,
        N + 29
    ));
    let pages = std::fs::read_dir(site.out().join("companies"))
        .expect("companies/")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .count();
    assert_eq!(pages, N + 3);
    assert!(site.page("companies/bulk-09999/").contains("Bulk 09999"));
    assert!(site.page("metering/tokens/").contains("Bulk 09999"));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let site = SiteTest::new("minimal");
    site.build().assert_ok();
    let before = snapshot(&site.out());
    let path = site.root.join("content/companies/beta.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&path).is_ok() {
        // Root (and CAP_DAC_OVERRIDE) read through permission bits, so there
        // is no unreadable file to test with.
        eprintln!("skipped: a chmod 000 file is still readable here (running as root?)");
        return;
    }
    let run = site.build();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    no_panic(&run);
    run.assert_failed()
        .assert_stderr_contains("--> content/companies/beta.md")
        .assert_stderr_contains("cannot read the file")
        .assert_stderr_contains("chmod a+r");
    assert_eq!(before, snapshot(&site.out()), "previous output changed");
}

/// Files may be grouped in subfolders, and a folder's name is not checked:
/// one named like a Markdown file is a subfolder like any other.
#[test]
fn a_folder_named_like_a_markdown_file_is_a_subfolder() {
    let site = SiteTest::new("minimal");
    std::fs::create_dir_all(site.root.join("content/companies/x.md")).expect("mkdir");
    std::fs::create_dir_all(site.root.join("content/trends/y.md")).expect("mkdir");
    let run = site.build();
    no_panic(&run);
    run.assert_ok()
        .assert_stderr_contains("Built 3 companies and 2 trends");
    site.write(
        "content/companies/x.md/delta.md",
        site.read("content/companies/gamma.md")
            .replacen("\"Gamma\"", "\"Delta\"", 1),
    );
    let run = site.build();
    no_panic(&run);
    run.assert_ok()
        .assert_stderr_contains("Built 4 companies and 2 trends");
    assert!(site.page("companies/delta/").contains("Delta"));
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_an_error_naming_it() {
    use std::os::unix::ffi::OsStrExt;
    let err = fails(|s| {
        let name = std::ffi::OsStr::from_bytes(b"b\xffd.md");
        let path = s.root.join("content/companies").join(name);
        if let Err(e) = std::fs::write(&path, s.read("content/companies/beta.md")) {
            // Some file systems only take UTF-8 names; nothing to test then,
            // but the build must still fail for `fails`.
            eprintln!("skipped: cannot create a non-UTF-8 file name here: {e}");
            s.write("content/companies/b\u{fffd}d.md", "");
        }
    });
    has(&err, "--> content/companies/b\u{fffd}d.md");
    has(&err, "is not a valid slug");
    has(&err, "rename it, for example to b-d.md");
}

/// A folder with a name that is not UTF-8 holds files like any other.
#[cfg(unix)]
#[test]
fn a_folder_name_that_is_not_utf8_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let site = SiteTest::new("minimal");
    let dir = site
        .root
        .join("content/companies")
        .join(std::ffi::OsStr::from_bytes(b"dev\xfftools"));
    if let Err(e) = std::fs::create_dir(&dir) {
        eprintln!("skipped: cannot create a non-UTF-8 folder name here: {e}");
        return;
    }
    let text = site
        .read("content/companies/gamma.md")
        .replacen("\"Gamma\"", "\"Delta\"", 1);
    std::fs::write(dir.join("delta.md"), text).expect("write");
    let run = site.build();
    no_panic(&run);
    run.assert_ok()
        .assert_stderr_contains("Built 4 companies and 2 trends");
    assert!(site.page("companies/delta/").contains("Delta"));
}

#[test]
fn line_endings_and_encodings_editors_may_save_are_named() {
    let err = fails(|s| {
        // Classic Mac OS line endings: a lone CR.
        let beta = s.read("content/companies/beta.md");
        s.write("content/companies/beta.md", beta.replace('\n', "\r"));
        // "Unicode" in Windows Notepad: UTF-16 with a byte order mark.
        let gamma = s.read("content/companies/gamma.md");
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(gamma.encode_utf16().flat_map(u16::to_le_bytes));
        s.write("content/companies/gamma.md", utf16);
        // Only a byte order mark: empty.
        s.write("content/companies/delta.md", "\u{feff}");
    });
    has(&err, "content/companies/beta.md:1:1");
    has(&err, "lone carriage return (CR)");
    has(&err, "save the file with LF (or CRLF) line endings");
    has(&err, "content/companies/gamma.md:1:1");
    has(&err, "the file is encoded as UTF-16, not UTF-8");
    has(&err, "content/companies/delta.md:1:1");
    has(&err, "the file is empty");
    has(&err, "3 errors");
}

#[test]
fn editor_lock_links_in_templates_and_static_are_ignored() {
    // Emacs marks a file being edited with `.#name`, a link to nowhere.
    let site = SiteTest::new("minimal");
    std::fs::create_dir_all(site.root.join("templates")).expect("mkdir");
    std::fs::create_dir_all(site.root.join("static")).expect("mkdir");
    std::os::unix::fs::symlink("user@host.123", site.root.join("templates/.#company.html"))
        .expect("link");
    std::os::unix::fs::symlink("user@host.123", site.root.join("static/.#style.css"))
        .expect("link");
    site.build().assert_ok();
    // Any other broken link there is named in a warning and left out.
    std::os::unix::fs::symlink("missing.html", site.root.join("templates/trend.html"))
        .expect("link");
    site.build()
        .assert_ok()
        .assert_stderr_contains("templates/trend.html")
        .assert_stderr_contains("broken symbolic link");
}
