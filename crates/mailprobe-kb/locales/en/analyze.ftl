# Strings of `mailprobe analyze` (crates/mailprobe/src/analyze/render.rs). The findings
# themselves are in findings.ftl, the stage names in ui.ftl.

analyze-input = { $file }: { $format }, { $lines } lines, { $sessions } sessions
analyze-input-not-detected = The format was not recognised: read as a dialogue (C:/S: lines, replies, error messages). Use --input-format to say which program wrote it.
analyze-summary = Summary
analyze-summary-sessions = { $total } sessions: { $failed } failed, { $warnings } with warnings only
analyze-summary-span = From { $from } to { $to }
analyze-summary-incomplete = { $count } sessions were still open where the log ends (or were cut short).
analyze-by-finding = Sessions by finding
analyze-top-clients = Clients with the most failed sessions
analyze-top-replies = Replies and errors that ended failed sessions
analyze-sessions = Sessions
analyze-stopped-at = Stopped at: { $step }
analyze-incomplete = (the log does not show how it ended)
analyze-not-listed = { $count } more sessions not listed (--limit).
analyze-no-findings = No problem found in these sessions.
analyze-html-title = mailprobe: log analysis
analyze-others = (all others)
