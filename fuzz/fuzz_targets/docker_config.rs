//! The docker config decoder: never panics, on either layout.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pullcheck::manifest::facts::docker_config_registry_keys;

fuzz_target!(|data: &[u8]| {
    let _ = docker_config_registry_keys(data, true);
    let _ = docker_config_registry_keys(data, false);
});
