//! String literals as Python and JavaScript print them inside error messages:
//! `b'5.7.8 Username and Password not accepted.\n5.7.8 ...'`, `'535-5.7.8 ...\n535 5.7.8 ...'`.

/// Reads a quoted literal at the start of `text` (an optional `b` prefix, then `'`, `"` or a
/// backtick) and returns its unescaped contents and the text after the closing quote. An
/// unterminated literal is read to the end of the text.
pub(crate) fn read(text: &str) -> Option<(String, &str)> {
    let text = text.strip_prefix('b').unwrap_or(text);
    let quote = text.chars().next().filter(|q| matches!(q, '\'' | '"' | '`'))?;
    let body = &text[quote.len_utf8()..];
    let mut bytes: Vec<u8> = Vec::with_capacity(body.len());
    let mut chars = body.char_indices();
    let mut rest = "";
    while let Some((i, c)) = chars.next() {
        if c == quote {
            rest = &body[i + c.len_utf8()..];
            break;
        }
        if c != '\\' {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        match e {
            'n' => bytes.push(b'\n'),
            'r' => bytes.push(b'\r'),
            't' => bytes.push(b'\t'),
            '0' => bytes.push(0),
            'x' => {
                let hex: String = chars.by_ref().take(2).map(|(_, h)| h).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) => bytes.push(b),
                    Err(_) => bytes.extend_from_slice(hex.as_bytes()),
                }
            }
            'u' => {
                let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            other => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Some((String::from_utf8_lossy(&bytes).into_owned(), rest))
}

/// The lines of an unescaped literal: split at line ends, empty lines dropped.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.split(['\n', '\r']).map(str::trim_end).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_bytes() {
        let (s, rest) = read(r"b'5.7.8 Username\n5.7.8  https://x - gsmtp')").unwrap();
        assert_eq!(s, "5.7.8 Username\n5.7.8  https://x - gsmtp");
        assert_eq!(rest, ")");
        let (s, _) = read(r"b'caf\xc3\xa9 \'q\' \\'").unwrap();
        assert_eq!(s, "café 'q' \\");
    }

    #[test]
    fn javascript_and_unterminated() {
        let (s, _) = read(r#""a\u00e9\"b""#).unwrap();
        assert_eq!(s, "aé\"b");
        let (s, rest) = read("'never closed").unwrap();
        assert_eq!((s.as_str(), rest), ("never closed", ""));
        assert!(read("no quote").is_none());
        assert_eq!(read(r"'\x'").unwrap().0, "'");
        assert_eq!(lines("a\r\n\nb\n"), ["a", "b"]);
    }
}
