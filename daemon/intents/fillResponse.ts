/**
 * Fills a response template (daemon/intents/responses/*): `{name}` from `vars`, `{Name}` the same value with
 * its first letter in capitals. Only strings and numbers fill a placeholder; anything else leaves it as
 * written. One pass with a function, so a value holding `$&` or `{other}` is put in as it is.
 * Import-free: the isolated plugin runner renders shared responses with it too.
 */
export function fillResponse(template: string, vars: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{(\w+)\}/g, (all, name: string) => {
    const lower = name[0]!.toLowerCase() + name.slice(1);
    const v = vars[name] ?? vars[lower];
    if (typeof v !== 'string' && typeof v !== 'number') return all;
    const text = String(v);
    return name !== lower ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  });
}
