//! Node configuration: `configs/node.toml` (compiled in as the defaults), an optional file given with
//! `--config`, then `--set section.key=value` overrides, then the dedicated flags. Unknown keys are
//! errors, so a typo never silently leaves a default in place.

use std::path::PathBuf;

use serde::Deserialize;

/// The documented defaults.
pub const DEFAULTS: &str = include_str!("../../../configs/node.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub node: NodeConfig,
    pub wire: WireConfig,
    pub storage: StorageConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    pub data_dir: PathBuf,
    pub listen: String,
    pub cores: usize,
    pub idle_poll_us: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireConfig {
    pub max_message_bytes: usize,
    pub loopback_only: bool,
    pub max_connections: usize,
    pub hba_file: String,
    pub tls_cert_file: String,
    pub tls_key_file: String,
    pub tcp_keepalives_idle: u32,
    pub tcp_keepalives_interval: u32,
    pub tcp_keepalives_count: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub device: String,
    pub deadlock_timeout_ms: u64,
    pub checkpoint_interval_s: f64,
    pub buffer_pool_bytes: u64,
    pub buffer_mode: String,
    pub data_file_max_bytes: u64,
}

/// Merges `overlay` into `base`, table by table.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_table)), toml::Value::Table(overlay_table)) => {
                merge(base_table, overlay_table)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Builds the configuration from the defaults, a file and `section.key=value` overrides.
pub fn load(file: Option<&PathBuf>, sets: &[String]) -> Result<Config, String> {
    let mut table: toml::Table = DEFAULTS
        .parse()
        .map_err(|e| format!("built-in defaults: {e}"))?;
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let overlay: toml::Table = text
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        merge(&mut table, overlay);
    }
    for set in sets {
        let (path, value) = set
            .split_once('=')
            .ok_or_else(|| format!("--set {set}: expected section.key=value"))?;
        let (section, key) = path
            .trim()
            .split_once('.')
            .ok_or_else(|| format!("--set {set}: expected section.key=value"))?;
        // A value that is not valid TOML (a bare path, say) is taken as a string.
        let value: toml::Value = format!("v = {}", value.trim())
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.trim().to_string()));
        let mut overlay = toml::Table::new();
        let mut inner = toml::Table::new();
        inner.insert(key.to_string(), value);
        overlay.insert(section.to_string(), toml::Value::Table(inner));
        merge(&mut table, overlay);
    }
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format!("configuration: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_sets_override() {
        let config = load(None, &[]).unwrap();
        assert_eq!(config.node.listen, "127.0.0.1:5433");
        assert_eq!(config.node.data_dir, PathBuf::from("./keel-data"));
        assert_eq!(config.storage.device, "uring");
        let config = load(
            None,
            &[
                "node.cores=3".into(),
                "node.data_dir=/tmp/x".into(),
                "storage.deadlock_timeout_ms = 10".into(),
                "storage.checkpoint_interval_s=0.5".into(),
            ],
        )
        .unwrap();
        assert_eq!(config.node.cores, 3);
        assert_eq!(config.node.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(config.storage.deadlock_timeout_ms, 10);
        assert_eq!(config.storage.checkpoint_interval_s, 0.5);
        assert_eq!(load(None, &[]).unwrap().storage.checkpoint_interval_s, 60.0);
        assert!(load(None, &["node.nope=1".into()]).is_err());
    }
}
