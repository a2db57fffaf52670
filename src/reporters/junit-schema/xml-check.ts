/**
 * A strict, small XML 1.0 reader for tests, used where libxml2 is not available. What it checks:
 * one root element; proper nesting; names; quoted, unique attributes; no `<` in attribute values;
 * only the five predefined entities and valid character references; no character XML 1.0
 * forbids; an optional XML declaration; comments. What it does not: DTDs (rejected outright),
 * namespaces, processing instructions other than the declaration, CDATA (rejected: our writer
 * never emits it), and a literal '>' inside an attribute value (legal, but our writer escapes it).
 * It returns the element tree so a test can check the JUnit structure.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NAME = /^[A-Za-z_][\w.-]*$/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`${where}: '<' must be escaped`);
  return raw.replace(/&([^;]*);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`${where}: bare '&'`);
    if (ref in ENTITIES) return ENTITIES[ref] as string;
    const m = /^#(?:x([0-9A-Fa-f]+)|(\d+))$/.exec(ref);
    if (!m) throw new Error(`${where}: unknown entity &${ref};`);
    const cp = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    const ch = String.fromCodePoint(cp);
    if (cp > 0x10ffff || FORBIDDEN.test(ch)) throw new Error(`${where}: character reference to a forbidden character U+${cp.toString(16)}`);
    return ch;
  });
}

export function parseXml(xml: string): XmlElement {
  const bad = FORBIDDEN.exec(xml);
  if (bad) throw new Error(`forbidden character U+${(bad[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')} at offset ${bad.index}`);
  let i = 0;
  const decl = /^<\?xml\s+version="1\.[0-9]"(?:\s+encoding="[A-Za-z][\w.-]*")?(?:\s+standalone="(?:yes|no)")?\s*\?>/.exec(xml);
  if (decl) i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (stack.length === 0) {
      if (text.trim()) throw new Error(`text outside the root element at offset ${i}`);
    } else {
      if (text.includes(']]>')) throw new Error(`']]>' in text at offset ${i}`);
      (stack[stack.length - 1] as XmlElement).text += decode(text, `text at offset ${i}`);
    }
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1 || xml.slice(lt + 4, end).includes('--')) throw new Error(`bad comment at offset ${lt}`);
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<!', lt) || xml.startsWith('<?', lt)) throw new Error(`unsupported markup (DTD, CDATA or processing instruction) at offset ${lt}`);
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error(`unterminated tag at offset ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> at offset ${lt} closes ${open ? `<${open.name}>` : 'nothing'}`);
      i = gt + 1;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^([^\s/>]+)/.exec(body);
    const name = nameMatch?.[1] ?? '';
    if (!NAME.test(name)) throw new Error(`bad element name ${JSON.stringify(name)} at offset ${lt}`);
    const attributes: Record<string, string> = {};
    let rest = body.slice(name.length);
    const attr = /^\s+([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/;
    for (let m = attr.exec(rest); m; m = attr.exec(rest)) {
      const an = m[1] as string;
      if (!NAME.test(an)) throw new Error(`bad attribute name ${an} on <${name}>`);
      if (an in attributes) throw new Error(`duplicate attribute ${an} on <${name}>`);
      attributes[an] = decode(m[3] ?? m[4] ?? '', `attribute ${an} of <${name}>`);
      rest = rest.slice(m[0].length);
    }
    if (rest.trim()) throw new Error(`malformed attributes on <${name}> at offset ${lt}: ${JSON.stringify(rest.slice(0, 40))}`);
    const el: XmlElement = { name, attributes, children: [], text: '' };
    if (stack.length) (stack[stack.length - 1] as XmlElement).children.push(el);
    else if (root) throw new Error(`second root element <${name}> at offset ${lt}`);
    else root = el;
    if (!selfClosing) stack.push(el);
    i = gt + 1;
  }
  if (stack.length) throw new Error(`unclosed <${(stack[stack.length - 1] as XmlElement).name}>`);
  if (!root) throw new Error('no root element');
  return root;
}
