import { Text } from '@backstage/ui';
import type { JsonSchema } from '../api/types';

/** One input of a tool, flattened from its schema (nested objects as `a.b`). */
export interface SchemaRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(' | ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' | ');
  if (schema.$ref) return schema.$ref.replace(/^#\/(\$defs|definitions)\//, '');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (type === 'array' && schema.items) return `${typeOf(schema.items)}[]`;
  return type ?? 'any';
}

/** The inputs of a schema, in declaration order, nested properties after their parent. */
export function schemaRows(schema: JsonSchema | undefined, prefix = ''): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const required = new Set(schema?.required ?? []);
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push({
      name: path,
      type: typeOf(property),
      required: required.has(name),
      description: property.description ?? '',
    });
    if (property.properties) rows.push(...schemaRows(property, `${path}.`));
  }
  return rows;
}

/** A tool's input schema as a table a person reads. */
export function SchemaTable({ schema, label }: { schema?: JsonSchema; label: string }) {
  const rows = schemaRows(schema);
  if (rows.length === 0) {
    return (
      <Text as="p" variant="body-small" color="secondary">
        Takes no input.
      </Text>
    );
  }
  return (
    <table className="mcp-actions-schema" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Input</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(row => (
          <tr key={row.name}>
            <td>
              <code>{row.name}</code>
            </td>
            <td>
              <code>{row.type}</code>
            </td>
            <td>{row.required ? 'yes' : 'no'}</td>
            <td>{row.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
