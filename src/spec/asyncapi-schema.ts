import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { addFormatsTo, Ajv } from './ajv.js';

export interface AsyncApiIssue {
  pointer: string;
  message: string;
}

let validator: ValidateFunction | undefined;

/**
 * The official AsyncAPI 3.0.0 JSON Schema, from the pinned dev dependency @asyncapi/specs
 * (`schemasWithoutId['3.0.0']`, a single self-contained draft-07 document). Returns undefined
 * when the package is not installed (an installed tarball has no dev dependencies).
 */
function asyncApiValidator(): ValidateFunction | undefined {
  if (validator) return validator;
  let specs: { schemasWithoutId: Record<string, object> };
  try {
    specs = createRequire(import.meta.url)('@asyncapi/specs') as typeof specs;
  } catch {
    return undefined;
  }
  const schema = specs.schemasWithoutId['3.0.0'];
  if (!schema) return undefined;
  // Their schema is not written for ajv's strict mode (additionalItems without tuple items, untyped
  // keywords), so strictness is relaxed for this third-party meta-schema only; our generated
  // schemas compile strictly (src/spec/ajv.ts).
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormatsTo(ajv);
  validator = ajv.compile(schema);
  return validator;
}

/** True when @asyncapi/specs can be loaded, i.e. `checkAsyncApi` can give an answer. */
export function asyncApiSchemaAvailable(): boolean {
  return asyncApiValidator() !== undefined;
}

function describe(error: ErrorObject): AsyncApiIssue {
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? error.keyword;
  if (error.keyword === 'additionalProperties') message = `unknown field ${String(params.additionalProperty)}`;
  if (error.keyword === 'required') message = `missing required field ${String(params.missingProperty)}`;
  return { pointer: error.instancePath || '/', message };
}

/**
 * Validates a parsed document against the AsyncAPI 3.0.0 JSON Schema. The schema's oneOf branches
 * make ajv report every branch that failed; the deepest errors come first since they say most.
 */
export function checkAsyncApi(doc: unknown): AsyncApiIssue[] | undefined {
  const validate = asyncApiValidator();
  if (!validate) return undefined;
  if (validate(doc)) return [];
  const errors = [...(validate.errors ?? [])].filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  errors.sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length);
  const seen = new Set<string>();
  const issues: AsyncApiIssue[] = [];
  for (const error of errors) {
    const issue = describe(error);
    const key = `${issue.pointer} ${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}
