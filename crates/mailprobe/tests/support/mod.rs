#![allow(dead_code)]

pub mod cli;
pub mod oauth;
pub mod testenv;
