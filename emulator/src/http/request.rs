//! A parsed HTTP request.

use super::body::Body;

/// One request as the API layer sees it.
#[derive(Debug, Default)]
pub(crate) struct Request {
    /// `GET`, `POST`, ... as sent.
    pub(crate) method: String,
    /// The path without the query string, not percent-decoded (`/api/2.0/clusters/get`).
    pub(crate) path: String,
    /// The query string, percent-decoded, in order.
    pub(crate) query: Vec<(String, String)>,
    /// Header names (lowercase) and values.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, de-chunked: in memory when small, spooled to a file when large.
    pub(crate) body: Body,
}

impl Request {
    /// Builds the path and query from a request target (`/a/b?x=1`).
    pub(crate) fn set_target(&mut self, target: &str) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        self.path = path.to_string();
        self.query = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
    }

    /// The first value of a header (name in lowercase).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a comma-separated header has a token, case-insensitively
    /// (`Connection: keep-alive, Upgrade`).
    pub(crate) fn header_has(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_path_and_decoded_query() {
        let mut req = Request::default();
        req.set_target("/api/2.0/secrets/acls/get?scope=my%2Dscope&principal=a+b%40c.com");
        assert_eq!(req.path, "/api/2.0/secrets/acls/get");
        assert_eq!(
            req.query,
            [
                ("scope".to_string(), "my-scope".to_string()),
                ("principal".to_string(), "a b@c.com".to_string())
            ]
        );
    }

    #[test]
    fn header_tokens_are_case_insensitive() {
        let req = Request {
            headers: vec![("connection".into(), "Keep-Alive, Upgrade".into())],
            ..Default::default()
        };
        assert!(req.header_has("connection", "keep-alive"));
        assert!(!req.header_has("connection", "close"));
        assert_eq!(req.header("connection"), Some("Keep-Alive, Upgrade"));
    }
}
