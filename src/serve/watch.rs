//! Watching the site's sources and turning bursts of file events into one
//! batch of changed paths.
//!
//! An editor's save (write to a temp file, rename over the original) or a
//! `git checkout` of many files arrives as a burst of events within a few
//! milliseconds; a batch ends once the events pause for `quiet`, so each
//! burst gives one rebuild while a single save is still rebuilt at once.
//! Where the system reports a file closed after writing (Linux), a batch
//! whose every file is complete (closed after writing, or renamed into
//! place) ends after a much shorter pause: the save is known to be whole,
//! and waiting out `quiet` would only delay the reload. A site file removed
//! or moved away keeps the full pause, as its replacement may follow.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

/// The folders watched recursively; site.toml is watched through the root.
const WATCHED: [&str; 3] = ["content", "templates", "static"];

/// How long events must pause to end a batch once it looks like a burst.
const BURST_QUIET: Duration = Duration::from_millis(50);

/// How long events must pause to end a batch whose files are all complete:
/// not zero, for the rename an atomic save makes right after closing its
/// temporary file.
const SETTLED_QUIET: Duration = Duration::from_millis(1);

/// The longest a batch may keep growing while events keep coming.
const MAX_BATCH: Duration = Duration::from_millis(500);

pub(super) struct SourceWatcher {
    root: PathBuf,
    watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    watching: BTreeSet<PathBuf>,
    quiet: Duration,
    /// Folders found at start are loaded by the initial build; only those
    /// created later have files to report.
    started: bool,
}

impl SourceWatcher {
    pub(super) fn new(root: &Path, quiet: Duration) -> notify::Result<SourceWatcher> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        let mut w = SourceWatcher {
            root: root.to_path_buf(),
            watcher,
            events,
            watching: BTreeSet::new(),
            quiet,
            started: false,
        };
        w.watch_folders();
        w.started = true;
        Ok(w)
    }

    /// Starts watching source folders that exist now (they may be created
    /// while serving). Returns the files already in a newly watched folder:
    /// they may have been written before the watch began.
    fn watch_folders(&mut self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for dir in WATCHED {
            let path = self.root.join(dir);
            if path.is_dir()
                && !self.watching.contains(&path)
                && self.watcher.watch(&path, RecursiveMode::Recursive).is_ok()
            {
                if self.started {
                    found.extend(
                        walkdir::WalkDir::new(&path)
                            .into_iter()
                            .flatten()
                            .filter(|e| e.file_type().is_file())
                            .map(|e| e.into_path()),
                    );
                }
                self.watching.insert(path);
            }
        }
        self.watching.retain(|p| p.is_dir());
        found
    }

    /// Blocks until a batch of changes is complete; `None` when the watcher
    /// has stopped.
    pub(super) fn next_batch(&mut self) -> Option<Vec<PathBuf>> {
        let mut batch = Batch::default();
        let first = self.events.recv().ok()?;
        self.add(first, &mut batch);
        let start = Instant::now();
        loop {
            match self.events.recv_timeout(batch.quiet(self.quiet)) {
                Ok(event) => self.add(event, &mut batch),
                Err(RecvTimeoutError::Timeout) => {
                    if !batch.paths.is_empty() || start.elapsed() > MAX_BATCH {
                        break;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if start.elapsed() > MAX_BATCH {
                break;
            }
        }
        let mut paths = batch.paths;
        paths.extend(self.watch_folders());
        Some(paths.into_iter().collect())
    }

    fn add(&self, event: notify::Result<notify::Event>, batch: &mut Batch) {
        let Ok(event) = event else { return };
        for path in event.paths {
            let top = path
                .strip_prefix(&self.root)
                .ok()
                .and_then(|r| r.components().next());
            let relevant = top.is_some_and(|c| {
                let c = c.as_os_str();
                c == crate::config::FILE || WATCHED.iter().any(|w| c == *w)
            });
            if relevant {
                batch.add(event.kind, path);
            }
        }
    }
}

/// The paths of one batch, and which of them may not be in their final
/// state yet: still being written, or a site file gone that an editor may
/// be about to replace.
#[derive(Debug, Default)]
struct Batch {
    paths: BTreeSet<PathBuf>,
    unsettled: BTreeSet<PathBuf>,
}

impl Batch {
    fn add(&mut self, kind: EventKind, path: PathBuf) {
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
        match kind {
            // Closing after a write completes a file already in the batch;
            // it adds none, nor do reads (this server's own among them).
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                self.unsettled.remove(&path);
                return;
            }
            EventKind::Access(_) => return,
            // Arrived whole: renamed into place, or a new folder.
            EventKind::Modify(ModifyKind::Name(RenameMode::To))
            | EventKind::Create(CreateKind::Folder) => {
                self.unsettled.remove(&path);
            }
            // Told apart by their own From and To events.
            EventKind::Modify(ModifyKind::Name(RenameMode::Both) | ModifyKind::Metadata(_)) => {}
            // A site file gone may be about to be replaced (an editor that
            // moves the original aside before writing anew): its batch
            // waits out the quiet window. An editor's own temporary or
            // backup file going away completes nothing and holds nothing.
            EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) => {
                let leftover = path
                    .file_name()
                    .is_some_and(|n| crate::content::is_ignored_name(&n.to_string_lossy()));
                if leftover {
                    self.unsettled.remove(&path);
                } else {
                    self.unsettled.insert(path.clone());
                }
            }
            _ => {
                self.unsettled.insert(path.clone());
            }
        }
        self.paths.insert(path);
    }

    /// How long events must pause to end the batch: one save touches one
    /// or two paths (a temp file renamed over the original); more means a
    /// burst, a checkout or a search-and-replace across files, whose
    /// writes can pause longer between files.
    fn quiet(&self, quiet: Duration) -> Duration {
        if self.paths.len() > 2 {
            quiet.max(BURST_QUIET)
        } else if !self.paths.is_empty() && self.unsettled.is_empty() {
            quiet.min(SETTLED_QUIET)
        } else {
            quiet
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{
        AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, ModifyKind, RemoveKind,
        RenameMode,
    };

    const QUIET: Duration = Duration::from_millis(5);
    const CREATED: EventKind = EventKind::Create(CreateKind::File);
    const WRITTEN: EventKind = EventKind::Modify(ModifyKind::Data(DataChange::Any));
    const CLOSED: EventKind = EventKind::Access(AccessKind::Close(AccessMode::Write));
    const READ: EventKind = EventKind::Access(AccessKind::Close(AccessMode::Read));
    const MOVED_FROM: EventKind = EventKind::Modify(ModifyKind::Name(RenameMode::From));
    const MOVED_TO: EventKind = EventKind::Modify(ModifyKind::Name(RenameMode::To));
    const REMOVED: EventKind = EventKind::Remove(RemoveKind::File);
    const CHMOD: EventKind = EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any));

    /// Adds the events, each on a file of content/companies/, and returns
    /// the pause that would end the batch then.
    fn after(b: &mut Batch, events: &[(EventKind, &str)]) -> Duration {
        for &(kind, name) in events {
            b.add(
                kind,
                PathBuf::from(format!("/site/content/companies/{name}")),
            );
        }
        b.quiet(QUIET)
    }

    #[test]
    fn a_write_waits_for_its_close_before_the_short_pause() {
        let mut b = Batch::default();
        // Truncated, then written: the rebuild must not read it between.
        assert_eq!(after(&mut b, &[(WRITTEN, "a.md")]), QUIET);
        assert_eq!(after(&mut b, &[(WRITTEN, "a.md")]), QUIET);
        assert_eq!(after(&mut b, &[(CLOSED, "a.md")]), SETTLED_QUIET);
        assert_eq!(b.paths.len(), 1);
    }

    #[test]
    fn an_atomic_save_is_complete_once_renamed_into_place() {
        let mut b = Batch::default();
        let tmp = ".a.md.tmp";
        assert_eq!(after(&mut b, &[(CREATED, tmp), (WRITTEN, tmp)]), QUIET);
        let renamed = [(CLOSED, tmp), (MOVED_FROM, tmp), (MOVED_TO, "a.md")];
        assert_eq!(after(&mut b, &renamed), SETTLED_QUIET);
    }

    #[test]
    fn a_file_moved_aside_waits_for_its_replacement() {
        // An editor that renames the original to a backup, then writes it
        // anew: between the two the company seems deleted.
        let mut b = Batch::default();
        let aside = [(MOVED_FROM, "a.md"), (MOVED_TO, "a.md~")];
        assert_eq!(after(&mut b, &aside), QUIET);
        assert_eq!(
            after(&mut b, &[(CREATED, "a.md"), (WRITTEN, "a.md")]),
            QUIET
        );
        assert_eq!(after(&mut b, &[(CLOSED, "a.md")]), SETTLED_QUIET);
        // The backup removed: an editor leftover, which holds nothing up.
        assert_eq!(after(&mut b, &[(REMOVED, "a.md~")]), SETTLED_QUIET);
        // A company file deleted outright waits the quiet window.
        assert_eq!(after(&mut Batch::default(), &[(REMOVED, "b.md")]), QUIET);
    }

    #[test]
    fn closes_and_reads_add_no_path_and_bursts_keep_the_long_pause() {
        let mut b = Batch::default();
        // Nothing to rebuild yet: no reason to cut the wait short.
        assert_eq!(after(&mut b, &[(CLOSED, "a.md"), (READ, "b.md")]), QUIET);
        assert!(b.paths.is_empty());
        let burst = [(REMOVED, "a.md"), (REMOVED, "b.md"), (REMOVED, "c.md")];
        assert_eq!(after(&mut b, &burst), BURST_QUIET);
        // Metadata alone does not complete a file still being written.
        let chmod = [(WRITTEN, "a.md"), (CHMOD, "a.md")];
        assert_eq!(after(&mut Batch::default(), &chmod), QUIET);
    }
}

/// What kind of file a changed path is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ChangeKind {
    Config,
    Company(PathBuf),
    Trend(PathBuf),
    Template(PathBuf),
    /// Path relative to static/.
    Static(String),
    /// Something else under content/: a folder moved in or out matters, a
    /// temporary file from an editor or a tool does not.
    ContentOther(PathBuf),
}

/// Sorts a changed path into what it means for the site; `None` for paths
/// that do not affect it (editor leftovers, the output folder, …).
pub(crate) fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.iter().any(|p| crate::content::is_ignored_name(p)) {
        return None;
    }
    match parts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [file] if *file == crate::config::FILE => Some(ChangeKind::Config),
        ["content", "companies", ..] if rel.extension().is_some_and(|e| e == "md") => {
            Some(ChangeKind::Company(path.to_path_buf()))
        }
        ["content", "trends", ..] if rel.extension().is_some_and(|e| e == "md") => {
            Some(ChangeKind::Trend(path.to_path_buf()))
        }
        ["content", ..] => Some(ChangeKind::ContentOther(path.to_path_buf())),
        ["templates", ..] => Some(ChangeKind::Template(path.to_path_buf())),
        ["static", rest @ ..] if !rest.is_empty() => Some(ChangeKind::Static(rest.join("/"))),
        _ => None,
    }
}
