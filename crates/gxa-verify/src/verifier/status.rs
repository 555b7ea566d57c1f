//! Check 6, status: each `credentialStatus` entry's list credential is fetched, verified in
//! turn and its bit read (Bitstring Status List, StatusList2021).

use super::*;

impl Verifier {
    /// Check 6 for a credential.
    pub(super) async fn status_check(&self, node: &Node, ctx: &Ctx<'_>) -> CheckResult {
        let check = CheckKind::Status;
        if !ctx.run.status {
            return CheckResult::new(
                check,
                Outcome::Skipped,
                "status list credential: its own status is not followed",
            );
        }
        let entries = match status_entries(&node.doc) {
            Ok(e) => e,
            Err(e) => return CheckResult::new(check, Outcome::Fail, e),
        };
        if entries.is_empty() {
            return CheckResult::new(check, Outcome::Skipped, "no credentialStatus");
        }
        let Some(fetcher) = &self.inner.fetcher else {
            let urls: Vec<&str> = entries.iter().map(|e| e.list_url.as_str()).collect();
            return CheckResult::new(
                check,
                Outcome::Skipped,
                format!("offline: status list {} not fetched", urls.join(", ")),
            );
        };
        let mut passes = Vec::new();
        for entry in &entries {
            match self.one_status(fetcher, entry, &ctx.run.fetches).await {
                Ok(pass) => passes.push(pass),
                Err((outcome, reason)) => return CheckResult::new(check, outcome, reason),
            }
        }
        CheckResult::new(check, Outcome::Pass, passes.join("; "))
    }

    /// One status entry: its list credential fetched, verified and its bit read.
    pub(super) async fn one_status(
        &self,
        fetcher: &Fetcher,
        entry: &StatusEntry,
        fetches: &FetchBudget,
    ) -> Result<String, (Outcome, String)> {
        let url = &entry.list_url;
        fetches.take(url).map_err(|reason| {
            (
                Outcome::Error,
                format!("status list {url} not fetched: {reason}"),
            )
        })?;
        let fetched = fetcher.get(url, ACCEPT_VC).await.map_err(|e| {
            (
                fetch_outcome(&e),
                format!("status list {url} {}: {e}", fetch_verb(&e)),
            )
        })?;
        let text = String::from_utf8(fetched.body.to_vec())
            .map_err(|_| (Outcome::Fail, format!("status list {url} is not UTF-8")))?;
        // A status list states the status as of the moment it is served, and issuers sign
        // it on demand (ours does, so does the Gaia-X registry), so its own validity is
        // checked when it was fetched, not at the credential's verification time: a list
        // signed a moment after `at` (or any list when `at` lies in the past) is current,
        // not "issued in the future". Bitstring Status List v1.0 §3.2 ("validate the status
        // list credential"); the credential's own validity stays checked at `at`.
        let run = Run {
            at: Timestamp::now(),
            status: false,
            shapes: false,
            fetches: fetches.clone(),
        };
        let report = Box::pin(self.verify_run(text.clone(), run)).await;
        match report.verdict {
            crate::Verdict::Valid => {}
            crate::Verdict::Invalid => {
                return Err((
                    Outcome::Fail,
                    format!(
                        "status list credential {url} is invalid: {}",
                        report.problems().join("; ")
                    ),
                ));
            }
            crate::Verdict::CouldNotCheck => {
                return Err((
                    Outcome::Error,
                    format!(
                        "status list credential {url} could not be checked: {}",
                        report.problems().join("; ")
                    ),
                ));
            }
        }
        let list_doc = parse_input(&text, InputLimits::NONE, &CanonCache::default()).doc;
        let bits = Bitstring::from_list_credential(&list_doc)
            .map_err(|e| (Outcome::Fail, format!("status list {url}: {e}")))?;
        if let Some(p) = &bits.purpose
            && p != &entry.purpose
        {
            return Err((
                Outcome::Fail,
                format!(
                    "status list {url} has purpose {p:?}, the entry {:?}",
                    entry.purpose
                ),
            ));
        }
        let value = bits.value(entry.index, entry.size).ok_or_else(|| {
            (
                Outcome::Fail,
                format!(
                    "statusListIndex {} is outside status list {url} ({} entries)",
                    entry.index,
                    bits.len(entry.size)
                ),
            )
        })?;
        if value != 0 && matches!(entry.purpose.as_str(), "revocation" | "suspension") {
            let state = if entry.purpose == "revocation" {
                "revoked"
            } else {
                "suspended"
            };
            return Err((
                Outcome::Fail,
                format!("{state}: entry {} of status list {url} is set", entry.index),
            ));
        }
        Ok(format!(
            "{} {} entry {} of {url}: {value}",
            entry.kind, entry.purpose, entry.index
        ))
    }
}
