#![allow(dead_code)]

pub mod oauth;
pub mod testenv;
