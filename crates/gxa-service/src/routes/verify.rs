//! `POST /verify`: verification as a service. **Not implemented yet.**
//!
//! The verifier (`gxa-verify`: fetching did:web documents and status lists through `gxa-fetch`,
//! then `gxa_proof::verify`) is being written separately. When it lands, this handler reads the
//! body (a credential, a presentation or a JWT, within the body limit), runs the verification in
//! `spawn_blocking` and answers 200 with the verification report, `verified: false` and reasons
//! included (an invalid credential is a value, not an error; STYLE.md rule 10); 4xx/5xx only when
//! verification could not be done. Until then it is documented and answers 501.

use crate::error::{ApiError, Problem};

/// Verifies a credential, presentation or JWT (not implemented yet: 501).
#[utoipa::path(post, path = "/verify", tag = "verify",
    request_body(content = String, description = "A credential, presentation or JWT"),
    responses(
        (status = 501, description = "Not implemented yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn verify() -> ApiError {
    ApiError::NotImplemented("POST /verify is not implemented yet (gxa-verify is being written)")
}
