/**
 * Escaping for every output format. Wire text is hostile: markup, quotes, terminal escape
 * sequences and characters XML 1.0 forbids. Forbidden characters are shown, not dropped, as
 * `\uXXXX`, so a transcript still says what the server sent.
 */

/** Characters XML 1.0 does not allow at all (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Control characters a terminal or a browser would act on (C0 but tab and LF, DEL, C1). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function codePoint(ch: string): string {
  return `\\u${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Makes text safe to print on a terminal: control characters become `\uXXXX`. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, codePoint);
}

/** Text content and attribute values of XML 1.0. */
export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, codePoint)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values keep their line breaks only as character references (attribute normalisation). */
export function escapeXmlAttr(text: string): string {
  return escapeXml(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/** HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return escapeControl(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** One cell of a GitHub-flavoured Markdown table (HTML is live in GitHub Markdown: escape it). */
export function escapeMarkdownCell(text: string): string {
  return escapeControl(text)
    .replace(/([\\`*_[\]#~])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

/** Text inside a fenced code block: only a closing fence could break out. */
export function escapeMarkdownFence(text: string): string {
  return escapeControl(text).replace(/```/g, '`\u200B``');
}
