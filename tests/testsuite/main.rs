//! trendsite's integration tests: one binary, a module per feature, driving
//! the real `trendsite` executable against fixture sites in temp folders.

mod browser;
mod build;
mod check;
mod deploy;
mod errors;
mod exports;
mod faults;
mod feeds;
mod find;
mod gen_site;
mod history_as_of;
mod history_data;
mod history_pages;
mod incremental;
mod over_time;
mod publish;
mod repo_site;
mod scaffold;
mod serve;
mod support;
mod terminal;
