//! The static files of a site: the built-in ones from the repository's
//! `static/` folder, embedded in the binary, and the site's own `static/`,
//! whose files replace built-in ones of the same name.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Content, Page};
use crate::diag::Diagnostics;

/// Files written to the output unless the site's static/ has one of the
/// same name.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../static/style.css")),
    ("find.js", include_bytes!("../../static/find.js")),
    ("favicon.svg", include_bytes!("../../static/favicon.svg")),
];

/// The built-in static files and the site's static/ files, site files
/// winning by name.
pub fn static_files(root: &Path) -> (Vec<Page>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut files: BTreeMap<String, Content> = BUILTIN_STATIC
        .iter()
        .map(|(n, b)| (n.to_string(), Content::Bytes(b.to_vec())))
        .collect();
    let dir = root.join("static");
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let rel = crate::content::rel_path(&dir, e.path());
                    if rel.split('/').any(crate::content::is_ignored_name) {
                        continue;
                    }
                    files.insert(rel, Content::Copy(e.path().to_path_buf()));
                }
                Ok(_) => {}
                Err(e) => diags.extend(crate::content::walk_error(root, "static", &e)),
            }
        }
    }
    let pages = files
        .into_iter()
        .map(|(path, content)| Page { path, content })
        .collect();
    (pages, diags)
}
