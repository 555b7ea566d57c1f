//! The extractors of the handlers that read [`AppState`]: an authenticated subject
//! ([`Authenticated`], see `auth` for the schemes and the token lookup).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::state::AppState;

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Self::from_headers(&parts.headers, state.tokens(), state.store()).await
    }
}
