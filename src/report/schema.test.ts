import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { capacityReport, conformanceReport, loadReport } from './fixtures.js';
import { redactReport } from './redact.js';
import { readReport, reportSchema, validateReport } from './validate.js';

type Schema = { $ref?: string; type?: unknown; properties?: Record<string, Schema>; required?: string[]; items?: Schema; additionalProperties?: unknown };

describe('the report JSON Schema', () => {
  it('accepts the example conformance, load and capacity reports, before and after redaction', () => {
    for (const report of [conformanceReport(), loadReport(), capacityReport()]) {
      expect(validateReport(report)).toEqual([]);
      expect(validateReport(redactReport(report))).toEqual([]);
    }
  });

  it('rejects a report with a wrong verdict, a missing field or an unknown field, with the pointer', () => {
    const bad = conformanceReport() as unknown as { cases: { verdict: string }[]; summary?: unknown; extra?: number };
    (bad.cases[1] as { verdict: string }).verdict = 'MAYBE';
    delete bad.summary;
    bad.extra = 1;
    const errors = validateReport(bad);
    expect(errors).toContainEqual({ pointer: '/', message: "must have required property 'summary'" });
    expect(errors).toContainEqual({ pointer: '/', message: 'must NOT have additional properties' });
    expect(errors).toContainEqual({ pointer: '/cases/1/verdict', message: 'must be equal to one of the allowed values' });
  });

  it('readReport names the file and the first errors of an invalid report (exit 2)', () => {
    const path = join(packageRoot(), 'package.json');
    expect(() => readReport(path)).toThrowError(/package\.json is not a chat-conform report: \/ must have required property 'reportVersion'/);
    const future = join(tmpdir(), `cc-future-${process.pid}.json`);
    writeFileSync(future, JSON.stringify({ ...conformanceReport(), reportVersion: 2 }));
    expect(() => readReport(future)).toThrowError(`${future} is not a chat-conform report: report version 2, but this chat-conform reads version 1 (use the chat-conform that wrote it)`);
    rmSync(future);
    expect(() => readReport('/nonexistent/report.json')).toThrowError(expect.objectContaining({ code: 'CC_ERR_FILE_NOT_FOUND', exitCode: 2, message: 'cannot read /nonexistent/report.json: ENOENT' }));
  });

  it('agrees with src/report/model.ts on every property and which ones are required', () => {
    const schema = reportSchema() as Schema & { $defs: Record<string, Schema> };
    const source = readFileSync(join(packageRoot(), 'src', 'report', 'model.ts'), 'utf8');
    const file = ts.createSourceFile('model.ts', source, ts.ScriptTarget.ES2022, true);
    const interfaces = new Map<string, ts.InterfaceDeclaration>();
    file.forEachChild((node) => {
      if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
    });
    const resolve = (s: Schema | undefined): Schema | undefined => {
      if (s?.$ref) return schema.$defs[s.$ref.replace('#/$defs/', '')];
      return s;
    };
    const mismatches: string[] = [];
    let compared = 0;
    const compare = (where: string, members: ts.NodeArray<ts.TypeElement>, target: Schema | undefined): void => {
      if (!target?.properties) {
        mismatches.push(`${where}: no object schema`);
        return;
      }
      compared++;
      const tsProps = new Map<string, ts.PropertySignature>();
      for (const m of members) if (ts.isPropertySignature(m)) tsProps.set(m.name.getText(file).replace(/'/g, ''), m);
      const tsRequired = [...tsProps].filter(([, m]) => !m.questionToken).map(([n]) => n).sort();
      expect.soft([...tsProps.keys()].sort(), `${where} properties`).toEqual(Object.keys(target.properties).sort());
      expect.soft(tsRequired, `${where} required`).toEqual([...(target.required ?? [])].sort());
      expect.soft(target.additionalProperties, `${where} closed`).toBe(false);
      for (const [name, m] of tsProps) {
        let type = m.type;
        let sub = resolve(target.properties[name]);
        if (type && ts.isArrayTypeNode(type)) {
          type = type.elementType;
          sub = resolve(sub?.items);
        }
        if (type && ts.isTypeLiteralNode(type)) compare(`${where}.${name}`, type.members, sub);
        else if (type && ts.isTypeReferenceNode(type) && interfaces.has(type.typeName.getText(file))) {
          const ref = type.typeName.getText(file);
          compare(`${where}.${name}→${ref}`, (interfaces.get(ref) as ts.InterfaceDeclaration).members, sub);
        }
      }
    };
    compare('RunReport', (interfaces.get('RunReport') as ts.InterfaceDeclaration).members, schema);
    // Every interface of the model has a $defs entry of the same name, or is RunReport itself.
    for (const name of interfaces.keys()) if (name !== 'RunReport') expect.soft(Object.keys(schema.$defs), name).toContain(name);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(15);
  });
});
