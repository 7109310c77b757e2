//! `mailprobe guide` end to end: the binary is driven by scripted answers on a pipe (and once on a
//! pseudo-terminal), with the provider simulator playing Gmail or Microsoft 365 on loopback in
//! this process. Needs no network and no test servers.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod sim_support;

use mailprobe_sim::{Scenario, accounts};
use sim_support::Sim;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

/// The flags that point the guide's SMTP check at the simulator, as its provider host.
fn sim_flags(sim: &Sim) -> Vec<String> {
    sim.flags_as(sim.sim.host_name())
}

/// Runs `mailprobe guide ARGS` with `input` on a pipe as standard input, English unless the
/// arguments or `env` say otherwise.
fn guide_env(args: &[String], input: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("guide")
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run mailprobe guide");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    // The guide may stop reading early (it works after step 3): a closed pipe is fine.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("wait for mailprobe guide");
    writer.join().unwrap();
    out
}

fn guide(args: &[String], input: &str) -> Output {
    guide_env(args, input, &[])
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8(out.stdout.clone()).unwrap(), String::from_utf8(out.stderr.clone()).unwrap())
}

/// The text with every run of white space made one space: paragraphs are wrapped to the width
/// of a terminal, and the assertions should not care where.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that the needles occur in this order (white space flattened).
fn assert_in_order(haystack: &str, needles: &[&str]) {
    let haystack = &flat(haystack);
    let mut from = 0;
    for n in needles {
        let n = &flat(n);
        match haystack[from..].find(n.as_str()) {
            Some(i) => from += i + n.len(),
            None => panic!("{n:?} missing, or not after the previous ones, in:\n{haystack}"),
        }
    }
}

fn no_raw_keys(s: &str) {
    assert!(!s.contains("guide-ui-") && !s.contains("guide-step-") && !s.contains("guide-md-"), "{s}");
}

/// The part of the output from the summary on.
fn summary(stdout: &str) -> &str {
    let i = stdout.rfind("\nSummary\n").or_else(|| stdout.rfind("\nRiepilogo\n")).expect("a summary");
    &stdout[i..]
}

#[test]
fn outlook_gmail_macos_app_password_works_after_step_3() {
    let sim = Sim::start(Scenario::GmailAppPasswordRequired);
    let input = format!("1\n1\n{}\n{}\nn\nno\ny\n", accounts::GMAIL_USER, accounts::GMAIL_ACCOUNT_PASSWORD);
    let out = guide(&sim_flags(&sim), &input);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    no_raw_keys(&stdout);
    // The automated finding, and where the steps deal with it.
    assert_in_order(
        &stdout,
        &[
            "Guide: Outlook for Mac does not send through Gmail (outlook-gmail-macos)",
            "SMTP smtp.gmail.com port 587 with STARTTLS, signing in as pat.example@gmail.com",
            "What the checks found:",
            "[auth.app_password_required]",
            "534 5.7.9",
            "Step 4 deals with this.",
        ],
    );
    // The steps, one at a time, in the guide's order, each asking whether sending works.
    assert_in_order(
        &stdout,
        &[
            "Step 1 of 8: Update the operating system and Outlook",
            "System Settings > General > Software Update",
            "Does sending work now? [y/n/skip]",
            "Step 2 of 8: Turn on IMAP in Gmail",
            "Forwarding and POP/IMAP",
            "Does sending work now?",
            "Step 3 of 8: Use Google's server settings",
            "Does sending work now?",
            "Sending works: well done. Stopping here.",
        ],
    );
    assert!(!stdout.contains("Step 4 of 8"), "stopped at the yes:\n{stdout}");
    // Only the Mac's how-to lines.
    assert!(!stdout.contains("Windows Update"), "{stdout}");
    let summary = summary(&stdout);
    assert_in_order(
        summary,
        &[
            "Checked automatically: SMTP smtp.gmail.com port 587",
            "Found: Google wants an app password",
            "1. Update the operating system and Outlook: done, it did not fix it",
            "2. Turn on IMAP in Gmail: done, it did not fix it",
            "3. Use Google's server settings",
            "done, and sending works after it",
            "Result: sending works now (after step 3).",
            "For the help desk:",
            "mailprobe guide --print outlook-gmail-macos",
            "mailprobe diagnose --provider gmail --host smtp.gmail.com --port 587 --security starttls --user pat.example@gmail.com",
        ],
    );
    assert!(
        !stdout.contains(accounts::GMAIL_ACCOUNT_PASSWORD)
            && !stderr.contains(accounts::GMAIL_ACCOUNT_PASSWORD)
    );
}

#[test]
fn m365_device_with_old_tls_gets_the_firmware_and_legacy_endpoint_steps() {
    let sim = Sim::start(Scenario::M365LegacyTlsRefused);
    // A device, Microsoft 365, it signs in, the address, an old device, the password; then "no"
    // to the first five steps and the input ends.
    let input = format!("3\n2\ny\n{}\ny\n{}\nn\nn\nn\nn\nn\n", accounts::M365_USER, accounts::M365_PASSWORD);
    let out = guide(&sim_flags(&sim), &input);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    no_raw_keys(&stdout);
    assert_in_order(
        &stdout,
        &[
            "Client submission: it signs in to a mailbox",
            "Guide: A printer, scanner or app does not send through Microsoft 365 (signing in with SMTP AUTH) (m365-submission)",
            "again as a client limited to TLS 1.0",
            "The checks run from this computer",
            "[tls.version_too_old]",
            "Step 5 deals with this.",
            "Step 1 of 12: Check the device's email settings",
            "smtp.office365.com",
            "Step 4 of 12: Make sure the network lets the connection out",
            "Step 5 of 12: Make sure the device speaks TLS 1.2",
            "→ This is what the automated check found:",
            "[tls.version_too_old]",
            "firmware",
            "Set-TransportConfig -AllowLegacyTLSClients $true",
            "smtp-legacy.office365.com",
        ],
    );
    // The sixth step is shown, then the input ends.
    assert_in_order(
        &stdout,
        &["Step 6 of 12", "Does sending work now?", "(No more answers: stopping here.)"],
    );
    assert!(!stdout.contains("Step 7 of 12"), "{stdout}");
    let summary = summary(&stdout);
    assert_in_order(
        summary,
        &[
            "Found: The server refused the client's old TLS version [tls.version_too_old]",
            "5. Make sure the device speaks TLS 1.2: done, it did not fix it",
            "Result: not confirmed yet",
            "--mode submission --client-tls-max 1.0",
        ],
    );
    assert!(!stdout.contains(accounts::M365_PASSWORD) && !stderr.contains(accounts::M365_PASSWORD));
}

#[test]
fn every_step_answered_no_is_exit_1_and_the_smtp_auth_step_names_the_mailbox() {
    // Without checks, through the scenario flag; every step done and nothing helped.
    let steps = 12;
    let input = format!("{}\nn\n{}", accounts::M365_USER, "n\n".repeat(steps));
    let out = guide(&strings(&["--scenario", "m365-submission", "--no-checks"]), &input);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Automated checks skipped."), "{stdout}");
    // Commands stay on one line, for copying.
    assert!(stdout.contains(
        "Get-CASMailbox -Identity printer@contoso.example | Format-List SmtpClientAuthenticationDisabled\n"
    ));
    assert!(stdout.contains(
        "Set-CASMailbox -Identity printer@contoso.example -SmtpClientAuthenticationDisabled $false\n"
    ));
    assert_in_order(
        summary(&stdout),
        &[
            "Checked automatically: nothing.",
            "12. Run Microsoft's own diagnostic: done, it did not fix it",
            "Result: still not working after every step.",
        ],
    );
}

#[test]
fn direct_send_checks_the_tenant_mx_endpoint_on_port_25() {
    // A device on Microsoft 365 that cannot sign in and writes only inside: direct send.
    let out = guide(&strings(&["--no-checks"]), "3\n2\nn\nn\nscanner@contoso.example\ny\n");
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_in_order(
        &stdout,
        &[
            "(m365-direct-send)",
            "Step 1 of 7: Check the device's settings for direct send",
            "contoso-example.mail.protection.outlook.com",
            "Port: 25",
        ],
    );
    assert_in_order(summary(&stdout), &["Result: sending works now (after step 1)."]);
    // ...and one that must write outside: a relay connector.
    let out = guide(&strings(&["--no-checks"]), "3\n2\nno\nsì\nscanner@contoso.example\n");
    assert!(text(&out).0.contains("(m365-relay)"));
}

#[test]
fn italian_run() {
    let sim = Sim::start(Scenario::GmailAppPasswordRequired);
    // Outlook on Windows with Gmail; no, skip, yes, in Italian.
    let input =
        format!("2\n1\n{}\n{}\nno\nsalta\nsì\n", accounts::GMAIL_USER, accounts::GMAIL_ACCOUNT_PASSWORD);
    let out = guide_env(&sim_flags(&sim), &input, &[("LANG", "it_IT.UTF-8")]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    no_raw_keys(&stdout);
    assert_in_order(
        &stdout,
        &[
            "Che cosa invia la posta?",
            "Outlook su Windows",
            "Percorso: Outlook per Windows non invia tramite Gmail (outlook-gmail-windows)",
            "Controlli automatici",
            "Che cosa hanno trovato i controlli:",
            "[auth.app_password_required]",
            "Se ne occupa il passo 4.",
            "Passo 1 di 8: Aggiorna il sistema operativo e Outlook",
            "File > Account di Office > Opzioni di aggiornamento > Aggiorna adesso",
            "L'invio funziona adesso? [s/n/salta]",
            "Passo 2 di 8: Attiva IMAP in Gmail",
            "Passo 3 di 8:",
            "Controlla che siano spuntate le opzioni",
        ],
    );
    assert!(!stdout.contains("Step 1 of"), "{stdout}");
    assert_in_order(
        summary(&stdout),
        &[
            "Riepilogo",
            "Trovato:",
            "1. Aggiorna il sistema operativo e Outlook: fatto, non ha risolto",
            "2. Attiva IMAP in Gmail: saltato",
            "fatto, e dopo l'invio funziona",
            "Esito: l'invio ora funziona (dopo il passo 3).",
            "Per l'assistenza:",
        ],
    );
    // --lang wins over the locale.
    let out = guide_env(&strings(&["--lang", "en", "--no-checks"]), "", &[("LANG", "it_IT.UTF-8")]);
    assert!(text(&out).0.contains("What is sending the email?"));
}

#[test]
fn the_end_of_input_anywhere_ends_cleanly_with_the_summary() {
    let flags = strings(&["--no-checks"]);
    let cases: &[(&str, &str)] = &[
        ("", "before the first answer"),
        ("1\n", "at the provider question"),
        ("1\n1\n", "at the address"),
        ("1\n1\npat", "in the middle of an unfinished line"),
        ("1\n1\npat.example@gmail.com\nn\n", "in the middle of the steps"),
        ("3\n2\n", "at the mode question"),
        ("9\nwhat\n", "after wrong answers"),
    ];
    for (input, what) in cases {
        let out = guide(&flags, input);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{what}:\n{stdout}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(stdout.contains("(No more answers: stopping here.)"), "{what}:\n{stdout}");
        assert_in_order(summary(&stdout), &["Result: not confirmed yet"]);
    }
    // At the password prompt, with checks on: nothing is probed, the summary still comes.
    let sim = Sim::start(Scenario::GmailOk);
    let out = guide(&sim_flags(&sim), &format!("1\n1\n{}\n", accounts::GMAIL_USER));
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_in_order(summary(&stdout), &["Checked automatically: nothing."]);
}

#[test]
fn wrong_answers_are_asked_again() {
    let out =
        guide(&strings(&["--no-checks"]), "0\nfour\n1\n1\nnot-an-address\npat.example@gmail.com\nmaybe\ny\n");
    let (stdout, _) = text(&out);
    assert_in_order(
        &stdout,
        &[
            "Please type a number from 1 to 3.",
            "Please type a number from 1 to 3.",
            "Which email service",
            "That does not look like an email address",
            "Step 1 of 8",
            "Please answer y (it works), n (it still does not) or skip (step not done).",
            "Result: sending works now (after step 1).",
        ],
    );
}

#[test]
fn the_password_never_appears_anywhere() {
    const CANARY: &str = "canary-Pw-7f3a9-never-print";
    let sim = Sim::start(Scenario::GmailAppPasswordRequired);
    for lang in ["en", "it"] {
        let mut args = sim_flags(&sim);
        args.extend(strings(&["--lang", lang, "--scenario", "outlook-gmail-macos", "--verbose"]));
        // A wrong password: the server refuses it, and every path that could echo it runs.
        let out = guide(&args, &format!("{}\n{CANARY}\nskip\nmaybe\n", accounts::GMAIL_USER));
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        assert!(stdout.contains("[auth."), "the check ran and signed in:\n{stdout}");
        assert!(!stdout.contains(CANARY), "{stdout}");
        assert!(!stderr.contains(CANARY), "{stderr}");
        assert!(!stdout.contains("canary"), "{stdout}");
    }
}

#[test]
fn an_empty_password_checks_without_signing_in() {
    let sim = Sim::start(Scenario::GmailOk);
    let mut args = sim_flags(&sim);
    args.extend(strings(&["--scenario", "outlook-gmail-windows"]));
    let out = guide(&args, &format!("{}\n\ny\n", accounts::GMAIL_USER));
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_in_order(
        &stdout,
        &["no problem with the connection and the encryption (signing in was not tried)"],
    );
    let summary = summary(&stdout);
    assert_in_order(summary, &["Found: no problem."]);
    assert!(!summary.contains("--user"), "no sign-in, no --user: {summary}");
}

#[test]
fn unknown_scenario_and_bad_ca_file_are_usage_errors() {
    let out = guide(&strings(&["--scenario", "nope"]), "");
    assert_eq!(out.status.code(), Some(2));
    let out = guide(&strings(&["--ca-file", "/nonexistent/ca.pem"]), "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("/nonexistent/ca.pem"));
}

const PLAYBOOKS: &[(&str, usize)] = &[
    ("outlook-gmail-macos", 8),
    ("outlook-gmail-windows", 8),
    ("m365-submission", 12),
    ("m365-direct-send", 7),
    ("m365-relay", 7),
];

#[test]
fn list_names_every_playbook() {
    let out = guide(&strings(&["--list"]), "");
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out).0;
    for (id, _) in PLAYBOOKS {
        assert!(stdout.lines().any(|l| l.starts_with(id)), "{id} in {stdout}");
    }
    assert_eq!(stdout.lines().count(), PLAYBOOKS.len());
}

#[test]
fn print_is_a_markdown_checklist_in_each_language() {
    for lang in ["en", "it"] {
        let (checks, steps_heading, done, works) = match lang {
            "en" => ("## Automated checks", "## Steps", "- [ ] Done", "- [ ] Sending works after this step"),
            _ => (
                "## Controlli automatici",
                "## Passi",
                "- [ ] Fatto",
                "- [ ] Dopo questo passo l'invio funziona",
            ),
        };
        for (id, steps) in PLAYBOOKS {
            let out = guide(&strings(&["--print", id, "--lang", lang]), "");
            let (md, stderr) = text(&out);
            assert_eq!(out.status.code(), Some(0), "{id} {lang}: {stderr}");
            no_raw_keys(&md);
            let mut lines = md.lines();
            let title = lines.next().unwrap();
            assert!(title.starts_with("# ") && title.len() > 10, "{id} {lang}: {title}");
            assert_in_order(
                &md,
                &[
                    checks,
                    "```sh\nmailprobe diagnose --provider ",
                    "```",
                    &format!("mailprobe guide --scenario {id}"),
                    steps_heading,
                ],
            );
            // Numbered steps, in order, each with its two checkboxes.
            let numbered: Vec<usize> = md
                .lines()
                .filter_map(|l| l.strip_prefix("### "))
                .map(|l| l.split('.').next().unwrap().parse().unwrap())
                .collect();
            assert_eq!(numbered, (1..=*steps).collect::<Vec<_>>(), "{id} {lang}");
            assert_eq!(md.matches(done).count(), *steps, "{id} {lang}");
            assert_eq!(md.matches(works).count(), *steps, "{id} {lang}");
            // Per-platform details under bold audience labels, as bullet lists.
            assert!(md.contains("\n**") && md.contains("**\n\n- "), "{id} {lang}:\n{md}");
            match *id {
                "outlook-gmail-macos" => {
                    assert!(
                        md.contains("--imap imap.gmail.com:993") && md.contains("--user <address>"),
                        "{md}"
                    );
                    assert!(md.contains("Keychain") || md.contains("Portachiavi"), "{md}");
                    assert!(
                        !md.contains("Credential Manager") && !md.contains("Gestione credenziali"),
                        "{md}"
                    );
                }
                "outlook-gmail-windows" => {
                    assert!(md.contains("Credential Manager") || md.contains("Gestione credenziali"), "{md}");
                    assert!(!md.contains("Keychain") && !md.contains("Portachiavi"), "{md}");
                }
                "m365-submission" => {
                    assert!(md.contains("--host smtp.office365.com --port 587"), "{md}");
                    assert!(md.contains("--mode submission --client-tls-max 1.0"), "{md}");
                    assert!(md.contains("Get-CASMailbox -Identity <address>"), "{md}");
                }
                "m365-direct-send" | "m365-relay" => {
                    assert!(
                        md.contains("--host <your-domain>.mail.protection.outlook.com --port 25"),
                        "{md}"
                    );
                    assert!(md.contains(&format!("--mode {}", id.trim_start_matches("m365-"))), "{md}");
                }
                _ => unreachable!(),
            }
        }
    }
    // Italian is Italian.
    let it = text(&guide(&strings(&["--print", "outlook-gmail-macos", "--lang", "it"]), "")).0;
    assert!(it.starts_with("# Outlook per Mac non invia tramite Gmail"), "{it}");
    assert!(it.contains("Impostazioni di Sistema > Generali > Aggiornamento software"), "{it}");
}

#[test]
fn print_of_an_unknown_playbook_lists_the_ids() {
    let out = guide(&strings(&["--print", "outlook-gmail-linux"]), "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out).1;
    for (id, _) in PLAYBOOKS {
        assert!(stderr.contains(id), "{stderr}");
    }
}

/// A pseudo-terminal through `script(1)`: answers are typed when their question shows, the
/// terminal echoes them, but not the password.
#[test]
fn on_a_terminal_the_password_is_not_echoed() {
    const PASSWORD: &str = "tty-secret-5b1e";
    if Command::new("script").arg("--version").output().is_err() {
        panic!("script(1) from util-linux is needed for the terminal test");
    }
    let sim = Sim::start(Scenario::GmailAppPasswordRequired);
    let mut command = vec![BIN.to_owned(), "guide".into(), "--scenario".into(), "outlook-gmail-macos".into()];
    command.extend(sim_flags(&sim));
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &command.join(" "), "/dev/null"])
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let reader = {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let wait_for = |needle: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !flat(&seen.lock().unwrap()).contains(needle) {
            assert!(Instant::now() < deadline, "{needle:?} never shown:\n{}", seen.lock().unwrap());
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for("Which email address");
    stdin.write_all(format!("{}\r", accounts::GMAIL_USER).as_bytes()).unwrap();
    wait_for("without signing in:");
    // Let the prompt switch echo off before typing.
    std::thread::sleep(Duration::from_millis(500));
    stdin.write_all(format!("{PASSWORD}\r").as_bytes()).unwrap();
    wait_for("Does sending work now?");
    stdin.write_all(b"y\r").unwrap();
    wait_for("Result: sending works now (after step 1).");
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(status.code(), Some(0), "{seen}");
    // Echo is on for the other answers (the address comes back from the terminal), off for the
    // password.
    assert!(seen.contains(&format!("send from? {}", accounts::GMAIL_USER)), "{seen}");
    assert!(seen.contains("[auth.app_password_required]") || seen.contains("[auth."), "{seen}");
    assert!(!seen.contains(PASSWORD), "{seen}");
}

#[test]
fn without_a_playbook_the_checks_still_run_and_show_what_to_do() {
    let sim = Sim::start(Scenario::GmailAppPasswordRequired);
    // Outlook on a Mac with "another" provider: no playbook. Without --host the guide asks for
    // the server; the simulator plays it.
    let flags: Vec<String> = sim_flags(&sim).into_iter().skip(2).collect();
    let input =
        format!("1\n3\n{}\nsmtp.gmail.com\n{}\n", accounts::GMAIL_USER, accounts::GMAIL_ACCOUNT_PASSWORD);
    let out = guide(&flags, &input);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    no_raw_keys(&stdout);
    assert_in_order(
        &stdout,
        &[
            "There is no step-by-step guide for this combination yet",
            "Which server does it send through",
            "SMTP smtp.gmail.com port 587 with STARTTLS, signing in as pat.example@gmail.com",
            "[auth.app_password_required]",
            "What to do:",
            "1. [Google account]",
            "Summary",
            "Found: Google wants an app password",
            "For the help desk:",
            "mailprobe diagnose --host smtp.gmail.com --port 587",
        ],
    );
    assert!(!stdout.contains("Step 1 of") && !stdout.contains("Result:"), "{stdout}");
    assert!(!stdout.contains("mailprobe guide --print"), "{stdout}");
    assert!(
        !stdout.contains(accounts::GMAIL_ACCOUNT_PASSWORD)
            && !stderr.contains(accounts::GMAIL_ACCOUNT_PASSWORD)
    );
}

#[test]
fn json_is_refused_as_one_json_document() {
    for args in [
        &["--format", "json"][..],
        &["--format", "json", "--list"],
        &["--print", "m365-relay", "--format", "json"],
    ] {
        let out = guide(&strings(args), "1\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        assert!(doc["error"].as_str().unwrap_or_default().contains("guide"), "{doc}");
        assert!(doc["findings"].is_array(), "{doc}");
    }
}

#[test]
fn direct_send_to_the_submission_endpoint_points_at_the_settings_step() {
    // Direct send aimed at smtp.office365.com, which wants a sign-in: the guide's first step
    // (the MX endpoint, not smtp.office365.com) is where that is fixed.
    let sim = Sim::start(Scenario::M365Ok);
    let mut args = sim_flags(&sim);
    args.extend(strings(&["--scenario", "m365-direct-send"]));
    let out = guide(&args, &format!("{}\nn\n", accounts::M365_USER));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains("Password used to sign in"), "direct send asks for no password:\n{stdout}");
    assert_in_order(
        &stdout,
        &[
            "[direct_send.wrong_endpoint]",
            "Client was not authenticated to send anonymous mail during MAIL FROM",
            "→ Step 1 deals with this.",
            "Step 1 of 7: Check the device's settings for direct send",
            "→ This is what the automated check found:",
            "smtp.office365.com does not take mail this way",
        ],
    );
}
