//! The inventory: one target (a device or an account) per CSV row or TOML `[[target]]` table.
//!
//! Both formats share one set of columns and one parser per column, so a value means the same
//! in either; every error names the line and column it was found at. A secret is never in the
//! inventory itself: the `password_from` and `token_from` columns say where it is (an
//! environment variable, a file, the OS keyring), and a value that is not such a reference is
//! refused without being quoted back (it may be the password).

use std::fmt;
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use mailprobe_proto::{SaslMechanism, Security, SendMode, TlsVersion};
use serde::Serialize;

/// The largest inventory read: far above any fleet (10,000 targets of CSV are about 2 MB), and a
/// bound on what a wrong path (`/dev/zero`, a disk image) can cost.
pub const MAX_INVENTORY_BYTES: u64 = 64 * 1024 * 1024;

/// The columns an inventory may have, in the order they are documented.
pub const COLUMNS: &[&str] = &[
    "name",
    "provider",
    "host",
    "port",
    "security",
    "connect_to",
    "user",
    "password_from",
    "token_from",
    "auth",
    "from",
    "to",
    "mode",
    "tls_max",
];

/// Why an inventory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The file could not be opened or read.
    #[error("cannot read the inventory {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_INVENTORY_BYTES`].
    #[error("the inventory {path} is larger than {} MB: is it the right file?", MAX_INVENTORY_BYTES / (1024 * 1024))]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file is not UTF-8 text.
    #[error("the inventory {path} is not UTF-8 text (save it as UTF-8 CSV or TOML)")]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// The file name ends neither in `.csv` nor in `.toml`.
    #[error("the inventory {path} must end in .csv or .toml")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A value, a row or the file's structure is wrong at this place.
    #[error("{at}: {message}")]
    Bad {
        /// Where.
        at: Position,
        /// What is wrong, never quoting a value of a secret column.
        message: String,
    },
    /// The inventory holds no target.
    #[error("the inventory holds no target (a CSV needs a header row and one row per target)")]
    Empty,
}

/// A place in the inventory: line and column, both from 1; the column's name when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column: the character position in the line for TOML, the field's number for CSV.
    pub column: usize,
    /// The inventory column the value belongs to.
    pub field: Option<String>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        Ok(())
    }
}

/// Where a secret is read from. The secret itself is read only when the target is checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecretSource {
    /// An environment variable of the scan's own process.
    Env {
        /// The variable.
        var: String,
    },
    /// The first line of a file (relative paths are relative to the inventory's directory).
    File {
        /// The file.
        path: PathBuf,
    },
    /// An entry of the OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring {
        /// The entry's service.
        service: String,
        /// The entry's account (user name).
        account: String,
    },
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env { var } => write!(f, "env:{var}"),
            Self::File { path } => write!(f, "file:{}", path.display()),
            Self::Keyring { service, account } => write!(f, "keyring:{service}/{account}"),
        }
    }
}

/// One device or account to check, as the inventory describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Its name in the report (unique in the inventory).
    pub name: String,
    /// The line it starts on.
    pub line: usize,
    /// A provider preset (`gmail`, `m365`, `outlook`...): its server when no host is given, and
    /// its rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The SMTP server (a name or an address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The port; the default follows from the security and the mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The connection security; `None` is automatic (implicit TLS on 465, STARTTLS elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    /// Addresses to connect to instead of resolving the host (the host still names the TLS
    /// certificate and the provider).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connect_to: Vec<SocketAddr>,
    /// The login name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Where the password is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_from: Option<SecretSource>,
    /// Where an OAuth 2.0 access token is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_from: Option<SecretSource>,
    /// The SASL mechanism; `None` picks the best offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<SaslMechanism>,
    /// Envelope sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Envelope recipient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// How the device sends through Microsoft 365.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<SendMode>,
    /// The newest TLS version the device speaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_max: Option<TlsVersion>,
}

impl Target {
    fn empty(name: String, line: usize) -> Self {
        Self {
            name,
            line,
            provider: None,
            host: None,
            port: None,
            security: None,
            connect_to: Vec::new(),
            user: None,
            password_from: None,
            token_from: None,
            auth: None,
            from: None,
            to: None,
            mode: None,
            tls_max: None,
        }
    }
}

/// Reads an inventory file: CSV or TOML by its extension, at most [`MAX_INVENTORY_BYTES`].
/// Relative secret file paths are made relative to the inventory's directory.
pub fn read(path: &Path) -> Result<Vec<Target>, InventoryError> {
    let io = |source| InventoryError::Io { path: path.to_owned(), source };
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("csv") => Format::Csv,
        Some("toml") => Format::Toml,
        _ => return Err(InventoryError::UnknownFormat { path: path.to_owned() }),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_INVENTORY_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_INVENTORY_BYTES {
        return Err(InventoryError::TooLarge { path: path.to_owned() });
    }
    let text = String::from_utf8(bytes).map_err(|_| InventoryError::NotText { path: path.to_owned() })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut targets = match format {
        Format::Csv => parse_csv(&text)?,
        Format::Toml => parse_toml(&text)?,
    };
    for t in &mut targets {
        for source in [&mut t.password_from, &mut t.token_from].into_iter().flatten() {
            if let SecretSource::File { path } = source
                && path.is_relative()
            {
                *path = base.join(&*path);
            }
        }
    }
    Ok(targets)
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Toml,
}

/// Parses a CSV inventory: a header row naming the columns (any order, case and `-`/space for
/// `_` do not matter), then one row per target. Comma or semicolon separated (the one the header
/// uses; spreadsheets in many locales write `;`), fields quoted as RFC 4180 says, lines starting
/// with `#` and blank lines skipped.
pub fn parse_csv(text: &str) -> Result<Vec<Target>, InventoryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = CsvRecords::new(text);
    let Some(header) = records.next().transpose()? else {
        return Err(InventoryError::Empty);
    };
    let mut columns: Vec<&'static str> = Vec::with_capacity(header.fields.len());
    for (i, (name, _)) in header.fields.iter().enumerate() {
        let at = Position { line: header.line, column: i + 1, field: None };
        let column = known_column(name).ok_or_else(|| InventoryError::Bad {
            at: at.clone(),
            message: format!("unknown column {name:?}; the columns are: {}", COLUMNS.join(", ")),
        })?;
        if columns.contains(&column) {
            return Err(InventoryError::Bad { at, message: format!("column {column} appears twice") });
        }
        columns.push(column);
    }
    if !columns.contains(&"name") {
        return Err(InventoryError::Bad {
            at: Position { line: header.line, column: 1, field: None },
            message: "the header has no name column (every target needs a name)".into(),
        });
    }
    let mut targets = Vec::new();
    for record in records {
        let record = record?;
        if record.fields.len() != columns.len() {
            return Err(InventoryError::Bad {
                at: Position {
                    line: record.line,
                    column: record.fields.len().min(columns.len()) + 1,
                    field: None,
                },
                message: format!("this row has {} fields, the header {}", record.fields.len(), columns.len()),
            });
        }
        let name_index = columns.iter().position(|c| *c == "name").unwrap_or(0);
        let mut target = Target::empty(String::new(), record.line);
        for (i, ((value, line), column)) in record.fields.iter().zip(&columns).enumerate() {
            let at = Position { line: *line, column: i + 1, field: Some((*column).to_owned()) };
            if i == name_index || !value.trim().is_empty() {
                set(&mut target, column, Value::Text(value), &at)?;
            }
        }
        targets.push(target);
    }
    finish(targets)
}

/// Parses a TOML inventory: `[[target]]` tables with the CSV's columns as keys (`port` an
/// integer, `connect_to` a string or an array of them), and an optional `[defaults]` table whose
/// keys apply to every target that does not set them.
pub fn parse_toml(text: &str) -> Result<Vec<Target>, InventoryError> {
    use toml::de::{DeTable, DeValue};
    let lines = LineIndex::new(text);
    let root = DeTable::parse(text).map_err(|e| {
        let at = lines.position(e.span().map_or(0, |s| s.start), None);
        InventoryError::Bad { at, message: e.message().trim().to_owned() }
    })?;
    let mut defaults: Vec<(&'static str, Value<'_>, Position)> = Vec::new();
    let mut tables = Vec::new();
    for (key, value) in root.get_ref() {
        let at = lines.position(key.span().start, None);
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("target", DeValue::Array(array)) => {
                for item in array.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => tables.push((item.span().start, t)),
                        _ => {
                            return Err(InventoryError::Bad {
                                at: lines.position(item.span().start, None),
                                message: "each target is a table ([[target]])".into(),
                            });
                        }
                    }
                }
            }
            ("defaults", DeValue::Table(t)) => {
                for (k, v) in t {
                    let at = lines.position(v.span().start, None);
                    let column = toml_key(k.get_ref(), &lines.position(k.span().start, None))?;
                    if column == "name" {
                        return Err(InventoryError::Bad {
                            at,
                            message: "a default name makes no sense".into(),
                        });
                    }
                    defaults.push((column, toml_value(v.get_ref(), &at, column)?, at));
                }
            }
            (other, _) => {
                return Err(InventoryError::Bad {
                    at,
                    message: format!(
                        "unknown key {other:?}: an inventory has [[target]] tables and an optional [defaults] table"
                    ),
                });
            }
        }
    }
    let mut targets = Vec::with_capacity(tables.len());
    for (start, table) in tables {
        let line = lines.position(start, None).line;
        let mut target = Target::empty(String::new(), line);
        let mut seen = Vec::new();
        for (k, v) in table {
            let column = toml_key(k.get_ref(), &lines.position(k.span().start, None))?;
            let at = lines.position(v.span().start, Some(column));
            set(&mut target, column, toml_value(v.get_ref(), &at, column)?, &at)?;
            seen.push(column);
        }
        if !seen.contains(&"name") {
            return Err(InventoryError::Bad {
                at: Position { line, column: 1, field: None },
                message: "this target has no name".into(),
            });
        }
        for (column, value, at) in &defaults {
            if !seen.contains(column) {
                let at = Position { field: Some((*column).to_owned()), ..at.clone() };
                set(&mut target, column, value.clone(), &at)?;
            }
        }
        targets.push(target);
    }
    finish(targets)
}

fn toml_key(key: &str, at: &Position) -> Result<&'static str, InventoryError> {
    known_column(key).ok_or_else(|| InventoryError::Bad {
        at: at.clone(),
        message: format!("unknown key {key:?}; the keys are: {}", COLUMNS.join(", ")),
    })
}

fn toml_value<'a>(
    value: &'a toml::de::DeValue<'a>,
    at: &Position,
    column: &str,
) -> Result<Value<'a>, InventoryError> {
    use toml::de::DeValue;
    let bad = |what: &str| InventoryError::Bad { at: at.clone(), message: format!("{column} {what}") };
    match value {
        DeValue::String(s) => Ok(Value::Text(s.as_ref())),
        DeValue::Integer(i) if column == "port" => {
            let n = i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .map_err(|_| bad("is not a port (1 to 65535)"))?;
            Ok(Value::Number(n))
        }
        DeValue::Array(items) if column == "connect_to" => {
            let mut all = Vec::new();
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::String(s) => all.push(s.as_ref()),
                    _ => return Err(bad("must be a list of \"ADDR:PORT\" strings")),
                }
            }
            Ok(Value::List(all))
        }
        _ => Err(bad(if column == "port" { "must be a number" } else { "must be a string" })),
    }
}

/// A value as either format gives it.
#[derive(Clone, Debug)]
enum Value<'a> {
    Text(&'a str),
    Number(i64),
    List(Vec<&'a str>),
}

/// The column a header or key names: case, surrounding spaces and `-`/space for `_` aside.
fn known_column(name: &str) -> Option<&'static str> {
    let norm: String = name
        .trim()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() })
        .collect();
    COLUMNS.iter().copied().find(|c| *c == norm)
}

/// Sets one column of a target from its value, checking it.
fn set(target: &mut Target, column: &str, value: Value<'_>, at: &Position) -> Result<(), InventoryError> {
    let bad = |message: String| InventoryError::Bad { at: at.clone(), message };
    let text = match &value {
        Value::Text(s) => Some(s.trim()),
        _ => None,
    };
    let word = || text.map(str::to_ascii_lowercase).unwrap_or_default();
    // Names and addresses end up in SMTP commands and reports: no control characters.
    let plain = |what: &str| -> Result<Option<String>, InventoryError> {
        match text {
            Some("") => Ok(None),
            Some(s) if s.chars().any(char::is_control) => {
                Err(bad(format!("{what} contains control characters")))
            }
            Some(s) if s.len() > 320 => Err(bad(format!("{what} is longer than 320 characters"))),
            Some(s) => Ok(Some(s.to_owned())),
            None => Err(bad(format!("{what} must be a string"))),
        }
    };
    match column {
        "name" => match plain("the name")? {
            Some(name) => target.name = name,
            None => return Err(bad("the name is empty (every target needs one)".into())),
        },
        "provider" => target.provider = plain("the provider")?.map(|p| p.to_ascii_lowercase()),
        "host" => {
            target.host = plain("the host")?;
            if target.host.as_deref().is_some_and(|h| h.contains(char::is_whitespace)) {
                return Err(bad("the host contains spaces".into()));
            }
        }
        "port" => {
            let n = match value {
                Value::Number(n) => Some(n),
                _ => text.and_then(|s| s.parse::<i64>().ok()),
            };
            match n.and_then(|n| u16::try_from(n).ok()).filter(|p| *p != 0) {
                Some(p) => target.port = Some(p),
                None => return Err(bad(format!("{} is not a port (1 to 65535)", shown(&value)))),
            }
        }
        "security" => {
            target.security = match word().as_str() {
                "auto" => None,
                "starttls" => Some(Security::Starttls),
                "tls" | "ssl" | "ssl/tls" | "implicit" => Some(Security::Tls),
                "none" | "plain" => Some(Security::None),
                _ => return Err(bad(format!("{} is not auto, starttls, tls or none", shown(&value)))),
            }
        }
        "connect_to" => {
            let items = match &value {
                Value::List(items) => items.clone(),
                // several addresses in one CSV cell: space separated
                Value::Text(s) => s.split_whitespace().collect(),
                Value::Number(_) => Vec::new(),
            };
            let mut addrs = Vec::with_capacity(items.len());
            for item in items {
                match item.parse::<SocketAddr>() {
                    Ok(a) if a.port() != 0 => addrs.push(a),
                    _ => {
                        return Err(bad(format!(
                            "{item:?} is not ADDR:PORT (192.0.2.1:587, [2001:db8::1]:587)"
                        )));
                    }
                }
            }
            target.connect_to = addrs;
        }
        "user" => target.user = plain("the user")?,
        "password_from" => target.password_from = secret_source(text, "password").map_err(bad)?,
        "token_from" => target.token_from = secret_source(text, "token").map_err(bad)?,
        "auth" => {
            target.auth = match word().as_str() {
                "auto" => None,
                "plain" => Some(SaslMechanism::Plain),
                "login" => Some(SaslMechanism::Login),
                "xoauth2" => Some(SaslMechanism::XOAuth2),
                "oauthbearer" => Some(SaslMechanism::OAuthBearer),
                _ => {
                    return Err(bad(format!(
                        "{} is not auto, plain, login, xoauth2 or oauthbearer",
                        shown(&value)
                    )));
                }
            }
        }
        "from" => target.from = plain("the sender")?,
        "to" => target.to = plain("the recipient")?,
        "mode" => {
            target.mode = match word().replace('_', "-").as_str() {
                "submission" => Some(SendMode::Submission),
                "direct-send" => Some(SendMode::DirectSend),
                "relay" => Some(SendMode::Relay),
                _ => return Err(bad(format!("{} is not submission, direct-send or relay", shown(&value)))),
            }
        }
        "tls_max" => {
            target.tls_max = match word().trim_start_matches("tlsv").trim_start_matches("tls") {
                "1.0" | "1" => Some(TlsVersion::Tls10),
                "1.1" => Some(TlsVersion::Tls11),
                "1.2" => Some(TlsVersion::Tls12),
                _ => return Err(bad(format!("{} is not 1.0, 1.1 or 1.2", shown(&value)))),
            }
        }
        _ => return Err(bad(format!("unknown column {column}"))),
    }
    Ok(())
}

/// A value quoted for an error message (only for columns that never hold a secret).
fn shown(value: &Value<'_>) -> String {
    match value {
        Value::Text(s) => format!("{:?}", s.chars().take(40).collect::<String>()),
        Value::Number(n) => n.to_string(),
        Value::List(_) => "a list".to_owned(),
    }
}

/// `env:VAR`, `file:PATH` or `keyring:SERVICE/ACCOUNT`. Anything else is refused without being
/// quoted: someone may have typed the secret itself into the column.
fn secret_source(text: Option<&str>, what: &str) -> Result<Option<SecretSource>, String> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let refused = || {
        format!(
            "must say where the {what} is: env:VARIABLE, file:PATH or keyring:SERVICE/ACCOUNT (the value is not \
             shown: a {what} itself never goes in the inventory)"
        )
    };
    let (kind, rest) = text.split_once(':').ok_or_else(refused)?;
    let rest = rest.trim();
    let source = match kind.trim().to_ascii_lowercase().as_str() {
        "env" if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            SecretSource::Env { var: rest.to_owned() }
        }
        "file" if !rest.is_empty() && !rest.chars().any(char::is_control) => {
            SecretSource::File { path: PathBuf::from(rest) }
        }
        "keyring" => match rest.split_once('/') {
            Some((service, account))
                if !service.is_empty() && !account.is_empty() && !rest.chars().any(char::is_control) =>
            {
                SecretSource::Keyring { service: service.to_owned(), account: account.to_owned() }
            }
            _ => return Err(refused()),
        },
        _ => return Err(refused()),
    };
    Ok(Some(source))
}

/// Checks what no single value shows: names are unique, and there is at least one target.
fn finish(targets: Vec<Target>) -> Result<Vec<Target>, InventoryError> {
    if targets.is_empty() {
        return Err(InventoryError::Empty);
    }
    let mut seen: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(targets.len());
    for t in &targets {
        if let Some(first) = seen.insert(&t.name, t.line) {
            return Err(InventoryError::Bad {
                at: Position { line: t.line, column: 1, field: Some("name".into()) },
                message: format!("the name {:?} is used twice (first on line {first})", t.name),
            });
        }
    }
    Ok(targets)
}

/// One CSV record: its fields, each with the line it starts on.
pub(crate) struct CsvRecord<'a> {
    pub(crate) line: usize,
    pub(crate) fields: Vec<(std::borrow::Cow<'a, str>, usize)>,
}

/// RFC 4180 records over the text, with line numbers; blank lines and `#` comments skipped.
pub(crate) struct CsvRecords<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    separator: Option<char>,
}

impl<'a> CsvRecords<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0, line: 1, separator: None }
    }

    fn record(&mut self) -> Result<CsvRecord<'a>, InventoryError> {
        let start_line = self.line;
        let rest = &self.text[self.pos..];
        let separator = *self.separator.get_or_insert_with(|| {
            // the header decides: `;` when it has more of them than commas
            let first = rest.lines().next().unwrap_or("");
            if first.matches(';').count() > first.matches(',').count() { ';' } else { ',' }
        });
        let bytes = self.text.as_bytes();
        let mut fields = Vec::new();
        loop {
            let field_line = self.line;
            if bytes.get(self.pos) == Some(&b'"') {
                let open = self.pos;
                self.pos += 1;
                let mut value = String::new();
                loop {
                    let Some(i) = self.text[self.pos..].find('"') else {
                        return Err(InventoryError::Bad {
                            at: Position { line: field_line, column: fields.len() + 1, field: None },
                            message: format!("a quoted field opened here is never closed (at byte {open})"),
                        });
                    };
                    let chunk = &self.text[self.pos..self.pos + i];
                    self.line += chunk.matches('\n').count();
                    value.push_str(chunk);
                    self.pos += i + 1;
                    if bytes.get(self.pos) == Some(&b'"') {
                        value.push('"');
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                fields.push((std::borrow::Cow::Owned(value), field_line));
                match self.text[self.pos..].chars().next() {
                    None => break,
                    Some(c) if c == separator => self.pos += 1,
                    Some('\r' | '\n') => {
                        self.end_line();
                        break;
                    }
                    Some(_) => {
                        return Err(InventoryError::Bad {
                            at: Position { line: self.line, column: fields.len(), field: None },
                            message:
                                "text after a quoted field's closing quote (write \"\" for a quote inside it)"
                                    .into(),
                        });
                    }
                }
            } else {
                let rest = &self.text[self.pos..];
                let end = rest.find([separator, '\n', '\r']).unwrap_or(rest.len());
                fields.push((std::borrow::Cow::Borrowed(rest[..end].trim_end_matches('\r')), field_line));
                self.pos += end;
                match self.text[self.pos..].chars().next() {
                    Some(c) if c == separator => self.pos += 1,
                    Some(_) => {
                        self.end_line();
                        break;
                    }
                    None => break,
                }
            }
        }
        Ok(CsvRecord { line: start_line, fields })
    }

    fn end_line(&mut self) {
        if self.text[self.pos..].starts_with("\r\n") {
            self.pos += 2;
        } else {
            self.pos += 1;
        }
        self.line += 1;
    }

    fn skip_blank_and_comments(&mut self) {
        while self.pos < self.text.len() {
            let rest = &self.text[self.pos..];
            let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let line = rest[..line_end].trim();
            if line.is_empty() || line.starts_with('#') {
                self.pos += line_end;
                self.line += 1;
            } else {
                break;
            }
        }
    }
}

impl<'a> Iterator for CsvRecords<'a> {
    type Item = Result<CsvRecord<'a>, InventoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.skip_blank_and_comments();
        if self.pos >= self.text.len() {
            return None;
        }
        let record = self.record();
        if record.is_err() {
            // an error ends the reading
            self.pos = self.text.len();
        }
        Some(record)
    }
}

/// Byte offsets to line and column (characters, from 1).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { text, starts }
    }

    fn position(&self, offset: usize, field: Option<&str>) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Position { line, column, field: field.map(str::to_owned) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(result: Result<Vec<Target>, InventoryError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn csv_rows_become_targets() {
        let text = "\u{feff}Name,Host,Port,Security,User,Password-From,Mode,TLS max,connect_to\n\
                    # a comment\n\
                    printer-1,smtp.office365.com,587,starttls,p1@contoso.example,env:P1_PW,submission,1.0,\n\
                    \n\
                    \"scanner, 2nd floor\",mail.example.test,,tls,,,,,127.0.0.1:2525 127.0.0.1:2526\r\n";
        let targets = parse_csv(text).unwrap();
        assert_eq!(targets.len(), 2);
        let p = &targets[0];
        assert_eq!((p.name.as_str(), p.line), ("printer-1", 3));
        assert_eq!(p.port, Some(587));
        assert_eq!(p.security, Some(Security::Starttls));
        assert_eq!(p.password_from, Some(SecretSource::Env { var: "P1_PW".into() }));
        assert_eq!(p.mode, Some(SendMode::Submission));
        assert_eq!(p.tls_max, Some(TlsVersion::Tls10));
        let s = &targets[1];
        assert_eq!((s.name.as_str(), s.line), ("scanner, 2nd floor", 5));
        assert_eq!(s.port, None);
        assert_eq!(s.security, Some(Security::Tls));
        assert_eq!(s.connect_to.len(), 2);
    }

    #[test]
    fn semicolons_and_quotes() {
        let text = "name;host;from\n\"a \"\"quoted\"\" name\";h.example;x@y.example\nb;h2.example;\n";
        let targets = parse_csv(text).unwrap();
        assert_eq!(targets[0].name, "a \"quoted\" name");
        assert_eq!(targets[1].line, 3);
        assert_eq!(targets[1].from, None);
        // a quoted line break is read as one, and refused where a name goes
        let e = err(parse_csv("name,host\na,h\n\"two\nlines\",h\n"));
        assert!(e.starts_with("line 3, column 1 (name): the name contains control characters"), "{e}");
    }

    #[test]
    fn csv_errors_say_where() {
        let e = err(parse_csv("name,hots\nx,y\n"));
        assert!(e.contains("line 1, column 2") && e.contains("\"hots\"") && e.contains("connect_to"), "{e}");
        let e = err(parse_csv("name,port\na,25\nb,99999\n"));
        assert!(e.starts_with("line 3, column 2 (port): \"99999\" is not a port"), "{e}");
        let e = err(parse_csv("name,port\na,25,x\n"));
        assert!(e.contains("line 2") && e.contains("3 fields"), "{e}");
        let e = err(parse_csv("name,host\na,\"h\n"));
        assert!(e.contains("never closed"), "{e}");
        let e = err(parse_csv("name,host\na,h\na,g\n"));
        assert!(e.contains("line 3") && e.contains("used twice (first on line 2)"), "{e}");
        let e = err(parse_csv("name,host\n,h\n"));
        assert!(e.contains("name is empty"), "{e}");
        assert!(matches!(parse_csv("name,host\n"), Err(InventoryError::Empty)));
        assert!(matches!(parse_csv(""), Err(InventoryError::Empty)));
        let e = err(parse_csv("host\nh\n"));
        assert!(e.contains("no name column"), "{e}");
        let e = err(parse_csv("name,security\na,ssl3\n"));
        assert!(e.contains("(security)") && e.contains("\"ssl3\""), "{e}");
    }

    /// A password typed where its source belongs is refused and never quoted back.
    #[test]
    fn secrets_are_never_quoted() {
        for value in ["hunter2-canary", "env:", "env:BAD-NAME canary", "keyring:canary", "vault:canary"] {
            let e = err(parse_csv(&format!("name,password_from\na,{value}\n")));
            assert!(e.contains("line 2, column 2 (password_from)"), "{e}");
            assert!(!e.contains("canary") && !e.contains("hunter2"), "{e}");
        }
        let t = parse_csv("name,token_from\na,keyring:mailprobe/printer@contoso.example\n").unwrap();
        assert_eq!(
            t[0].token_from,
            Some(SecretSource::Keyring {
                service: "mailprobe".into(),
                account: "printer@contoso.example".into()
            })
        );
    }

    #[test]
    fn toml_targets_and_defaults() {
        let text = r#"
[defaults]
security = "starttls"
to = "it@contoso.example"

[[target]]
name = "printer-1"
host = "smtp.office365.com"
port = 587
password_from = "file:secrets/p1"

[[target]]
name = "scanner"
provider = "gmail"
security = "tls"
connect_to = ["127.0.0.1:2525"]
"#;
        let targets = parse_toml(text).unwrap();
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].line, 6);
        assert_eq!(targets[0].security, Some(Security::Starttls));
        assert_eq!(targets[0].to.as_deref(), Some("it@contoso.example"));
        assert_eq!(targets[1].security, Some(Security::Tls));
        assert_eq!(targets[1].connect_to, vec!["127.0.0.1:2525".parse().unwrap()]);
    }

    #[test]
    fn toml_errors_say_where() {
        let e = err(parse_toml("[[target]]\nname = \"a\"\nprot = 25\n"));
        assert!(e.starts_with("line 3, column 1") && e.contains("unknown key \"prot\""), "{e}");
        assert!(e.contains("password_from"), "{e}");
        let e = err(parse_toml("[[target]]\nname = \"a\"\nport = 70000\n"));
        assert!(e.starts_with("line 3, column 8 (port)"), "{e}");
        let e = err(parse_toml("[[target]]\nname = \"a\"\nport = \"x\n"));
        assert!(e.starts_with("line 3"), "{e}");
        let e = err(parse_toml("[[target]]\nhost = \"h\"\n"));
        assert!(e.contains("no name"), "{e}");
        let e = err(parse_toml("[target]\nname = \"a\"\n"));
        assert!(e.contains("[[target]]"), "{e}");
        let e = err(parse_toml("[[target]]\nname = \"a\"\npassword_from = \"s3cret-canary\"\n"));
        assert!(e.contains("line 3") && !e.contains("canary"), "{e}");
        assert!(matches!(parse_toml(""), Err(InventoryError::Empty)));
    }

    #[test]
    fn files_are_read_with_a_bound_and_by_extension() {
        let e = read(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, InventoryError::UnknownFormat { .. }), "{e}");
        let dir = std::env::temp_dir().join(format!("mailprobe-scan-inv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("fleet.csv");
        std::fs::write(&csv, "name,password_from\na,file:pw/a\nb,file:/abs/b\n").unwrap();
        let targets = read(&csv).unwrap();
        assert_eq!(targets[0].password_from, Some(SecretSource::File { path: dir.join("pw/a") }));
        assert_eq!(targets[1].password_from, Some(SecretSource::File { path: "/abs/b".into() }));
        std::fs::write(&csv, [0xff, 0xfe, b'a']).unwrap();
        assert!(matches!(read(&csv), Err(InventoryError::NotText { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
