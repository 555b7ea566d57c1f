//! The withdrawal guard of inventory snapshots.
//!
//! A snapshot is the whole inventory: what it no longer describes is withdrawn (revoked). A
//! truncated export, a script that lost a section or an empty body would therefore revoke real
//! credentials, so before anything is issued the issuer works out what the snapshot would
//! withdraw and refuses it ([`IssuerError::WithdrawalRefused`]) when it would
//!
//! - empty a *section*: leave no `hosts` (`host-*` documents), no `locations` (`az-*`,
//!   `datacenter-*`, `region-*`), no `flavors` or no `images` (the lists of the Loire VM
//!   offering) where the current credentials have some; or
//! - withdraw more than [`IssuerConfig::max_withdraw_percent`](crate::IssuerConfig) of the
//!   subject's current inventory credentials, when that is configured;
//!
//! unless the caller confirms ([`InventoryOptions::confirm_withdraw`]). A withdrawal is a
//! revocation (status bit and `revoked` change), and it is recoverable: a later snapshot that
//! describes the item again issues a new credential for it.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use crate::issuer::slot_name;
use crate::{InventoryOptions, Issuer, IssuerError, proof};

/// The section a document belongs to, by its file name.
fn section_of(file: &str) -> Option<&'static str> {
    if file.starts_with("host-") {
        Some("hosts")
    } else if ["az-", "datacenter-", "region-"]
        .iter()
        .any(|prefix| file.starts_with(prefix))
    {
        Some("locations")
    } else {
        None
    }
}

/// The VM offering's document, whose flavor and image lists are sections too.
const VM_OFFERING: &str = "vm-offering.json";

/// Lengths of the VM offering's flavor (`instantiationReq`) and image (`codeArtifact`) lists.
fn offering_lists(doc: &Value) -> [(&'static str, usize); 2] {
    let subject = doc.get("credentialSubject");
    let count = |key: &str| {
        subject
            .and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    [
        ("flavors", count("instantiationReq")),
        ("images", count("codeArtifact")),
    ]
}

/// One document of a snapshot about to be issued.
pub(crate) struct Planned<'a> {
    pub(crate) slot: &'a str,
    pub(crate) file: &'a str,
    pub(crate) doc: &'a Map<String, Value>,
}

/// What a snapshot would withdraw.
#[derive(Debug, Default)]
pub(crate) struct WithdrawalPlan {
    /// Current (not revoked) inventory credentials of the subject in the issued profiles.
    current: usize,
    /// `(slot, credential id)` of each credential to withdraw.
    withdraw: Vec<(String, String)>,
    /// Sections the snapshot would empty.
    emptied: BTreeSet<&'static str>,
}

impl Issuer {
    /// Works out what a snapshot of `planned` documents would withdraw for `subject`.
    pub(crate) async fn withdrawal_plan(
        &self,
        subject: &str,
        planned: &[Planned<'_>],
    ) -> Result<WithdrawalPlan, IssuerError> {
        let profiles: Vec<&str> = self
            .inner
            .config
            .profiles
            .iter()
            .map(|p| p.as_str())
            .collect();
        let prefix = format!("{}/", slot_name(&["inventory", subject]));
        let described: HashSet<&str> = planned.iter().map(|p| p.slot).collect();
        let mut new_sections: HashSet<&'static str> = HashSet::new();
        let mut new_offerings: HashMap<&str, [(&'static str, usize); 2]> = HashMap::new();
        for planned in planned {
            new_sections.extend(section_of(planned.file));
            if planned.file == VM_OFFERING {
                let lists = offering_lists(&Value::Object(planned.doc.clone()));
                new_offerings.insert(planned.slot, lists);
            }
        }
        let mut plan = WithdrawalPlan::default();
        for (slot, credential) in self.inner.store.slots_of_subject(subject).await? {
            let Some((file, profile)) = slot
                .strip_prefix(&prefix)
                .and_then(|rest| rest.rsplit_once('/'))
            else {
                continue;
            };
            if !profiles.contains(&profile) || credential.revoked_at.is_some() {
                continue;
            }
            plan.current += 1;
            if let Some(section) = section_of(file)
                && !new_sections.contains(section)
            {
                plan.emptied.insert(section);
            }
            if file == VM_OFFERING
                && let Some(new_lists) = new_offerings.get(slot.as_str())
            {
                let (body, format) = (credential.body.clone(), credential.format);
                let old =
                    proof::blocking(move || proof::unsigned_document(&body, format)).await??;
                for ((section, old_len), (_, new_len)) in
                    offering_lists(&old).into_iter().zip(new_lists)
                {
                    if old_len > 0 && *new_len == 0 {
                        plan.emptied.insert(section);
                    }
                }
            }
            if !described.contains(slot.as_str()) {
                plan.withdraw.push((slot, credential.id));
            }
        }
        Ok(plan)
    }

    /// Refuses `plan` unless it is within the guard or confirmed; logs a refusal and a
    /// confirmed withdrawal.
    pub(crate) fn check_withdrawal(
        &self,
        subject: &str,
        plan: &WithdrawalPlan,
        options: InventoryOptions,
    ) -> Result<(), IssuerError> {
        let withdraw = plan.withdraw.len();
        let over_share = self
            .inner
            .config
            .max_withdraw_percent
            .is_some_and(|percent| withdraw * 100 > usize::from(percent) * plan.current);
        if withdraw == 0 && plan.emptied.is_empty() {
            return Ok(());
        }
        let emptied: Vec<&'static str> = plan.emptied.iter().copied().collect();
        if !over_share && emptied.is_empty() {
            return Ok(());
        }
        if options.confirm_withdraw {
            tracing::warn!(
                %subject,
                withdraw,
                current = plan.current,
                emptied = ?emptied,
                "inventory withdrawal beyond the guard, confirmed by the caller"
            );
            return Ok(());
        }
        tracing::warn!(
            %subject,
            withdraw,
            current = plan.current,
            emptied = ?emptied,
            "inventory snapshot refused: it would withdraw beyond the guard"
        );
        Err(IssuerError::WithdrawalRefused {
            withdraw,
            current: plan.current,
            emptied,
        })
    }

    /// Withdraws the credentials of `plan` that are still current in their slots (another
    /// snapshot may have replaced one meanwhile); returns the ids newly revoked.
    pub(crate) async fn withdraw(
        &self,
        subject: &str,
        plan: WithdrawalPlan,
    ) -> Result<Vec<String>, IssuerError> {
        if plan.withdraw.is_empty() {
            return Ok(Vec::new());
        }
        let still_current: HashMap<String, String> = self
            .inner
            .store
            .slots_of_subject(subject)
            .await?
            .into_iter()
            .filter(|(_, credential)| credential.revoked_at.is_none())
            .map(|(slot, credential)| (slot, credential.id))
            .collect();
        let mut withdrawn = Vec::new();
        for (slot, id) in plan.withdraw {
            if still_current.get(&slot) != Some(&id) {
                continue;
            }
            let revocation = self.revoke(subject, &id).await?;
            if revocation.newly_revoked {
                tracing::info!(credential = %id, %slot, "withdrawn: not in the inventory snapshot");
                withdrawn.push(id);
            }
        }
        Ok(withdrawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_by_file_name() {
        assert_eq!(section_of("host-compute-fra1-a-01.json"), Some("hosts"));
        assert_eq!(section_of("az-fra1-a.json"), Some("locations"));
        assert_eq!(section_of("datacenter-fra1.json"), Some("locations"));
        assert_eq!(section_of("region-eu-central.json"), Some("locations"));
        assert_eq!(section_of("legal-person.json"), None);
        assert_eq!(section_of(VM_OFFERING), None);
        let doc = serde_json::json!({"credentialSubject": {"instantiationReq": [1, 2], "codeArtifact": []}});
        assert_eq!(offering_lists(&doc), [("flavors", 2), ("images", 0)]);
    }
}
