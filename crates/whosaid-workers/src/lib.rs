//! whosaid-workers: whosaid scaled out over many processes. Articles go into a NATS
//! JetStream stream (work-queue retention, one durable pull consumer shared by every
//! worker); workers extract and store them in PostgreSQL, acknowledging each message only
//! after its batch's transaction committed; a scheduler polls feeds on a timer, one active
//! at a time. This crate is the wiring between `whosaid-ingest`, `whosaid-core` and
//! `whosaid-store`'s PostgreSQL backend; it does no extraction or storage logic itself.
//!
//! Flow and guarantees: docs/scale-out.md. Entry points: [`submit::submit`],
//! [`worker::run`], [`schedule::run`], [`failed`], [`status::status`].

pub mod config;
pub mod error;
pub mod failed;
pub mod gen;
pub mod message;
pub mod metrics;
pub mod schedule;
pub mod status;
pub mod submit;
pub mod worker;

pub use config::ScaleConfig;
pub use error::ScaleError;
