//! Prints the findings of a corpus file: `cargo run -p mailprobe-kb --example show FILE [en|it]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a corpus file");
    let lang = args.next().map_or(mailprobe_kb::Lang::En, |l| l.parse().expect("en or it"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let context = serde_json::from_value(doc["context"].clone()).unwrap();
    let transcripts: Vec<mailprobe_proto::Transcript> =
        serde_json::from_value(doc["transcripts"].clone()).unwrap();
    let findings = mailprobe_kb::KnowledgeBase::builtin().diagnose(&context, &transcripts, lang);
    println!("{}", serde_json::to_string_pretty(&findings).unwrap());
}
