//! How deeply a YAML text nests, found in one linear pass before the parser sees it.
//!
//! serde_norway's parser (libyaml's scanner, ported to Rust as `unsafe-libyaml-norway`) takes
//! time quadratic in the nesting of flow collections: `beacon_state: [[[...]]]` 100,000 deep
//! (200 KB) keeps it busy for 40 s, and its recursion limit only applies after the whole
//! document has been loaded. A Scout test nests three levels, so [`check`] refuses a
//! text nested deeper than a limit before parsing starts.
//!
//! The pass makes libyaml's token decisions (its `scanner.rs`: where a comment, a quoted, block or
//! plain scalar starts and ends, which `[`, `{`, `-`, `?` and `:` are indicators, and the stack
//! of block indentations), without building values or reporting syntax errors: where libyaml stops
//! with an error the parser gets no further, so what the pass counts after that point does not
//! matter. Counting the levels from the same decisions is what makes the bound hold: a pass
//! that took a quote inside a plain scalar for the start of a string, or a comment that libyaml
//! ends at a U+2028 for one running to the newline, would skip brackets that the parser nests.
//!
//! A level is what the parser nests: an open flow collection, a block collection on the
//! indentation stack, a sequence written at its parent key's indentation (no new indentation),
//! and a single-pair mapping in a flow sequence (`[a: 1]`). The last two and a block mapping
//! whose key is a flow collection (`[a]: 1`) start before their `:` is seen, so each flow entry
//! and key keeps the deepest level reached inside it, and the mapping counts around that.

/// Why a text is refused before parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The nesting passed the limit on this line (1-based).
    TooDeep { line: usize },
    /// The text starts with a UTF-16 byte order mark: libyaml would decode it as UTF-16, which
    /// this pass does not read.
    Utf16,
    /// An alias (`*name`) on this line (1-based). The parser copies the anchored value at every
    /// alias, so a 2 MB anchored string used 500 times became 1.5 GB; Scout tests use none.
    Alias { line: usize },
}

/// A simple key libyaml could still take: where its first token started.
#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    line: usize,
    column: usize,
}

/// One block collection on the indentation stack.
struct Indent {
    column: usize,
    mapping: bool,
    /// A sequence at this mapping's own indentation is open (`key:\n- a`).
    indentless: bool,
}

/// One open flow collection.
struct Flow {
    sequence: bool,
    /// The current entry of this sequence is a single-pair mapping (`[a: 1]`), which the parser
    /// nests one level deeper.
    pair: bool,
    /// The deepest level reached since the current entry began: a `:` turning the entry into a
    /// pair puts the mapping around all of it.
    peak: usize,
}

/// libyaml drops a simple key candidate that is more than this many bytes before the `:`.
const MAX_SIMPLE_KEY_BYTES: usize = 1024;

struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
    /// 0-based, counted in line breaks as libyaml counts them.
    line: usize,
    /// In characters, as libyaml counts them.
    column: usize,
    /// Open flow collections, innermost last.
    flows: Vec<Flow>,
    /// Flow sequence entries that are single-pair mappings (`[a: 1]`).
    pairs: usize,
    indents: Vec<Indent>,
    indentless: usize,
    simple_key_allowed: bool,
    /// The simple key candidate of flow level 0, the only one that moves the indentation.
    key: Option<Mark>,
    /// The deepest level reached since `key` began: the mapping its `:` opens is around it.
    key_peak: usize,
    limit: usize,
}

/// Refuses `text` when it nests deeper than `limit` levels.
pub(crate) fn check(text: &[u8], limit: usize) -> Result<(), Refused> {
    if text.starts_with(&[0xff, 0xfe]) || text.starts_with(&[0xfe, 0xff]) {
        return Err(Refused::Utf16);
    }
    let mut scanner = Scanner {
        text,
        pos: 0,
        line: 0,
        column: 0,
        flows: Vec::new(),
        pairs: 0,
        indents: Vec::new(),
        indentless: 0,
        simple_key_allowed: true,
        key: None,
        key_peak: 0,
        limit,
    };
    scanner.run()
}

impl Scanner<'_> {
    fn at(&self, offset: usize) -> u8 {
        // A NUL ends the text for libyaml's reader (it refuses control characters), as does the
        // end of the input.
        self.text.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn is_z(&self, offset: usize) -> bool {
        self.at(offset) == 0
    }

    fn is_blank(&self, offset: usize) -> bool {
        matches!(self.at(offset), b' ' | b'\t')
    }

    /// libyaml's line breaks: CR, LF, NEL (U+0085), LS (U+2028) and PS (U+2029).
    fn break_width(&self, offset: usize) -> Option<usize> {
        match (self.at(offset), self.at(offset + 1), self.at(offset + 2)) {
            (b'\r', b'\n', _) => Some(2),
            (b'\r' | b'\n', _, _) => Some(1),
            (0xc2, 0x85, _) => Some(2),
            (0xe2, 0x80, 0xa8 | 0xa9) => Some(3),
            _ => None,
        }
    }

    fn is_break(&self, offset: usize) -> bool {
        self.break_width(offset).is_some()
    }

    fn is_blankz(&self, offset: usize) -> bool {
        self.is_blank(offset) || self.is_break(offset) || self.is_z(offset)
    }

    fn is_breakz(&self) -> bool {
        self.is_break(0) || self.is_z(0)
    }

    /// One character forward (its UTF-8 width from the lead byte), one column on.
    fn skip(&mut self) {
        let width = match self.at(0) {
            0xf0..=0xff => 4,
            0xe0..=0xef => 3,
            0xc0..=0xdf => 2,
            _ => 1,
        };
        self.pos = (self.pos + width).min(self.text.len());
        self.column += 1;
    }

    /// Past one line break, if there is one.
    fn skip_line(&mut self) {
        if let Some(width) = self.break_width(0) {
            self.pos += width;
            self.line += 1;
            self.column = 0;
        }
    }

    fn starts_document_marker(&self) -> bool {
        self.column == 0
            && matches!(
                (self.at(0), self.at(1), self.at(2)),
                (b'-', b'-', b'-') | (b'.', b'.', b'.')
            )
            && self.is_blankz(3)
    }

    fn flow_level(&self) -> usize {
        self.flows.len()
    }

    fn indent(&self) -> isize {
        self.indents.last().map_or(-1, |i| i.column as isize)
    }

    fn depth(&self) -> usize {
        self.flows.len() + self.pairs + self.indents.len() + self.indentless
    }

    /// The nesting went deeper, to the current depth.
    fn deeper(&mut self) -> Result<(), Refused> {
        self.reached(self.depth())
    }

    /// Some part of the text nests `depth` levels: it counts for the entry and the key it is in.
    fn reached(&mut self, depth: usize) -> Result<(), Refused> {
        if let Some(flow) = self.flows.last_mut() {
            flow.peak = flow.peak.max(depth);
        }
        if self.key.is_some() {
            self.key_peak = self.key_peak.max(depth);
        }
        if depth > self.limit {
            return Err(Refused::TooDeep {
                line: self.line + 1,
            });
        }
        Ok(())
    }

    /// Returns whether a block collection opened.
    fn roll_indent(&mut self, column: usize, mapping: bool) -> Result<bool, Refused> {
        if self.flow_level() > 0 {
            return Ok(false);
        }
        if self.indent() < column as isize {
            self.indents.push(Indent {
                column,
                mapping,
                indentless: false,
            });
            self.deeper()?;
            return Ok(true);
        } else if !mapping
            && let Some(top) = self.indents.last_mut()
            && top.column == column
            && top.mapping
            && !top.indentless
        {
            top.indentless = true;
            self.indentless += 1;
            self.deeper()?;
        }
        Ok(false)
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level() > 0 {
            return;
        }
        while self.indent() > column {
            if let Some(top) = self.indents.pop()
                && top.indentless
            {
                self.indentless -= 1;
            }
        }
    }

    /// An indentless sequence ends at the first token at its column that is not `- `.
    fn end_indentless(&mut self) {
        if self.flow_level() == 0
            && let Some(top) = self.indents.last_mut()
            && top.indentless
            && top.column == self.column
        {
            top.indentless = false;
            self.indentless -= 1;
        }
    }

    /// A `?` or `:` in a flow sequence makes its entry a single-pair mapping, around what the
    /// entry held so far.
    fn flow_pair(&mut self) -> Result<(), Refused> {
        if let Some(flow) = self.flows.last_mut()
            && flow.sequence
            && !flow.pair
        {
            flow.pair = true;
            self.pairs += 1;
            let around = flow.peak + 1;
            self.reached(around.max(self.depth()))?;
        }
        Ok(())
    }

    fn save_simple_key(&mut self) {
        if self.flow_level() == 0 && self.simple_key_allowed {
            self.key = Some(Mark {
                pos: self.pos,
                line: self.line,
                column: self.column,
            });
            self.key_peak = self.depth();
        }
    }

    fn remove_simple_key(&mut self) {
        if self.flow_level() == 0 {
            self.key = None;
        }
    }

    fn stale_simple_key(&mut self) {
        if let Some(key) = self.key
            && (key.line < self.line || key.pos + MAX_SIMPLE_KEY_BYTES < self.pos)
        {
            self.key = None;
        }
    }

    fn run(&mut self) -> Result<(), Refused> {
        loop {
            self.skip_to_next_token();
            self.stale_simple_key();
            self.unroll_indent(self.column as isize);
            if self.is_z(0) {
                return Ok(());
            }
            let c = self.at(0);
            let block_entry = c == b'-' && self.is_blankz(1);
            if !block_entry {
                self.end_indentless();
            }
            if self.column == 0 && c == b'%' {
                // A directive: libyaml reads it and its line break, which leaves no simple key
                // allowed on the next line.
                self.unroll_indent(-1);
                self.remove_simple_key();
                self.simple_key_allowed = false;
                while !self.is_breakz() {
                    self.skip();
                }
                self.skip_line();
            } else if self.starts_document_marker() {
                self.unroll_indent(-1);
                self.remove_simple_key();
                self.simple_key_allowed = false;
                self.pos += 3;
                self.column += 3;
            } else if c == b'[' || c == b'{' {
                self.save_simple_key();
                self.flows.push(Flow {
                    sequence: c == b'[',
                    pair: false,
                    peak: 0,
                });
                self.simple_key_allowed = true;
                self.skip();
                self.deeper()?;
            } else if c == b']' || c == b'}' {
                self.remove_simple_key();
                if let Some(flow) = self.flows.pop() {
                    if flow.pair {
                        self.pairs -= 1;
                    }
                    if let Some(outer) = self.flows.last_mut() {
                        outer.peak = outer.peak.max(flow.peak);
                    }
                }
                self.simple_key_allowed = false;
                self.skip();
            } else if c == b',' {
                if let Some(flow) = self.flows.last_mut() {
                    if flow.pair {
                        flow.pair = false;
                        self.pairs -= 1;
                    }
                    flow.peak = 0;
                }
                self.remove_simple_key();
                self.simple_key_allowed = true;
                self.skip();
            } else if block_entry {
                self.roll_indent(self.column, false)?;
                self.remove_simple_key();
                self.simple_key_allowed = true;
                self.skip();
            } else if c == b'?' && (self.flow_level() > 0 || self.is_blankz(1)) {
                self.flow_pair()?;
                self.roll_indent(self.column, true)?;
                self.remove_simple_key();
                self.simple_key_allowed = self.flow_level() == 0;
                self.skip();
            } else if c == b':' && (self.flow_level() > 0 || self.is_blankz(1)) {
                self.value()?;
            } else if c == b'*' {
                return Err(Refused::Alias {
                    line: self.line + 1,
                });
            } else if c == b'&' {
                self.save_simple_key();
                self.simple_key_allowed = false;
                self.skip();
                while self.at(0).is_ascii_alphanumeric() || matches!(self.at(0), b'_' | b'-') {
                    self.skip();
                }
            } else if c == b'!' {
                self.save_simple_key();
                self.simple_key_allowed = false;
                self.tag();
            } else if (c == b'|' || c == b'>') && self.flow_level() == 0 {
                self.remove_simple_key();
                self.simple_key_allowed = true;
                self.block_scalar();
            } else if c == b'\'' || c == b'"' {
                self.save_simple_key();
                self.simple_key_allowed = false;
                self.flow_scalar(c == b'\'');
            } else if self.starts_plain_scalar(c) {
                self.save_simple_key();
                self.simple_key_allowed = false;
                self.plain_scalar();
            } else {
                // "found character that cannot start any token": the parser stops here; go on
                // counting past it all the same.
                self.skip();
            }
        }
    }

    fn skip_to_next_token(&mut self) {
        loop {
            if self.column == 0
                && self
                    .text
                    .get(self.pos..)
                    .is_some_and(|rest| rest.starts_with("\u{feff}".as_bytes()))
            {
                self.skip();
            }
            while self.at(0) == b' '
                || (self.at(0) == b'\t' && (self.flow_level() > 0 || !self.simple_key_allowed))
            {
                self.skip();
            }
            if self.at(0) == b'#' {
                while !self.is_breakz() {
                    self.skip();
                }
            }
            if !self.is_break(0) {
                return;
            }
            self.skip_line();
            if self.flow_level() == 0 {
                self.simple_key_allowed = true;
            }
        }
    }

    fn value(&mut self) -> Result<(), Refused> {
        if self.flow_level() > 0 {
            // Inside a flow collection the key is the collection's, and no indentation moves.
            self.flow_pair()?;
            self.simple_key_allowed = false;
        } else if let Some(key) = self.key.take() {
            if self.roll_indent(key.column, true)? {
                // The mapping starts at the key, around everything the key nests.
                self.reached(self.key_peak + 1)?;
            }
            self.simple_key_allowed = false;
        } else {
            // Without a simple key libyaml rolls the indentation at the `:` itself (or fails,
            // when no key is allowed here).
            if self.simple_key_allowed {
                self.roll_indent(self.column, true)?;
            }
            self.simple_key_allowed = true;
        }
        self.skip();
        Ok(())
    }

    /// `!tag`, `!!tag`, `!<uri>`: up to a blank, or in a flow collection also up to `,[]{}`
    /// (libyaml ends the tag at its first non-URI character and fails unless that is a blank or,
    /// in flow, a `,`).
    fn tag(&mut self) {
        self.skip();
        let ends_tag = |scanner: &Self| {
            scanner.is_blankz(0)
                || (scanner.flow_level() > 0
                    && matches!(scanner.at(0), b',' | b'[' | b']' | b'{' | b'}'))
        };
        while !ends_tag(self) {
            self.skip();
        }
    }

    fn starts_plain_scalar(&self, c: u8) -> bool {
        let indicator = matches!(
            c,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        );
        !(self.is_blankz(0) || indicator)
            || (c == b'-' && !self.is_blank(1))
            || (self.flow_level() == 0 && (c == b'?' || c == b':') && !self.is_blankz(1))
    }

    fn plain_scalar(&mut self) {
        let indent = self.indent() + 1;
        let mut leading_blanks = false;
        loop {
            if self.starts_document_marker() || self.at(0) == b'#' {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if self.flow_level() > 0
                    && c == b':'
                    && matches!(self.at(1), b',' | b'?' | b'[' | b']' | b'{' | b'}')
                {
                    // libyaml: "found unexpected ':'", the parse stops.
                    return;
                }
                if (c == b':' && self.is_blankz(1))
                    || (self.flow_level() > 0 && matches!(c, b',' | b'[' | b']' | b'{' | b'}'))
                {
                    break;
                }
                leading_blanks = false;
                self.skip();
            }
            if !(self.is_blank(0) || self.is_break(0)) {
                break;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    self.skip();
                } else {
                    self.skip_line();
                    leading_blanks = true;
                }
            }
            if self.flow_level() == 0 && (self.column as isize) < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
    }

    /// A single- or double-quoted scalar, which may span lines.
    fn flow_scalar(&mut self, single: bool) {
        let quote = if single { b'\'' } else { b'"' };
        self.skip();
        loop {
            if self.starts_document_marker() || self.is_z(0) {
                // libyaml: an unexpected document indicator or end of stream, the parse stops.
                return;
            }
            while !self.is_blankz(0) {
                if single && self.at(0) == b'\'' && self.at(1) == b'\'' {
                    self.skip();
                    self.skip();
                } else if self.at(0) == quote {
                    break;
                } else if !single && self.at(0) == b'\\' && self.is_break(1) {
                    self.skip();
                    self.skip_line();
                    break;
                } else if !single && self.at(0) == b'\\' {
                    // The escaped character cannot end the scalar; the digits of `\x`, `\u`
                    // and `\U` are plain characters.
                    self.skip();
                    if !self.is_z(0) {
                        self.skip();
                    }
                } else {
                    self.skip();
                }
            }
            if self.at(0) == quote {
                self.skip();
                return;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    self.skip();
                } else {
                    self.skip_line();
                }
            }
        }
    }

    /// `|` or `>`, its header, and every content line at the block's indentation.
    fn block_scalar(&mut self) {
        self.skip();
        let mut increment = 0;
        let digit = |c: u8| (b'1'..=b'9').contains(&c).then(|| usize::from(c - b'0'));
        if matches!(self.at(0), b'+' | b'-') {
            self.skip();
            if let Some(d) = digit(self.at(0)) {
                increment = d;
                self.skip();
            }
        } else if let Some(d) = digit(self.at(0)) {
            increment = d;
            self.skip();
            if matches!(self.at(0), b'+' | b'-') {
                self.skip();
            }
        }
        while self.is_blank(0) {
            self.skip();
        }
        if self.at(0) == b'#' {
            while !self.is_breakz() {
                self.skip();
            }
        }
        if !self.is_breakz() {
            // libyaml: "did not find expected comment or line break", the parse stops.
            return;
        }
        self.skip_line();
        let mut indent: isize = 0;
        if increment != 0 {
            indent = self.indent().max(0) + increment as isize;
        }
        if !self.block_scalar_breaks(&mut indent) {
            return;
        }
        while self.column as isize == indent && !self.is_z(0) {
            while !self.is_breakz() {
                self.skip();
            }
            self.skip_line();
            if !self.block_scalar_breaks(&mut indent) {
                return;
            }
        }
    }

    /// Empty lines and indentation before a content line; settles the indentation from the first
    /// content line when the header gave none. `false` where libyaml fails (a tab in the
    /// indentation).
    fn block_scalar_breaks(&mut self, indent: &mut isize) -> bool {
        let mut max_indent = 0;
        loop {
            while (*indent == 0 || (self.column as isize) < *indent) && self.at(0) == b' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.column as isize);
            if (*indent == 0 || (self.column as isize) < *indent) && self.at(0) == b'\t' {
                return false;
            }
            if !self.is_break(0) {
                break;
            }
            self.skip_line();
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent() + 1).max(1);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        (0..)
            .find(|&limit| check(text.as_bytes(), limit).is_ok())
            .unwrap()
    }

    #[test]
    fn counts_flow_and_block_levels() {
        assert_eq!(depth(""), 0);
        assert_eq!(depth("a: 1\nb: 2\n"), 1);
        assert_eq!(depth("a:\n  b:\n    c: [1, {d: [2]}]\n"), 6);
        assert_eq!(depth("- - - x\n"), 3);
        // A sequence at its key's indentation is one more level.
        assert_eq!(depth("a:\n- 1\n- 2\nb: 3\n"), 2);
        assert_eq!(depth("a:\n- b:\n  - c\n"), 4);
        // A Scout test as `to_yaml` writes it.
        let scout = "beacon_state:\n  execution_scripts:\n    - \"ee.wasm\"\nshard_blocks:\n  - env: 0\n    data: \"00\"\n";
        assert_eq!(depth(scout), 3);
    }

    #[test]
    fn brackets_inside_scalars_and_comments_do_not_count() {
        assert_eq!(depth("a: \"[[[[\"\nb: '{{'' [['\n"), 1);
        assert_eq!(depth("a: x[[[ # [[[\n# [[[[[[\n"), 1);
        assert_eq!(depth("a: |\n  [[[[ \"\n  - - - -\nb: 1\n"), 1);
        assert_eq!(depth("a: >2\n   [[[[\nb: 1\n"), 1);
        assert_eq!(depth("a: \"multi\n  line [[[\"\n"), 1);
        assert_eq!(depth("a: !tag [[1]]\n"), 3);
        assert_eq!(depth("a: &x [[1]]\nb: x*\n"), 3);
    }

    #[test]
    fn an_alias_is_refused_where_libyaml_would_read_one() {
        assert_eq!(
            check(b"a: &x [[1]]\nb: *x\n", 64),
            Err(Refused::Alias { line: 2 })
        );
        assert_eq!(check(b"a: [1, *x]\n", 64), Err(Refused::Alias { line: 1 }));
        assert_eq!(check(b"- *x\n", 64), Err(Refused::Alias { line: 1 }));
        // A `*` inside a scalar or a comment is not an alias.
        assert_eq!(
            check(b"a: \"*x\"\nb: '*y'\nc: 2*3 # *z\nd: |\n  *w\n", 64),
            Ok(())
        );
    }

    /// Each of these would hide brackets from a pass that did not end scalars and comments
    /// where libyaml does.
    #[test]
    fn brackets_the_parser_sees_are_counted() {
        // A quote inside a plain scalar does not open a string.
        assert_eq!(depth("a: don't\nb: [[[1]]]\nc: 'x'\n"), 4);
        // Nor does one starting a continuation line of a plain scalar.
        assert_eq!(depth("a: b\n  \"c\nd: [[[1]]]\ne: \"\n"), 4);
        // A comment ends at U+2028 and at NEL.
        assert_eq!(depth("# x\u{2028}a: [[[1]]]\n"), 4);
        assert_eq!(depth("# x\u{85}a: [[[1]]]\n"), 4);
        // A block scalar ends at the first line indented less than its content.
        assert_eq!(depth("a: |\n  \"\nb: [[[1]]]\nc: \"\n"), 4);
        // Inside a flow collection `#` after a blank is a comment, and a quote starts a string.
        assert_eq!(depth("[\"a #\", [[[1]]]]\n"), 4);
        assert_eq!(depth("[a'b, [[1]]]\n"), 3);
    }

    #[test]
    fn reports_the_line_where_the_limit_is_passed() {
        let text = format!("a: 1\nb:\n  {}1{}\n", "[".repeat(10), "]".repeat(10));
        assert_eq!(check(text.as_bytes(), 8), Err(Refused::TooDeep { line: 3 }));
        assert_eq!(check(text.as_bytes(), 11), Ok(()));
    }

    #[test]
    fn a_utf16_text_is_refused() {
        assert_eq!(check(&[0xff, 0xfe, b'a', 0], 64), Err(Refused::Utf16));
        assert_eq!(check(&[0xfe, 0xff, 0, b'a'], 64), Err(Refused::Utf16));
    }

    /// Nesting of what the parser built (aliases are left out of the texts: they repeat a
    /// node the text nests once).
    fn parsed_depth(value: &serde_norway::Value) -> usize {
        use serde_norway::Value;
        match value {
            Value::Sequence(items) => 1 + items.iter().map(parsed_depth).max().unwrap_or(0),
            Value::Mapping(map) => {
                1 + map
                    .iter()
                    .map(|(k, v)| parsed_depth(k).max(parsed_depth(v)))
                    .max()
                    .unwrap_or(0)
            }
            Value::Tagged(tagged) => parsed_depth(&tagged.value),
            _ => 0,
        }
    }

    /// The pass never sees less nesting than the parser builds, on many small texts made of
    /// the characters where the two could disagree. The texts come from a fixed seed, so a
    /// failure names a text that fails every time.
    #[test]
    fn never_counts_less_than_the_parser_nests() {
        const PIECES: &[&str] = &[
            "[", "]", "{", "}", ",", ":", ": ", " ", "  ", "\n", "\n  ", "- ", "-", "? ", "#",
            " #", "'", "\"", "|", ">", "|2", "a", "b:", "\\", "\t", "\u{2028}", "\u{85}", "!t ",
            "1", "---\n", "\r\n", "%Y\n", "...\n", "\u{e9}", "\n    ", "|-\n", ">+1\n", "? [",
            "a: [", "- - ", "\n- ", "{a: ", "\u{feff}",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut parsed = 0;
        for _ in 0..50_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let Ok(value) = serde_norway::from_str::<serde_norway::Value>(&text) else {
                continue;
            };
            parsed += 1;
            let want = parsed_depth(&value);
            assert!(
                depth(&text) >= want,
                "{text:?}: pass {} < parser {want}",
                depth(&text)
            );
        }
        // Most random texts are not YAML; enough of them are for the check to mean something.
        assert!(parsed > 3_000, "{parsed}");
    }
}
