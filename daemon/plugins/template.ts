/**
 * Fills `{{ name }}` / `{{ a.b }}` placeholders in a plugin's response template. Deliberately tiny: a
 * plugin's text never runs code, and a missing value renders as nothing rather than "undefined".
 */
export function renderTemplate(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, path: string) => {
    let value: unknown = vars;
    for (const key of path.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    return value === undefined || value === null ? '' : String(value);
  });
}
