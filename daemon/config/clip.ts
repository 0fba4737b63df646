/**
 * Shortens text from a config file before it goes into an error message, and makes control characters
 * visible: a message may quote a key or a value, never a whole line of whatever file it was pointed at.
 */
export function clip(text: string, max = 40): string {
  const visible = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}
