#![doc = include_str!("../README.md")]

pub mod flavor_name;
pub mod input;
pub mod loire;
pub mod tagus;
