import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { formatIssues } from './envelopes/classify.js';

/** Parses a request body or query with a core schema; a failure names every bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  if (value === undefined) {
    throw new InputError('request body is missing: send a JSON object with Content-Type: application/json', { code: 'validation_error' });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new InputError(formatIssues(issues), { code: 'validation_error', issues });
}
