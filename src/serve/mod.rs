//! `trendsite serve`: the site built in memory, served over HTTP, rebuilt
//! incrementally as files change, with live reload in the browser.

pub mod state;
