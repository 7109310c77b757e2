# Testi di `mailprobe analyze` (crates/mailprobe/src/analyze/render.rs). I problemi trovati
# sono in findings.ftl, i nomi dei passaggi in ui.ftl.

analyze-input = { $file }: { $format }, { $lines } righe, { $sessions } sessioni
analyze-input-not-detected = Il formato non è stato riconosciuto: letto come un dialogo (righe C:/S:, risposte, messaggi di errore). Con --input-format si indica quale programma l'ha scritto.
analyze-summary = Riepilogo
analyze-summary-sessions = { $total } sessioni: { $failed } non riuscite, { $warnings } solo con avvisi
analyze-summary-span = Da { $from } a { $to }
analyze-summary-incomplete = { $count } sessioni erano ancora aperte dove il log finisce (o sono state interrotte).
analyze-by-finding = Sessioni per problema
analyze-top-clients = Client con più sessioni non riuscite
analyze-top-replies = Risposte ed errori che hanno chiuso le sessioni non riuscite
analyze-sessions = Sessioni
analyze-stopped-at = Fermata a: { $step }
analyze-incomplete = (il log non mostra come è finita)
analyze-not-listed = Altre { $count } sessioni non elencate (--limit).
analyze-no-findings = Nessun problema trovato in queste sessioni.
analyze-html-title = mailprobe: analisi dei log
analyze-others = (tutti gli altri)
