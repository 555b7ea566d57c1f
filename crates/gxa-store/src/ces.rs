//! What the store keeps of a Credential Event Service (migration 0005): the events received
//! by this service's own CES endpoint, once per `source` + `id`.

use jiff::Timestamp;

/// A received CloudEvent, as [`Store::receive_ces_event`](crate::Store::receive_ces_event)
/// takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCesEvent {
    /// The event's `source`.
    pub source: String,
    /// The event's `id` (unique within `source`).
    pub event_id: String,
    /// The event's `subject` (the credential's id), if any.
    pub subject: Option<String>,
    /// The event as JSON.
    pub body: String,
}

/// The outcome of storing a received event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CesReceipt {
    /// Its place in the listing.
    pub seq: u64,
    /// `false` for a repeated delivery (stored before, unchanged).
    pub new: bool,
}

/// A stored received event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CesEvent {
    /// Its place in the listing (increasing; not gapless on PostgreSQL).
    pub seq: u64,
    /// The event's `source`.
    pub source: String,
    /// The event's `id`.
    pub event_id: String,
    /// When it arrived.
    pub received_at: Timestamp,
    /// The event as JSON.
    pub body: String,
}
