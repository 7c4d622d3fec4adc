//! `trendsite publish` against a local bare repository as `origin`: the
//! branch it writes, the history it keeps, what it refuses, and that the
//! editor's checkout is never touched.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Run, copy_tree, fixture_dir};

/// A git repository holding the minimal fixture site in `site/`, with a
/// bare repository beside it as `origin`. Git runs with a fixed identity and
/// no user or system configuration.
struct PublishTest {
    dir: tempfile::TempDir,
    /// The repository's work tree.
    repo: PathBuf,
    /// The site, a subfolder of the repository.
    site: PathBuf,
    remote: PathBuf,
}

impl PublishTest {
    fn new() -> PublishTest {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        let site = repo.join("site");
        let remote = dir.path().join("remote.git");
        copy_tree(&fixture_dir("minimal"), &site);
        std::fs::write(repo.join(".gitignore"), "public/\n").expect("write .gitignore");
        let t = PublishTest {
            dir,
            repo,
            site,
            remote,
        };
        t.git(&t.repo, &["init", "--quiet", "--initial-branch=main"]);
        t.commit_all("Sources");
        t.git(
            t.dir.path(),
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                "remote.git",
            ],
        );
        let url = t.remote.to_string_lossy().into_owned();
        t.git(&t.repo, &["remote", "add", "origin", &url]);
        t
    }

    fn env<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        let home = self.dir.path();
        command
            .env("GIT_AUTHOR_NAME", "Test Editor")
            .env("GIT_AUTHOR_EMAIL", "editor@example.org")
            .env("GIT_COMMITTER_NAME", "Test Editor")
            .env("GIT_COMMITTER_EMAIL", "editor@example.org")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home)
            .env("GIT_CEILING_DIRECTORIES", home.parent().unwrap_or(home))
            .env("NO_COLOR", "1")
    }

    /// Runs git in `dir`, requires success and returns stdout, trimmed.
    #[track_caller]
    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let output = self
            .env(Command::new("git").arg("-C").arg(dir).args(args))
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Git in the bare remote.
    #[track_caller]
    fn remote_git(&self, args: &[&str]) -> String {
        self.git(&self.remote, args)
    }

    /// Whether `reference` exists in the repository at `dir`.
    fn has_ref(&self, dir: &Path, reference: &str) -> bool {
        self.env(Command::new("git").arg("-C").arg(dir).args([
            "rev-parse",
            "--verify",
            "--quiet",
            reference,
        ]))
        .output()
        .expect("run git")
        .status
        .success()
    }

    fn commit_all(&self, message: &str) {
        self.git(&self.repo, &["add", "--all"]);
        self.git(&self.repo, &["commit", "--quiet", "-m", message]);
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.site.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }

    #[track_caller]
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.site.join(rel)).expect("read");
        assert!(text.contains(from), "{rel} lacks {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn publish(&self, args: &[&str]) -> Run {
        let output = self
            .env(
                Command::new(env!("CARGO_BIN_EXE_trendsite"))
                    .arg("publish")
                    .args(args)
                    .arg("--root")
                    .arg(&self.site),
            )
            .output()
            .expect("run trendsite");
        Run { output }
    }

    /// The number of commits on the remote's gh-pages.
    fn remote_commits(&self) -> usize {
        self.remote_git(&["rev-list", "--count", "gh-pages"])
            .parse()
            .expect("count")
    }

    /// A published file, as the remote holds it.
    fn published(&self, path: &str) -> String {
        self.remote_git(&["show", &format!("gh-pages:{path}")])
    }

    /// Everything that tells the editor's checkout apart: the branch, its
    /// commit, the index and the status of the work tree.
    fn checkout_state(&self) -> Vec<String> {
        [
            &["symbolic-ref", "HEAD"][..],
            &["rev-parse", "HEAD"],
            &["ls-files", "--stage"],
            &["status", "--porcelain", "--untracked-files=all"],
        ]
        .iter()
        .map(|args| self.git(&self.repo, args))
        .collect()
    }
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn first_publish_creates_the_branch_on_the_remote_and_leaves_the_checkout_alone() {
    let t = PublishTest::new();
    // Something staged but outside the sources: it must stay staged, and
    // stay out of the published tree.
    std::fs::write(t.repo.join("notes.txt"), "draft").expect("write");
    t.git(&t.repo, &["add", "notes.txt"]);
    let before = t.checkout_state();

    let run = t.publish(&[]);
    run.assert_ok()
        .assert_stderr_contains("as commit ")
        .assert_stderr_contains("on gh-pages (its first commit)")
        .assert_stderr_contains("Pushed gh-pages to origin");

    let tree = t.remote_git(&["ls-tree", "-r", "--name-only", "gh-pages"]);
    let mut published: Vec<&str> = tree.lines().collect();
    published.sort();
    let built = files_under(&t.site.join("public"));
    assert_eq!(published, built);
    assert!(published.contains(&".nojekyll"), "{published:?}");
    assert!(published.contains(&"companies/acme/index.html"));
    assert_eq!(t.remote_commits(), 1);
    let head = t.git(&t.repo, &["rev-parse", "--short", "HEAD"]);
    assert_eq!(
        t.remote_git(&["log", "-1", "--format=%s", "gh-pages"]),
        format!("Publish {head}")
    );
    // The local branch is the one pushed.
    assert_eq!(
        t.git(&t.repo, &["rev-parse", "gh-pages"]),
        t.remote_git(&["rev-parse", "gh-pages"])
    );

    assert_eq!(before, t.checkout_state(), "the checkout changed");
    let git_dir = t.repo.join(".git");
    let leftovers: Vec<String> = std::fs::read_dir(&git_dir)
        .expect("read .git")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("trendsite"))
        .collect();
    assert!(leftovers.is_empty(), "temporary index left: {leftovers:?}");
}

#[test]
fn publishing_again_without_changes_makes_no_commit() {
    let t = PublishTest::new();
    t.publish(&[]).assert_ok();
    let tip = t.remote_git(&["rev-parse", "--short", "gh-pages"]);
    t.publish(&[]).assert_ok().assert_stderr_contains(&format!(
        "nothing changed since the last publish (gh-pages at {tip}); no commit made"
    ));
    assert_eq!(t.remote_commits(), 1);
}

#[test]
fn a_committed_edit_becomes_a_second_commit_on_top_of_the_first() {
    let t = PublishTest::new();
    t.publish(&[]).assert_ok();
    let first = t.remote_git(&["rev-parse", "gh-pages"]);
    t.edit(
        "content/companies/acme.md",
        "Acme sells credits.",
        "Acme sells credits by the thousand.",
    );
    t.commit_all("Acme: credits by the thousand");

    t.publish(&[]).assert_ok().assert_stderr_contains(&format!(
        "on gh-pages (after {})",
        &t.remote_git(&["rev-parse", "--short", &first])
    ));
    assert_eq!(t.remote_commits(), 2);
    assert_eq!(t.remote_git(&["rev-parse", "gh-pages^"]), first);
    assert!(
        t.published("companies/acme/index.html")
            .contains("Acme sells credits by the thousand.")
    );
}

#[test]
fn uncommitted_sources_are_refused_unless_allow_dirty() {
    let t = PublishTest::new();
    t.edit(
        "content/companies/beta.md",
        "name = \"beta\"",
        "name = \"Beta Inc\"",
    );
    t.write("static/notes.txt", "not committed");

    t.publish(&[])
        .assert_failed()
        .assert_stderr_contains("uncommitted changes")
        .assert_stderr_contains("M site/content/companies/beta.md")
        .assert_stderr_contains("?? site/static/notes.txt")
        .assert_stderr_contains("--allow-dirty");
    assert!(
        t.remote_git(&["for-each-ref"]).is_empty(),
        "something was pushed"
    );
    assert!(!t.has_ref(&t.repo, "refs/heads/gh-pages"));

    t.publish(&["--allow-dirty"])
        .assert_ok()
        .assert_stderr_contains("published with uncommitted changes");
    assert!(
        t.published("companies/beta/index.html")
            .contains("Beta Inc")
    );
    assert!(
        t.remote_git(&["log", "-1", "--format=%s", "gh-pages"])
            .ends_with(" (with uncommitted changes)")
    );
}

#[test]
fn a_content_error_commits_and_pushes_nothing() {
    let t = PublishTest::new();
    t.edit(
        "content/companies/acme.md",
        "ai_packaging = \"bundled\"",
        "ai_packaging = \"bundle\"",
    );
    t.commit_all("A bad value");

    t.publish(&[])
        .assert_failed()
        .assert_stderr_contains("content/companies/acme.md:5:")
        .assert_stderr_contains("not a valid value of `ai_packaging`")
        .assert_stderr_contains("nothing was committed or pushed");
    assert!(!t.has_ref(&t.repo, "refs/heads/gh-pages"));
    assert!(
        t.remote_git(&["for-each-ref"]).is_empty(),
        "something was pushed"
    );
}

#[test]
fn base_url_flag_sets_the_published_links() {
    let t = PublishTest::new();
    t.publish(&["--base-url", "https://example.org/sub/"])
        .assert_ok()
        .assert_stderr_contains("built for https://example.org/sub/");
    let trend = t.published("trends/credits/index.html");
    assert!(trend.contains("href=\"/sub/companies/acme/\""), "{trend}");
    assert!(trend.contains("href=\"https://example.org/sub/trends/credits/\""));
}

#[test]
fn a_missing_remote_is_named() {
    let t = PublishTest::new();
    t.publish(&["--remote", "upstream"])
        .assert_failed()
        .assert_stderr_contains("no remote named \"upstream\"");
    assert!(!t.has_ref(&t.repo, "refs/heads/gh-pages"));
}

#[test]
fn no_push_commits_locally_and_the_next_publish_pushes_it() {
    let t = PublishTest::new();
    t.publish(&["--no-push", "--message", "First edition"])
        .assert_ok()
        .assert_stderr_contains("Not pushed (--no-push)");
    assert!(t.remote_git(&["for-each-ref"]).is_empty());
    assert_eq!(
        t.git(&t.repo, &["log", "-1", "--format=%s", "gh-pages"]),
        "First edition"
    );

    t.publish(&[])
        .assert_ok()
        .assert_stderr_contains("nothing changed since the last publish")
        .assert_stderr_contains("Pushed gh-pages to origin");
    assert_eq!(
        t.remote_git(&["rev-parse", "gh-pages"]),
        t.git(&t.repo, &["rev-parse", "gh-pages"])
    );
}

#[test]
fn a_branch_that_diverged_from_the_remote_is_refused() {
    let t = PublishTest::new();
    t.publish(&[]).assert_ok();
    // Someone else publishes from another clone, and a local commit is
    // made on gh-pages meanwhile: two children of the same publish.
    let theirs = t.remote_git(&[
        "commit-tree",
        "gh-pages^{tree}",
        "-p",
        "gh-pages",
        "-m",
        "Theirs",
    ]);
    t.remote_git(&["update-ref", "refs/heads/gh-pages", &theirs]);
    let ours = t.git(
        &t.repo,
        &[
            "commit-tree",
            "gh-pages^{tree}",
            "-p",
            "gh-pages",
            "-m",
            "Ours",
        ],
    );
    t.git(&t.repo, &["update-ref", "refs/heads/gh-pages", &ours]);

    t.publish(&[])
        .assert_failed()
        .assert_stderr_contains("have diverged");
    assert_eq!(t.remote_git(&["rev-parse", "gh-pages"]), theirs);
    assert_eq!(t.git(&t.repo, &["rev-parse", "gh-pages"]), ours);
}

#[test]
fn a_remote_ahead_of_the_local_branch_is_built_upon() {
    let t = PublishTest::new();
    t.publish(&[]).assert_ok();
    let theirs = t.remote_git(&[
        "commit-tree",
        "gh-pages^{tree}",
        "-p",
        "gh-pages",
        "-m",
        "Published elsewhere",
    ]);
    t.remote_git(&["update-ref", "refs/heads/gh-pages", &theirs]);
    t.edit(
        "content/companies/gamma.md",
        "name = \"Gamma\"",
        "name = \"Gamma Two\"",
    );
    t.commit_all("Gamma renamed");

    t.publish(&[]).assert_ok();
    assert_eq!(t.remote_git(&["rev-parse", "gh-pages^"]), theirs);
}

#[test]
fn the_checked_out_branch_is_refused() {
    let t = PublishTest::new();
    let before = t.checkout_state();
    t.publish(&["--branch", "main"])
        .assert_failed()
        .assert_stderr_contains("refusing to publish to branch \"main\": it is checked out");
    assert_eq!(before, t.checkout_state());
}

#[test]
fn a_site_outside_any_repository_is_refused() {
    let t = PublishTest::new();
    std::fs::remove_dir_all(t.repo.join(".git")).expect("remove .git");
    t.publish(&[])
        .assert_failed()
        .assert_stderr_contains("cannot find the git repository holding")
        .assert_stderr_contains("not a git repository");
}

#[cfg(unix)]
#[test]
fn a_failed_push_keeps_the_commit_and_the_next_publish_sends_it() {
    use std::os::unix::fs::PermissionsExt;
    let t = PublishTest::new();
    let hook = t.remote.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'rejected by policy' >&2\nexit 1\n").expect("hook");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    t.publish(&[])
        .assert_failed()
        .assert_stderr_contains("to the local branch gh-pages, but pushing it to origin failed")
        .assert_stderr_contains("rejected by policy")
        .assert_stderr_contains("git push --quiet origin refs/heads/gh-pages:refs/heads/gh-pages");
    assert!(t.remote_git(&["for-each-ref"]).is_empty());
    let local = t.git(&t.repo, &["rev-parse", "gh-pages"]);

    std::fs::remove_file(&hook).expect("remove hook");
    t.publish(&[])
        .assert_ok()
        .assert_stderr_contains("nothing changed since the last publish")
        .assert_stderr_contains("Pushed gh-pages to origin");
    assert_eq!(t.remote_git(&["rev-parse", "gh-pages"]), local);
}
