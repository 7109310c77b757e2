#![allow(dead_code)]

pub mod cli;
pub mod hostile;
pub mod oauth;
pub mod testenv;
