//! `mailprobe scan` on a fleet of 100 targets: the provider simulator playing Gmail and
//! Microsoft 365 (good sign-ins, an account that needs an app password, a tenant with SMTP AUTH
//! off, a sender without Send As, a TLS-1.0-only scanner, direct send to an outside address)
//! and the test Postfix (good login, wrong password, wrong port/security pair), a closed port,
//! and targets whose secret is missing. Each target's verdict and findings are asserted, and
//! the summary grouped by finding: which targets share each problem.

mod sim_support;
mod support;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use mailprobe_sim::{Scenario, accounts};
use serde_json::Value;
use sim_support::Sim;
use support::cli::mailprobe;
use support::testenv::TestEnv;

/// What a kind of target must come out as.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// The path works (no error finding).
    Works,
    /// The check ran and this finding is the first error.
    Fails(&'static str),
    /// The check could not run; the reason contains this.
    NotChecked(&'static str),
}

/// A kind of target, replicated `count` times as `PREFIX-NN`.
struct Kind {
    prefix: &'static str,
    count: usize,
    /// host, port, security, connect_to, user, password_from, from, to, mode, tls_max
    row: [String; 10],
    expect: Expect,
}

const HEADER: &str = "name,host,port,security,connect_to,user,password_from,from,to,mode,tls_max";

/// Environment variables the inventory points at (their values are the canaries).
struct Secrets {
    dir: PathBuf,
    env: Vec<(&'static str, String)>,
}

impl Drop for Secrets {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Fleet {
    kinds: Vec<Kind>,
    sims: Vec<Sim>,
    ca_files: Vec<String>,
    secrets: Secrets,
}

fn s(v: impl ToString) -> String {
    v.to_string()
}

fn fleet(dir_name: &str) -> Fleet {
    let env = TestEnv::get();
    let dir = std::env::temp_dir().join(format!("mailprobe-scan-{dir_name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // passwords in files (one relative to the inventory) and in environment variables
    std::fs::write(dir.join("m365.pw"), format!("{}\n", accounts::M365_PASSWORD)).unwrap();
    std::fs::write(dir.join("alice-wrong.pw"), "Canary-Wrong-7f3a9c\n").unwrap();
    let secrets = Secrets {
        dir: dir.clone(),
        env: vec![
            ("SCAN_GMAIL_APP_PW", accounts::GMAIL_APP_PASSWORD.to_owned()),
            ("SCAN_GMAIL_ACCOUNT_PW", accounts::GMAIL_ACCOUNT_PASSWORD.to_owned()),
            ("SCAN_ALICE_PW", env.password.clone()),
        ],
    };
    let sim = |scenario| Sim::start(scenario);
    let sims: Vec<Sim> = [
        Scenario::GmailOk,
        Scenario::GmailAppPasswordRequired,
        Scenario::M365Ok,
        Scenario::M365SmtpAuthDisabled,
        Scenario::M365SendAsDenied,
        Scenario::M365LegacyTlsRefused,
        Scenario::M365DirectSendExternal,
    ]
    .into_iter()
    .map(sim)
    .collect();
    let at = |i: usize| sims[i].sim.submission_addr().to_string();
    let gmail = |i: usize, pw: &str| {
        [
            s("smtp.gmail.com"),
            s(587),
            s("starttls"),
            at(i),
            s(accounts::GMAIL_USER),
            s(pw),
            s(accounts::GMAIL_USER),
            s(accounts::GMAIL_RECIPIENT),
            s(""),
            s(""),
        ]
    };
    let m365 = |i: usize, from: &str, tls_max: &str| {
        [
            s("smtp.office365.com"),
            s(587),
            s("starttls"),
            at(i),
            s(accounts::M365_USER),
            s("file:m365.pw"),
            s(from),
            s(accounts::M365_RECIPIENT),
            s("submission"),
            s(tls_max),
        ]
    };
    let postfix = |port: u16, security: &str, pw: &str| {
        [
            env.host.clone(),
            s(port),
            s(security),
            s(""),
            env.user.clone(),
            s(pw),
            env.user.clone(),
            env.user2.clone(),
            s(""),
            s(""),
        ]
    };
    // bind then drop: nothing listens there
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let wrong_pw = format!("file:{}", dir.join("alice-wrong.pw").display());
    let kinds = vec![
        Kind { prefix: "gmail-ok", count: 10, row: gmail(0, "env:SCAN_GMAIL_APP_PW"), expect: Expect::Works },
        Kind {
            prefix: "gmail-normal-pw",
            count: 9,
            row: gmail(1, "env:SCAN_GMAIL_ACCOUNT_PW"),
            expect: Expect::Fails("auth.app_password_required"),
        },
        Kind {
            prefix: "m365-printer-ok",
            count: 12,
            row: m365(2, accounts::M365_USER, ""),
            expect: Expect::Works,
        },
        Kind {
            prefix: "m365-auth-off",
            count: 8,
            row: m365(3, accounts::M365_USER, ""),
            expect: Expect::Fails("auth.smtp_auth_disabled"),
        },
        Kind {
            prefix: "m365-send-as",
            count: 7,
            row: m365(4, accounts::M365_OTHER_SENDER, ""),
            expect: Expect::Fails("sender.send_as_denied"),
        },
        Kind {
            prefix: "m365-tls10-scanner",
            count: 11,
            row: m365(5, accounts::M365_USER, "1.0"),
            expect: Expect::Fails("tls.version_too_old"),
        },
        Kind {
            prefix: "m365-direct-send",
            count: 6,
            row: [
                s(accounts::M365_MX_HOST),
                s(25),
                s("starttls"),
                at(6),
                s(""),
                s(""),
                s(accounts::M365_USER),
                s(accounts::M365_EXTERNAL_RECIPIENT),
                s("direct-send"),
                s(""),
            ],
            expect: Expect::Fails("direct_send.external_recipient"),
        },
        Kind {
            prefix: "postfix-good",
            count: 10,
            row: postfix(env.smtp_starttls, "starttls", "env:SCAN_ALICE_PW"),
            expect: Expect::Works,
        },
        // One wrong password for Postfix: Dovecot (its SASL back end) delays every later sign-in
        // from the same address after failures, 2 s doubling up to 15 s, whatever the password,
        // which would slow every other test on this Postfix. Exim checks passwords itself.
        Kind {
            prefix: "postfix-wrong-pw",
            count: 1,
            row: postfix(env.smtp_starttls, "starttls", &wrong_pw),
            expect: Expect::Fails("auth.credentials_rejected"),
        },
        Kind {
            prefix: "exim-wrong-pw",
            count: 7,
            row: [
                s("mail.example.test"),
                s(env.exim_smtp),
                s("starttls"),
                format!("127.0.0.1:{}", env.exim_smtp),
                env.user.clone(),
                wrong_pw.clone(),
                env.user.clone(),
                env.user2.clone(),
                s(""),
                s(""),
            ],
            expect: Expect::Fails("auth.credentials_rejected"),
        },
        Kind {
            prefix: "postfix-wrong-security",
            count: 6,
            row: postfix(env.smtp_implicit, "starttls", "env:SCAN_ALICE_PW"),
            expect: Expect::Fails("tls.mode_mismatch"),
        },
        Kind {
            prefix: "closed-port",
            count: 5,
            row: postfix(closed, "starttls", "env:SCAN_ALICE_PW"),
            expect: Expect::Fails("connect.refused"),
        },
        Kind {
            prefix: "secret-missing",
            count: 4,
            row: postfix(env.smtp_starttls, "starttls", "env:SCAN_SURELY_UNSET_PW"),
            expect: Expect::NotChecked(
                "the environment variable SCAN_SURELY_UNSET_PW (for the password) is not set",
            ),
        },
        Kind {
            prefix: "secret-file-missing",
            count: 4,
            row: postfix(env.smtp_starttls, "starttls", "file:no-such.pw"),
            expect: Expect::NotChecked("no such file"),
        },
    ];
    let mut ca_files: Vec<String> = sims.iter().map(|s| s.ca_file.display().to_string()).collect();
    ca_files.push(env.ca_file.display().to_string());
    ca_files.push(env.exim_cert.display().to_string());
    Fleet { kinds, sims, ca_files, secrets }
}

impl Fleet {
    fn names(&self, kind: &Kind) -> Vec<String> {
        (1..=kind.count).map(|n| format!("{}-{n:02}", kind.prefix)).collect()
    }

    fn total(&self) -> usize {
        self.kinds.iter().map(|k| k.count).sum()
    }

    /// Every target's name and row, kinds interleaved as a real inventory mixes them.
    fn rows(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(usize, String, String)> = Vec::new();
        for kind in &self.kinds {
            for (n, name) in self.names(kind).into_iter().enumerate() {
                let row = format!("{name},{}", kind.row.join(","));
                rows.push((n, name, row));
            }
        }
        rows.sort_by_key(|(n, _, _)| *n);
        rows.into_iter().map(|(_, name, row)| (name, row)).collect()
    }

    /// Writes the CSV inventory and returns its path.
    fn write_csv(&self) -> PathBuf {
        let mut csv = format!("# the scan test's fleet\n{HEADER}\n");
        for (_, row) in self.rows() {
            csv.push_str(&row);
            csv.push('\n');
        }
        let path = self.secrets.dir.join("fleet.csv");
        std::fs::write(&path, csv).unwrap();
        path
    }

    fn expect_of(&self, name: &str) -> Expect {
        let kind = self.kinds.iter().find(|k| name.rsplit_once('-').is_some_and(|(p, _)| p == k.prefix));
        kind.unwrap_or_else(|| panic!("no kind for {name}")).expect
    }

    /// Runs `mailprobe scan INVENTORY ARGS` with the secrets' variables set.
    fn scan(&self, inventory: &Path, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["scan", inventory.to_str().unwrap(), "--timeout", "5", "--concurrency", "32"];
        for ca in &self.ca_files {
            args.extend(["--ca-file", ca]);
        }
        args.extend(extra);
        let env: Vec<(&str, &str)> = self.secrets.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = mailprobe(&args, None, &env);
        self.assert_no_secret(&out);
        out
    }

    /// No password reaches any output, in any form the redaction could miss.
    fn assert_no_secret(&self, out: &std::process::Output) {
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        for (_, secret) in &self.secrets.env {
            assert!(!all.contains(secret.as_str()), "a password appears in the output");
        }
        for secret in [accounts::M365_PASSWORD, "Canary-Wrong-7f3a9c"] {
            assert!(!all.contains(secret), "a password from a file appears in the output");
        }
    }
}

fn ids(findings: &Value) -> Vec<&str> {
    findings.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect()
}

#[test]
fn a_fleet_of_100_targets_is_checked_and_grouped_by_finding() {
    let fleet = fleet("fleet");
    assert!(fleet.total() >= 100, "{}", fleet.total());
    assert!(!fleet.sims.is_empty());
    let inventory = fleet.write_csv();
    let out = fleet.scan(&inventory, &["--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(1), "some targets fail: exit 1");
    assert_eq!(doc["ok"], false);

    // every target, in inventory order, with its verdict and findings
    let targets = doc["targets"].as_array().unwrap();
    assert_eq!(targets.len(), fleet.total());
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for t in targets {
        let name = t["name"].as_str().unwrap();
        *by_kind.entry(name.rsplit_once('-').unwrap().0).or_default() += 1;
        let found = ids(&t["findings"]);
        let errors: Vec<&str> = t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        match fleet.expect_of(name) {
            Expect::Works => {
                assert_eq!(t["status"], "ok", "{name}: {t:#}");
                assert!(errors.is_empty(), "{name}: {found:?}");
                assert!(!t["connections"][0]["steps"].as_array().unwrap().is_empty(), "{name} has its steps");
            }
            Expect::Fails(id) => {
                assert_eq!(t["status"], "failed", "{name}: {t:#}");
                assert_eq!(errors.first(), Some(&id), "{name}: {found:?}");
            }
            Expect::NotChecked(why) => {
                assert_eq!(t["status"], "not_checked", "{name}: {t:#}");
                assert!(t["error"].as_str().unwrap().contains(why), "{name}: {}", t["error"]);
                assert!(found.is_empty());
            }
        }
    }
    assert_eq!(by_kind.len(), fleet.kinds.len(), "{by_kind:?}");

    // the summary: counts, and each failure shared by exactly the targets that have it
    let summary = &doc["summary"];
    let count = |pred: fn(Expect) -> bool| {
        fleet.kinds.iter().filter(|k| pred(k.expect)).map(|k| k.count).sum::<usize>()
    };
    assert_eq!(summary["total"], fleet.total());
    assert_eq!(summary["ok"], count(|e| matches!(e, Expect::Works)));
    assert_eq!(summary["failed"], count(|e| matches!(e, Expect::Fails(_))));
    assert_eq!(summary["not_checked"], count(|e| matches!(e, Expect::NotChecked(_))));
    let groups = summary["groups"].as_array().unwrap();
    let group = |id: &str| {
        groups
            .iter()
            .find(|g| g["id"] == id)
            .unwrap_or_else(|| panic!("no group {id} in {:?}", ids(&summary["groups"])))
    };
    for kind in &fleet.kinds {
        if let Expect::Fails(id) = kind.expect {
            let g = group(id);
            let members: Vec<&str> =
                g["targets"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
            // the targets of every kind failing so, in inventory order
            let expected: Vec<String> = fleet
                .rows()
                .into_iter()
                .map(|(name, _)| name)
                .filter(|name| matches!(fleet.expect_of(name), Expect::Fails(i) if i == id))
                .collect();
            assert_eq!(members, expected, "group {id}");
            assert_eq!(g["severity"], "error");
            assert!(!g["fixes"].as_array().unwrap().is_empty(), "group {id} says what to do");
        }
    }
    // errors first, then the most widespread; info last
    let severities: Vec<&str> = groups.iter().map(|g| g["severity"].as_str().unwrap()).collect();
    let rank = |s: &str| ["error", "warning", "info"].iter().position(|x| *x == s).unwrap();
    assert!(severities.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{severities:?}");
    let members_of = |g: &Value| -> Vec<String> {
        g["targets"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect()
    };
    let in_order = |kinds: &[&str]| -> Vec<String> {
        fleet
            .rows()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|n| kinds.contains(&n.rsplit_once('-').unwrap().0))
            .collect()
    };
    // the devices that still sign in to Microsoft 365 with a password, and get in: one group,
    // a warning (they work today), saying what happens at the end of December 2026
    let retiring = group("auth.basic_auth_retiring");
    assert_eq!(retiring["severity"], "warning");
    assert!(retiring["title"].as_str().unwrap().contains("December 2026"), "{retiring:#}");
    assert_eq!(members_of(retiring), in_order(&["m365-printer-ok", "m365-send-as", "m365-tls10-scanner"]));
    // one id saying two things is two groups: the sending mode of the signed-in printers, and
    // of the direct-send ones
    let modes: Vec<&Value> = groups.iter().filter(|g| g["id"] == "m365.mode_detected").collect();
    assert_eq!(modes.len(), 2, "{modes:#?}");
    let direct = modes.iter().find(|g| g["title"].as_str().unwrap().contains("direct send")).unwrap();
    assert_eq!(members_of(direct), in_order(&["m365-direct-send"]));
    // `findings` is the groups, as every JSON document of mailprobe has findings
    assert_eq!(ids(&doc["findings"]), ids(&summary["groups"]));
    let not_checked = summary["not_checked_groups"].as_array().unwrap();
    assert_eq!(not_checked.len(), 2, "{not_checked:?}");

    // the text report: the headline, each group with its targets and what to do, each target
    let out = fleet.scan(&inventory, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let ok = count(|e| matches!(e, Expect::Works));
    assert!(text.starts_with(&format!("mailprobe scan: {} targets checked in ", fleet.total())), "{text}");
    assert!(text.contains(&format!(": {ok} work, ")), "{text}");
    let app = &fleet.kinds[1];
    let heading = text
        .lines()
        .position(|l| l.starts_with("✗ 9 targets: ") && l.ends_with("[auth.app_password_required]"))
        .unwrap_or_else(|| panic!("no group line for auth.app_password_required in\n{text}"));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[heading + 1].trim(), fleet.names(app).join(", "));
    assert!(lines[heading + 2].trim() == "What to do:", "{}", lines[heading + 2]);
    assert!(lines[heading + 3].trim_start().starts_with("1. "), "{}", lines[heading + 3]);
    assert!(
        text.contains(
            "- 4 targets: the environment variable SCAN_SURELY_UNSET_PW (for the password) is not set"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "\n! 30 targets: This sign-in uses a password, which Microsoft 365 turns off at the end of December 2026 \
             [auth.basic_auth_retiring]\n    m365-printer-ok-01, m365-send-as-01, m365-tls10-scanner-01, "
        ),
        "{text}"
    );
    assert!(text.contains("\n✓ gmail-ok-01 "), "{text}");
    assert!(text.contains("\n✗ m365-tls10-scanner-01 "), "{text}");
    assert!(text.contains("\n- secret-missing-01 "), "{text}");
}

#[test]
fn json_lines_stream_each_target_then_the_summary_and_html_shows_each_targets_steps() {
    let fleet = fleet("lines");
    // a smaller inventory: one of each kind
    let mut csv = format!("{HEADER}\n");
    for kind in &fleet.kinds {
        csv.push_str(&format!("{}-01,{}\n", kind.prefix, kind.row.join(",")));
    }
    let inventory = fleet.secrets.dir.join("one-of-each.csv");
    std::fs::write(&inventory, csv).unwrap();

    let out = fleet.scan(&inventory, &["--jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert_eq!(lines.len(), fleet.kinds.len() + 1);
    for l in &lines[..fleet.kinds.len()] {
        assert_eq!(l["type"], "target");
        let name = l["name"].as_str().unwrap();
        match fleet.expect_of(name) {
            // a checked target's line carries its whole report: the transcript, every finding
            Expect::Works | Expect::Fails(_) => {
                assert!(
                    l["report"]["transcripts"][0]["events"].as_array().is_some_and(|e| !e.is_empty()),
                    "{name}"
                );
                assert!(l["report"]["findings"].is_array());
            }
            Expect::NotChecked(_) => assert!(l.get("report").is_none()),
        }
    }
    let last = lines.last().unwrap();
    assert_eq!((last["type"].as_str(), last["all_ok"].as_bool()), (Some("summary"), Some(false)));
    assert_eq!(last["total"], fleet.kinds.len());

    let out = fleet.scan(&inventory, &["--format", "html", "--lang", "it"]);
    assert_eq!(out.status.code(), Some(1));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"it\">"), "{}", &html[..200.min(html.len())]);
    assert!(html.contains("data-finding=\"tls.version_too_old\" data-count=\"1\""));
    assert!(html.contains("<h2>Ogni dispositivo o account</h2>"));
    // each target's steps: the working Gmail one signed in
    let section = html
        .split("<section class=\"target\"")
        .find(|s| s.contains("<span class=\"name\">gmail-ok-01</span>"))
        .unwrap();
    assert!(section.contains("data-status=\"ok\""), "{section}");
    assert!(section.contains("data-stage=\"auth\""), "{section}");
    assert!(!html.contains("<script"), "no script in the report");
}

#[test]
fn a_toml_inventory_with_defaults() {
    let fleet = fleet("toml");
    let gmail = &fleet.sims[0];
    let inventory = fleet.secrets.dir.join("fleet.toml");
    std::fs::write(
        &inventory,
        format!(
            r#"
[defaults]
host = "smtp.gmail.com"
port = 587
security = "starttls"
connect_to = "{addr}"
user = "{user}"
to = "{to}"

[[target]]
name = "laptop"
password_from = "env:SCAN_GMAIL_APP_PW"

[[target]]
name = "old phone"
password_from = "env:SCAN_GMAIL_ACCOUNT_PW"
"#,
            addr = gmail.sim.submission_addr(),
            user = accounts::GMAIL_USER,
            to = accounts::GMAIL_RECIPIENT
        ),
    )
    .unwrap();
    let out = fleet.scan(&inventory, &["--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // the Gmail-ok simulator takes the app password; the account password is a wrong password
    assert_eq!(doc["targets"][0]["status"], "ok", "{doc:#}");
    assert_eq!(doc["targets"][1]["status"], "failed", "{doc:#}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_inventories_are_refused_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("mailprobe-scan-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let case = |file: &str, content: &str, format: &str| {
        let path = dir.join(file);
        std::fs::write(&path, content).unwrap();
        let out = mailprobe(&["scan", path.to_str().unwrap(), "--format", format], None, &[]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (_, err) = case("a.csv", "name,hots\nx,y\n", "text");
    assert!(
        err.contains("line 1, column 2: unknown column \"hots\"; the columns are: name, provider, host"),
        "{err}"
    );
    let (_, err) = case("b.csv", "name,port\nok,25\nbad,99999\n", "text");
    assert!(err.contains("line 3, column 2 (port): \"99999\" is not a port"), "{err}");
    // a password typed into the inventory is refused, and never echoed
    let (_, err) = case("c.csv", "name,password_from\nx,Hunter2-canary\n", "text");
    assert!(err.contains("line 2, column 2 (password_from)") && !err.contains("Hunter2"), "{err}");
    let (out, _) = case("d.toml", "[[target]]\nname = \"a\"\nprot = 25\n", "json");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc["error"].as_str().unwrap().contains("line 3, column 1"), "{doc}");
    assert_eq!(doc["findings"], serde_json::json!([]));
    let (_, err) = case("e.txt", "name\nx\n", "text");
    assert!(err.contains("must end in .csv or .toml"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Exchange admin center's SMTP AUTH clients report saved as CSV: its accounts are listed
/// (nothing is probed), each with the mode `mailprobe advise` recommends for a device that signs
/// in and speaks at most the oldest TLS version the account used.
///
/// The file is written from the columns Microsoft documents for the report's "Messages sent using
/// SMTP Auth" section — Sender address, Domain, TLS 1.0 (percentage), TLS 1.1 (percentage),
/// TLS 1.2 (percentage), Messages sent —
/// <https://learn.microsoft.com/en-us/exchange/monitoring/mail-flow-reports/mfr-smtp-auth-clients-report>.
/// Microsoft does not document the export's exact header text or encoding; the second file is
/// the same report as a spreadsheet in a `;` locale might save it (BOM, `%`, other order).
#[test]
fn the_exchange_admin_centers_smtp_auth_clients_report_lists_accounts_with_advise() {
    let dir = std::env::temp_dir().join(format!("mailprobe-scan-eac-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let documented = "Sender address,Domain,TLS 1.0 (percentage),TLS 1.1 (percentage),TLS 1.2 (percentage),Messages sent\n\
                      app@contoso.com,contoso.com,0,0,100,40\n\
                      scanner@contoso.com,contoso.com,100,0,0,\"1,250\"\n\
                      copier@contoso.com,contoso.com,0,60,40,7\n";
    let semicolons = "\u{feff}\"Messages sent\";\"Sender address\";\"TLS 1.2 %\";\"TLS 1.1 %\";\"TLS 1.0 %\";\"Domain\"\r\n\
                      40;app@contoso.com;100;0;0;contoso.com\r\n\
                      1250;scanner@contoso.com;0;0;100;contoso.com\r\n\
                      7;copier@contoso.com;40;60;0;contoso.com\r\n";
    // what `mailprobe advise` says for the same facts
    let advise = |tls: &str| -> Value {
        let out = mailprobe(&["advise", "--tls", tls, "--can-login", "yes", "--format", "json"], None, &[]);
        serde_json::from_slice(&out.stdout).expect("advise's JSON")
    };
    for (file, content) in [("SMTPAuthClients.csv", documented), ("export-it.csv", semicolons)] {
        let path = dir.join(file);
        std::fs::write(&path, content).unwrap();
        let out = mailprobe(&["scan", path.to_str().unwrap(), "--format", "json"], None, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{file}: {stderr}");
        let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let senders = doc["senders"].as_array().expect("senders");
        let listed: Vec<(&str, &str, &str)> = senders
            .iter()
            .map(|s| {
                (
                    s["address"].as_str().unwrap(),
                    s["oldest_tls"].as_str().unwrap(),
                    s["recommended"].as_str().unwrap(),
                )
            })
            .collect();
        // most messages first
        assert_eq!(
            listed,
            [
                ("scanner@contoso.com", "1.0", "legacy-submission"),
                ("app@contoso.com", "1.2", "submission"),
                ("copier@contoso.com", "1.1", "legacy-submission"),
            ],
            "{file}"
        );
        assert_eq!(senders[0]["messages"], 1250);
        for s in senders {
            let cli = advise(s["oldest_tls"].as_str().unwrap());
            let recommendation = cli["recommendation"].as_str().expect("advise's recommendation");
            let mode = s["recommendation"].as_str().unwrap();
            assert!(recommendation.contains(mode), "{file}: advise says {recommendation:?}, scan {mode:?}");
        }
        let note = doc["note"].as_str().unwrap();
        assert!(note.contains("does not say") && note.contains("Basic authentication"), "{note}");
        assert_eq!(
            doc["documentation"],
            "https://learn.microsoft.com/en-us/exchange/monitoring/mail-flow-reports/mfr-smtp-auth-clients-report"
        );
    }
    // text and HTML: each account with its advice; nothing was probed
    let path = dir.join("SMTPAuthClients.csv");
    let out = mailprobe(&["scan", path.to_str().unwrap(), "--format", "html", "--lang", "it"], None, &[]);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"it\">"), "{}", &html[..200.min(html.len())]);
    assert!(html.contains("data-sender=\"scanner@contoso.com\" data-mode=\"legacy-submission\""), "{html}");
    assert!(!html.contains("<script"));
    let out = mailprobe(&["scan", path.to_str().unwrap()], None, &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("scanner@contoso.com") && text.contains("legacy TLS endpoint"), "{text}");
    // a value that is not a percentage is refused at its line and column
    std::fs::write(dir.join("bad.csv"), "Sender address,TLS 1.0 (percentage)\nx@contoso.com,lots\n").unwrap();
    let out = mailprobe(&["scan", dir.join("bad.csv").to_str().unwrap()], None, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2, column 2") && err.contains("percentage"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
