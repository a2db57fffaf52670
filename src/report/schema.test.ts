import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { capacityReport, conformanceReport, loadReport } from './fixtures.js';
import { foldingReport, notAssessedReport, sourcesReport } from './fixtures-sources.js';
import type { RunReport } from './model.js';
import { redactReport } from './redact.js';
import { readReport, reportSchema, validateReport } from './validate.js';

type Schema = { $ref?: string; type?: unknown; properties?: Record<string, Schema>; required?: string[]; items?: Schema; additionalProperties?: unknown };

describe('the report JSON Schema', () => {
  it('accepts the example conformance, load and capacity reports, before and after redaction', () => {
    for (const report of [conformanceReport(), loadReport(), capacityReport(), sourcesReport(), notAssessedReport(), foldingReport()]) {
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

  it('reads a version 1 report as it was written, with no NOT-ASSESSED case', () => {
    const path = join(packageRoot(), 'src', 'report', 'testdata', 'conformance.v1.report.json');
    const raw = JSON.parse(readFileSync(path, 'utf8')) as RunReport;
    expect(raw.reportVersion).toBe(1);
    expect(raw.summary.byVerdict['NOT-ASSESSED']).toBeUndefined();
    expect(validateReport(raw)).toEqual([]);
    const read = readReport(path);
    expect(read.reportVersion).toBe(1);
    expect(read.summary.byVerdict).toEqual({ PASS: 1, 'NON-STRICT': 1, INFORMATIONAL: 1, 'NOT-ASSESSED': 0, FAIL: 1, ERROR: 1 });
    expect(read.cases.every((c) => c.source === undefined && c.blockedBy === undefined)).toBe(true);
    expect(read.rootCauses).toBeUndefined();
    expect(read.shapes).toBeUndefined();
  });

  it('holds version 2 to its parts: NOT-ASSESSED counted, blockedBy exactly on NOT-ASSESSED cases, known sources, at most 20 listed cases', () => {
    const noCount = sourcesReport() as unknown as { summary: { byVerdict: Record<string, number> } };
    delete noCount.summary.byVerdict['NOT-ASSESSED'];
    expect(validateReport(noCount)).toContainEqual({ pointer: '/summary/byVerdict', message: "must have required property 'NOT-ASSESSED'" });
    const r = sourcesReport();
    const blocked = r.cases.findIndex((c) => c.verdict === 'NOT-ASSESSED');
    delete r.cases[blocked]!.blockedBy;
    r.cases[0]!.blockedBy = { path: 'setup[0].connect', label: 'connection', finding: { verdict: 'FAIL', code: 'CC_CHECK_CONNECT_REFUSED', message: 'refused' } };
    (r.cases[1]!.source as { kind: string }).kind = 'lenient';
    r.shapes![0]!.cases = Array.from({ length: 21 }, (_, i) => `c${i}`);
    const errors = validateReport(r);
    expect(errors).toContainEqual({ pointer: `/cases/${blocked}`, message: "must have required property 'blockedBy'" });
    expect(errors).toContainEqual({ pointer: '/cases/0/blockedBy', message: 'boolean schema is false' });
    expect(errors).toContainEqual({ pointer: '/cases/1/source/kind', message: 'must be equal to one of the allowed values' });
    expect(errors).toContainEqual({ pointer: '/shapes/0/cases', message: 'must NOT have more than 20 items' });
  });

  it('readReport names the file and the first errors of an invalid report (exit 2)', () => {
    const path = join(packageRoot(), 'package.json');
    expect(() => readReport(path)).toThrowError(/package\.json is not a chat-conform report: \/ must have required property 'reportVersion'/);
    const future = join(tmpdir(), `cc-future-${process.pid}.json`);
    writeFileSync(future, JSON.stringify({ ...conformanceReport(), reportVersion: 3 }));
    expect(() => readReport(future)).toThrowError(`${future} is not a chat-conform report: report version 3, but this chat-conform reads versions 1 and 2 (use the chat-conform that wrote it)`);
    rmSync(future);
    expect(() => readReport('/nonexistent/report.json')).toThrowError(expect.objectContaining({ code: 'CC_ERR_FILE_NOT_FOUND', exitCode: 2, message: 'cannot read /nonexistent/report.json: ENOENT' }));
  });

  it('agrees with src/report/model.ts (and the metrics types it takes, src/metrics/summary.ts) on every property and which ones are required', () => {
    const schema = reportSchema() as Schema & { $defs: Record<string, Schema> };
    const interfaces = new Map<string, { file: ts.SourceFile; node: ts.InterfaceDeclaration }>();
    for (const path of [['report', 'model.ts'], ['metrics', 'summary.ts']]) {
      const file = ts.createSourceFile(path[1] as string, readFileSync(join(packageRoot(), 'src', ...path), 'utf8'), ts.ScriptTarget.ES2022, true);
      file.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, { file, node });
      });
    }
    const resolve = (s: Schema | undefined): Schema | undefined => {
      if (s?.$ref) return schema.$defs[s.$ref.replace('#/$defs/', '')];
      return s;
    };
    const mismatches: string[] = [];
    let compared = 0;
    const compare = (where: string, file: ts.SourceFile, members: ts.NodeArray<ts.TypeElement>, target: Schema | undefined): void => {
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
        if (type && ts.isTypeLiteralNode(type)) compare(`${where}.${name}`, file, type.members, sub);
        else if (type && ts.isTypeReferenceNode(type) && interfaces.has(type.typeName.getText(file))) {
          const ref = interfaces.get(type.typeName.getText(file)) as { file: ts.SourceFile; node: ts.InterfaceDeclaration };
          compare(`${where}.${name}→${ref.node.name.text}`, ref.file, ref.node.members, sub);
        }
      }
    };
    const root = interfaces.get('RunReport') as { file: ts.SourceFile; node: ts.InterfaceDeclaration };
    compare('RunReport', root.file, root.node.members, schema);
    // Every interface of the model has a $defs entry of the same name, or is RunReport itself.
    for (const name of interfaces.keys()) if (name !== 'RunReport') expect.soft(Object.keys(schema.$defs), name).toContain(name);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(15);
  });
});
