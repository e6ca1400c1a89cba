//! Token pagination (API 2.1) of `clusters/list` and `clusters/events`: opaque `page_token`s,
//! `next_page_token` and `prev_page_token`.
//!
//! A token holds the sort key of the item a page ended (or began) at, not an offset, so paging
//! stays stable while items come and go: every item present from the first page to the last is
//! returned exactly once, in order. A token also holds a fingerprint of the query (filters and
//! order) it belongs to; using it with another query, or sending anything that is not a token
//! of this emulator, is answered 400 `INVALID_PARAMETER_VALUE`.

use std::cmp::Ordering;

use base64::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::ApiError;

/// One page of items and the tokens around it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    /// The page after this one; `None` on the last page.
    pub(crate) next: Option<String>,
    /// The page before this one; `None` on the first page.
    pub(crate) prev: Option<String>,
}

/// A stable fingerprint of the parts of a request that decide which items come in which
/// order (FNV-1a over their JSON), so that a token is only accepted by the same query.
pub(crate) fn fingerprint(query: &Value) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in query.to_string().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn invalid(token: &str) -> ApiError {
    ApiError::invalid_parameter(format!(
        "Invalid page_token {token:?}: use a next_page_token or prev_page_token of the same request"
    ))
}

fn encode<K: Serialize>(forward: bool, key: &K, query: &str) -> String {
    let payload = json!({"d": if forward { "n" } else { "p" }, "k": key, "q": query});
    BASE64_URL_SAFE_NO_PAD.encode(payload.to_string())
}

/// The direction and key of a token of `query`.
fn decode<K: DeserializeOwned>(token: &str, query: &str) -> Result<(bool, K), ApiError> {
    let bytes = BASE64_URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| invalid(token))?;
    let payload: Value = serde_json::from_slice(&bytes).map_err(|_| invalid(token))?;
    if payload["q"].as_str() != Some(query) {
        return Err(invalid(token));
    }
    let forward = match payload["d"].as_str() {
        Some("n") => true,
        Some("p") => false,
        _ => return Err(invalid(token)),
    };
    let key = serde_json::from_value(payload["k"].clone()).map_err(|_| invalid(token))?;
    Ok((forward, key))
}

/// The page of `items` (already filtered and in output order) that `token` asks for, at most
/// `size` items; the first page without a token.
///
/// `key` gives an item's sort key and `order` compares two keys in output order; keys must be
/// unique (tie-break on a sequence number).
pub(crate) fn page<T, K>(
    items: Vec<T>,
    key: impl Fn(&T) -> K,
    order: impl Fn(&K, &K) -> Ordering,
    size: usize,
    token: Option<&str>,
    query: &str,
) -> Result<Page<T>, ApiError>
where
    K: Serialize + DeserializeOwned,
{
    let size = size.max(1);
    let (start, end) = match token.filter(|t| !t.is_empty()) {
        None => (0, size.min(items.len())),
        Some(token) => {
            let (forward, anchor) = decode::<K>(token, query)?;
            // The first item after the anchor, in output order.
            let split = items.partition_point(|item| {
                let ord = order(&key(item), &anchor);
                if forward {
                    ord != Ordering::Greater
                } else {
                    ord == Ordering::Less
                }
            });
            if forward {
                (split, split.saturating_add(size).min(items.len()))
            } else {
                (split.saturating_sub(size), split)
            }
        }
    };
    let next =
        (end < items.len() && end > start).then(|| encode(true, &key(&items[end - 1]), query));
    let prev = (start > 0 && end > start).then(|| encode(false, &key(&items[start]), query));
    let items = items.into_iter().skip(start).take(end - start).collect();
    Ok(Page { items, next, prev })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascending(items: &[u64], size: usize, token: Option<&str>) -> Page<u64> {
        page(items.to_vec(), |i| *i, |a, b| a.cmp(b), size, token, "q").unwrap()
    }

    #[test]
    fn next_tokens_walk_every_item_once_and_prev_tokens_walk_back() {
        let items: Vec<u64> = (1..=10).collect();
        let mut seen = Vec::new();
        let mut token = None;
        let mut pages = Vec::new();
        loop {
            let page = ascending(&items, 4, token.as_deref());
            seen.extend(page.items.clone());
            pages.push(page.clone());
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, items);
        assert_eq!(pages.len(), 3);
        assert!(pages[0].prev.is_none());
        let back = ascending(&items, 4, pages[2].prev.as_deref());
        assert_eq!(back.items, [5, 6, 7, 8]);
        let first = ascending(&items, 4, back.prev.as_deref());
        assert_eq!(first.items, [1, 2, 3, 4]);
        assert!(first.prev.is_none());
    }

    #[test]
    fn pages_stay_stable_while_items_come_and_go() {
        let page1 = ascending(&[10, 20, 30, 40, 50], 2, None);
        assert_eq!(page1.items, [10, 20]);
        // 20 is deleted and 15 and 60 appear: the next page starts after 20 all the same.
        let page2 = ascending(&[10, 15, 30, 40, 50, 60], 2, page1.next.as_deref());
        assert_eq!(page2.items, [30, 40]);
    }

    #[test]
    fn descending_orders_and_empty_lists_have_no_tokens() {
        let items = vec![5u64, 4, 3, 2, 1];
        let p = page(items.clone(), |i| *i, |a, b| b.cmp(a), 2, None, "q").unwrap();
        let p2 = page(items, |i| *i, |a, b| b.cmp(a), 2, p.next.as_deref(), "q").unwrap();
        assert_eq!(p2.items, [3, 2]);
        let empty = ascending(&[], 3, None);
        assert_eq!((empty.items.len(), empty.next, empty.prev), (0, None, None));
    }

    #[test]
    fn foreign_or_garbled_tokens_are_invalid_parameter_values() {
        let items: Vec<u64> = (1..=10).collect();
        let next = ascending(&items, 3, None).next.unwrap();
        for token in ["nope", "%%%", &BASE64_URL_SAFE_NO_PAD.encode("{}"), &next] {
            let query = if token == next { "another query" } else { "q" };
            let err = page(
                items.clone(),
                |i| *i,
                |a, b| a.cmp(b),
                3,
                Some(token),
                query,
            )
            .unwrap_err();
            assert_eq!(
                (err.status, err.code()),
                (400, "INVALID_PARAMETER_VALUE"),
                "{token}"
            );
        }
        assert_ne!(fingerprint(&json!({"a": 1})), fingerprint(&json!({"a": 2})));
    }
}
