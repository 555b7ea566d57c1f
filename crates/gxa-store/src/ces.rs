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

/// How far the change log has been delivered to one CES target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CesDelivery {
    /// The last change-log sequence number the target took or refused for good (0: none).
    pub delivered: u64,
    /// Events it took.
    pub sent: u64,
    /// Events it refused for good (4xx), skipped.
    pub refused: u64,
    /// Attempts that failed and will be retried (5xx, 429, time-outs, connection errors).
    pub failures: u64,
    /// The last refusal or failure.
    pub last_error: Option<String>,
}

/// What became of one delivered event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The target took it.
    Sent,
    /// The target refused it for good (the reason); it is skipped.
    Refused(String),
}
