//! The OpenAPI 3.1 document served at `/openapi.json`, generated from the handlers'
//! `#[utoipa::path]` annotations (so it cannot drift from the route table: a router test checks
//! that every routed path is documented), and its route. It lists the handlers of every other
//! route module, so none of them uses it.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi as _};

use crate::routes;
use crate::state::AppState;

/// The API description.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "gx-attest",
        description = "Signed Gaia-X credentials from SCS compliance results and cloud inventory: \
            did:web, credentials, presentations, status lists, change feed, uploads. Every error \
            is an RFC 9457 application/problem+json document.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        routes::did::did_document,
        routes::did::chain_response,
        routes::uploads::post_report,
        routes::uploads::post_inventory,
        routes::credentials::list,
        routes::credentials::get,
        routes::credentials::revoke,
        routes::feeds::changes,
        routes::ces::list,
        routes::ces::receive,
        routes::feeds::status_list,
        routes::feeds::presentation,
        routes::badges::badge,
        routes::ops::healthz,
        routes::ops::readyz,
        routes::ops::metrics,
        openapi,
        routes::contexts::list,
        routes::contexts::get,
        routes::verify::verify,
        routes::partners::list,
        routes::partners::rejections,
        routes::clearing::offer_v1,
        routes::clearing::offer_v2,
        routes::clearing::notary_v1,
        routes::clearing::notary_v2,
        routes::preflight::check,
        routes::registry::chain_file,
        routes::registry::chain,
        routes::registry::trusted_lists,
        routes::registry::trusted_issuers,
        routes::registry::trusted_issuers_of,
        routes::registry::compliance_issuers,
        routes::registry::configuration,
        routes::pages::overview,
        routes::pages::verify_form,
        routes::monitor::status,
        routes::monitor::table,
        routes::monitor::table_full,
        routes::monitor::detail,
        routes::monitor::detail_full,
        routes::monitor::scope,
        routes::monitor::report,
        routes::monitor::report_full,
    ),
    components(schemas(crate::error::Problem, routes::contexts::ContextEntry)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "did", description = "did:web document and x5u certificate chains"),
        (name = "uploads", description = "Provider side (authenticated): SCS reports, inventory"),
        (name = "credentials", description = "Issued credentials"),
        (name = "feeds", description = "Change feed, status lists, presentations"),
        (name = "contexts", description = "The JSON-LD contexts the documents use, for online processors"),
        (name = "badges", description = "SCS compliance badges"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
        (name = "partners", description = "Partner exchange: partners' credentials pulled, verified and re-served; sync state and rejections"),
        (name = "registry", description = "Gaia-X registry API (the registry role, [registry]): whether an x5u chain ends at a trust anchor of this federation (its own anchors and the granted CA services of its ETSI TS 119 612 trusted lists), the trusted lists' state, the trusted issuers, the EV policy"),
        (name = "clearing", description = "The provider's clearing-house pre-flight (with a [clearing] section): every check a Gaia-X clearing house makes, before submitting"),
        (name = "compliance", description = "Clearing house (role compliance only): Gaia-X compliance v1/v2 and the registration-number notary; error bodies in the Gaia-X services' own JSON shapes"),
        (name = "pages", description = "HTML pages (the credentials listing, a credential and the partners list also answer text/html when Accept prefers it)"),
        (name = "monitor", description = "The SCS compliance monitor's read API: /status and the markdown, fragment and page views, by strict evaluation"),
        (name = "verify", description = "Verification of credentials and presentations (gxa-verify: proofs, did:web, x5u chains, status, shapes)"),
    ),
)]
pub struct ApiDoc;

/// Removes from a serialised document the operations that carry `tag` (and a path left with
/// none), and the tag.
pub fn drop_tag(doc: &mut serde_json::Value, tag: &str) {
    let tagged = |op: &serde_json::Value| {
        op["tags"]
            .as_array()
            .is_some_and(|tags| tags.iter().any(|t| t == tag))
    };
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            if let Some(ops) = item.as_object_mut() {
                ops.retain(|_, op| !tagged(op));
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|ops| !ops.is_empty()));
    }
    if let Some(tags) = doc["tags"].as_array_mut() {
        tags.retain(|t| t["name"] != tag);
    }
}

/// The document per role: every route for the whole clearing house, without the compliance
/// routes outside the compliance role and without the registry routes outside the registry
/// role. Index: compliance + 2 × registry.
static OPENAPI: [LazyLock<Vec<u8>>; 4] = [
    LazyLock::new(|| document(false, false)),
    LazyLock::new(|| document(true, false)),
    LazyLock::new(|| document(false, true)),
    LazyLock::new(|| document(true, true)),
];

fn document(compliance: bool, registry: bool) -> Vec<u8> {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if !compliance {
        drop_tag(&mut doc, "compliance");
    }
    if !registry {
        drop_tag(&mut doc, "registry");
    }
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

/// This document: OpenAPI 3.1 of every route, its parameters, media types and problem responses.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = serde_json::Value)))]
pub(crate) async fn openapi(State(state): State<AppState>) -> Response {
    let role = state.role();
    let document =
        &*OPENAPI[usize::from(role.is_compliance()) + 2 * usize::from(role.is_registry())];
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        document.clone(),
    )
        .into_response()
}

/// Bearer tokens and HTTP Basic (the SCS test runner's form: user = subject, password = token).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token of the subject"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "User name = the subject, password = an API token (what the SCS test runner sends)",
                    ))
                    .build(),
            ),
        );
    }
}
