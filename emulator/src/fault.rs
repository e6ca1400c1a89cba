//! Injected failures: throttling, outages, slow answers, dropped connections and lost answers.

use std::collections::VecDeque;
use std::time::Duration;

use crate::api::routes::split_version;

/// A failure the emulator plays on the next matching request(s); see
/// [`Emulator::inject`](crate::Emulator::inject).
///
/// A fault applies once unless [`Fault::times`] says otherwise, and to any request unless
/// [`Fault::on`] names an operation. Faults are played before authentication, like a gateway in
/// front of the workspace, and in the order they were injected.
///
/// ```
/// use azure_databricks_emulator::{Emulator, Fault};
/// use azure_databricks_sdk::RetryPolicy;
///
/// let ws = Emulator::start()?;
/// // The SDK's default client rides out two 503s by retrying.
/// ws.inject(Fault::unavailable().times(2).on("clusters/list"));
/// assert!(ws.client().clusters().list()?.is_empty());
/// assert_eq!(ws.request_count(), 3);
///
/// // A client without retries sees them.
/// let once = ws.client_builder(ws.admin_token()).retry(RetryPolicy::disabled()).build()?;
/// ws.inject(Fault::unavailable().times(2).on("clusters/list"));
/// assert_eq!(once.clusters().list().unwrap_err().status(), Some(503));
/// assert_eq!(once.tokens().list()?.len(), 1, "other operations are not affected");
/// assert_eq!(once.clusters().list().unwrap_err().status(), Some(503));
/// assert!(once.clusters().list()?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    times: usize,
    operation: Option<String>,
}

/// What a fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    /// 429 `REQUEST_LIMIT_EXCEEDED` with `Retry-After`; the request is not carried out.
    TooManyRequests(Duration),
    /// 503 `TEMPORARILY_UNAVAILABLE`; the request is not carried out.
    Unavailable,
    /// The request is carried out; its answer is held back this long.
    Delay(Duration),
    /// The connection is closed without an answer; the request is not carried out.
    DropConnection,
    /// The request is carried out, then the connection is closed without an answer.
    DropAnswer,
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            times: 1,
            operation: None,
        }
    }

    /// Answer 429 `REQUEST_LIMIT_EXCEEDED` with a `Retry-After` header of `retry_after`
    /// (rounded up to whole seconds). The request is not carried out.
    pub fn too_many_requests(retry_after: Duration) -> Self {
        Self::new(FaultKind::TooManyRequests(retry_after))
    }

    /// Answer 503 `TEMPORARILY_UNAVAILABLE` (with `Retry-After: 1`). The request is not
    /// carried out.
    pub fn unavailable() -> Self {
        Self::new(FaultKind::Unavailable)
    }

    /// Carry the request out, then hold the answer back for `delay`: a client whose timeout is
    /// shorter sees a timeout although the change was made.
    pub fn delay(delay: Duration) -> Self {
        Self::new(FaultKind::Delay(delay))
    }

    /// Read the request, then close the connection without any answer. The request is not
    /// carried out.
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::DropConnection)
    }

    /// Carry the request out, then close the connection without any answer: the change is
    /// made but the client never learns it (a gateway timing out, a connection reset on the
    /// way back). The case idempotency tokens exist for: a client that sends the request
    /// again must not make the change twice.
    ///
    /// ```
    /// use azure_databricks_emulator::{Emulator, Fault};
    /// use azure_databricks_sdk::models::ClusterAttributes;
    ///
    /// let ws = Emulator::start()?;
    /// // The SDK sends `clusters/create` with an idempotency token and retries the lost
    /// // answer with the same token: one cluster, and the SDK learns its id.
    /// ws.inject(Fault::drop_answer().on("clusters/create"));
    /// let sent = ws.now_millis();
    /// let created = ws.client().clusters().create(&ClusterAttributes {
    ///     spark_version: "15.4.x-scala2.12".into(),
    ///     node_type_id: Some("Standard_DS3_v2".into()),
    ///     num_workers: Some(1),
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(ws.request_count(), 2);
    /// assert!(ws.now_millis() > sent, "sent again after a backoff");
    /// let clusters = ws.client().clusters().list()?;
    /// assert_eq!(clusters.len(), 1);
    /// assert_eq!(clusters[0].cluster_id, created.cluster_id);
    /// assert_eq!(clusters[0].start_time, Some(sent), "made by the first request");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn drop_answer() -> Self {
        Self::new(FaultKind::DropAnswer)
    }

    /// Apply to the next `n` matching requests instead of one (`0` disarms the fault).
    #[must_use]
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    /// Apply only to one operation, named by its path after the API version, e.g.
    /// `"clusters/create"` (matches `/api/2.0/clusters/create` and `/api/2.1/clusters/create`),
    /// or by a full path starting with `/` (ending with `*`: any path starting so, e.g.
    /// `/storage/upload/2/*` for part 2 of a multipart upload).
    #[must_use]
    pub fn on(mut self, operation: &str) -> Self {
        self.operation = Some(operation.to_string());
        self
    }

    fn matches(&self, path: &str) -> bool {
        self.operation
            .as_deref()
            .is_none_or(|op| path_matches(op, path))
    }
}

/// Whether `path` is of `operation`: a full path starting with `/`, or the path after the API
/// version (`clusters/create` for `/api/2.0/clusters/create` and `/api/2.1/clusters/create`),
/// under any version an operation of the SDK's table answers under.
pub(crate) fn path_matches(operation: &str, path: &str) -> bool {
    if let Some(prefix) = operation.strip_suffix('*').filter(|p| p.starts_with('/')) {
        return path.starts_with(prefix);
    }
    if operation.starts_with('/') {
        return operation == path;
    }
    split_version(path).is_some_and(|(_, route)| route == operation.trim_start_matches('/'))
}

/// The armed faults, first injected first played.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: VecDeque<Fault>,
}

impl Faults {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.queue.push_back(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    /// The fault to play on a request to `path`, if any; uses up one of its occurrences.
    pub(crate) fn take(&mut self, path: &str) -> Option<FaultKind> {
        let index = self.queue.iter().position(|f| f.matches(path))?;
        let fault = &mut self.queue[index];
        let kind = fault.kind;
        fault.times -= 1;
        if fault.times == 0 {
            self.queue.remove(index);
        }
        Some(kind)
    }
}

/// `Retry-After` seconds for a duration: rounded up, at least 1 for any non-zero duration.
pub(crate) fn retry_after_secs(d: Duration) -> u64 {
    d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_used_up_in_order() {
        let mut faults = Faults::default();
        faults.push(Fault::unavailable().times(2));
        faults.push(Fault::drop_connection());
        faults.push(Fault::drop_answer());
        let path = "/api/2.0/clusters/list";
        assert_eq!(faults.take(path), Some(FaultKind::Unavailable));
        assert_eq!(faults.take(path), Some(FaultKind::Unavailable));
        assert_eq!(faults.take(path), Some(FaultKind::DropConnection));
        assert_eq!(faults.take(path), Some(FaultKind::DropAnswer));
        assert_eq!(faults.take(path), None);
    }

    #[test]
    fn an_operation_filter_matches_both_api_versions_and_nothing_else() {
        let mut faults = Faults::default();
        faults.push(Fault::unavailable().times(3).on("clusters/create"));
        assert_eq!(faults.take("/api/2.0/clusters/list"), None);
        assert_eq!(faults.take("/api/2.0/secrets/create"), None);
        assert!(faults.take("/api/2.0/clusters/create").is_some());
        assert!(faults.take("/api/2.1/clusters/create").is_some());
        assert_eq!(faults.take("/api/9.9/clusters/create"), None);
        let mut full = Faults::default();
        full.push(Fault::unavailable().on("/api/2.1/clusters/get"));
        assert_eq!(full.take("/api/2.0/clusters/get"), None);
        assert!(full.take("/api/2.1/clusters/get").is_some());
    }

    #[test]
    fn zero_times_arms_nothing() {
        let mut faults = Faults::default();
        faults.push(Fault::unavailable().times(0));
        assert_eq!(faults.take("/api/2.0/token/list"), None);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 0);
        assert_eq!(retry_after_secs(Duration::MAX), u64::MAX);
    }
}
