//! Error answers, in the service's format: `{"error_code": "...", "message": "..."}` with the
//! status the service uses for each code (reference §5).

use serde_json::{Value, json};

/// The `error_code` of an answer: a string, or (invalid tokens) the HTTP status as an integer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Code {
    /// `"error_code": "RESOURCE_DOES_NOT_EXIST"`.
    Text(&'static str),
    /// `"error_code": 403`, as the service answers an unknown or expired token.
    Status,
}

/// An error answer of the emulated service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: Code,
    pub(crate) message: String,
    /// Seconds for a `Retry-After` header (429 and 503 answers).
    pub(crate) retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Code::Text(code),
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `INVALID_PARAMETER_VALUE`: a field has a value the service refuses.
    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(400, "INVALID_PARAMETER_VALUE", message)
    }

    /// 400 `INVALID_PARAMETER_VALUE` "Missing required field: `field`".
    pub(crate) fn missing(field: &str) -> Self {
        Self::invalid_parameter(format!("Missing required field: {field}"))
    }

    /// 400 `INVALID_STATE`: the resource is in a state that does not allow the operation.
    pub(crate) fn invalid_state(message: impl Into<String>) -> Self {
        Self::new(400, "INVALID_STATE", message)
    }

    /// 400 `MALFORMED_REQUEST`: the body is not JSON, or a field has the wrong type.
    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        Self::new(400, "MALFORMED_REQUEST", message)
    }

    /// 400 `BAD_REQUEST` (e.g. writing to an Azure Key Vault-backed scope).
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BAD_REQUEST", message)
    }

    /// 404 `RESOURCE_DOES_NOT_EXIST`.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "RESOURCE_DOES_NOT_EXIST", message)
    }

    /// 400 `RESOURCE_ALREADY_EXISTS` (the status observed for duplicate scopes).
    pub(crate) fn already_exists(message: impl Into<String>) -> Self {
        Self::new(400, "RESOURCE_ALREADY_EXISTS", message)
    }

    /// 409 `RESOURCE_CONFLICT`: a SCIM user, group or service principal with that name
    /// exists.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "RESOURCE_CONFLICT", message)
    }

    /// 403 `PERMISSION_DENIED`: the caller lacks a permission.
    pub(crate) fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(403, "PERMISSION_DENIED", message)
    }

    /// 400 `RESOURCE_LIMIT_EXCEEDED` (secrets per scope, scopes per workspace).
    pub(crate) fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(400, "RESOURCE_LIMIT_EXCEEDED", message)
    }

    /// 400 `QUOTA_EXCEEDED` (tokens per user).
    pub(crate) fn quota_exceeded(message: impl Into<String>) -> Self {
        Self::new(400, "QUOTA_EXCEEDED", message)
    }

    /// 403 `{"error_code": 403, "message": "Invalid access token."}`: an unknown, expired or
    /// revoked token, exactly as the service answers it.
    pub(crate) fn invalid_token() -> Self {
        Self {
            status: 403,
            code: Code::Status,
            message: "Invalid access token.".into(),
            retry_after: None,
        }
    }

    /// 401 `UNAUTHENTICATED`: no bearer token at all.
    pub(crate) fn unauthenticated() -> Self {
        Self::new(
            401,
            "UNAUTHENTICATED",
            "Credential was not sent or was of an unsupported type for this API.",
        )
    }

    /// 404 `ENDPOINT_NOT_FOUND` for a method and path no API serves.
    pub(crate) fn endpoint_not_found(method: &str, path: &str) -> Self {
        Self::new(
            404,
            "ENDPOINT_NOT_FOUND",
            format!("No API found for '{method} {path}'"),
        )
    }

    /// 429 `REQUEST_LIMIT_EXCEEDED` with `Retry-After` (an injected fault).
    pub(crate) fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs),
            ..Self::new(
                429,
                "REQUEST_LIMIT_EXCEEDED",
                "The request was rejected because the rate limit was exceeded. Retry later.",
            )
        }
    }

    /// 503 `TEMPORARILY_UNAVAILABLE` (an injected fault).
    pub(crate) fn unavailable() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                503,
                "TEMPORARILY_UNAVAILABLE",
                "The service is temporarily unavailable. Please try again later.",
            )
        }
    }

    /// 413 for a body over the service's 10 MB request limit.
    pub(crate) fn too_large(limit: u64) -> Self {
        Self::new(
            413,
            "RESOURCE_LIMIT_EXCEEDED",
            format!("The request body exceeds the limit of {limit} bytes."),
        )
    }

    /// 500 `INTERNAL_ERROR`: a bug of the emulator, never the caller's fault.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "INTERNAL_ERROR", message)
    }

    /// The JSON body of the answer.
    pub(crate) fn body(&self) -> Value {
        let code = match self.code {
            Code::Text(code) => json!(code),
            Code::Status => json!(self.status),
        };
        json!({"error_code": code, "message": self.message})
    }

    /// The string error code, if any (tests).
    #[cfg(test)]
    pub(crate) fn code(&self) -> &str {
        match self.code {
            Code::Text(code) => code,
            Code::Status => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_token_has_the_integer_code_of_the_service() {
        let e = ApiError::invalid_token();
        assert_eq!(e.status, 403);
        assert_eq!(
            e.body(),
            json!({"error_code": 403, "message": "Invalid access token."})
        );
    }

    #[test]
    fn string_codes_keep_their_status() {
        let e = ApiError::not_found("Scope x does not exist!");
        assert_eq!(e.status, 404);
        assert_eq!(
            e.body(),
            json!({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Scope x does not exist!"})
        );
        assert_eq!(ApiError::already_exists("x").status, 400);
        assert_eq!(ApiError::too_many_requests(3).retry_after, Some(3));
    }
}
