//! Inventory snapshots → Gaia-X self-descriptions ([`Issuer::submit_inventory`]).
//!
//! The documents are those of `gx-attest inventory build` ([`gxa_inventory::loire::build`],
//! [`gxa_inventory::tagus::build`]); each goes into the slot `inventory/{owner}/{file}/{profile}`
//! and is issued only when its content hash differs from the slot's current credential. The
//! issuer then gives it a fresh id, the issuer's DID, a validity of
//! [`IssuerConfig::credential_validity`](crate::IssuerConfig) and a status entry.

use gxa_credential::Profile;
use gxa_inventory::input::hosts::parse_host;
use gxa_inventory::input::netbox::parse_netbox;
use gxa_inventory::input::openstack::{parse_catalog, parse_flavor_yaml};
use gxa_inventory::loire::Inventory;
use gxa_store::StoredCredential;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::issuer::{SLOT_ATTEMPTS, SlotIssue, SlotResult, slot_name};
use crate::scs::unchanged_current;
use crate::withdraw::Planned;
use crate::{
    InventoryOptions, InventoryOutcome, InventorySnapshot, IssuedRef, Issuer, IssuerError, proof,
};

/// The parsed inputs of a snapshot (the provider comes from the configuration).
fn inventory(
    provider: gxa_inventory::input::provider::ProviderFile,
    snapshot: &InventorySnapshot,
) -> Result<Inventory, IssuerError> {
    let mut flavors = Vec::new();
    let mut images = Vec::new();
    if let Some(openstack) = &snapshot.openstack {
        let catalog =
            parse_catalog(&openstack.to_string(), "openstack").map_err(IssuerError::Inventory)?;
        flavors.extend(catalog.flavors);
        images.extend(catalog.images);
    }
    if let Some(yaml) = &snapshot.flavor_yaml {
        flavors.extend(parse_flavor_yaml(yaml, "flavor_yaml").map_err(IssuerError::Inventory)?);
    }
    let mut hosts = Vec::with_capacity(snapshot.hosts.len());
    for (i, host) in snapshot.hosts.iter().enumerate() {
        hosts.push(
            parse_host(&host.to_string(), &format!("hosts[{i}]"))
                .map_err(IssuerError::Inventory)?,
        );
    }
    let netbox = match &snapshot.netbox {
        Some(netbox) => {
            Some(parse_netbox(&netbox.to_string(), "netbox").map_err(IssuerError::Inventory)?)
        }
        None => None,
    };
    Ok(Inventory {
        provider,
        flavors,
        images,
        hosts,
        netbox,
        valid_from: None,
    })
}

/// The slot of an inventory document.
fn inventory_slot(owner: &str, file: &str, profile: Profile) -> String {
    slot_name(&["inventory", owner, file, profile.as_str()])
}

/// Sets issuer and validity of an unsigned self-description.
pub(crate) fn set_validity(
    doc: &mut Map<String, Value>,
    profile: Profile,
    issuer: &str,
    from: Timestamp,
    until: Timestamp,
) {
    doc.insert("issuer".to_owned(), json!(issuer));
    for key in ["issuanceDate", "expirationDate", "validFrom", "validUntil"] {
        doc.remove(key);
    }
    let (from_key, until_key) = match profile {
        Profile::Tagus => ("issuanceDate", "expirationDate"),
        Profile::Loire => ("validFrom", "validUntil"),
    };
    // Before the subject, as credentials are usually written.
    let subject = doc.remove("credentialSubject");
    doc.insert(from_key.to_owned(), json!(from.to_string()));
    doc.insert(until_key.to_owned(), json!(until.to_string()));
    if let Some(subject) = subject {
        doc.insert("credentialSubject".to_owned(), subject);
    }
}

impl Issuer {
    /// An inventory snapshot for `subject`: builds the self-descriptions in every configured
    /// profile, (re)issues only those whose content changed (the content hash compared with
    /// the current credential of the same slot), leaves the rest (`unchanged`), and withdraws
    /// what the snapshot no longer describes, within the withdrawal guard (see
    /// [`Issuer::submit_inventory_with`]; this is it without confirmation).
    pub async fn submit_inventory(
        &self,
        subject: &str,
        snapshot: &InventorySnapshot,
    ) -> Result<InventoryOutcome, IssuerError> {
        self.submit_inventory_with(subject, snapshot, InventoryOptions::default())
            .await
    }

    /// [`Issuer::submit_inventory`] with options, by the subject's own account.
    pub async fn submit_inventory_with(
        &self,
        subject: &str,
        snapshot: &InventorySnapshot,
        options: InventoryOptions,
    ) -> Result<InventoryOutcome, IssuerError> {
        self.submit_inventory_for(subject, subject, snapshot, options)
            .await
    }

    /// An inventory snapshot sent by `account` for `subject`: the account's own subject or one
    /// it is a delegate of ([`Account::delegate_of`](crate::Account)); any other subject is
    /// [`IssuerError::ForeignSubject`] and nothing is issued or withdrawn.
    ///
    /// A snapshot is the whole inventory: a self-description it no longer contains (a flavor
    /// deleted, an image retired, a node gone) must not stay valid, so the current credential
    /// of every such slot is revoked (its status bit set and a `revoked` change recorded, which
    /// catalogues syncing `/changes` see). Only slots of profiles issued now are considered:
    /// removing a profile from the configuration stops re-issuance, it does not revoke.
    ///
    /// Everything is built and the withdrawal worked out before anything is issued: a
    /// snapshot that would empty a section or withdraw more than
    /// [`IssuerConfig::max_withdraw_percent`](crate::IssuerConfig) is refused with
    /// [`IssuerError::WithdrawalRefused`] and changes nothing, unless
    /// [`InventoryOptions::confirm_withdraw`] is set.
    ///
    /// Errors: [`IssuerError::ForeignSubject`], [`IssuerError::NoProvider`] when no provider
    /// is configured, [`IssuerError::Inventory`] for inputs that do not parse (the message
    /// names the input and field), [`IssuerError::WithdrawalRefused`].
    pub async fn submit_inventory_for(
        &self,
        account: &str,
        subject: &str,
        snapshot: &InventorySnapshot,
        options: InventoryOptions,
    ) -> Result<InventoryOutcome, IssuerError> {
        let config = &self.inner.config;
        if !config.may_submit_for(account, subject) {
            return Err(IssuerError::ForeignSubject {
                account: account.to_owned(),
                subject: subject.to_owned(),
                action: "submit inventory",
            });
        }
        let Some(provider) = config.provider.clone() else {
            return Err(IssuerError::NoProvider);
        };
        let inventory = inventory(provider, snapshot)?;
        let now = gxa_credential::now();
        let until = now
            .checked_add(config.credential_validity)
            .map_err(|e| IssuerError::Config(format!("credential validity: {e}")))?;
        let mut outcome = InventoryOutcome {
            issued: Vec::new(),
            unchanged: Vec::new(),
            withdrawn: Vec::new(),
            warnings: Vec::new(),
        };
        // (profile, slot, file, document) of everything the snapshot describes.
        let mut built = Vec::new();
        for &profile in &config.profiles {
            let inventory = inventory.clone();
            let build = proof::blocking(move || match profile {
                Profile::Tagus => gxa_inventory::tagus::build(&inventory),
                Profile::Loire => gxa_inventory::loire::build(&inventory),
            })
            .await?;
            if !build.missing_criteria.is_empty() {
                return Err(IssuerError::CriteriaMissing(build.missing_criteria));
            }
            for warning in build.warnings {
                if !outcome.warnings.contains(&warning) {
                    outcome.warnings.push(warning);
                }
            }
            for document in build.documents {
                let Value::Object(mut doc) = document.credential else {
                    return Err(IssuerError::Internal(format!(
                        "{} is not a JSON object",
                        document.file_name
                    )));
                };
                set_validity(&mut doc, profile, &self.inner.did, now, until);
                let slot = inventory_slot(subject, &document.file_name, profile);
                built.push((profile, slot, document.file_name, doc));
            }
        }
        let planned: Vec<Planned<'_>> = built
            .iter()
            .map(|(_, slot, file, doc)| Planned { slot, file, doc })
            .collect();
        let plan = self.withdrawal_plan(subject, &planned).await?;
        self.check_withdrawal(subject, &plan, options)?;
        for (profile, slot, _, doc) in built {
            match self
                .issue_document(subject, &slot, profile, doc, now, None)
                .await?
            {
                DocumentOutcome::Issued(reference) => outcome.issued.push(reference),
                DocumentOutcome::Unchanged(id) => outcome.unchanged.push(id),
            }
        }
        outcome.withdrawn = self.withdraw(subject, plan).await?;
        Ok(outcome)
    }

    /// Issues an unsigned document (issuer and validity set) into `slot` unless the slot's
    /// current credential has the same content; with `replacing` (scheduled re-issuance),
    /// replaces that credential whatever the content, unless it is no longer current. Retries
    /// when another replica moved the slot.
    pub(crate) async fn issue_document(
        &self,
        owner: &str,
        slot: &str,
        profile: Profile,
        doc: Map<String, Value>,
        now: Timestamp,
        replacing: Option<&str>,
    ) -> Result<DocumentOutcome, IssuerError> {
        let hash = {
            let doc = Value::Object(doc.clone());
            proof::blocking(move || proof::content_hash(&doc, &[])).await??
        };
        let mut spare_status = None;
        for _ in 0..SLOT_ATTEMPTS {
            let current: Option<StoredCredential> = self.inner.store.current_in_slot(slot).await?;
            match (replacing, &current) {
                // Scheduled re-issuance replaces only the credential it saw expiring: when
                // another replica replaced it meanwhile, the slot is fresh already.
                (Some(old), Some(c)) if c.id != old => {
                    return Ok(DocumentOutcome::Unchanged(c.id.clone()));
                }
                (Some(_), _) => {}
                (None, _) => {
                    if let Some(current) = unchanged_current(current.as_ref(), &hash) {
                        return Ok(DocumentOutcome::Unchanged(current.id.clone()));
                    }
                }
            }
            let status = self.status_for(&doc, profile, &mut spare_status).await?;
            let id = self.new_credential_id();
            let mut doc = doc.clone();
            self.stamp(&mut doc, profile, &id, status.as_ref());
            let issue = SlotIssue {
                slot,
                owner,
                profile,
                expected: current.as_ref(),
                doc: Value::Object(doc),
                content_hash: hash.clone(),
                issued_at: now,
                evidence: None,
                // A changed self-description is a fresher statement about the same resource:
                // the previous one stays valid until it ends (catalogues follow `reissued`).
                previous: gxa_store::Previous::KeepValid,
            };
            match self.issue_into_slot(issue, id, status.clone()).await? {
                SlotResult::Issued(reference) => return Ok(DocumentOutcome::Issued(reference)),
                SlotResult::Moved => spare_status = status,
            }
        }
        Err(IssuerError::Contended {
            what: format!("slot {slot}"),
            by: "issuance",
        })
    }
}

/// What [`Issuer::issue_document`] did.
pub(crate) enum DocumentOutcome {
    Issued(IssuedRef),
    Unchanged(String),
}
