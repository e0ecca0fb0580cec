import * as v from 'valibot';
import { RecordValidationError } from './errors.js';

type AnySchema = v.GenericSchema<unknown, unknown>;

/**
 * Checks a record against its schema and returns the parsed copy (unknown fields dropped,
 * keys in schema order, so two parsed records can be compared as JSON).
 * Throws a `RecordValidationError` naming the store, the key and the first bad field.
 */
export function checkRecord<S extends AnySchema>(
  schema: S,
  value: unknown,
  where: { readonly store: string; readonly key: unknown; readonly direction: 'read' | 'write' },
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const [issue] = result.issues;
  throw new RecordValidationError(
    where.store,
    where.key,
    v.getDotPath(issue) ?? '',
    issue.message,
    where.direction,
  );
}
