//! What the workspace received, for tests that check which requests a client sent and in
//! which order (a retry, an unpin before a delete).

use std::collections::VecDeque;

/// Requests kept by the log: the most recent ones, so that a long-running emulator does not
/// grow without bound.
pub(crate) const REQUEST_LOG_LEN: usize = 1000;

/// One request the workspace received; see [`Emulator::request_log`](crate::Emulator::request_log).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path without the query, e.g. `/api/2.1/clusters/permanent-delete`.
    pub path: String,
    /// The status of the answer; `None` when the connection was closed without one (an
    /// injected [`Fault::drop_connection`](crate::Fault::drop_connection) or
    /// [`Fault::drop_answer`](crate::Fault::drop_answer)).
    pub status: Option<u16>,
}

impl LoggedRequest {
    /// Whether this is a request to `operation`, named like [`Fault::on`](crate::Fault::on)
    /// does: the path after the API version (`"clusters/start"` matches
    /// `/api/2.0/clusters/start` and `/api/2.1/clusters/start`), or a full path.
    pub fn is(&self, operation: &str) -> bool {
        crate::fault::path_matches(operation, &self.path)
    }
}

/// The last [`REQUEST_LOG_LEN`] requests, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<LoggedRequest>,
}

impl RequestLog {
    pub(crate) fn push(&mut self, method: &str, path: &str, status: Option<u16>) {
        if self.entries.len() == REQUEST_LOG_LEN {
            self.entries.pop_front();
        }
        self.entries.push_back(LoggedRequest {
            method: method.to_string(),
            path: path.to_string(),
            status,
        });
    }

    pub(crate) fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_most_recent_requests_in_order() {
        let mut log = RequestLog::default();
        for n in 0..REQUEST_LOG_LEN + 5 {
            log.push("GET", &format!("/api/2.0/x/{n}"), Some(200));
        }
        let entries = log.entries();
        assert_eq!(entries.len(), REQUEST_LOG_LEN);
        assert_eq!(entries[0].path, "/api/2.0/x/5");
        assert_eq!(
            entries.last().unwrap().path,
            format!("/api/2.0/x/{}", REQUEST_LOG_LEN + 4)
        );
        log.push("POST", "/api/2.1/clusters/start", None);
        let last = log.entries().pop().unwrap();
        assert!(last.is("clusters/start") && !last.is("clusters/restart"));
        assert_eq!(last.status, None);
    }
}
