//! Lazy iteration over the pages of `clusters/events`.

use crate::models::{ClusterEvent, ClusterEventRequest};
use crate::{Clusters, Error, Result};

impl<'a> Clusters<'a> {
    /// Every event matching `request`, page after page, as a lazy iterator.
    ///
    /// The first page is requested on the first `next()`; the service's `next_page` (a complete
    /// request for the following page) is posted when the current page is used up, until the
    /// service stops sending one. Only one page is held in memory. If the service answers a
    /// `next_page` that does not advance (the same request again, or an `offset` going
    /// backwards), the iterator yields [`Error::RepeatedPage`] instead of looping forever. After
    /// an error the iterator ends. Each page request is retried like any call.
    ///
    /// ```no_run
    /// # fn example(client: &azure_databricks_sdk::Client) -> azure_databricks_sdk::Result<()> {
    /// use azure_databricks_sdk::models::{ClusterEventRequest, ListOrder};
    /// let request = ClusterEventRequest {
    ///     cluster_id: "0923-164208-meows279".into(),
    ///     order: Some(ListOrder::Asc),
    ///     limit: Some(500),
    ///     ..Default::default()
    /// };
    /// for event in client.clusters().events_iter(&request) {
    ///     let event = event?;
    ///     println!("{:?} {:?}", event.timestamp, event.type_);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events_iter(&self, request: &ClusterEventRequest) -> EventsIter<'a> {
        EventsIter {
            clusters: *self,
            next: Some(request.clone()),
            previous: None,
            page: Vec::new().into_iter(),
        }
    }
}

/// Iterator over cluster events; see [`Clusters::events_iter`].
#[derive(Debug)]
#[must_use = "iterators are lazy and do nothing unless consumed"]
pub struct EventsIter<'a> {
    clusters: Clusters<'a>,
    /// The request of the next page, `None` once done.
    next: Option<ClusterEventRequest>,
    /// The request of the page being read.
    previous: Option<ClusterEventRequest>,
    page: std::vec::IntoIter<ClusterEvent>,
}

/// Whether `next` asks for a page that cannot come after `previous`.
fn does_not_advance(previous: &ClusterEventRequest, next: &ClusterEventRequest) -> bool {
    let offset_back = matches!((previous.offset, next.offset), (Some(a), Some(b)) if b <= a)
        && previous.start_time == next.start_time
        && previous.end_time == next.end_time;
    next == previous || offset_back
}

impl Iterator for EventsIter<'_> {
    type Item = Result<ClusterEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(event) = self.page.next() {
                return Some(Ok(event));
            }
            let request = self.next.take()?;
            if self
                .previous
                .as_ref()
                .is_some_and(|p| does_not_advance(p, &request))
            {
                return Some(Err(Error::RepeatedPage {
                    operation: "clusters.events".into(),
                }));
            }
            match self.clusters.events(&request) {
                Ok(response) => {
                    self.page = response.events.into_iter();
                    self.next = response.next_page;
                    self.previous = Some(request);
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(offset: Option<i64>) -> ClusterEventRequest {
        ClusterEventRequest {
            cluster_id: "c".into(),
            offset,
            ..Default::default()
        }
    }

    #[test]
    fn a_page_that_does_not_advance_is_detected() {
        assert!(does_not_advance(&request(Some(50)), &request(Some(50))));
        assert!(does_not_advance(&request(Some(50)), &request(Some(0))));
        assert!(!does_not_advance(&request(Some(50)), &request(Some(100))));
        assert!(!does_not_advance(&request(None), &request(Some(50))));
    }
}
