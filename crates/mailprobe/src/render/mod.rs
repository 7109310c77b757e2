//! Rendering reports: text for people, JSON for scripts. Gathering never formats; this never
//! gathers.

pub mod json;
pub mod text;
