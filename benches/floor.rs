//! The I/O floor of a build: read every input file of a site and write the
//! bytes of a finished output tree into a new folder, in parallel, doing no
//! other work. `scripts/bench.sh` compares `trendsite build` against it.
//!
//!     cargo bench --bench floor -- SITE REFERENCE_OUTPUT NEW_OUTPUT
//!
//! The reference output is loaded into memory before the clock starts;
//! prints the wall time in seconds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let [_, site, reference, out] = args.as_slice() else {
        eprintln!("usage: floor SITE REFERENCE_OUTPUT NEW_OUTPUT");
        std::process::exit(2);
    };
    let (site, reference, out) = (Path::new(site), Path::new(reference), Path::new(out));
    let outputs: Vec<(PathBuf, Vec<u8>)> = files(reference)
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(reference)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let bytes = std::fs::read(&p).unwrap_or_default();
            (rel, bytes)
        })
        .collect();
    let start = Instant::now();
    let inputs = files(&site.join("content"));
    let read: usize = inputs
        .par_iter()
        .map(|p| std::fs::read(p).map(|b| b.len()).unwrap_or(0))
        .sum::<usize>()
        + std::fs::read(site.join("site.toml"))
            .map(|b| b.len())
            .unwrap_or(0);
    std::fs::create_dir_all(out).expect("create output");
    outputs.par_iter().for_each(|(rel, bytes)| {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, bytes).expect("write");
    });
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "read {read} bytes in {} files, wrote {} files",
        inputs.len() + 1,
        outputs.len()
    );
    println!("{secs:.3}");
}
