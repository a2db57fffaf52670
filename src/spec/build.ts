import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ccError } from '../errors.js';
import { generateMessageSchema, renderJson, sortKeys, type MessageInput } from './generate.js';
import type { MessageInfo } from './message.js';
import type { Json } from './pointer.js';

/** A profile's document and messages, and where its generated schemas go. */
export interface SchemaSet {
  name: string;
  namingField: string;
  specPath: string;
  /** The folder of the generated files. */
  generatedDir: string;
  /** The parsed AsyncAPI document. */
  doc: Json;
  /** In the order of the index. */
  messages: readonly (MessageInfo & MessageInput)[];
}

/** Generated files of a profile: path relative to its generated/ folder → exact text. */
export type GeneratedFiles = Map<string, string>;

/** Every file `schemas build` writes for a profile: one schema per message and index.json. */
export function generateProfileFiles(profile: SchemaSet): GeneratedFiles {
  const files: GeneratedFiles = new Map();
  for (const message of profile.messages) {
    const schema = generateMessageSchema(profile.doc, profile.name, message, profile.specPath);
    files.set(relative('generated', message.schemaFile), renderJson(schema));
  }
  const index = {
    $comment: 'Generated from ../asyncapi.yaml by `chat-conform schemas build`. Do not edit: change the AsyncAPI document and rebuild.',
    profile: profile.name,
    namingField: profile.namingField,
    messages: profile.messages.map((m) => {
      const entry: Record<string, Json> = { id: m.id, name: m.name, direction: m.direction, key: m.key, file: relative('generated', m.schemaFile) };
      if (m.specSection !== undefined) entry.specSection = m.specSection;
      if (m.explicitOnly) entry.explicitOnly = true;
      return entry;
    }),
  };
  files.set('index.json', renderJson(sortKeys(index as unknown as Json)));
  return files;
}

/** The .json files under a generated/ folder, relative to it, sorted. */
function listGenerated(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.json')) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

export interface BuildResult {
  profile: string;
  written: string[];
  removed: string[];
}

/** Writes the generated files of a profile and removes the .json files no message produces any more. */
export function buildProfileSchemas(profile: SchemaSet): BuildResult {
  const files = generateProfileFiles(profile);
  const written: string[] = [];
  for (const [rel, text] of files) {
    const path = join(profile.generatedDir, rel);
    try {
      mkdirSync(dirname(path), { recursive: true });
      const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      if (current !== text) {
        writeFileSync(path, text);
        written.push(rel);
      }
    } catch (err) {
      throw ccError('CC_ERR_FILE_WRITE', { path, reason: (err as Error).message });
    }
  }
  const removed = listGenerated(profile.generatedDir).filter((rel) => !files.has(rel));
  for (const rel of removed) rmSync(join(profile.generatedDir, rel));
  return { profile: profile.name, written, removed };
}

export interface DriftResult {
  profile: string;
  differ: string[];
  missing: string[];
  extra: string[];
}

/** Compares the committed generated files with what the document produces now. */
export function checkProfileSchemas(profile: SchemaSet): DriftResult {
  const files = generateProfileFiles(profile);
  const present = new Set(listGenerated(profile.generatedDir));
  const differ: string[] = [];
  const missing: string[] = [];
  for (const [rel, text] of files) {
    if (!present.has(rel)) missing.push(rel);
    else if (readFileSync(join(profile.generatedDir, rel), 'utf8') !== text) differ.push(rel);
  }
  const extra = [...present].filter((rel) => !files.has(rel));
  return { profile: profile.name, differ: differ.sort(), missing: missing.sort(), extra };
}

export function hasDrift(result: DriftResult): boolean {
  return result.differ.length + result.missing.length + result.extra.length > 0;
}

/** One line naming every drifted file, relative to the package root when it can be. */
export function describeDrift(results: DriftResult[], base: (profile: string) => string): string {
  const parts: string[] = [];
  for (const r of results) {
    const at = (rel: string): string => `${base(r.profile)}/${rel}`;
    if (r.differ.length) parts.push(`differ: ${r.differ.map(at).join(', ')}`);
    if (r.missing.length) parts.push(`missing: ${r.missing.map(at).join(', ')}`);
    if (r.extra.length) parts.push(`extra: ${r.extra.map(at).join(', ')}`);
  }
  return parts.join('; ');
}
