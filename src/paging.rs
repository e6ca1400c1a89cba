//! Lazy iteration over the pages of an answer, for every paged operation: one page held at a
//! time, the next one asked for when the current one is used up, and a guard against a
//! service that asks for a page already read.
//!
//! How one page leads to the next is declared per operation in `schema/endpoints.json`
//! (`paging`: a page token, an offset with `has_more`, or a SCIM start index); the generated
//! `*_iter` methods build a [`Pages`] from it, and hand-written ones (cluster events) use the
//! same type.

use std::collections::HashSet;
use std::fmt;

use crate::{Error, Result};

/// Reads the next page: its items and the key of the page after it (`None` on the last page).
/// The closure keeps the request and moves it on to the next page itself; the key is what
/// identifies that next page (its token, offset, start index or whole request), so that a page
/// asked for twice is noticed.
type Fetch<'a, T> = Box<dyn FnMut() -> Result<(Vec<T>, Option<String>)> + 'a>;

/// A lazy iterator over the items of a paged answer, holding one page.
///
/// The first page is requested on the first `next()`, the following one when the current one
/// is used up, until the service says there are no more (how it says so depends on the
/// operation; a short page is never taken as the end). A next page the service has already
/// given ends the iteration with [`Error::RepeatedPage`] instead of looping forever. After an
/// error the iterator ends. Every page request is retried like any call of the operation.
///
/// ```no_run
/// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
/// use azure_databricks_sdk::models::ListClustersRequest;
/// for cluster in client.clusters().list_iter(&ListClustersRequest::default()) {
///     println!("{}", cluster?.cluster_id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct Pages<'a, T> {
    operation: &'static str,
    fetch: Fetch<'a, T>,
    /// Whether another page is to be read.
    more: bool,
    /// The service gave the key of a page already read: the next read is an error.
    repeated: bool,
    /// The keys of the pages asked for so far.
    seen: HashSet<String>,
    page: std::vec::IntoIter<T>,
}

impl<'a, T> Pages<'a, T> {
    /// Pages of `operation` (its name, for errors) read by `fetch`; see [`Fetch`].
    pub(crate) fn new(
        operation: &'static str,
        fetch: impl FnMut() -> Result<(Vec<T>, Option<String>)> + 'a,
    ) -> Self {
        Pages {
            operation,
            fetch: Box::new(fetch),
            more: true,
            repeated: false,
            seen: HashSet::new(),
            page: Vec::new().into_iter(),
        }
    }

    /// Counts `key` as the first page's, for pagers whose next page may repeat the first.
    pub(crate) fn with_first_key(mut self, key: String) -> Self {
        self.seen.insert(key);
        self
    }

    /// Reads the next page (after the items left of the current one, if any); `None` when
    /// there are no more.
    fn next_page(&mut self) -> Option<Result<Vec<T>>> {
        let rest: Vec<T> = self.page.by_ref().collect();
        if !rest.is_empty() {
            return Some(Ok(rest));
        }
        if std::mem::take(&mut self.repeated) {
            return Some(Err(Error::RepeatedPage {
                operation: self.operation.into(),
            }));
        }
        if !self.more {
            return None;
        }
        self.more = false;
        let (items, next) = match (self.fetch)() {
            Ok(page) => page,
            Err(error) => return Some(Err(error)),
        };
        if let Some(key) = next {
            if self.seen.insert(key) {
                self.more = true;
            } else {
                self.repeated = true;
            }
        }
        Some(Ok(items))
    }

    /// Every item of every page, in one `Vec`: the first page's vector is kept as decoded and
    /// later pages are appended, so items are not moved one by one.
    ///
    /// # Errors
    ///
    /// The first error of a page request, or [`Error::RepeatedPage`].
    pub fn collect_all(mut self) -> Result<Vec<T>> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page() {
            let mut page = page?;
            if all.is_empty() {
                all = page;
            } else {
                all.append(&mut page);
            }
        }
        Ok(all)
    }

    /// The pages themselves, each as read (a page may be empty): for whoever processes a
    /// page at a time.
    pub fn pages(self) -> impl Iterator<Item = Result<Vec<T>>> + 'a
    where
        T: 'a,
    {
        let mut pages = self;
        std::iter::from_fn(move || pages.next_page())
    }
}

impl<T> fmt::Debug for Pages<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &self.operation)
            .field("pages_read", &self.seen.len())
            .field("done", &!self.more)
            .finish_non_exhaustive()
    }
}

impl<T> Iterator for Pages<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.page.next() {
                return Some(Ok(item));
            }
            match self.next_page()? {
                Ok(items) => self.page = items.into_iter(),
                Err(error) => {
                    self.more = false;
                    return Some(Err(error));
                }
            }
        }
    }
}

/// The key of the next page of a token-paged answer: the token, unless absent or empty.
pub(crate) fn next_token(token: Option<&String>) -> Option<String> {
    token.filter(|t| !t.is_empty()).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(script: Vec<(Vec<u32>, Option<&'static str>)>) -> Pages<'static, u32> {
        let mut script = script.into_iter();
        Pages::new("things.list", move || {
            let (items, next) = script.next().expect("no page asked for after the last");
            Ok((items, next.map(str::to_string)))
        })
    }

    #[test]
    fn follows_keys_until_none_and_a_short_or_empty_page_is_not_the_end() {
        let all = pages(vec![
            (vec![1, 2], Some("a")),
            (vec![], Some("b")),
            (vec![3], None),
        ])
        .collect_all()
        .unwrap();
        assert_eq!(all, [1, 2, 3]);
    }

    #[test]
    fn a_repeated_key_ends_with_an_error_after_the_items_read() {
        let items: Vec<_> = pages(vec![(vec![1], Some("a")), (vec![2], Some("a"))]).collect();
        assert_eq!(items.len(), 3);
        assert_eq!(*items[0].as_ref().unwrap(), 1);
        assert_eq!(*items[1].as_ref().unwrap(), 2);
        assert!(matches!(items[2], Err(Error::RepeatedPage { .. })));
    }

    #[test]
    fn pages_are_given_whole_and_lazily() {
        let mut it = pages(vec![(vec![1, 2], Some("a")), (vec![3], None)]).pages();
        assert_eq!(it.next().unwrap().unwrap(), [1, 2]);
        assert_eq!(it.next().unwrap().unwrap(), [3]);
        assert!(it.next().is_none());
    }
}
