//! Check 4, the certificate chain: the `x5u` of every key that verified a proof is fetched and
//! validated at the verification time to a configured trust anchor, and its leaf must hold the
//! key.

use super::*;

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
            let Some(anchors) = &self.inner.anchors else {
                return CheckResult::new(
                    check,
                    Outcome::Skipped,
                    match x5u {
                        Some(u) => format!("no trust anchors configured (x5u {u} not checked)"),
                        None => "no x5u and no trust anchors configured".to_owned(),
                    },
                );
            };
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
            let chain = match validate_chain(&pem, anchors, ctx.run.at, &self.inner.chain_policy) {
                Ok(c) => c,
                Err(e) => {
                    return CheckResult::new(check, Outcome::Fail, format!("x5u {x5u}: {e}"));
                }
            };
            if !jwk_matches_spki(&jwk, &chain.leaf_public_key_spki_der) {
                return CheckResult::new(
                    check,
                    Outcome::Fail,
                    format!(
                        "the JWK of {vm} is not the public key of the leaf certificate of {x5u}"
                    ),
                );
            }
            passes.push(format!(
                "{vm}: x5u {x5u} leaf {:?} → trust anchor {:?}{}",
                chain.leaf_subject,
                chain.root_subject,
                if chain.ev { " (EV)" } else { "" }
            ));
        }
        CheckResult::new(check, Outcome::Pass, passes.join("; "))
    }
}
