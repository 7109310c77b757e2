#![allow(dead_code)]

pub mod testenv;
