//! `trendsite publish`: builds the site for its public URL and commits the
//! output as the whole tree of a branch (`gh-pages` by default), then pushes
//! that branch.
//!
//! Everything goes through git's plumbing and a temporary index, so the
//! editor's working tree, index and checked-out branch are never touched:
//! publishing is safe in the middle of an edit. The `git` command itself does
//! the work, so the editor's credentials, hooks and remotes apply as they do
//! to their own pushes.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{BuildError, Written, config, output};

/// The site's sources, relative to its root: a publish with uncommitted
/// changes here would put online a site that matches no commit.
pub const SOURCES: [&str; 4] = ["content", "templates", "static", "site.toml"];

/// What `trendsite publish` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub branch: String,
    pub remote: String,
    /// The commit message; `Publish <source commit>` when `None`.
    pub message: Option<String>,
    /// Overrides `base_url` from site.toml.
    pub base_url: Option<String>,
    pub allow_dirty: bool,
    pub push: bool,
}

/// What a publish did.
#[derive(Debug)]
pub struct Published {
    pub written: Written,
    /// The output folder the published tree was built in.
    pub out: PathBuf,
    /// The base URL the pages were built for, normalised.
    pub base_url: crate::config::BaseUrl,
    /// Source files with uncommitted changes that `--allow-dirty` let through.
    pub dirty: Vec<String>,
    pub commit: Commit,
    pub push: Push,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Commit {
    /// A new commit on the branch (short shas).
    New { sha: String, parent: Option<String> },
    /// The built tree equals the branch's: no commit was made.
    Unchanged { tip: String },
}

#[derive(Debug, PartialEq, Eq)]
pub enum Push {
    Pushed,
    /// `--no-push`.
    Skipped,
    /// The remote already had the branch as it is.
    UpToDate,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("cannot run git ({0}); publish needs git installed and on PATH")]
    GitMissing(std::io::Error),
    #[error(
        "cannot find the git repository holding {}: {stderr}\npublish commits the built site to a branch of the site's repository; `git init` one first",
        root.display()
    )]
    NoRepository { root: PathBuf, stderr: String },
    #[error("`{command}` failed: {stderr}")]
    Git { command: String, stderr: String },
    #[error(
        "refusing to publish: the site's sources have uncommitted changes, so the published site would match no commit:\n{}\ncommit them first, or pass --allow-dirty to publish them as they are",
        .0.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n")
    )]
    Dirty(Vec<String>),
    #[error(
        "no remote named {0:?} in this repository; add it with `git remote add {0} <url>`, or name another with --remote"
    )]
    NoRemote(String),
    #[error("{0:?} is not a valid branch name")]
    BadBranch(String),
    #[error(
        "refusing to publish to branch {branch:?}: it is checked out in {worktree}, and publishing replaces the branch's whole tree with the built site; pass another --branch"
    )]
    CheckedOut { branch: String, worktree: String },
    #[error(
        "the local branch {branch} ({local}) and {remote}/{branch} ({upstream}) have diverged, so neither can be the parent of the next publish; keep the one you want with `git branch -f {branch} <commit>`, then publish again"
    )]
    Diverged {
        branch: String,
        remote: String,
        local: String,
        upstream: String,
    },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "committed {commit} to the local branch {branch}, but pushing it to {remote} failed: {cause}\nrun `trendsite publish` again to retry the push"
    )]
    Push {
        commit: String,
        branch: String,
        remote: String,
        cause: Box<PublishError>,
    },
}

/// Builds the site into its output folder and publishes that folder as the
/// next commit of `opts.branch`, then pushes it.
pub fn publish(opts: &Options) -> Result<Published, PublishError> {
    let git = Git::new(&opts.root);
    find_repository(&git, &opts.root)?;
    check_branch(&git, &opts.branch)?;
    let dirty = dirty_sources(&git)?;
    if !dirty.is_empty() && !opts.allow_dirty {
        return Err(PublishError::Dirty(dirty));
    }
    let upstream = fetch(&git, &opts.remote, &opts.branch)?;
    let local = resolve(&git, &format!("refs/heads/{}", opts.branch))?;

    let out = out_dir(&opts.root)?;
    let mut written = crate::build_to(&opts.root, opts.base_url.as_deref(), &out)?;
    if add_nojekyll(&out)? {
        written.files += 1;
    }
    let tree = write_tree(&git, &out)?;

    let parent = choose_parent(&git, opts, local.as_deref(), upstream.as_deref())?;
    let (commit, tip) = record(
        &git,
        opts,
        &tree,
        parent,
        local.as_deref(),
        !dirty.is_empty(),
    )?;
    let push = if !opts.push {
        Push::Skipped
    } else if upstream.as_deref() == Some(tip.as_str()) {
        Push::UpToDate
    } else {
        // Also when nothing changed: the local branch may hold an earlier
        // publish whose push failed, and this run sends it.
        push_branch(&git, opts, &tip)?;
        Push::Pushed
    };

    let base_url = written.base_url.clone();
    Ok(Published {
        written,
        out,
        base_url,
        dirty,
        commit,
        push,
    })
}

/// Runs `git` in one folder, reporting every failure with the command and
/// what git said.
struct Git {
    dir: PathBuf,
    /// Arguments before the subcommand, such as `--work-tree`.
    global: Vec<OsString>,
    env: Vec<(&'static str, OsString)>,
}

impl Git {
    fn new(dir: &Path) -> Git {
        Git {
            dir: dir.to_path_buf(),
            global: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Runs the command and returns its output whatever the exit status.
    fn output<I, S>(&self, args: I) -> Result<(Output, String), PublishError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = self
            .global
            .iter()
            .cloned()
            .chain(args.into_iter().map(|a| a.as_ref().to_os_string()))
            .collect();
        let shown = show_command(&args);
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(&args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(PublishError::GitMissing)?;
        Ok((output, shown))
    }

    /// Runs the command, requires success and returns its stdout.
    fn run_raw<I, S>(&self, args: I) -> Result<String, PublishError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let (output, shown) = self.output(args)?;
        if !output.status.success() {
            return Err(failed(shown, &output));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs the command, requires success and returns its stdout trimmed:
    /// a sha, a path.
    fn run<I, S>(&self, args: I) -> Result<String, PublishError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Ok(self.run_raw(args)?.trim().to_string())
    }

    /// Runs a command that answers yes (exit 0) or no (exit 1).
    fn answers<I, S>(&self, args: I) -> Result<bool, PublishError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let (output, shown) = self.output(args)?;
        match output.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(failed(shown, &output)),
        }
    }
}

fn failed(command: String, output: &Output) -> PublishError {
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    PublishError::Git {
        command,
        stderr: if stderr.is_empty() {
            output.status.to_string()
        } else {
            stderr
        },
    }
}

/// The command as one would type it, for error messages: arguments holding
/// spaces are quoted.
fn show_command(args: &[OsString]) -> String {
    let mut shown = String::from("git");
    for arg in args {
        let arg = arg.to_string_lossy();
        shown.push(' ');
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            shown.push_str(&format!("'{arg}'"));
        } else {
            shown.push_str(&arg);
        }
    }
    shown
}

fn find_repository(git: &Git, root: &Path) -> Result<(), PublishError> {
    match git.run(["rev-parse", "--show-toplevel"]) {
        Ok(_) => Ok(()),
        Err(PublishError::Git { stderr, .. }) => Err(PublishError::NoRepository {
            root: root.to_path_buf(),
            stderr,
        }),
        Err(e) => Err(e),
    }
}

/// Refuses names git would reject later, after the build, and the branch the
/// editor works on: moving it would change their checkout under them.
fn check_branch(git: &Git, branch: &str) -> Result<(), PublishError> {
    let valid = git.answers(["check-ref-format", &format!("refs/heads/{branch}")])?;
    if !valid || branch.starts_with('-') {
        return Err(PublishError::BadBranch(branch.to_string()));
    }
    let worktrees = git.run(["worktree", "list", "--porcelain"])?;
    let wanted = format!("branch refs/heads/{branch}");
    let mut worktree = "";
    for line in worktrees.lines() {
        if let Some(path) = line.strip_prefix("worktree ") {
            worktree = path;
        } else if line == wanted {
            return Err(PublishError::CheckedOut {
                branch: branch.to_string(),
                worktree: worktree.to_string(),
            });
        }
    }
    Ok(())
}

/// Modified, staged and untracked files under the site's sources, as
/// `git status` shows them (relative to the repository's top).
fn dirty_sources(git: &Git) -> Result<Vec<String>, PublishError> {
    // Not trimmed: an entry may start with a space (" M file").
    let status = git.run_raw(
        ["status", "--porcelain", "-z", "--untracked-files=all", "--"]
            .into_iter()
            .chain(SOURCES),
    )?;
    let mut files = Vec::new();
    let mut entries = status.split('\0').filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        let (code, path) = entry.split_at_checked(3).unwrap_or(("", entry));
        // A rename or copy is followed by the path it came from.
        if code.starts_with(['R', 'C']) {
            entries.next();
        }
        files.push(format!("{} {path}", code.trim()));
    }
    Ok(files)
}

/// Fetches the remote's copy of the branch, if it has one, and returns its
/// commit. A remote without the branch is a first publish.
fn fetch(git: &Git, remote: &str, branch: &str) -> Result<Option<String>, PublishError> {
    // A name starting with `-` would reach git as an option.
    if remote.starts_with('-') {
        return Err(PublishError::NoRemote(remote.to_string()));
    }
    let (output, shown) = git.output(["remote", "get-url", remote])?;
    match output.status.code() {
        Some(0) => {}
        Some(2) => return Err(PublishError::NoRemote(remote.to_string())),
        _ => return Err(failed(shown, &output)),
    }
    let head = format!("refs/heads/{branch}");
    let (output, shown) = git.output(["ls-remote", "--exit-code", "--heads", remote, &head])?;
    match output.status.code() {
        Some(0) => {}
        Some(2) => return Ok(None),
        _ => return Err(failed(shown, &output)),
    }
    let tracking = format!("refs/remotes/{remote}/{branch}");
    git.run(["fetch", "--quiet", remote, &format!("+{head}:{tracking}")])?;
    resolve(git, &tracking)
}

/// The commit `reference` points at, or `None` when it does not exist.
fn resolve(git: &Git, reference: &str) -> Result<Option<String>, PublishError> {
    let (output, shown) = git.output([
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{reference}^{{commit}}"),
    ])?;
    match output.status.code() {
        Some(0) => Ok(Some(
            String::from_utf8_lossy(&output.stdout).trim().to_string(),
        )),
        Some(1) => Ok(None),
        _ => Err(failed(shown, &output)),
    }
}

fn short(git: &Git, sha: &str) -> Result<String, PublishError> {
    git.run(["rev-parse", "--short", sha])
}

/// The output folder `build` would use.
fn out_dir(root: &Path) -> Result<PathBuf, PublishError> {
    // A broken site.toml is reported by the build itself, with the others.
    let config = config::load(root).unwrap_or_default();
    let out = output::check_out_dir(root, &root.join(&config.output_dir))?;
    Ok(out)
}

/// Adds an empty `.nojekyll`, without which GitHub Pages runs Jekyll over
/// the site and drops files whose names start with `_`. Returns whether it
/// was added (a site may ship its own in static/).
fn add_nojekyll(out: &Path) -> Result<bool, PublishError> {
    let path = out.join(".nojekyll");
    if path.exists() {
        return Ok(false);
    }
    std::fs::write(&path, "").map_err(|source| PublishError::Io { path, source })?;
    Ok(true)
}

/// Removes the temporary index however the publish ends.
struct TempIndex(PathBuf);

impl Drop for TempIndex {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Stores every file of `out` in the repository and returns the tree. A
/// temporary index keeps the editor's own index, with whatever they have
/// staged, out of it.
fn write_tree(git: &Git, out: &Path) -> Result<String, PublishError> {
    let git_dir = PathBuf::from(git.run(["rev-parse", "--absolute-git-dir"])?);
    let index = TempIndex(git_dir.join(format!("trendsite-publish-{}.index", std::process::id())));
    let _ = std::fs::remove_file(&index.0);
    let mut work_tree = OsString::from("--work-tree=");
    work_tree.push(out);
    let mut git_dir_arg = OsString::from("--git-dir=");
    git_dir_arg.push(&git_dir);
    let published = Git {
        dir: out.to_path_buf(),
        global: vec![
            git_dir_arg,
            work_tree,
            // Publish the bytes as built, whatever the editor's line endings.
            "-c".into(),
            "core.autocrlf=false".into(),
        ],
        env: vec![("GIT_INDEX_FILE", index.0.clone().into_os_string())],
    };
    // --force: the editor's ignore rules are about sources, not the site.
    published.run(["add", "--all", "--force", "."])?;
    published.run(["write-tree"])
}

/// The commit the next publish goes on top of: whichever of the local and
/// remote branches contains the other, so neither loses history.
fn choose_parent(
    git: &Git,
    opts: &Options,
    local: Option<&str>,
    upstream: Option<&str>,
) -> Result<Option<String>, PublishError> {
    match (local, upstream) {
        (Some(l), Some(u)) if l == u => Ok(Some(l.to_string())),
        (Some(l), Some(u)) => {
            if git.answers(["merge-base", "--is-ancestor", l, u])? {
                Ok(Some(u.to_string()))
            } else if git.answers(["merge-base", "--is-ancestor", u, l])? {
                Ok(Some(l.to_string()))
            } else {
                Err(PublishError::Diverged {
                    branch: opts.branch.clone(),
                    remote: opts.remote.clone(),
                    local: short(git, l)?,
                    upstream: short(git, u)?,
                })
            }
        }
        (l, u) => Ok(l.or(u).map(str::to_string)),
    }
}

/// `--message`, or `Publish <source commit>`, marked when uncommitted
/// sources went into the build.
fn message(git: &Git, opts: &Options, dirty: bool) -> Result<String, PublishError> {
    if let Some(message) = &opts.message {
        return Ok(message.clone());
    }
    let head = resolve(git, "HEAD")?;
    let mut message = match head {
        Some(sha) => format!("Publish {}", short(git, &sha)?),
        None => "Publish".to_string(),
    };
    if dirty {
        message.push_str(" (with uncommitted changes)");
    }
    Ok(message)
}

/// Commits `tree` on top of `parent` and moves the branch there, unless the
/// tree is the parent's. Returns what was done and the branch's tip.
fn record(
    git: &Git,
    opts: &Options,
    tree: &str,
    parent: Option<String>,
    local: Option<&str>,
    dirty: bool,
) -> Result<(Commit, String), PublishError> {
    if let Some(parent) = &parent
        && git.run(["rev-parse", &format!("{parent}^{{tree}}")])? == tree
    {
        let tip = short(git, parent)?;
        return Ok((Commit::Unchanged { tip }, parent.clone()));
    }
    let new = commit(git, opts, tree, parent.as_deref(), local, dirty)?;
    let parent = parent.as_deref().map(|p| short(git, p)).transpose()?;
    let sha = short(git, &new)?;
    Ok((Commit::New { sha, parent }, new))
}

/// Makes the commit and moves the branch to it, provided the branch is still
/// where it was when the publish began.
fn commit(
    git: &Git,
    opts: &Options,
    tree: &str,
    parent: Option<&str>,
    local: Option<&str>,
    dirty: bool,
) -> Result<String, PublishError> {
    let message = message(git, opts, dirty)?;
    let mut args = vec!["commit-tree", tree];
    if let Some(parent) = parent {
        args.extend(["-p", parent]);
    }
    args.extend(["-m", &message]);
    let new = git.run(args)?;
    git.run([
        "update-ref",
        "-m",
        "trendsite publish",
        &format!("refs/heads/{}", opts.branch),
        &new,
        local.unwrap_or(""),
    ])?;
    Ok(new)
}

/// Pushes the branch; a failure says the commit is kept locally for the
/// next run.
fn push_branch(git: &Git, opts: &Options, tip: &str) -> Result<(), PublishError> {
    let refspec = format!("refs/heads/{0}:refs/heads/{0}", opts.branch);
    match git.run(["push", "--quiet", &opts.remote, &refspec]) {
        Ok(_) => Ok(()),
        Err(cause) => Err(PublishError::Push {
            commit: short(git, tip).unwrap_or_else(|_| tip.to_string()),
            branch: opts.branch.clone(),
            remote: opts.remote.clone(),
            cause: Box::new(cause),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_commands_quote_arguments_with_spaces() {
        let args: Vec<OsString> = ["commit-tree", "abc", "-m", "Publish it", ""]
            .into_iter()
            .map(OsString::from)
            .collect();
        assert_eq!(
            show_command(&args),
            "git commit-tree abc -m 'Publish it' ''"
        );
    }

    #[test]
    fn dirty_files_are_listed_one_per_line() {
        let e = PublishError::Dirty(vec![
            "M site/content/a.md".into(),
            "?? site/static/b".into(),
        ]);
        let text = e.to_string();
        assert!(text.contains("\n  M site/content/a.md\n  ?? site/static/b\n"));
        assert!(text.contains("--allow-dirty"));
    }
}
