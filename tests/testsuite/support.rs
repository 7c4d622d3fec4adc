//! `SiteTest`: a fixture site copied into a temp folder, edited, built with
//! the real binary, and inspected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
/// heading with the company slugs linked below it, in page order.
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
            .split("href=\"/companies/")
            .skip(1)
            .map(|s| s.split('/').next().unwrap_or_default().to_string())
            .collect();
        groups.push((title, slugs));
    }
    groups
}
