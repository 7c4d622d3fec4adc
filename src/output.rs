//! The `output` stage: writes the rendered site to disk atomically.
//!
//! The site is written into a sibling temporary folder and swapped in with
//! renames, so a failed build or a crash mid-write leaves the previous output
//! exactly as it was. A file whose bytes equal the previous output's is
//! hard-linked from it rather than written, so it keeps its modification
//! time and an rsync-style upload sends only what changed.

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::{Content, Page};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write the site to {path}: {reason}")]
    Refused { path: PathBuf, reason: String },
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes `path` absolute and free of `.`/`..` without requiring it to exist.
fn absolute(path: &Path) -> io::Result<PathBuf> {
    let mut normal = PathBuf::new();
    for part in std::path::absolute(path)?.components() {
        match part {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let path = normal;
    // Resolve symlinks in the part that exists, so `out` cannot reach the
    // site through a link.
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

/// Refuses output folders whose replacement would destroy sources: `/`, the
/// site root or any folder above it, and any folder that looks like a site
/// or a repository.
pub fn check_out_dir(root: &Path, out: &Path) -> Result<PathBuf, OutputError> {
    let refuse = |reason: &str| OutputError::Refused {
        path: out.to_path_buf(),
        reason: reason.to_string(),
    };
    let out_abs = absolute(out).map_err(io_err(out))?;
    let root_abs = absolute(root).map_err(io_err(root))?;
    if out_abs.parent().is_none() {
        return Err(refuse("it is the file system root"));
    }
    if out_abs == root_abs {
        return Err(refuse(
            "it is the site root; use a folder inside it, such as public/",
        ));
    }
    if root_abs.starts_with(&out_abs) {
        return Err(refuse("it contains the site root, which would be deleted"));
    }
    for source in ["content", "templates", "static"] {
        if out_abs.starts_with(root_abs.join(source)) {
            return Err(refuse(&format!("it is inside the site's {source}/ folder")));
        }
    }
    for marker in ["content", "site.toml", ".git"] {
        if out_abs.join(marker).exists() {
            return Err(refuse(&format!(
                "it contains {marker}, so it holds sources rather than a generated site"
            )));
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && absolute(&home).is_ok_and(|h| h == out_abs)
    {
        return Err(refuse("it is the home folder"));
    }
    Ok(out_abs)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub files: usize,
    pub bytes: u64,
}

/// Removes the `.{name}.tmp-<pid>` folders of builds that were killed before
/// they could clean up (out of memory, a signal), keeping those of builds
/// still running. Only Linux's `/proc` tells which are; elsewhere nothing is
/// removed. `.old-<pid>` folders are kept: one may be the only copy of the
/// previous output, when a build was killed between its two renames.
fn remove_stale_staging(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let prefix = format!(".{name}.tmp-");
    let Ok(dir) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in dir.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A new output tree being written beside the old one. Files go into a
/// temporary sibling folder as they are rendered; `commit` swaps it in, and
/// dropping it uncommitted removes it, leaving the old output as it was.
pub struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    old: PathBuf,
    committed: bool,
    /// Whether there is a previous output to keep unchanged files from; a
    /// cold build then costs no lookups.
    previous: bool,
}

impl Staging {
    pub fn begin(out: &Path) -> Result<Staging, OutputError> {
        let parent = out.parent().unwrap_or(Path::new("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let pid = std::process::id();
        let tmp = parent.join(format!(".{name}.tmp-{pid}"));
        let old = parent.join(format!(".{name}.old-{pid}"));
        for leftover in [&tmp, &old] {
            if leftover.exists() {
                std::fs::remove_dir_all(leftover).map_err(io_err(leftover))?;
            }
        }
        remove_stale_staging(parent, &name);
        std::fs::create_dir(&tmp).map_err(io_err(&tmp))?;
        Ok(Staging {
            tmp,
            out: out.to_path_buf(),
            old,
            committed: false,
            previous: out.is_dir(),
        })
    }

    /// Takes the previous output's file at `rel` into the new tree when its
    /// bytes are `bytes`; false when there is none or it differs.
    fn keep_unchanged(&self, rel: &str, path: &Path, bytes: &[u8]) -> bool {
        if !self.previous {
            return false;
        }
        let old = self.out.join(rel);
        let same = std::fs::metadata(&old)
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
            && std::fs::read(&old).is_ok_and(|b| b == bytes);
        if !same {
            return false;
        }
        if std::fs::hard_link(&old, path).is_ok() {
            return true;
        }
        // No hard links here (another file system under `out`): write the
        // bytes and carry the old time over instead.
        let modified = std::fs::metadata(&old).and_then(|m| m.modified());
        let written = std::fs::write(path, bytes).and_then(|()| {
            std::fs::File::options()
                .write(true)
                .open(path)?
                .set_modified(modified?)
        });
        written.is_ok()
    }

    /// Writes one file, creating its folder; safe to call from many threads.
    pub fn put(&self, page: &Page) -> Result<u64, OutputError> {
        let path = self.tmp.join(&page.path);
        if let Some(parent) = path.parent() {
            // Most pages own their folder (companies/<slug>/), so this is one
            // mkdir; create_dir_all tolerates another thread winning a race.
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        match &page.content {
            Content::Bytes(b) => {
                if !self.keep_unchanged(&page.path, &path, b) {
                    std::fs::write(&path, b).map_err(io_err(&path))?;
                }
                Ok(b.len() as u64)
            }
            Content::Copy(src) if self.previous => {
                let b = std::fs::read(src).map_err(io_err(src))?;
                if !self.keep_unchanged(&page.path, &path, &b) {
                    std::fs::write(&path, &b).map_err(io_err(&path))?;
                }
                Ok(b.len() as u64)
            }
            Content::Copy(src) => std::fs::copy(src, &path).map_err(io_err(src)),
        }
    }

    /// Moves the new tree into place; if that fails, puts the old one back.
    pub fn commit(mut self) -> Result<(), OutputError> {
        self.committed = true;
        let (tmp, out, old) = (&self.tmp, &self.out, &self.old);
        let had_old = out.exists();
        if had_old {
            std::fs::rename(out, old).map_err(|e| {
                let _ = std::fs::remove_dir_all(tmp);
                io_err(out)(e)
            })?;
        }
        if let Err(e) = std::fs::rename(tmp, out) {
            if had_old {
                let _ = std::fs::rename(old, out);
            }
            let _ = std::fs::remove_dir_all(tmp);
            return Err(io_err(out)(e));
        }
        if had_old {
            // The new site is in place; a leftover old copy only costs space.
            let _ = std::fs::remove_dir_all(old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Writes `pages` as the whole content of `out`, replacing what was there.
pub fn write(out: &Path, pages: &[Page]) -> Result<WriteStats, OutputError> {
    let staging = Staging::begin(out)?;
    let bytes: Result<Vec<u64>, OutputError> = pages.par_iter().map(|p| staging.put(p)).collect();
    let bytes = bytes?;
    staging.commit()?;
    Ok(WriteStats {
        files: pages.len(),
        bytes: bytes.iter().sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, text: &str) -> Page {
        Page {
            path: path.into(),
            content: Content::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn replaces_the_previous_output_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &[page("index.html", "one"), page("old/index.html", "x")],
        )
        .unwrap();
        write(&out, &[page("index.html", "two")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "two"
        );
        assert!(!out.join("old").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[page("index.html", "one")]).unwrap();
        let missing = Page {
            path: "x.css".into(),
            content: Content::Copy(dir.path().join("does-not-exist")),
        };
        assert!(write(&out, &[page("index.html", "two"), missing]).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "one"
        );
    }

    #[test]
    fn unchanged_files_keep_their_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[page("same.html", "same"), page("edit.html", "one")]).unwrap();
        let past =
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        for name in ["same.html", "edit.html"] {
            let f = std::fs::File::options()
                .write(true)
                .open(out.join(name))
                .unwrap();
            f.set_modified(past).unwrap();
        }
        write(&out, &[page("same.html", "same"), page("edit.html", "two")]).unwrap();
        let mtime = |name: &str| {
            std::fs::metadata(out.join(name))
                .unwrap()
                .modified()
                .unwrap()
        };
        assert_eq!(mtime("same.html"), past);
        assert_ne!(mtime("edit.html"), past);
        assert_eq!(
            std::fs::read_to_string(out.join("edit.html")).unwrap(),
            "two"
        );
    }

    #[test]
    fn removes_the_staging_folders_of_killed_builds_only() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // No process has the largest u32 as its id; process 1 always runs.
        let dead = dir.path().join(format!(".public.tmp-{}", u32::MAX));
        let live = dir.path().join(".public.tmp-1");
        let old = dir.path().join(format!(".public.old-{}", u32::MAX));
        for d in [&dead, &live, &old] {
            std::fs::create_dir_all(d.join("companies")).unwrap();
        }
        write(&out, &[page("index.html", "one")]).unwrap();
        assert!(!dead.exists());
        assert!(live.exists());
        assert!(old.exists());
    }

    #[test]
    fn refuses_dangerous_output_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join("site.toml"), "title = \"x\"").unwrap();
        assert!(check_out_dir(&root, &root).is_err());
        assert!(check_out_dir(&root, dir.path()).is_err());
        assert!(check_out_dir(&root, Path::new("/")).is_err());
        assert!(check_out_dir(&root, &root.join("content")).is_err());
        assert!(check_out_dir(&root, &root.join("public")).is_ok());
        assert!(check_out_dir(&root, &root.join("a/../public")).is_ok());
        assert!(check_out_dir(&root, &root.join("public/..")).is_err());
    }
}
