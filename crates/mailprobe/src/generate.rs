//! `mailprobe --generate KIND`: the man page and the shell completion scripts, made from the
//! same clap definitions as `--help` (as ripgrep does), so none of them can drift from the flags.

use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, ValueEnum};
use clap_complete::Shell;
use clap_mangen::Man;
use roff::{Roff, bold, roman};

use crate::cli::Cli;

/// What `--generate` writes on standard output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// The man page (roff), every subcommand in a section of its own.
    Man,
    /// Completion script for bash.
    CompleteBash,
    /// Completion script for zsh.
    CompleteZsh,
    /// Completion script for fish.
    CompleteFish,
    /// Completion script for PowerShell.
    CompletePowershell,
}

/// What the command line asks for: a generated file, or a command to run.
pub enum Invocation {
    /// `--generate KIND`, given alone.
    Generate(Kind),
    /// Any other use: a subcommand and its flags.
    Run(Box<Cli>),
}

/// Parses the command line. Every use but `--generate` needs a subcommand, so clap is asked to
/// require one; only when it reports none is `--generate` looked for.
pub fn parse() -> Result<Invocation, clap::Error> {
    match Cli::try_parse() {
        // clap's `exclusive` keeps other flags away from --generate, not subcommands
        Ok(cli) if cli.generate.is_some() => Err(Cli::command()
            .error(ErrorKind::ArgumentConflict, "--generate is given alone, without a subcommand")),
        Ok(cli) => Ok(Invocation::Run(Box::new(cli))),
        Err(e) if e.kind() == ErrorKind::MissingSubcommand => {
            let matches = Cli::command().subcommand_required(false).try_get_matches()?;
            match matches.get_one::<Kind>("generate") {
                Some(kind) => Ok(Invocation::Generate(*kind)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Writes what `kind` names to standard output.
pub fn print(kind: Kind) -> ExitCode {
    let text = render(kind);
    let mut out = std::io::stdout().lock();
    match out.write_all(&text).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailprobe: cannot write the output: {e}");
            ExitCode::from(crate::EXIT_USAGE)
        }
    }
}

/// The man page or completion script `kind` names.
pub fn render(kind: Kind) -> Vec<u8> {
    let shell = match kind {
        Kind::Man => return man_page(),
        Kind::CompleteBash => Shell::Bash,
        Kind::CompleteZsh => Shell::Zsh,
        Kind::CompleteFish => Shell::Fish,
        Kind::CompletePowershell => Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "mailprobe", &mut out);
    out
}

/// One page: the top level (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, the list of SUBCOMMANDS),
/// then a section per subcommand, depth first, headed by its full command line (`MAILPROBE
/// RELAY QUEUE`), so `man mailprobe` shows them all and a search in it finds each.
fn man_page() -> Vec<u8> {
    // flags hidden from `-h` only (--generate) are still documented in full here
    let mut root = Cli::command().disable_help_subcommand(true).mut_args(|a| a.hide_short_help(false));
    // fills in each subcommand's full name and propagates the global flags
    root.build();
    let man = Man::new(root.clone()).title("MAILPROBE").manual("User Commands");
    let mut out = Vec::new();
    // writing to a Vec cannot fail
    man.render_title(&mut out).expect("render to memory");
    let mut body = Vec::new();
    man.render_name_section(&mut body).expect("render to memory");
    man.render_synopsis_section(&mut body).expect("render to memory");
    man.render_description_section(&mut body).expect("render to memory");
    man.render_options_section(&mut body).expect("render to memory");
    append_body(&mut out, &body, true);
    append_subcommand_list(&mut out, &root, ".SH SUBCOMMANDS");
    for sub in visible_subcommands(&root) {
        append_subcommand_section(&mut out, sub, &global_ids(&root));
    }
    body.clear();
    man.render_version_section(&mut body).expect("render to memory");
    append_body(&mut out, &body, true);
    out
}

/// The subcommands a user can type (clap's `help` subcommand is turned off for the page).
fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// The ids of `cmd`'s global flags: clap copies them into every subcommand below it.
fn global_ids(cmd: &clap::Command) -> Vec<clap::Id> {
    cmd.get_arguments().filter(|a| a.is_global_set()).map(|a| a.get_id().clone()).collect()
}

/// `cmd`'s section, then its subcommands'. A global flag is described once, in the section
/// of the command that defines it (`inherited`: those of the commands above).
fn append_subcommand_section(out: &mut Vec<u8>, cmd: &clap::Command, inherited: &[clap::Id]) {
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    out.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
    let is_inherited = |a: &clap::Arg| inherited.contains(a.get_id());
    let own = cmd.clone().mut_args(|a| if is_inherited(&a) { a.hide(true) } else { a });
    let man = Man::new(own);
    let mut body = Vec::new();
    man.render_synopsis_section(&mut body).expect("render to memory");
    man.render_description_section(&mut body).expect("render to memory");
    if cmd.get_arguments().any(|a| !a.is_hide_set() && !is_inherited(a)) {
        man.render_options_section(&mut body).expect("render to memory");
    }
    append_body(out, &body, false);
    if visible_subcommands(cmd).next().is_some() {
        append_subcommand_list(out, cmd, ".SS Subcommands");
    }
    for sub in visible_subcommands(cmd) {
        append_subcommand_section(out, sub, &global_ids(cmd));
    }
}

/// Lines of clap_mangen's sections without the preamble each render repeats. At the top level
/// (`top`) their headings stay; in a subcommand's section the synopsis and description need
/// none and the others become subsections.
fn append_body(out: &mut Vec<u8>, body: &[u8], top: bool) {
    for line in String::from_utf8_lossy(body).lines() {
        if line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq") {
            continue;
        }
        let line = match line.strip_prefix(".SH ") {
            Some(_) if top => line.to_owned(),
            Some("SYNOPSIS") => continue,
            // a paragraph break keeps the description off the synopsis line
            Some("DESCRIPTION") => ".PP".to_owned(),
            Some(heading) => {
                let heading = heading.trim_matches('"').to_lowercase();
                let mut chars = heading.chars();
                let first = chars.next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
                format!(".SS \"{first}{}\"", chars.as_str())
            }
            None => line.to_owned(),
        };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
}

/// A heading, then each subcommand of `cmd` by its full command line and what it does (the
/// section of that name below has the rest; clap_mangen's own list names one page each).
fn append_subcommand_list(out: &mut Vec<u8>, cmd: &clap::Command, heading: &str) {
    out.extend_from_slice(heading.as_bytes());
    out.push(b'\n');
    let mut list = Roff::new();
    for sub in visible_subcommands(cmd) {
        list.control("TP", []);
        list.text([bold(sub.get_bin_name().unwrap_or_else(|| sub.get_name()))]);
        if let Some(about) = sub.get_about().or_else(|| sub.get_long_about()) {
            list.text([roman(about.to_string())]);
        }
    }
    append_body(out, list.render().as_bytes(), false);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::io::Write as _;
    use std::process::{Command as Process, Stdio};

    use super::*;

    /// One command of the tree as a user sees it: its words after `mailprobe`, the flags it
    /// defines (not those it inherits from above), its positional values, its subcommands.
    #[derive(Debug)]
    struct Node {
        path: Vec<String>,
        flags: Vec<String>,
        positionals: Vec<String>,
        children: Vec<String>,
    }

    /// Every command reachable from `mailprobe`, walked from the clap definitions, so a
    /// subcommand or flag added later is checked with no change here.
    fn tree() -> Vec<Node> {
        let mut root = Cli::command().disable_help_subcommand(true);
        root.build();
        let mut nodes = Vec::new();
        walk(&root, Vec::new(), &[], &mut nodes);
        nodes
    }

    fn walk(cmd: &clap::Command, path: Vec<String>, inherited: &[clap::Id], out: &mut Vec<Node>) {
        let own = cmd.get_arguments().filter(|a| !a.is_hide_set() && !inherited.contains(a.get_id()));
        let (mut flags, mut positionals) = (Vec::new(), Vec::new());
        for arg in own {
            if arg.is_positional() {
                let name = arg.get_value_names().map(|v| v.join(" "));
                positionals.push(name.unwrap_or_else(|| arg.get_id().to_string()));
            }
            flags.extend(arg.get_long().map(|l| format!("--{l}")));
            flags.extend(arg.get_short().map(|s| format!("-{s}")));
        }
        let children: Vec<String> = visible_subcommands(cmd).map(|s| s.get_name().to_owned()).collect();
        out.push(Node { path: path.clone(), flags, positionals, children });
        for sub in visible_subcommands(cmd) {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_owned());
            walk(sub, sub_path, &global_ids(cmd), out);
        }
    }

    fn text(kind: Kind) -> String {
        String::from_utf8(render(kind)).expect("utf-8")
    }

    /// The walk sees what it must (so the checks below are not vacuous).
    #[test]
    fn the_tree_holds_nested_subcommands_and_their_flags() {
        let nodes = tree();
        let find = |p: &[&str]| nodes.iter().find(|n| n.path == p).unwrap_or_else(|| panic!("{p:?}"));
        assert!(nodes.len() >= 20, "{}", nodes.len());
        assert!(find(&[]).flags.contains(&"--generate".to_owned()));
        assert!(find(&["diagnose"]).flags.contains(&"--password-env".to_owned()));
        assert!(find(&["relay", "queue"]).flags.contains(&"--config".to_owned()));
        assert!(!find(&["relay", "queue", "list"]).flags.contains(&"--config".to_owned()), "inherited");
        assert_eq!(find(&["relay", "queue", "delete"]).positionals, ["ID"]);
    }

    /// Every subcommand has a section of the man page headed by its full command line, with
    /// each of its flags and positional values in it and its subcommands listed.
    #[test]
    fn the_man_page_documents_every_subcommand_and_flag() {
        // roff writes a hyphen as \-
        let man = text(Kind::Man).replace("\\-", "-");
        assert!(man.contains(".TH MAILPROBE 1 "), "{}", &man[..200]);
        let section = |path: &[String]| -> String {
            let heading = match path {
                [] => return man[..man.find(".SH \"MAILPROBE ").expect("subcommand sections")].to_owned(),
                _ => format!(".SH \"MAILPROBE {}\"\n", path.join(" ").to_uppercase()),
            };
            let start = man.find(&heading).unwrap_or_else(|| panic!("no section {heading:?}"));
            let body = &man[start + heading.len()..];
            body[..body.find("\n.SH ").map_or(body.len(), |e| e + 1)].to_owned()
        };
        for node in tree() {
            let body = section(&node.path);
            for flag in &node.flags {
                assert!(body.contains(&format!("\\fB{flag}\\fR")), "{:?}: {flag} missing", node.path);
            }
            for value in &node.positionals {
                assert!(body.contains(&format!("\\fI{value}\\fR")), "{:?}: {value} missing", node.path);
            }
            for child in &node.children {
                let full: Vec<&str> = ["mailprobe"]
                    .into_iter()
                    .chain(node.path.iter().map(String::as_str))
                    .chain([child.as_str()])
                    .collect();
                assert!(
                    body.contains(&format!("\\fB{}\\fR", full.join(" "))),
                    "{:?}: {child} not listed",
                    node.path
                );
            }
        }
    }

    /// bash itself, given the script: after each command's words, an empty word completes to
    /// every flag and subcommand that command has.
    #[test]
    fn bash_completes_every_subcommand_and_flag() {
        let nodes = tree();
        let mut driver = text(Kind::CompleteBash);
        for node in &nodes {
            let words: Vec<String> =
                ["mailprobe"].iter().map(|w| w.to_string()).chain(node.path.iter().cloned()).collect();
            let prev = words.last().expect("one word at least");
            driver.push_str(&format!(
                "COMP_WORDS=({} ''); COMP_CWORD={}; _mailprobe mailprobe '' {prev}; echo '@@ {}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
                words.join(" "),
                words.len(),
                node.path.join(" "),
            ));
        }
        let mut bash = Process::new("bash")
            .args(["--noprofile", "--norc", "-s"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("bash");
        bash.stdin.take().expect("stdin").write_all(driver.as_bytes()).expect("write");
        let out = bash.wait_with_output().expect("bash output");
        assert!(out.status.success());
        let out = String::from_utf8(out.stdout).expect("utf-8");
        let mut replies = out.split("@@ ").skip(1);
        for node in &nodes {
            let reply = replies.next().unwrap_or_else(|| panic!("no reply for {:?}", node.path));
            let (path, words) = reply.split_once('\n').expect("a line");
            assert_eq!(path, node.path.join(" "));
            let words: BTreeSet<&str> = words.lines().collect();
            for word in node.flags.iter().chain(&node.children) {
                assert!(
                    words.contains(word.as_str()),
                    "{:?}: bash does not offer {word}: {words:?}",
                    node.path
                );
            }
        }
    }

    /// PowerShell's script has a block per command (`'mailprobe;relay;queue' {`) offering its
    /// flags and subcommands.
    #[test]
    fn powershell_completes_every_subcommand_and_flag() {
        let script = text(Kind::CompletePowershell);
        for node in tree() {
            let key = ["mailprobe"]
                .into_iter()
                .chain(node.path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(";");
            let start = script.find(&format!("'{key}' {{")).unwrap_or_else(|| panic!("no block {key}"));
            let block = &script[start..];
            let block = &block[..block.find("break").expect("block end")];
            for word in node.flags.iter().chain(&node.children) {
                assert!(
                    block.contains(&format!("[CompletionResult]::new('{word}'")),
                    "{key}: {word} missing"
                );
            }
        }
    }

    /// zsh's script has an `_arguments` block per command, under a `(name)` label (the root's
    /// is the first), with each of its flags; each subcommand is offered with its description.
    #[test]
    fn zsh_completes_every_subcommand_and_flag() {
        let script = text(Kind::CompleteZsh);
        let lines: Vec<&str> = script.lines().collect();
        // the lines after each `(name)` label (the root's: after `_mailprobe() {`) up to `;;`
        let blocks = |name: Option<&str>| -> Vec<String> {
            let label = name.map_or_else(|| "_mailprobe() {".to_owned(), |n| format!("({n})"));
            let starts = lines.iter().enumerate().filter(|(_, l)| l.trim() == label).map(|(i, _)| i + 1);
            starts
                .map(|i| {
                    lines[i..].iter().take_while(|l| l.trim() != ";;").copied().collect::<Vec<_>>().join("\n")
                })
                .collect()
        };
        for node in tree() {
            let candidates = blocks(node.path.last().map(String::as_str));
            // '--flag[help]', '--flag=[help]', '-f+[help]', or after exclusions: '(-v)-q[help]'
            let has = |b: &str, flag: &str| {
                ["'", ")", "*"]
                    .iter()
                    .any(|pre| ["[", "=", "+"].iter().any(|post| b.contains(&format!("{pre}{flag}{post}"))))
            };
            assert!(
                candidates.iter().any(|b| node.flags.iter().all(|f| has(b, f))),
                "{:?}: no block with all of {:?}",
                node.path,
                node.flags
            );
            for child in &node.children {
                assert!(script.contains(&format!("'{child}:")), "{:?}: {child} missing", node.path);
            }
        }
    }

    /// fish's script has `complete -c mailprobe` lines per command, conditioned on the words
    /// typed; each flag and subcommand of a command has a line under that condition. (clap's
    /// fish script stops two words deep: there, the subcommands are checked, not their flags.)
    #[test]
    fn fish_completes_every_subcommand_and_flag() {
        let script = text(Kind::CompleteFish);
        let condition = |path: &[String], has_children: bool| match path {
            [] => "\"__fish_mailprobe_needs_command\"".to_owned(),
            [one] if has_children => {
                format!("\"__fish_mailprobe_using_subcommand {one}; and not __fish_seen_subcommand_from")
            }
            [one] => format!("\"__fish_mailprobe_using_subcommand {one}\""),
            [one, two] => {
                format!("\"__fish_mailprobe_using_subcommand {one}; and __fish_seen_subcommand_from {two}\"")
            }
            _ => String::new(),
        };
        let option = |flag: &str| match flag.strip_prefix("--") {
            Some(long) => format!(" -l {long}"),
            None => format!(" -s {}", &flag[1..]),
        };
        for node in tree() {
            if node.path.len() > 2 {
                continue;
            }
            let cond = condition(&node.path, !node.children.is_empty());
            let lines: Vec<&str> = script.lines().filter(|l| l.contains(&cond)).collect();
            for flag in &node.flags {
                assert!(lines.iter().any(|l| l.contains(&option(flag))), "{:?}: {flag} missing", node.path);
            }
            for child in &node.children {
                assert!(
                    lines.iter().any(|l| l.contains(&format!("-a \"{child}\""))),
                    "{:?}: {child} missing",
                    node.path
                );
            }
        }
    }
}
