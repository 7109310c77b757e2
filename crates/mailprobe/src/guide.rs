//! `mailprobe guide`: interactive, ordered troubleshooting for a person who is not a mail expert.
//!
//! The guide asks what is sending and through which provider, picks a playbook (the field guides'
//! ordered procedure, `mailprobe_kb::playbooks`), runs the automated checks that apply through
//! the diagnose engine, shows what they found, and then walks the manual steps one at a time,
//! asking after each whether sending works. It ends with a summary and what to hand a help desk.
//! Questions and answers are plain lines on stdin/stdout, so it works on a terminal and with
//! piped input alike; the password is read without echo on a terminal, and as one line when
//! piped, and is never printed. The end of the input stops the conversation cleanly, with the
//! summary.
//!
//! `--print ID` writes a playbook as a Markdown checklist for a help-desk ticket; `--list` names
//! the playbooks.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Parser as _};
use mailprobe_kb::{
    CheckHost, CheckTarget, KnowledgeBase, Lang, Playbook, Sender, Severity, find_playbook, playbook,
    playbooks,
};
use mailprobe_net::TrustStore;
use mailprobe_proto::{Secret, Security, SendMode};

use mailprobe_checks::DiagnoseRequest;
use mailprobe_report::Report;

use crate::cli::{Cli, Command, Format, GlobalArgs, SecurityArg};
use crate::credentials::BoundedLine;
use crate::global;

/// `mailprobe guide` flags. Besides `--print` and `--list`, the hidden flags let a help desk (and
/// the tests) point the checks anywhere and skip the first questions.
#[derive(Debug, Args)]
pub struct GuideArgs {
    /// Print a playbook as a Markdown checklist (for a help-desk ticket) instead of asking.
    #[arg(long, value_name = "PLAYBOOK", conflicts_with = "list")]
    pub print: Option<String>,
    /// List the playbooks.
    #[arg(long)]
    pub list: bool,
    /// Start with this playbook, skipping the questions about sender, provider and mode.
    #[arg(long, value_name = "PLAYBOOK", hide = true)]
    pub scenario: Option<String>,
    /// SMTP server to check instead of the playbook's.
    #[arg(long, hide = true)]
    pub host: Option<String>,
    /// SMTP port to check instead of the playbook's.
    #[arg(long, hide = true, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// SMTP connection security instead of the playbook's.
    #[arg(long, value_enum, hide = true)]
    pub security: Option<SecurityArg>,
    /// Connect the SMTP check to this address instead of resolving the host. With it, the IMAP
    /// check runs only when `--imap-connect-to` says where.
    #[arg(long, value_name = "ADDR:PORT", hide = true, value_parser = crate::cli::parse_connect_to)]
    pub connect_to: Vec<SocketAddr>,
    /// Connect the IMAP check to this address instead of resolving its host.
    #[arg(long, value_name = "ADDR:PORT", hide = true, value_parser = crate::cli::parse_connect_to)]
    pub imap_connect_to: Option<SocketAddr>,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE", hide = true)]
    pub ca_file: Option<PathBuf>,
    /// Skip the automated checks (no network).
    #[arg(long, hide = true)]
    pub no_checks: bool,
}

/// The client TLS version the check assumes for an old device.
const OLD_TLS: &str = "1.0";
/// Width the guide's paragraphs are wrapped to.
const WIDTH: usize = 78;

/// Runs `guide`. Exit status: 0 when the conversation ended (sending works, or the person
/// stopped), 1 when every step was walked and sending still does not work, 2 for bad usage.
pub async fn run(args: &GuideArgs, global: &GlobalArgs) -> Result<u8> {
    let lang = global::lang(global);
    if global.format == Format::Json {
        // main prints this as the one JSON document --format json promises.
        bail!(
            "guide is a conversation (and --print writes Markdown): no JSON; use mailprobe diagnose --format json"
        );
    }
    if args.list {
        let mut out = String::new();
        for p in playbooks() {
            let _ = writeln!(out, "{:<24} {}", p.id, text(lang, &p.title_id(), &[]));
        }
        print!("{out}");
        return Ok(0);
    }
    if let Some(id) = &args.print {
        print!("{}", markdown(known_playbook(id)?, lang));
        return Ok(0);
    }
    let scenario = args.scenario.as_deref().map(known_playbook).transpose()?;
    if let Some(path) = &args.ca_file {
        // A bad file is bad usage: say so now, not after the questions.
        TrustStore::system().with_ca_file(path)?;
    }
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    let mut guide = Guide {
        input: stdin.lock(),
        out: std::io::stdout().lock(),
        tty,
        lang,
        args,
        global,
        session: Session::default(),
    };
    let ended = guide.converse(scenario).await;
    if ended == Err(Ended::TooLong) {
        bail!(
            "an answer on standard input is too large: a line longer than {} KB, longer than any \
             answer can be (the guide reads one short line per question; is the right input piped in?)",
            MAX_ANSWER_BYTES / 1024
        );
    }
    guide.session.ended = ended.is_err();
    if guide.session.ended {
        guide.blank();
        guide.say_key("guide-ui-input-ended", &[]);
    }
    guide.summary();
    Ok(match guide.session.result() {
        Outcome::StillBroken => 1,
        Outcome::Works(_) | Outcome::Unknown => 0,
    })
}

fn known_playbook(id: &str) -> Result<&'static Playbook> {
    match playbook(id) {
        Some(p) => Ok(p),
        None => {
            let ids = playbooks().iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ");
            bail!("unknown playbook {id:?}; playbooks: {ids}")
        }
    }
}

fn text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(lang, key, args)
}

/// A playbook text with its placeholders filled in.
fn pb_text(lang: Lang, playbook: &Playbook, address: Option<&str>, key: &str) -> String {
    let params = playbook.params(address);
    let args: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    text(lang, key, &args)
}

fn audience_label(lang: Lang, audience: &str) -> String {
    text(lang, &format!("ui-audience-{audience}"), &[])
}

/// Why the conversation stopped before its end.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// The input ended: the summary follows.
    Input,
    /// An answer was longer than [`MAX_ANSWER_BYTES`] (the wrong file piped in, `/dev/zero`):
    /// bad input, said as such.
    TooLong,
}

/// The longest answer read: an address, a number, yes or no, or a password (as long as a secret
/// may be, [`crate::credentials::MAX_SECRET_BYTES`]). Longer lines are not read to their end.
const MAX_ANSWER_BYTES: usize = crate::credentials::MAX_SECRET_BYTES;

type Asked<T> = std::result::Result<T, Ended>;

/// What the person said after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StepAnswer {
    Works,
    StillBroken,
    Skipped,
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Sending works after this step (1-based).
    Works(usize),
    /// Every step was walked and it still does not work.
    StillBroken,
    /// The guide stopped before knowing.
    Unknown,
}

/// Everything the summary reports.
#[derive(Default)]
struct Session {
    playbook: Option<&'static Playbook>,
    address: Option<String>,
    /// What the automated checks covered, in words.
    checked: Vec<String>,
    report: Option<Report>,
    /// The answers, in step order.
    answers: Vec<StepAnswer>,
    /// `mailprobe diagnose` arguments that repeat the checks.
    diagnose_command: Option<Vec<String>>,
    /// The input ended before the conversation did.
    ended: bool,
}

impl Session {
    fn result(&self) -> Outcome {
        if let Some(n) = self.answers.iter().position(|a| *a == StepAnswer::Works) {
            return Outcome::Works(n + 1);
        }
        match self.playbook {
            Some(p) if self.answers.len() == p.steps.len() && !self.answers.is_empty() => {
                Outcome::StillBroken
            }
            _ => Outcome::Unknown,
        }
    }
}

struct Guide<'a, R: BufRead, W: Write> {
    input: R,
    out: W,
    tty: bool,
    lang: Lang,
    args: &'a GuideArgs,
    global: &'a GlobalArgs,
    session: Session,
}

/// True for something shaped like `name@domain` (one line, no spaces or brackets).
fn looks_like_address(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(|c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"".contains(c))
        }
        None => false,
    }
}

/// Yes or no, in English or Italian.
fn yes_no(answer: &str) -> Option<bool> {
    match answer.trim().to_lowercase().as_str() {
        "y" | "yes" | "s" | "si" | "sì" | "sí" => Some(true),
        "n" | "no" => Some(false),
        _ => None,
    }
}

/// The answer after a step.
fn step_answer(answer: &str) -> Option<StepAnswer> {
    match answer.trim().to_lowercase().as_str() {
        "skip" | "salta" | "k" => Some(StepAnswer::Skipped),
        other => yes_no(other).map(|yes| if yes { StepAnswer::Works } else { StepAnswer::StillBroken }),
    }
}

/// Wraps a paragraph to `WIDTH` columns, every line starting with `indent` (the first with
/// `first` instead).
fn wrap(text: &str, first: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        let len = line.chars().count() + word.chars().count() + usize::from(!empty);
        if !empty && len > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// Quotes an argument for a POSIX shell when it needs it. Arguments with a placeholder such as
/// `<address>` are left as they are: the person replaces it before running the line.
fn shell_word(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    let placeholder = arg.chars().all(|c| plain(c) || c == '<' || c == '>')
        && arg.find('<').zip(arg.find('>')).is_some_and(|(open, close)| open < close);
    if !arg.is_empty() && (arg.chars().all(plain) || placeholder) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

fn command_line(args: &[String]) -> String {
    args.iter().map(|a| shell_word(a)).collect::<Vec<_>>().join(" ")
}

fn security_flag(security: Security) -> &'static str {
    match security {
        Security::Starttls => "starttls",
        Security::Tls => "tls",
        Security::None => "none",
    }
}

fn security_name(lang: Lang, security: Security) -> String {
    text(lang, &format!("ui-security-{}", security_flag(security)), &[])
}

fn mode_flag(mode: SendMode) -> &'static str {
    match mode {
        SendMode::Submission => "submission",
        SendMode::DirectSend => "direct-send",
        SendMode::Relay => "relay",
    }
}

/// What one diagnose run checks: the guide's questions and flags turned into diagnose terms.
struct CheckRun {
    provider: Option<String>,
    host: String,
    port: u16,
    security: Security,
    imap: Option<(String, u16, Security)>,
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
    mode: Option<SendMode>,
    client_tls_max: Option<&'static str>,
}

impl CheckRun {
    /// The `mailprobe diagnose` arguments (without `mailprobe`), adding the guide's advanced
    /// flags so that a help desk repeats exactly this run.
    fn command(&self, args: Option<&GuideArgs>) -> Vec<String> {
        let mut c: Vec<String> = vec!["mailprobe".into(), "diagnose".into()];
        let mut push = |flag: &str, value: &str| {
            c.push(flag.to_owned());
            c.push(value.to_owned());
        };
        if let Some(p) = &self.provider {
            push("--provider", p);
        }
        push("--host", &self.host);
        push("--port", &self.port.to_string());
        push("--security", security_flag(self.security));
        if let Some(u) = &self.user {
            push("--user", u);
        }
        if let Some(f) = &self.from
            && self.user.as_deref() != Some(f.as_str())
        {
            push("--from", f);
        }
        if let Some(t) = &self.to
            && self.from.as_deref() != Some(t.as_str())
        {
            push("--to", t);
        }
        if let Some((host, port, security)) = &self.imap {
            push("--imap", &format!("{host}:{port}"));
            if *security != Security::default_for_port(*port) {
                push("--imap-security", security_flag(*security));
            }
        }
        if let Some(m) = self.mode {
            push("--mode", mode_flag(m));
        }
        if let Some(v) = self.client_tls_max {
            push("--client-tls-max", v);
        }
        if let Some(args) = args {
            for a in &args.connect_to {
                push("--connect-to", &a.to_string());
            }
            if let Some(f) = &args.ca_file {
                push("--ca-file", &f.display().to_string());
            }
        }
        c
    }

    /// The checks in words, for the person and the summary.
    fn describe(&self, lang: Lang) -> Vec<String> {
        let port = self.port.to_string();
        let mut smtp = text(
            lang,
            "guide-ui-check-smtp",
            &[("host", &self.host), ("port", &port), ("security", &security_name(lang, self.security))],
        );
        if let Some(u) = &self.user {
            let _ = write!(smtp, ", {}", text(lang, "guide-ui-check-sign-in", &[("address", u)]));
        }
        let mut out = vec![smtp];
        if let Some((host, port, security)) = &self.imap {
            let port = port.to_string();
            out.push(text(
                lang,
                "guide-ui-check-imap",
                &[("host", host), ("port", &port), ("security", &security_name(lang, *security))],
            ));
        }
        if self.client_tls_max.is_some() {
            out.push(text(lang, "guide-ui-check-old-tls", &[]));
        }
        out
    }
}

impl<R: BufRead, W: Write> Guide<'_, R, W> {
    fn t(&self, key: &str, args: &[(&str, &str)]) -> String {
        text(self.lang, key, args)
    }

    fn emit(&mut self, s: &str) {
        // The guide quotes what servers and DNS said: their control characters made visible.
        let _ = self.out.write_all(mailprobe_report::safe::clean_lines(s).as_bytes());
        let _ = self.out.flush();
    }

    fn blank(&mut self) {
        self.emit("\n");
    }

    /// A paragraph, wrapped.
    fn say(&mut self, s: &str) {
        let s = wrap(s, "", "");
        self.emit(&s);
    }

    fn say_key(&mut self, key: &str, args: &[(&str, &str)]) {
        let s = self.t(key, args);
        self.say(&s);
    }

    /// One line of input, without its line ending; `Ended` at the end of the input, or when
    /// the line is longer than any answer can be (only that much of it is read).
    fn read_line(&mut self) -> Asked<String> {
        match crate::credentials::read_line_bounded(&mut self.input, MAX_ANSWER_BYTES) {
            Ok(BoundedLine::Line(bytes)) => String::from_utf8(bytes).map_err(|_| Ended::Input),
            Ok(BoundedLine::End) | Err(_) => Err(Ended::Input),
            Ok(BoundedLine::TooLong) => Err(Ended::TooLong),
        }
    }

    fn prompt(&mut self, question: &str) -> Asked<String> {
        let q = wrap(question, "", "");
        self.emit(&format!("{} ", q.trim_end()));
        let answer = self.read_line();
        if !self.tty {
            // Piped answers are not echoed by a terminal: end the prompt's line ourselves.
            self.blank();
        }
        answer
    }

    fn ask_yes_no(&mut self, key: &str) -> Asked<bool> {
        let question = format!("{} {}", self.t(key, &[]), self.t("guide-ui-yes-no", &[]));
        loop {
            let answer = self.prompt(&question)?;
            match yes_no(&answer) {
                Some(yes) => return Ok(yes),
                None => self.say_key("guide-ui-answer-yes-no", &[]),
            }
        }
    }

    /// A numbered choice; returns the 0-based index.
    fn ask_choice(&mut self, key: &str, options: &[String]) -> Asked<usize> {
        let mut menu = self.t(key, &[]);
        menu.push('\n');
        for (i, o) in options.iter().enumerate() {
            let _ = writeln!(menu, "  {}) {o}", i + 1);
        }
        loop {
            self.emit(&menu);
            let answer = self.prompt(">")?;
            match answer.trim().parse::<usize>() {
                Ok(n) if (1..=options.len()).contains(&n) => return Ok(n - 1),
                _ => {
                    let max = options.len().to_string();
                    self.say_key("guide-ui-ask-number", &[("max", &max)]);
                }
            }
        }
    }

    fn ask_address(&mut self, key: &str, optional: bool) -> Asked<Option<String>> {
        let question = self.t(key, &[]);
        loop {
            let answer = self.prompt(&question)?;
            let answer = answer.trim();
            if answer.is_empty() && optional {
                return Ok(None);
            }
            if looks_like_address(answer) {
                return Ok(Some(answer.to_owned()));
            }
            self.say_key("guide-ui-bad-address", &[]);
        }
    }

    /// The password: without echo on a terminal, one line when piped. Never printed.
    fn ask_password(&mut self, address: &str, provider: &str) -> Asked<Option<Secret>> {
        let question = self.t("guide-ui-ask-password", &[("address", address), ("provider", provider)]);
        let q = wrap(&question, "", "");
        self.emit(&format!("{} ", q.trim_end()));
        let line = if self.tty {
            match rpassword::read_password() {
                Ok(p) => p,
                Err(_) => return Err(Ended::Input),
            }
        } else {
            let line = self.read_line()?;
            self.blank();
            line
        };
        Ok((!line.is_empty()).then(|| Secret::new(line)))
    }

    /// The whole conversation up to the last step; `Err(Ended)` when the input ended.
    async fn converse(&mut self, scenario: Option<&'static Playbook>) -> Asked<()> {
        self.say_key("guide-ui-welcome", &[]);
        self.say_key("guide-ui-how-to-answer", &[]);
        self.blank();
        let (playbook, provider) = match scenario {
            Some(p) => (Some(p), p.provider.clone()),
            None => self.choose_playbook()?,
        };
        self.session.playbook = playbook;
        let address = self.ask_address("guide-ui-ask-address", false)?;
        self.session.address = address.clone();
        let address = address.unwrap_or_default();
        self.blank();
        match playbook {
            Some(p) => {
                let (title, intro) =
                    (self.t(&p.title_id(), &[]), pb_text(self.lang, p, Some(&address), &p.intro_id()));
                self.say_key("guide-ui-chosen", &[("title", &title), ("id", &p.id)]);
                self.say(&intro);
                self.blank();
                if !self.args.no_checks {
                    let run = self.plan_playbook_checks(p, &address)?;
                    self.run_checks(run, p.sender == Sender::Device).await?;
                } else {
                    self.say_key("guide-ui-checks-skipped", &[]);
                    self.blank();
                }
                self.walk_steps(p, &address)
            }
            None => {
                self.say_key("guide-ui-no-playbook", &[]);
                self.blank();
                if self.args.no_checks {
                    self.say_key("guide-ui-checks-skipped", &[]);
                    return Ok(());
                }
                let run = self.plan_fallback_checks(&provider, &address)?;
                self.run_checks(run, false).await
            }
        }
    }

    /// Sender, provider and (for a device on Microsoft 365) mode → a playbook, if there is one.
    fn choose_playbook(&mut self) -> Asked<(Option<&'static Playbook>, String)> {
        let senders: Vec<String> =
            Sender::ALL.iter().map(|s| self.t(&format!("guide-ui-sender-{}", s.as_str()), &[])).collect();
        let sender = Sender::ALL[self.ask_choice("guide-ui-ask-sender", &senders)?];
        self.blank();
        const PROVIDERS: [&str; 3] = ["gmail", "m365", "other"];
        let names: Vec<String> =
            PROVIDERS.iter().map(|p| self.t(&format!("guide-ui-provider-{p}"), &[])).collect();
        let provider = PROVIDERS[self.ask_choice("guide-ui-ask-provider", &names)?].to_owned();
        self.blank();
        let mut mode = None;
        if sender == Sender::Device && provider == "m365" {
            self.say_key("guide-ui-modes-explained", &[]);
            mode = Some(if self.ask_yes_no("guide-ui-ask-can-sign-in")? {
                SendMode::Submission
            } else if self.ask_yes_no("guide-ui-ask-outside")? {
                SendMode::Relay
            } else {
                SendMode::DirectSend
            });
            self.blank();
        }
        Ok((find_playbook(sender, &provider, mode), provider))
    }

    /// The SMTP target after the advanced flags.
    fn smtp_target(&self, target: &CheckTarget, address: &str) -> (String, u16, Security) {
        let host = match (&self.args.host, target.host_for(Some(address))) {
            (Some(h), _) => h.clone(),
            (None, Some(h)) => h,
            (None, None) => match &target.host {
                CheckHost::Name(n) => n.clone(),
                CheckHost::TenantMx => mailprobe_kb::tenant_mx("invalid"),
            },
        };
        let port = self.args.port.unwrap_or(target.port);
        let security = match self.args.security {
            Some(SecurityArg::Auto) => Security::default_for_port(port),
            Some(SecurityArg::Starttls) => Security::Starttls,
            Some(SecurityArg::Tls) => Security::Tls,
            Some(SecurityArg::None) => Security::None,
            None => target.security,
        };
        (host, port, security)
    }

    fn plan_playbook_checks(&mut self, p: &Playbook, address: &str) -> Asked<CheckRun> {
        let check = &p.check;
        let client_tls_max =
            if check.old_tls && self.ask_yes_no("guide-ui-ask-old-tls")? { Some(OLD_TLS) } else { None };
        let outside = if check.outside_recipient {
            self.ask_address("guide-ui-ask-outside-address", true)?
        } else {
            None
        };
        let (host, port, security) = self.smtp_target(&check.smtp, address);
        // --connect-to moves only the SMTP check; IMAP then needs its own address.
        let imap = check
            .imap
            .as_ref()
            .filter(|_| self.args.connect_to.is_empty() || self.args.imap_connect_to.is_some())
            .and_then(|t| t.host_for(Some(address)).map(|h| (h, t.port, t.security)));
        Ok(CheckRun {
            provider: Some(p.provider.clone()),
            host,
            port,
            security,
            imap,
            user: check.sign_in.then(|| address.to_owned()),
            from: Some(address.to_owned()),
            to: outside.or_else(|| Some(address.to_owned())),
            mode: p.mode,
            client_tls_max,
        })
    }

    /// Without a playbook: the provider's submission server, or the one the person names.
    fn plan_fallback_checks(&mut self, provider_id: &str, address: &str) -> Asked<CheckRun> {
        let known = mailprobe_checks::provider::by_id(provider_id);
        let target = match (&self.args.host, known) {
            (Some(h), _) => {
                CheckTarget { host: CheckHost::Name(h.clone()), port: 587, security: Security::Starttls }
            }
            (None, Some(p)) => {
                CheckTarget { host: CheckHost::Name(p.smtp.0.to_owned()), port: p.smtp.1, security: p.smtp.2 }
            }
            (None, None) => loop {
                let host = self.prompt(&self.t("guide-ui-ask-server", &[]))?;
                let host = host.trim();
                if !host.is_empty() && !host.contains(char::is_whitespace) {
                    break CheckTarget {
                        host: CheckHost::Name(host.to_owned()),
                        port: 587,
                        security: Security::Starttls,
                    };
                }
            },
        };
        let (host, port, security) = self.smtp_target(&target, address);
        Ok(CheckRun {
            provider: known.map(|p| p.id.to_owned()),
            host,
            port,
            security,
            imap: None,
            user: Some(address.to_owned()),
            from: Some(address.to_owned()),
            to: Some(address.to_owned()),
            mode: None,
            client_tls_max: None,
        })
    }

    /// Asks for the password when the checks sign in, runs them, and shows what they found.
    async fn run_checks(&mut self, mut run: CheckRun, device: bool) -> Asked<()> {
        let heading = self.t("guide-ui-checks-heading", &[]);
        self.emit(&format!("\n{heading}\n{}\n", "─".repeat(heading.chars().count())));
        let described = run.describe(self.lang).join("; ");
        self.say_key("guide-ui-checks-what", &[("targets", &described)]);
        if device {
            self.say_key("guide-ui-checks-from-here", &[]);
        }
        let password = match run.user.clone() {
            Some(user) => self.ask_password(&user, run.provider.as_deref().unwrap_or("other"))?,
            None => None,
        };
        let signs_in = password.is_some();
        let sign_in_asked = run.user.is_some();
        if !signs_in && run.user.is_some() {
            // Without a password: connection and encryption only, no envelope.
            run.user = None;
            if run.mode.is_none_or(|m| m == SendMode::Submission) {
                run.from = None;
                run.to = None;
            }
        }
        self.session.checked = run.describe(self.lang);
        self.session.diagnose_command = Some(run.command(Some(self.args)));
        self.say_key("guide-ui-checking", &[]);
        let report = match self.probe(&run, password).await {
            Ok(r) => r,
            Err(e) => {
                let error = format!("{e:#}");
                self.say_key("guide-ui-checks-could-not-run", &[("error", &error)]);
                self.blank();
                return Ok(());
            }
        };
        self.blank();
        self.show_findings(&report, signs_in, sign_in_asked);
        self.session.report = Some(report);
        Ok(())
    }

    async fn probe(&self, run: &CheckRun, password: Option<Secret>) -> Result<Report> {
        // The very command line the help desk gets, read by the same parser as `diagnose`.
        let argv = run.command(Some(self.args));
        let Command::Diagnose(dargs) = Cli::try_parse_from(&argv)?.command else {
            bail!("not a diagnose command line: {}", command_line(&argv))
        };
        let request = DiagnoseRequest { password, ..dargs.request()? };
        let (mut plan, context) = mailprobe_checks::diagnose::plan(&request, None)?;
        if let (Some(imap), Some(addr)) = (plan.imap.as_mut(), self.args.imap_connect_to) {
            imap.connect_to = vec![addr];
        }
        let trust = match &self.args.ca_file {
            Some(path) => TrustStore::system().with_ca_file(path)?,
            None => TrustStore::system(),
        };
        let env = global::check_env(self.global, trust);
        Ok(mailprobe_checks::diagnose::probe(&plan, context, &env, &mut |_| {}).await?)
    }

    fn show_findings(&mut self, report: &Report, signed_in: bool, sign_in_asked: bool) {
        let shown: Vec<_> = report.findings.iter().collect();
        if report.ok && shown.iter().all(|f| f.severity == Severity::Info) {
            let key = match (signed_in, sign_in_asked) {
                (true, _) => "guide-ui-checks-ok",
                (false, true) => "guide-ui-checks-ok-no-sign-in",
                // Direct send and relay: no sign-in by design, the envelope was tried.
                (false, false) => "guide-ui-checks-ok-envelope",
            };
            self.say_key(key, &[]);
        }
        if shown.is_empty() {
            self.blank();
            return;
        }
        let with_fixes = self.session.playbook.is_none();
        self.say_key("guide-ui-checks-found", &[]);
        let mut out = String::new();
        for f in shown {
            let mark = match f.severity {
                Severity::Error => "✗",
                Severity::Warning => "!",
                Severity::Info => "i",
            };
            out.push_str(&wrap(&format!("{} [{}]", f.title, f.id), &format!("  {mark} "), "    "));
            out.push_str(&wrap(&f.summary, "    ", "    "));
            let steps: Vec<String> = self
                .session
                .playbook
                .map(|p| {
                    p.steps
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.addresses(&f.id))
                        .map(|(i, _)| (i + 1).to_string())
                        .collect()
                })
                .unwrap_or_default();
            if !steps.is_empty() {
                let count = steps.len().to_string();
                let see = self.t("guide-ui-finding-see", &[("count", &count), ("steps", &steps.join(", "))]);
                out.push_str(&wrap(&see, "    ", "    "));
            }
            if with_fixes && !f.fixes.is_empty() {
                out.push_str(&wrap(&self.t("guide-ui-fallback-fixes", &[]), "    ", "    "));
                for (i, fix) in f.fixes.iter().enumerate() {
                    let who = fix
                        .audience
                        .as_deref()
                        .map(|a| format!("[{}] ", audience_label(self.lang, a)))
                        .unwrap_or_default();
                    out.push_str(&wrap(
                        &format!("{who}{}", fix.text),
                        &format!("      {}. ", i + 1),
                        "         ",
                    ));
                }
            }
        }
        self.emit(&out);
        self.blank();
    }

    fn walk_steps(&mut self, p: &Playbook, address: &str) -> Asked<()> {
        let total = p.steps.len().to_string();
        self.say_key("guide-ui-steps-heading", &[("total", &total)]);
        self.say(&pb_text(self.lang, p, Some(address), &p.test_id()));
        let found: Vec<(String, String)> = self
            .session
            .report
            .as_ref()
            .map(|r| {
                r.findings
                    .iter()
                    .filter(|f| f.severity != Severity::Info)
                    .map(|f| (f.id.clone(), f.title.clone()))
                    .collect()
            })
            .unwrap_or_default();
        for (i, step) in p.steps.iter().enumerate() {
            self.blank();
            let n = (i + 1).to_string();
            let title = pb_text(self.lang, p, Some(address), &step.title_id());
            let heading = self.t("guide-ui-step-heading", &[("n", &n), ("total", &total), ("title", &title)]);
            self.emit(&format!("{heading}\n{}\n", "─".repeat(heading.chars().count().min(WIDTH))));
            for (id, ftitle) in found.iter().filter(|(id, _)| step.addresses(id)) {
                self.say_key("guide-ui-step-found", &[("title", ftitle), ("id", id)]);
            }
            self.say(&pb_text(self.lang, p, Some(address), &step.what_id()));
            for audience in &step.how {
                let label = audience_label(self.lang, audience);
                let mut block = format!("  {}\n", self.t("guide-ui-how-for", &[("audience", &label)]));
                // One instruction a line, not wrapped: commands stay whole for copying.
                for line in pb_text(self.lang, p, Some(address), &step.how_id(audience)).lines() {
                    let _ = writeln!(block, "    - {}", line.trim());
                }
                self.emit(&block);
            }
            let question = self.t("guide-ui-ask-works", &[]);
            let answer = loop {
                let a = self.prompt(&question)?;
                match step_answer(&a) {
                    Some(a) => break a,
                    None => self.say_key("guide-ui-answer-works", &[]),
                }
            };
            self.session.answers.push(answer);
            if answer == StepAnswer::Works {
                self.say_key("guide-ui-works", &[]);
                break;
            }
        }
        Ok(())
    }

    fn summary(&mut self) {
        let lang = self.lang;
        let heading = self.t("guide-ui-summary-heading", &[]);
        let mut out = format!("\n{heading}\n{}\n", "═".repeat(heading.chars().count()));
        let line = |out: &mut String, s: &str| out.push_str(&wrap(s, "  ", "    "));
        let address = self.session.address.as_deref();
        if let Some(p) = self.session.playbook {
            let title = text(lang, &p.title_id(), &[]);
            line(&mut out, &text(lang, "guide-ui-summary-guide", &[("title", &title), ("id", &p.id)]));
        }
        if self.session.checked.is_empty() || self.session.report.is_none() {
            line(&mut out, &text(lang, "guide-ui-summary-not-checked", &[]));
        } else {
            let targets = self.session.checked.join("; ");
            line(&mut out, &text(lang, "guide-ui-summary-checked", &[("targets", &targets)]));
        }
        if let Some(report) = &self.session.report {
            if report.findings.is_empty() {
                line(&mut out, &text(lang, "guide-ui-summary-found-nothing", &[]));
            } else {
                let found = report
                    .findings
                    .iter()
                    .map(|f| format!("{} [{}]", f.title, f.id))
                    .collect::<Vec<_>>()
                    .join("; ");
                line(&mut out, &text(lang, "guide-ui-summary-found", &[("findings", &found)]));
            }
        }
        if let Some(p) = self.session.playbook {
            if self.session.answers.is_empty() {
                line(&mut out, &text(lang, "guide-ui-summary-no-steps", &[]));
            } else {
                line(&mut out, &text(lang, "guide-ui-summary-steps", &[]));
                for (i, (answer, step)) in self.session.answers.iter().zip(&p.steps).enumerate() {
                    let n = (i + 1).to_string();
                    let title = pb_text(lang, p, address, &step.title_id());
                    let key = match answer {
                        StepAnswer::Works => "guide-ui-summary-step-helped",
                        StepAnswer::StillBroken => "guide-ui-summary-step-done",
                        StepAnswer::Skipped => "guide-ui-summary-step-skipped",
                    };
                    out.push_str(&wrap(&text(lang, key, &[("n", &n), ("title", &title)]), "    ", "       "));
                }
            }
        }
        // Without a playbook there are no steps to confirm anything with, and the findings say it
        // all; unless the conversation was cut short.
        if self.session.playbook.is_some() || self.session.ended {
            let result = match self.session.result() {
                Outcome::Works(n) => text(lang, "guide-ui-summary-works", &[("n", &n.to_string())]),
                Outcome::StillBroken => text(lang, "guide-ui-summary-still-broken", &[]),
                Outcome::Unknown => text(lang, "guide-ui-summary-unknown", &[]),
            };
            line(&mut out, &result);
        }
        let mut commands = Vec::new();
        if let Some(p) = self.session.playbook {
            commands.push(format!("mailprobe guide --print {}", p.id));
        }
        if let Some(c) = &self.session.diagnose_command {
            commands.push(command_line(c));
        }
        if !commands.is_empty() {
            line(&mut out, &text(lang, "guide-ui-summary-helpdesk", &[]));
            for c in commands {
                let _ = writeln!(out, "    {c}");
            }
        }
        self.emit(&out);
    }
}

/// The `mailprobe diagnose` command lines that run a playbook's checks, with `<address>` for
/// the person's address: the plain one, and the one as an old TLS-only client when that applies.
fn playbook_commands(p: &Playbook) -> (String, Option<String>) {
    let params = p.params(None);
    let param = |k: &str| params.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let address = param("address");
    let run = CheckRun {
        provider: Some(p.provider.clone()),
        host: param("host"),
        port: p.check.smtp.port,
        security: p.check.smtp.security,
        imap: p.check.imap.as_ref().and_then(|t| t.host_for(None).map(|h| (h, t.port, t.security))),
        user: p.check.sign_in.then(|| address.clone()),
        from: Some(address.clone()),
        to: None,
        mode: p.mode,
        client_tls_max: None,
    };
    let plain = command_line(&run.command(None));
    let old = p
        .check
        .old_tls
        .then(|| command_line(&CheckRun { client_tls_max: Some(OLD_TLS), ..run }.command(None)));
    (plain, old)
}

/// A playbook as a Markdown checklist for a help-desk ticket.
pub fn markdown(p: &Playbook, lang: Lang) -> String {
    let t = |key: &str| pb_text(lang, p, None, key);
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", t(&p.title_id()));
    let _ = writeln!(md, "{}\n", t(&p.intro_id()));
    let _ = writeln!(md, "## {}\n", text(lang, "guide-md-checks", &[]));
    let _ = writeln!(md, "{}\n", text(lang, "guide-md-checks-intro", &[]));
    let (plain, old) = playbook_commands(p);
    let _ = writeln!(md, "```sh\n{plain}\n```\n");
    if let Some(old) = old {
        let _ = writeln!(md, "{}\n", text(lang, "guide-md-old-tls", &[]));
        let _ = writeln!(md, "```sh\n{old}\n```\n");
    }
    let interactive = format!("`mailprobe guide --scenario {}`", p.id);
    let _ = writeln!(md, "{}\n", text(lang, "guide-md-interactive", &[("command", &interactive)]));
    let _ = writeln!(md, "## {}\n", text(lang, "guide-md-steps", &[]));
    let _ = writeln!(md, "{}\n", t(&p.test_id()));
    for (i, step) in p.steps.iter().enumerate() {
        let _ = writeln!(md, "### {}. {}\n", i + 1, t(&step.title_id()));
        let _ = writeln!(md, "- [ ] {}", text(lang, "guide-md-done", &[]));
        let _ = writeln!(md, "- [ ] {}\n", text(lang, "guide-md-works", &[]));
        let _ = writeln!(md, "{}\n", t(&step.what_id()));
        for audience in &step.how {
            let _ = writeln!(md, "**{}**\n", audience_label(lang, audience));
            for line in t(&step.how_id(audience)).lines().map(str::trim).filter(|l| !l.is_empty()) {
                let _ = writeln!(md, "- {line}");
            }
            md.push('\n');
        }
        if !step.findings.is_empty() {
            let ids = step.findings.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
            let _ = writeln!(md, "*{}*\n", text(lang, "guide-md-findings", &[("ids", &ids)]));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_both_languages() {
        for yes in ["y", "Yes", "s", "sì", "SI", " si "] {
            assert_eq!(yes_no(yes), Some(true), "{yes}");
        }
        for no in ["n", "NO", " no\r"] {
            assert_eq!(yes_no(no), Some(false), "{no}");
        }
        for other in ["", "maybe", "yy", "1"] {
            assert_eq!(yes_no(other), None, "{other}");
        }
        assert_eq!(step_answer("skip"), Some(StepAnswer::Skipped));
        assert_eq!(step_answer("Salta"), Some(StepAnswer::Skipped));
        assert_eq!(step_answer("sì"), Some(StepAnswer::Works));
        assert_eq!(step_answer("n"), Some(StepAnswer::StillBroken));
        assert_eq!(step_answer("dunno"), None);
    }

    #[test]
    fn addresses() {
        assert!(looks_like_address("pat.example@gmail.com"));
        for bad in
            ["", "pat", "pat@", "@gmail.com", "pat@gmail", "pat @gmail.com", "<pat@gmail.com>", "pat@.com"]
        {
            assert!(!looks_like_address(bad), "{bad}");
        }
    }

    #[test]
    fn wrapping_keeps_words_and_width() {
        let text = "one two three four five six seven eight nine ten ".repeat(10);
        let wrapped = wrap(&text, "  - ", "    ");
        assert!(wrapped.lines().all(|l| l.chars().count() <= WIDTH), "{wrapped}");
        assert_eq!(wrapped.split_whitespace().filter(|w| *w != "-").count(), 100);
        assert!(wrapped.starts_with("  - one"));
        assert_eq!(wrap("", "> ", ""), ">\n");
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("smtp.gmail.com"), "smtp.gmail.com");
        assert_eq!(shell_word("<address>"), "<address>");
        assert_eq!(
            shell_word("<tenant>.mail.protection.outlook.com"),
            "<tenant>.mail.protection.outlook.com"
        );
        assert_eq!(shell_word("a>b<c"), "'a>b<c'");
        assert_eq!(shell_word("/tmp/a b.pem"), "'/tmp/a b.pem'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn outcome() {
        let mut s = Session { playbook: playbook("m365-direct-send"), ..Session::default() };
        assert_eq!(s.result(), Outcome::Unknown);
        s.answers = vec![StepAnswer::StillBroken, StepAnswer::Skipped];
        assert_eq!(s.result(), Outcome::Unknown);
        s.answers.push(StepAnswer::Works);
        assert_eq!(s.result(), Outcome::Works(3));
        s.answers = vec![StepAnswer::StillBroken; s.playbook.unwrap().steps.len()];
        assert_eq!(s.result(), Outcome::StillBroken);
    }
}
