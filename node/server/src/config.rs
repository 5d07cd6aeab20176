//! Node configuration: `configs/node.toml` (compiled in as the defaults), an optional file given with
//! `--config`, then `--set section.key=value` overrides, then the dedicated flags. Unknown keys are
//! errors, so a typo never silently leaves a default in place.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The documented defaults.
pub const DEFAULTS: &str = include_str!("../../../configs/node.toml");

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub node: NodeConfig,
    pub wire: WireConfig,
    pub storage: StorageConfig,
    /// The file given with `--config` (absolute), whose settings `pg_file_settings` lists.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    pub data_dir: PathBuf,
    pub listen: String,
    pub cores: usize,
    pub idle_poll_us: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub device: String,
    pub deadlock_timeout_ms: u64,
    pub checkpoint_interval_s: f64,
    pub buffer_pool_bytes: u64,
    pub buffer_mode: String,
    pub data_file_max_bytes: u64,
}

impl StorageConfig {
    /// The buffer pool's size: `buffer_pool_bytes`, or where that is 0 (the default), a quarter
    /// of the memory the node may use (the machine's, or its cgroup's limit where lower), at
    /// least 1 GiB: tables are read with O_DIRECT, so no page cache holds what the pool does not
    /// (PostgreSQL's advice for shared_buffers is a quarter of the memory, beside the page cache).
    pub fn pool_bytes(&self) -> u64 {
        match self.buffer_pool_bytes {
            0 => (usable_memory() / 4).max(1 << 30),
            bytes => bytes,
        }
    }
}

/// The machine's physical memory, or the node's cgroup's memory limit where that is lower
/// (cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`).
fn usable_memory() -> u64 {
    // SAFETY: sysconf only reads system configuration.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let physical = (pages.max(0) as u64).saturating_mul(page.max(0) as u64);
    let limit = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|groups| {
            groups.lines().find_map(|line| {
                let mut parts = line.splitn(3, ':');
                let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
                let file = match controllers {
                    "" => format!("/sys/fs/cgroup{path}/memory.max"),
                    "memory" => format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"),
                    _ => return None,
                };
                std::fs::read_to_string(file)
                    .ok()?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        });
    match limit {
        Some(limit) if limit > 0 && (physical == 0 || limit < physical) => limit,
        _ => physical,
    }
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
    let mut config: Config = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format!("configuration: {e}"))?;
    config.file = file.map(|path| std::path::absolute(path).unwrap_or_else(|_| path.clone()));
    Ok(config)
}

/// `pg_file_settings`: the `--config` file's settings as the file reads now (none without a
/// file): each `key = value` line under its `[section]` as `section.key`, numbered in file
/// order, applied when the node runs with that value. The node reads its file only when it
/// starts, so a value changed since (or overridden by `--set` or a flag) is not applied, with
/// PostgreSQL's error for a setting that needs a restart; an unknown key or a line that does
/// not parse is listed with its error, as PostgreSQL lists a bad line of postgresql.conf.
pub fn file_settings(config: &Config) -> Vec<keel_sql::system::FileSetting> {
    use keel_sql::system::FileSetting;
    let Some(path) = &config.file else {
        return Vec::new();
    };
    let sourcefile = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return vec![FileSetting {
                sourcefile,
                sourceline: None,
                seqno: None,
                name: None,
                setting: None,
                applied: false,
                error: Some(format!("could not open file \"{}\": {e}", path.display())),
            }]
        }
    };
    let running = toml::Value::try_from(config).ok();
    let mut section = String::new();
    let mut settings = Vec::new();
    for (at, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line.parse::<toml::Table>();
        // A `[section]` header (TOML parses it as an empty table).
        if let Ok(table) = &parsed {
            if let Some((name, toml::Value::Table(inner))) = table.iter().next() {
                if inner.is_empty() && line.starts_with('[') {
                    section = name.clone();
                    continue;
                }
            }
        }
        let mut setting = FileSetting {
            sourcefile: sourcefile.clone(),
            sourceline: Some(at as i32 + 1),
            seqno: Some(settings.len() as i32 + 1),
            name: None,
            setting: None,
            applied: false,
            error: Some("syntax error".to_string()),
        };
        if let Some((key, value)) = parsed.ok().and_then(|t| t.into_iter().next()) {
            let now = (running.as_ref())
                .and_then(|r| r.get(&section))
                .and_then(|s| s.get(&key));
            setting.name = Some(format!("{section}.{key}"));
            setting.setting = Some(match &value {
                toml::Value::String(text) => text.clone(),
                other => other.to_string(),
            });
            setting.applied = now.is_some_and(|now| same_value(now, &value));
            setting.error = match now {
                None => Some("unrecognized configuration parameter".to_string()),
                Some(_) if !setting.applied => Some("setting could not be applied".to_string()),
                Some(_) => None,
            };
        }
        settings.push(setting);
    }
    settings
}

/// Whether a file's value is the running one (an integer equals the same float).
fn same_value(running: &toml::Value, file: &toml::Value) -> bool {
    match (running, file) {
        (toml::Value::Float(a), toml::Value::Integer(b)) => *a == *b as f64,
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_settings_list_the_file_as_it_reads_now() {
        let dir = std::env::temp_dir().join(format!("keel-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("node.toml");
        let file =
            "# a comment\n[node]\nidle_poll_us = 100\n\n[storage]\ncheckpoint_interval_s = 30\n";
        std::fs::write(&path, file).unwrap();
        let config = load(Some(&path), &["node.idle_poll_us=50".into()]).unwrap();
        let rows = file_settings(&config);
        let shown: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.sourceline,
                    r.name.as_deref(),
                    r.setting.as_deref(),
                    r.applied,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (Some(3), Some("node.idle_poll_us"), Some("100"), false),
                (
                    Some(6),
                    Some("storage.checkpoint_interval_s"),
                    Some("30"),
                    true
                ),
            ]
        );
        assert_eq!(
            rows[0].error.as_deref(),
            Some("setting could not be applied")
        );
        assert_eq!(rows[1].error, None);
        // Changed and broken since the start: read again, as PostgreSQL reads its file.
        std::fs::write(
            &path,
            "[storage]\ncheckpoint_interval_s = 45\nnope = 1\nbad line\n",
        )
        .unwrap();
        let rows = file_settings(&config);
        let errors: Vec<_> = rows
            .iter()
            .map(|r| (r.name.as_deref(), r.error.as_deref()))
            .collect();
        assert_eq!(
            errors,
            [
                (
                    Some("storage.checkpoint_interval_s"),
                    Some("setting could not be applied")
                ),
                (
                    Some("storage.nope"),
                    Some("unrecognized configuration parameter")
                ),
                (None, Some("syntax error")),
            ]
        );
        assert_eq!(rows[2].seqno, Some(3));
        assert!(file_settings(&load(None, &[]).unwrap()).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The default pool is a quarter of the memory, at least 1 GiB and at most the memory (or
    /// 1 GiB where that is all there is); a size set is kept.
    #[test]
    fn the_default_pool_follows_the_memory() {
        let config = load(None, &[]).unwrap();
        assert_eq!(config.storage.buffer_pool_bytes, 0);
        let pool = config.storage.pool_bytes();
        let memory = usable_memory();
        assert!(memory > 0);
        assert_eq!(pool, (memory / 4).max(1 << 30));
        let config = load(None, &["storage.buffer_pool_bytes=8388608".into()]).unwrap();
        assert_eq!(config.storage.pool_bytes(), 8 << 20);
    }

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
