//! Cluster events and the `clusters/events` query: time range, types, order, and two ways to
//! page: offset/limit pages with `next_page` (a complete request for the next page) and
//! `total_count` (API 2.0, deprecated in 2.1), or `page_size` and `page_token` pages with
//! `next_page_token` and `prev_page_token` (API 2.1; see `page_token`).

use azure_databricks_sdk::models::{
    ClusterEvent, ClusterEventRequest, ClusterEventResponse, ClusterEventType, ListOrder,
};
use serde_json::json;

use crate::error::ApiError;
use crate::page_token::{self, fingerprint};

/// Default page size.
pub(crate) const DEFAULT_LIMIT: i64 = 50;
/// Largest page size: the schema's rule
/// [`rules::EVENTS_LIMIT`](azure_databricks_sdk::rules::EVENTS_LIMIT).
pub(crate) const MAX_LIMIT: i64 = azure_databricks_sdk::rules::EVENTS_LIMIT.max;

/// The size of a 2.1 page as the service reads `page_size`: 0, unset or negative lets the
/// service choose ([`DEFAULT_LIMIT`]); more than [`MAX_LIMIT`] is [`MAX_LIMIT`].
fn page_size(requested: Option<i32>) -> usize {
    match requested.map(i64::from) {
        Some(n) if n > MAX_LIMIT => MAX_LIMIT as usize,
        Some(n) if n > 0 => n as usize,
        _ => DEFAULT_LIMIT as usize,
    }
}

/// An event and its place in the workspace's global order (ties of timestamps).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredEvent {
    pub(crate) seq: u64,
    pub(crate) event: ClusterEvent,
}

/// One page of `events` for `request`, as of `now`.
pub(crate) fn query(
    events: &[StoredEvent],
    request: &ClusterEventRequest,
    now: i64,
) -> Result<ClusterEventResponse, ApiError> {
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_parameter(format!(
            "limit must be between 1 and {MAX_LIMIT}; got {limit}"
        )));
    }
    let offset = request.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid_parameter(format!(
            "offset must not be negative; got {offset}"
        )));
    }
    let order = request.order.clone().unwrap_or(ListOrder::Desc);
    if !matches!(order, ListOrder::Asc | ListOrder::Desc) {
        return Err(ApiError::invalid_parameter(format!(
            "order must be ASC or DESC; got {order}"
        )));
    }
    if let Some(unknown) = request
        .event_types
        .iter()
        .find(|t| matches!(t, ClusterEventType::Unknown(_)))
    {
        return Err(ApiError::invalid_parameter(format!(
            "Unknown event type {unknown}"
        )));
    }
    if request.page_size.is_some() || request.page_token.is_some() {
        if request.offset.is_some() || request.limit.is_some() {
            return Err(ApiError::invalid_parameter(
                "offset and limit cannot be combined with page_size or page_token",
            ));
        }
        return token_page(events, request, order);
    }
    if offset > 0 && order == ListOrder::Desc && request.end_time.is_none() {
        return Err(ApiError::invalid_parameter(
            "end_time is required when offset is specified and order is DESC",
        ));
    }

    let matching = matching(events, request, &order);
    let total = matching.len() as i64;
    let page: Vec<ClusterEvent> = matching
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|e| e.event.clone())
        .collect();
    let next_offset = offset.saturating_add(limit);
    let next_page = (next_offset < total).then(|| ClusterEventRequest {
        offset: Some(next_offset),
        limit: Some(limit),
        order: Some(order.clone()),
        // Newest-first pages are anchored to the time of the first page.
        end_time: match order {
            ListOrder::Desc => Some(request.end_time.unwrap_or(now)),
            _ => request.end_time,
        },
        ..request.clone()
    });
    Ok(ClusterEventResponse {
        events: page,
        next_page,
        total_count: Some(total),
        ..Default::default()
    })
}

/// A 2.1 page: `page_size` events after (or before) the event the `page_token` names. The
/// total count is 0, as the service answers token requests.
fn token_page(
    events: &[StoredEvent],
    request: &ClusterEventRequest,
    order: ListOrder,
) -> Result<ClusterEventResponse, ApiError> {
    let query = fingerprint(&json!({
        "cluster_id": request.cluster_id,
        "start_time": request.start_time,
        "end_time": request.end_time,
        "event_types": request.event_types,
        "order": order.as_str(),
    }));
    let descending = order == ListOrder::Desc;
    let page = page_token::page(
        matching(events, request, &order),
        |e| (e.event.timestamp.unwrap_or_default(), e.seq),
        |a, b| if descending { b.cmp(a) } else { a.cmp(b) },
        page_size(request.page_size),
        request.page_token.as_deref(),
        &query,
    )?;
    Ok(ClusterEventResponse {
        events: page.items.into_iter().map(|e| e.event.clone()).collect(),
        next_page_token: page.next,
        prev_page_token: page.prev,
        total_count: Some(0),
        ..Default::default()
    })
}

/// The events `request` selects (time range and types), in its order.
fn matching<'a>(
    events: &'a [StoredEvent],
    request: &ClusterEventRequest,
    order: &ListOrder,
) -> Vec<&'a StoredEvent> {
    let mut matching: Vec<&StoredEvent> = events
        .iter()
        .filter(|e| {
            let at = e.event.timestamp.unwrap_or_default();
            request.start_time.is_none_or(|start| at >= start)
                && request.end_time.is_none_or(|end| at <= end)
                && (request.event_types.is_empty()
                    || e.event
                        .type_
                        .as_ref()
                        .is_some_and(|t| request.event_types.contains(t)))
        })
        .collect();
    matching.sort_by_key(|e| (e.event.timestamp, e.seq));
    if *order == ListOrder::Desc {
        matching.reverse();
    }
    matching
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64, at: i64, kind: ClusterEventType) -> StoredEvent {
        StoredEvent {
            seq,
            event: ClusterEvent {
                unknown_fields: Default::default(),
                cluster_id: "c".into(),
                timestamp: Some(at),
                type_: Some(kind),
                details: None,
                data_plane_event_details: None,
            },
        }
    }

    /// 10 events: even seconds PINNED, odd UNPINNED; two share a timestamp.
    fn log() -> Vec<StoredEvent> {
        (0..10)
            .map(|i| {
                let kind = if i % 2 == 0 {
                    ClusterEventType::Pinned
                } else {
                    ClusterEventType::Unpinned
                };
                event(i, if i == 9 { 8_000 } else { i as i64 * 1000 }, kind)
            })
            .collect()
    }

    fn seqs(r: &ClusterEventResponse) -> Vec<i64> {
        r.events.iter().map(|e| e.timestamp.unwrap()).collect()
    }

    fn request() -> ClusterEventRequest {
        ClusterEventRequest {
            cluster_id: "c".into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_newest_first_fifty_at_a_time() {
        let r = query(&log(), &request(), 99_000).unwrap();
        assert_eq!(r.total_count, Some(10));
        assert_eq!(r.events.len(), 10);
        assert!(r.next_page.is_none());
        // The tie at 8000 is broken by recording order: seq 9 after seq 8.
        assert_eq!(seqs(&r)[..3], [8_000, 8_000, 7_000]);
        assert_eq!(r.events[0].type_, Some(ClusterEventType::Unpinned));
    }

    #[test]
    fn next_page_is_a_complete_request_that_walks_every_event_once() {
        let mut req = ClusterEventRequest {
            limit: Some(3),
            ..request()
        };
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let r = query(&log(), &req, 50_000).unwrap();
            assert_eq!(r.total_count, Some(10));
            seen.extend(seqs(&r));
            pages += 1;
            match r.next_page {
                Some(next) => {
                    assert_eq!(next.end_time, Some(50_000));
                    assert_eq!(next.order, Some(ListOrder::Desc));
                    req = next;
                }
                None => break,
            }
        }
        assert_eq!(pages, 4);
        assert_eq!(
            seen,
            [8000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000, 0]
        );
    }

    #[test]
    fn time_range_types_and_ascending_order() {
        let req = ClusterEventRequest {
            start_time: Some(2_000),
            end_time: Some(6_000),
            event_types: vec![ClusterEventType::Pinned],
            order: Some(ListOrder::Asc),
            ..request()
        };
        let r = query(&log(), &req, 0).unwrap();
        assert_eq!(seqs(&r), [2_000, 4_000, 6_000]);
        assert_eq!(r.total_count, Some(3));
    }

    #[test]
    fn bad_limits_offsets_and_desc_offsets_without_end_time_are_refused() {
        for req in [
            ClusterEventRequest {
                limit: Some(0),
                ..request()
            },
            ClusterEventRequest {
                limit: Some(501),
                ..request()
            },
            ClusterEventRequest {
                offset: Some(-1),
                ..request()
            },
            ClusterEventRequest {
                offset: Some(5),
                ..request()
            },
            ClusterEventRequest {
                event_types: vec!["NOPE".into()],
                ..request()
            },
        ] {
            let err = query(&log(), &req, 0).unwrap_err();
            assert_eq!(err.code(), "INVALID_PARAMETER_VALUE", "{req:?}");
        }
        let asc = ClusterEventRequest {
            offset: Some(5),
            order: Some(ListOrder::Asc),
            ..request()
        };
        assert_eq!(query(&log(), &asc, 0).unwrap().events.len(), 5);
        assert!(
            query(
                &log(),
                &ClusterEventRequest {
                    limit: Some(500),
                    ..request()
                },
                0
            )
            .is_ok()
        );
    }

    #[test]
    fn page_tokens_walk_every_event_once_and_new_events_do_not_shift_pages() {
        let mut log = log();
        let mut req = ClusterEventRequest {
            page_size: Some(4),
            ..request()
        };
        let first = query(&log, &req, 0).unwrap();
        assert_eq!(seqs(&first), [8_000, 8_000, 7_000, 6_000]);
        assert!(first.next_page.is_none() && first.prev_page_token.is_none());
        assert_eq!(first.total_count, Some(0));
        // A newer event arrives between two pages of a newest-first walk.
        log.push(event(10, 20_000, ClusterEventType::Pinned));
        let mut seen = seqs(&first);
        req.page_token = first.next_page_token.clone();
        loop {
            let page = query(&log, &req, 0).unwrap();
            assert!(page.prev_page_token.is_some());
            seen.extend(seqs(&page));
            match page.next_page_token {
                Some(next) => req.page_token = Some(next),
                None => break,
            }
        }
        assert_eq!(
            seen,
            [8000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000, 0]
        );
        // The previous page of the second page is the first page again.
        req.page_token = first.next_page_token.clone();
        let second = query(&log, &req, 0).unwrap();
        req.page_token = second.prev_page_token;
        assert_eq!(seqs(&query(&log, &req, 0).unwrap()), seqs(&first));
    }

    #[test]
    fn page_sizes_outside_0_to_500_are_clamped_and_offsets_do_not_mix_with_tokens() {
        assert_eq!(page_size(None), 50);
        assert_eq!(page_size(Some(0)), 50);
        assert_eq!(page_size(Some(-3)), 50);
        assert_eq!(page_size(Some(501)), 500);
        assert_eq!(page_size(Some(7)), 7);
        for req in [
            ClusterEventRequest {
                page_size: Some(5),
                offset: Some(5),
                order: Some(ListOrder::Asc),
                ..request()
            },
            ClusterEventRequest {
                page_token: Some("x".into()),
                limit: Some(5),
                ..request()
            },
            ClusterEventRequest {
                page_token: Some("not a token".into()),
                ..request()
            },
        ] {
            let err = query(&log(), &req, 0).unwrap_err();
            assert_eq!(err.code(), "INVALID_PARAMETER_VALUE", "{req:?}");
        }
        // A token of an ascending walk is refused by a descending one.
        let asc = ClusterEventRequest {
            page_size: Some(2),
            order: Some(ListOrder::Asc),
            ..request()
        };
        let token = query(&log(), &asc, 0).unwrap().next_page_token;
        let desc = ClusterEventRequest {
            page_size: Some(2),
            page_token: token,
            ..request()
        };
        assert!(query(&log(), &desc, 0).is_err());
    }

    #[test]
    fn no_events_is_an_empty_object_with_a_zero_count() {
        let r = query(&[], &request(), 0).unwrap();
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"total_count": 0})
        );
    }
}
