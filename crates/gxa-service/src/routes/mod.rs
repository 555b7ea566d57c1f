//! The route table: one module per resource, merged here with the layers of
//! [`crate::middleware`], and the fallback of every path not in the table.
//!
//! Only `server` (and `demo` through it) sits above the routes: they use the state, the
//! middleware and everything below those, and no module below uses a route module. The
//! clearing house's routes (`clearing`) are merged in by `server` in the compliance role;
//! `openapi` describes every route module and is used by none of them.

pub(crate) mod badges;
pub(crate) mod ces;
pub(crate) mod clearing;
pub(crate) mod contexts;
pub(crate) mod credentials;
pub(crate) mod did;
pub(crate) mod feeds;
pub(crate) mod monitor;
pub mod openapi;
pub(crate) mod ops;
pub(crate) mod pages;
pub(crate) mod partners;
pub(crate) mod preflight;
pub(crate) mod registry;
pub(crate) mod uploads;
pub(crate) mod verify;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::middleware::{self, REQUEST_ID};
use crate::state::AppState;

/// The paths routed explicitly (the fallback adds path DIDs and x5u chains), as documented in
/// `/openapi.json`; a test checks both lists agree.
pub const ROUTES: &[&str] = &[
    "/.well-known/did.json",
    "/reports",
    "/inventory",
    "/credentials",
    "/credentials/{id}",
    "/credentials/{id}/revoke",
    "/changes",
    "/v2/credentials-events",
    "/status-lists/{id}",
    "/participants/{id}/presentation",
    "/badges/{subject}/{scope}.svg",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/contexts",
    "/contexts/{file}",
    "/verify",
    "/partners",
    "/partners/{id}/rejections",
    // Answers 404 without a [clearing] section (routes::preflight).
    "/clearing/check",
    // Routed in the compliance role only (`serve --role compliance`, routes::clearing).
    "/v1/api/credential-offers",
    "/v2/api/credential-offers/{level}",
    "/v1/registrationNumberVC",
    "/v2/registration-numbers/{kind}/{value}",
    // Routed in the registry role (`serve --role registry`, routes::registry).
    "/v2/api/trustAnchor/chain/file",
    "/v2/api/trustAnchor/chain",
    "/v2/api/trusted-lists",
    "/v2/api/trusted-issuers",
    "/v2/api/trusted-issuers/{serviceType}",
    "/v2/api/complianceIssuers",
    "/v2/configurations/credentials",
    // Pages and the SCS compliance monitor's read API ({view}: markdown, fragment or page).
    "/",
    "/status",
    "/{view}/table",
    "/{view}/table_full",
    "/{view}/detail/{subject}/{scope}",
    "/{view}/detail_full/{subject}/{scope}",
    "/{view}/scope/{scope}",
    "/{view}/report/{uuid}",
    "/{view}/report_full/{uuid}",
];

/// The 404 of every unknown route, except the did:web document at a path-based DID's path and
/// the x5u certificate chains, which are looked up here because their paths come from the key
/// set, not from the route table.
pub(crate) async fn fallback(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Response {
    let path = request.uri().path();
    let is_read =
        request.method() == axum::http::Method::GET || request.method() == axum::http::Method::HEAD;
    if is_read && path == state.did_path() {
        return did::did_document_response(&state);
    }
    if is_read && let Some(chain) = state.issuer().certificate_chain(path) {
        return did::chain_response(chain);
    }
    ApiError::NotFound(format!("no route for {}", request.uri().path())).into_response()
}

/// The complete router with all layers.
pub fn router(state: AppState) -> Router {
    router_with(Router::new(), state)
}

/// [`router`] with `extra` routes merged in before the layers, so that they get the same
/// request ids, metrics, panic and timeout handling (for tests and embedding).
pub fn router_with(extra: Router<AppState>, state: AppState) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID);
    let max_body = state.options().max_body_bytes;
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let id = request
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %id,
        )
    });
    let ops_guard = axum::middleware::from_fn_with_state(state.clone(), middleware::ops_guard);
    Router::new()
        .route("/.well-known/did.json", get(did::did_document))
        .route("/reports", post(uploads::post_report))
        .route("/inventory", post(uploads::post_inventory))
        // The listing, a credential and the partners answer browsers with pages (routes::pages).
        .route("/credentials", get(pages::credentials_list))
        .route("/credentials/{id}", get(pages::credential))
        .route("/credentials/{id}/revoke", post(credentials::revoke))
        .route("/changes", get(feeds::changes))
        .route("/v2/credentials-events", get(ces::list).post(ces::receive))
        .route("/status-lists/{id}", get(feeds::status_list))
        .route("/participants/{id}/presentation", get(feeds::presentation))
        .route("/badges/{subject}/{scope}", get(badges::badge))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics).route_layer(ops_guard.clone()))
        .route("/openapi.json", get(openapi::openapi))
        .route("/contexts", get(contexts::list))
        .route("/contexts/{*file}", get(contexts::get))
        .route(
            "/verify",
            get(pages::verify_form).post(pages::verify_submit),
        )
        .route(
            "/partners",
            get(pages::partners_list).route_layer(ops_guard.clone()),
        )
        .route(
            "/partners/{id}/rejections",
            get(partners::rejections).route_layer(ops_guard.clone()),
        )
        .route(
            "/clearing/check",
            get(preflight::check).route_layer(ops_guard),
        )
        .route("/", get(pages::overview))
        .route("/status", get(monitor::status))
        .route("/{view}/table", get(monitor::table))
        .route("/{view}/table_full", get(monitor::table_full))
        .route("/{view}/detail/{subject}/{scope}", get(monitor::detail))
        .route(
            "/{view}/detail_full/{subject}/{scope}",
            get(monitor::detail_full),
        )
        .route("/{view}/scope/{scope}", get(monitor::scope))
        .route("/{view}/report/{uuid}", get(monitor::report))
        .route("/{view}/report_full/{uuid}", get(monitor::report_full))
        .merge(extra)
        .fallback(fallback)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(axum::middleware::from_fn(middleware::security_headers))
                .layer(trace)
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    middleware::record_metrics,
                ))
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(axum::middleware::from_fn(middleware::problem_fallback))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    middleware::timeout,
                ))
                .layer(DefaultBodyLimit::max(max_body)),
        )
        .with_state(state)
}
