//! Reading a file line by line with a bound on what is buffered: a line longer than
//! the bound is read through in buffer-sized chunks and discarded, so a huge or
//! newline-free file costs no more memory than the bound.

use std::io::{self, BufRead};

/// How [`read_line_bounded`] ended a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLine {
    /// The line was longer than the limit: `line` is left empty, the rest was skipped.
    pub too_long: bool,
    /// The line ended with `\n` (false only for the file's last line).
    pub ends_with_newline: bool,
}

/// Reads one line (with its `\n`) into `line`, buffering at most `max` bytes plus the
/// newline; a longer line is consumed without being kept. `None` at end of file.
pub fn read_line_bounded(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<ReadLine>> {
    line.clear();
    let (mut seen, mut too_long) = (0_usize, false);
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((seen > 0).then_some(ReadLine {
                too_long,
                ends_with_newline: false,
            }));
        }
        let newline = available.iter().position(|&byte| byte == b'\n');
        let chunk = &available[..newline.map_or(available.len(), |at| at + 1)];
        seen = seen.saturating_add(chunk.len());
        if !too_long && line.len() + chunk.len() > max.saturating_add(1) {
            too_long = true;
            *line = Vec::new();
        }
        if !too_long {
            line.extend_from_slice(chunk);
        }
        let consumed = chunk.len();
        reader.consume(consumed);
        if newline.is_some() {
            return Ok(Some(ReadLine {
                too_long,
                ends_with_newline: true,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_reading_splits_lines_and_flags_long_ones() {
        let mut reader = io::BufReader::with_capacity(4, &b"abc\nabcdefgh\nab"[..]);
        let mut line = Vec::new();
        let mut reads = Vec::new();
        while let Some(read) = read_line_bounded(&mut reader, &mut line, 5).expect("reads") {
            reads.push((String::from_utf8(line.clone()).expect("UTF-8"), read));
        }
        let read = |too_long, ends_with_newline| ReadLine {
            too_long,
            ends_with_newline,
        };
        assert_eq!(
            reads,
            [
                ("abc\n".to_owned(), read(false, true)),
                (String::new(), read(true, true)),
                ("ab".to_owned(), read(false, false)),
            ]
        );
    }
}
