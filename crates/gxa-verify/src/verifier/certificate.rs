//! Check 4, the certificate chain: the `x5u` of every key that verified a proof is fetched and
//! validated at the verification time to a configured trust anchor, and its leaf must hold the
//! key.

use super::*;
use crate::inspect_chain;

impl Verifier {
    /// Check 4 for every verification method that signed a valid proof.
    pub(super) async fn chain_check(&self, methods: &[String], ctx: &Ctx<'_>) -> CheckResult {
        let check = CheckKind::CertificateChain;
        if methods.is_empty() {
            return CheckResult::new(
                check,
                Outcome::Skipped,
                "no verified proof to check a key of",
            );
        }
        let mut passes = Vec::new();
        for vm in methods {
            let jwk = method_object(ctx.resolver, vm)
                .and_then(|m| m.get("publicKeyJwk").cloned())
                .unwrap_or(Value::Null);
            let x5u = jwk.get("x5u").and_then(Value::as_str).map(str::to_owned);
            let registry = self.inner.registry.as_deref();
            let anchors = self.inner.anchors.as_ref();
            if anchors.is_none() && registry.is_none() {
                return CheckResult::new(
                    check,
                    Outcome::Skipped,
                    match x5u {
                        Some(u) => format!("no trust anchors configured (x5u {u} not checked)"),
                        None => "no x5u and no trust anchors configured".to_owned(),
                    },
                );
            }
            let Some(x5u) = x5u else {
                return CheckResult::new(
                    check,
                    Outcome::Fail,
                    format!("{vm} has no x5u certificate chain, but trust anchors are configured"),
                );
            };
            let Some(fetcher) = &self.inner.fetcher else {
                return CheckResult::new(
                    check,
                    Outcome::Error,
                    format!("x5u {x5u} of {vm} not fetched: offline"),
                );
            };
            if let Err(reason) = ctx.run.fetches.take(&x5u) {
                return CheckResult::new(
                    check,
                    Outcome::Error,
                    format!("x5u {x5u} of {vm} not fetched: {reason}"),
                );
            }
            let pem = match fetcher.get(&x5u, ACCEPT_PEM).await {
                Ok(f) => f.body,
                Err(e) => {
                    return CheckResult::new(
                        check,
                        fetch_outcome(&e),
                        format!("x5u {x5u} {}: {e}", fetch_verb(&e)),
                    );
                }
            };
            let chain = match anchors {
                Some(anchors) => {
                    match validate_chain(&pem, anchors, ctx.run.at, &self.inner.chain_policy) {
                        Ok(c) => Anchored {
                            leaf_subject: c.leaf_subject,
                            leaf_spki: c.leaf_public_key_spki_der,
                            ev: c.ev,
                            anchor: format!("trust anchor {:?}", c.root_subject),
                        },
                        Err(e) => {
                            return CheckResult::new(
                                check,
                                Outcome::Fail,
                                format!("x5u {x5u}: {e}"),
                            );
                        }
                    }
                }
                None => match self
                    .registry_check(registry.unwrap_or_default(), &x5u, &pem, fetcher, ctx)
                    .await
                {
                    Ok(chain) => chain,
                    Err(result) => return result,
                },
            };
            if !jwk_matches_spki(&jwk, &chain.leaf_spki) {
                return CheckResult::new(
                    check,
                    Outcome::Fail,
                    format!(
                        "the JWK of {vm} is not the public key of the leaf certificate of {x5u}"
                    ),
                );
            }
            passes.push(format!(
                "{vm}: x5u {x5u} leaf {:?} → {}{}",
                chain.leaf_subject,
                chain.anchor,
                if chain.ev { " (EV)" } else { "" }
            ));
        }
        CheckResult::new(check, Outcome::Pass, passes.join("; "))
    }

    /// The registry's verdict on the chain at `x5u` (already fetched as `pem`): the chain's own
    /// facts read locally (order, leaf key, EV), whether it ends at an anchor asked of the
    /// registry, counted as a fetch.
    async fn registry_check(
        &self,
        registry: &str,
        x5u: &str,
        pem: &[u8],
        fetcher: &Fetcher,
        ctx: &Ctx<'_>,
    ) -> Result<Anchored, CheckResult> {
        let check = CheckKind::CertificateChain;
        let facts = inspect_chain(pem, ctx.run.at)
            .map_err(|e| CheckResult::new(check, Outcome::Fail, format!("x5u {x5u}: {e}")))?;
        if self.inner.chain_policy.require_ev && !facts.ev {
            return Err(CheckResult::new(
                check,
                Outcome::Fail,
                format!(
                    "x5u {x5u}: the leaf {} has no EV policy 2.23.140.1.1",
                    facts.leaf_subject
                ),
            ));
        }
        let url = format!("{registry}/v2/api/trustAnchor/chain/file");
        if let Err(reason) = ctx.run.fetches.take(&url) {
            return Err(CheckResult::new(
                check,
                Outcome::Error,
                format!("registry {url} not asked: {reason}"),
            ));
        }
        let body = serde_json::json!({ "uri": x5u }).to_string();
        let answer = match fetcher.post_json(&url, &body).await {
            Ok(f) => f.body,
            Err(e) => {
                return Err(CheckResult::new(
                    check,
                    fetch_outcome(&e),
                    format!("registry {url}: {e}"),
                ));
            }
        };
        let verdict: Value = serde_json::from_slice(&answer).map_err(|e| {
            CheckResult::new(
                check,
                Outcome::Error,
                format!("registry {url}: not a JSON answer: {e}"),
            )
        })?;
        match verdict.get("result").and_then(Value::as_bool) {
            Some(true) => Ok(Anchored {
                leaf_subject: facts.leaf_subject,
                leaf_spki: facts.leaf_public_key_spki_der,
                ev: facts.ev,
                anchor: format!("accepted by registry {registry}"),
            }),
            Some(false) => Err(CheckResult::new(
                check,
                Outcome::Fail,
                format!(
                    "registry {registry} refuses the chain of x5u {x5u}{}",
                    verdict
                        .get("reason")
                        .and_then(Value::as_str)
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ),
            )),
            None => Err(CheckResult::new(
                check,
                Outcome::Error,
                format!("registry {url}: no boolean result in {verdict}"),
            )),
        }
    }
}

/// A chain found to end at a trust anchor, locally or by a registry.
struct Anchored {
    leaf_subject: String,
    leaf_spki: Vec<u8>,
    ev: bool,
    anchor: String,
}
