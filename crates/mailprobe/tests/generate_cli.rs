//! `mailprobe --generate KIND` as a user and scripts/package run it (issue 20): each kind
//! prints its file and exits 0; the flag stands alone; `--help` documents it, `-h` keeps it out
//! of the way. (src/generate.rs checks every subcommand and flag is in each file.)

use std::process::{Command, Output};

fn mailprobe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailprobe")).args(args).output().expect("run mailprobe")
}

#[test]
fn each_kind_prints_its_file() {
    let expect = [
        ("man", ".TH MAILPROBE 1"),
        ("complete-bash", "_mailprobe() {"),
        ("complete-zsh", "#compdef mailprobe"),
        ("complete-fish", "complete -c mailprobe "),
        ("complete-powershell", "Register-ArgumentCompleter -Native -CommandName 'mailprobe'"),
    ];
    for (kind, marker) in expect {
        let out = mailprobe(&["--generate", kind]);
        assert!(out.status.success(), "{kind}: {out:?}");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert!(text.contains(marker), "{kind}: no {marker:?} in {}", &text[..text.len().min(300)]);
        assert!(out.stderr.is_empty(), "{kind}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn generate_stands_alone() {
    for args in [
        &["--generate", "man", "demo", "--list"][..],
        &["--generate", "man", "--quiet"],
        &["--generate", "troff"],
        &["--generate"],
    ] {
        let out = mailprobe(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?} wrote {}", String::from_utf8_lossy(&out.stdout));
    }
    // without --generate a subcommand is still required, with clap's own message
    let out = mailprobe(&["--quiet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("requires a subcommand"), "{out:?}");
}

#[test]
fn long_help_documents_generate_and_short_help_does_not() {
    let long = String::from_utf8(mailprobe(&["--help"]).stdout).expect("utf-8");
    assert!(long.contains("--generate <KIND>") && long.contains("complete-powershell"), "{long}");
    let short = String::from_utf8(mailprobe(&["-h"]).stdout).expect("utf-8");
    assert!(!short.contains("--generate"), "{short}");
}
