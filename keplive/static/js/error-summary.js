// A form came back with errors: move focus to its error summary, so that a screen reader reads
// it first and the keyboard starts there. Included right after the summary (no inline script:
// the Content-Security-Policy forbids them, ADR 0014).
document.getElementById("error-summary")?.focus();
