//! Lists of snippets (companies, changes) spliced into rendered pages.

use std::borrow::Cow;

/// Lists of snippets to insert into a rendered page. Views carry a short
/// marker where a list goes, and the joined snippets replace it after Tera
/// has rendered the page: a list of 10,000 snippets is then copied once,
/// instead of also into the template context and through the renderer.
#[derive(Default)]
pub(super) struct Splices<'s> {
    lists: std::cell::RefCell<Vec<List<'s>>>,
}

/// One list: which snippets, in order.
enum List<'s> {
    /// A position `p` below the number of `snippets` is `snippets[p]`;
    /// above, it is `alternates[p - snippets.len()]` (a company's snippet
    /// marked for a list its unconfirmed facts decide).
    At {
        positions: Cow<'s, [usize]>,
        snippets: &'s [String],
        alternates: &'s [String],
    },
    /// Snippets already in order (changes, by date).
    Each(Vec<&'s str>),
}

impl List<'_> {
    fn for_each(&self, mut f: impl FnMut(&str)) {
        match self {
            List::At {
                positions,
                snippets,
                alternates,
            } => {
                for &p in positions.iter() {
                    f(match p.checked_sub(snippets.len()) {
                        None => &snippets[p],
                        Some(q) => alternates.get(q).map_or("", String::as_str),
                    });
                }
            }
            List::Each(snippets) => snippets.iter().for_each(|s| f(s)),
        }
    }
}

/// Private-use characters around a marker. A marker also carries a number
/// drawn once per process, so text in content can never pose as one.
const MARK: char = '\u{e000}';

fn nonce() -> u64 {
    static NONCE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *NONCE.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.finish()
    })
}

impl<'s> Splices<'s> {
    pub(super) fn mark(&self, positions: &'s [usize], snippets: &'s [String]) -> String {
        self.mark_with(Cow::Borrowed(positions), snippets, &[])
    }

    /// A list some of whose positions point into `alternates` (see
    /// [`List`]).
    pub(super) fn mark_with(
        &self,
        positions: Cow<'s, [usize]>,
        snippets: &'s [String],
        alternates: &'s [String],
    ) -> String {
        self.push(List::At {
            positions,
            snippets,
            alternates,
        })
    }

    /// A list of snippets in the order given.
    pub(super) fn mark_each(&self, snippets: Vec<&'s str>) -> String {
        self.push(List::Each(snippets))
    }

    fn push(&self, list: List<'s>) -> String {
        let mut lists = self.lists.borrow_mut();
        lists.push(list);
        format!("{MARK}{:x}:{}{MARK}", nonce(), lists.len() - 1)
    }

    /// The list a marker's inside (`nonce:n`) stands for.
    fn list<'l>(lists: &'l [List<'s>], inside: &str) -> Option<&'l List<'s>> {
        let (n, i) = inside.split_once(':')?;
        if u64::from_str_radix(n, 16).ok()? != nonce() {
            return None;
        }
        lists.get(i.parse::<usize>().ok()?)
    }

    pub(super) fn apply(self, html: String) -> Vec<u8> {
        let lists = self.lists.into_inner();
        if lists.is_empty() {
            return html.into_bytes();
        }
        let extra: usize = lists
            .iter()
            .map(|list| {
                let mut len = 0;
                list.for_each(|s| len += s.len());
                len
            })
            .sum();
        let mut out = String::with_capacity(html.len() + extra);
        let mut rest = html.as_str();
        while let Some(start) = rest.find(MARK) {
            let after = &rest[start + MARK.len_utf8()..];
            let found = after
                .find(MARK)
                .and_then(|end| Some((end, Self::list(&lists, &after[..end])?)));
            match found {
                Some((end, list)) => {
                    out.push_str(&rest[..start]);
                    list.for_each(|s| out.push_str(s));
                    rest = &after[end + MARK.len_utf8()..];
                }
                None => {
                    // Not a marker: keep the character and look further on.
                    out.push_str(&rest[..start + MARK.len_utf8()]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_replaced_and_look_alikes_kept() {
        let snippets = vec!["<li>a</li>".to_string(), "<li>b</li>".to_string()];
        let order = vec![1, 0];
        let splices = Splices::default();
        let m = splices.mark(&order, &snippets);
        let html = format!("<ul>{m}</ul>\u{e000}0:0\u{e000}\u{e000}x");
        let out = String::from_utf8(splices.apply(html)).unwrap();
        assert_eq!(
            out,
            "<ul><li>b</li><li>a</li></ul>\u{e000}0:0\u{e000}\u{e000}x"
        );
    }

    #[test]
    fn positions_past_the_snippets_take_the_alternates() {
        let snippets = vec!["<li>a</li>".to_string(), "<li>b</li>".to_string()];
        let alternates = vec![String::new(), "<li>b?</li>".to_string()];
        let splices = Splices::default();
        let m = splices.mark_with(Cow::Owned(vec![0, 3]), &snippets, &alternates);
        let out = String::from_utf8(splices.apply(format!("<ul>{m}</ul>"))).unwrap();
        assert_eq!(out, "<ul><li>a</li><li>b?</li></ul>");
    }
}
