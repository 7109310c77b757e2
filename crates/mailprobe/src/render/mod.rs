//! Rendering reports: text for people, JSON for scripts. Gathering never formats; this never
//! gathers. Text from peers and logs reaches text output only through [`safe`].

pub mod json;
pub mod safe;
pub mod text;
